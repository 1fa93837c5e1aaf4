/* jpki-pkcs11: mutexes.  PKCS#11 lets the application hand in its own
 * mutex functions; when it does and does not allow OS locking, those must
 * be used, so every lock of the module goes through here. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "lock.h"
#include "log.h"

static CK_RV os_create(void **m)
{
	pthread_mutex_t *p = malloc(sizeof(*p));
	if (!p)
		return CKR_HOST_MEMORY;
	if (pthread_mutex_init(p, NULL) != 0) {
		free(p);
		return CKR_GENERAL_ERROR;
	}
	*m = p;
	return CKR_OK;
}

static CK_RV os_destroy(void *m)
{
	pthread_mutex_destroy(m);
	free(m);
	return CKR_OK;
}

static CK_RV os_lock(void *m) { return pthread_mutex_lock(m) ? CKR_GENERAL_ERROR : CKR_OK; }
static CK_RV os_unlock(void *m) { return pthread_mutex_unlock(m) ? CKR_GENERAL_ERROR : CKR_OK; }

static struct {
	CK_CREATEMUTEX create;
	CK_DESTROYMUTEX destroy;
	CK_LOCKMUTEX lock;
	CK_UNLOCKMUTEX unlock;
} fns = { os_create, os_destroy, os_lock, os_unlock };

CK_RV jp_lock_setup(const CK_C_INITIALIZE_ARGS *args)
{
	int given = 0;

	fns.create = os_create;
	fns.destroy = os_destroy;
	fns.lock = os_lock;
	fns.unlock = os_unlock;
	if (!args)
		return CKR_OK;
	given = (args->CreateMutex != NULL) + (args->DestroyMutex != NULL) +
	        (args->LockMutex != NULL) + (args->UnlockMutex != NULL);
	if (given != 0 && given != 4)
		return CKR_ARGUMENTS_BAD;
	if (args->flags & CKF_OS_LOCKING_OK)
		return CKR_OK;  /* ours are OS locks: allowed, and preferred */
	if (given == 4) {
		fns.create = args->CreateMutex;
		fns.destroy = args->DestroyMutex;
		fns.lock = args->LockMutex;
		fns.unlock = args->UnlockMutex;
	}
	/* No flag and no functions: the application promises not to call us
	 * from several threads; OS locks are harmless then. */
	return CKR_OK;
}

CK_RV jp_mutex_new(jp_mutex *m)
{
	return fns.create(m);
}

void jp_mutex_free(jp_mutex m)
{
	if (m)
		fns.destroy(m);
}

CK_RV jp_mutex_lock(jp_mutex m)
{
	CK_RV rv = fns.lock(m);

	if (rv != CKR_OK)
		JP_LOG("locking a mutex failed: 0x%lx", (unsigned long)rv);
	return rv;
}

void jp_mutex_unlock(jp_mutex m)
{
	CK_RV rv = fns.unlock(m);

	if (rv != CKR_OK)
		JP_LOG("unlocking a mutex failed: 0x%lx", (unsigned long)rv);
}

static jp_mutex global;

CK_RV jp_global_init(void)
{
	return jp_mutex_new(&global);
}

void jp_global_free(void)
{
	jp_mutex_free(global);
	global = NULL;
}

void jp_global_forget(void)
{
	global = NULL;
}

CK_RV jp_global_lock(void)
{
	return jp_mutex_lock(global);
}

void jp_global_unlock(void)
{
	jp_mutex_unlock(global);
}
