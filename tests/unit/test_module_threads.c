/* jpki-pkcs11 tests: the module and its callers' threads, over a scripted
 * reader (module_fixture.h): C_Finalize waits for calls in flight in other
 * threads and wakes a C_WaitForSlotEvent; a lock of the application's
 * that fails is the call's result. */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "module_fixture.h"

/* ---- C_Finalize while other threads are inside calls --------------------- */

static int stop_threads;

static void *caller(void *arg)
{
	CK_SLOT_ID slots[4];
	CK_ULONG n;
	CK_INFO info;
	CK_RV rv = CKR_OK;
	long calls = 0;

	(void)arg;
	while (!__atomic_load_n(&stop_threads, __ATOMIC_SEQ_CST)) {
		n = 4;
		rv = C_GetSlotList(CK_FALSE, slots, &n);
		if (rv != CKR_OK && rv != CKR_CRYPTOKI_NOT_INITIALIZED)
			break;
		rv = C_GetInfo(&info);
		if (rv != CKR_OK && rv != CKR_CRYPTOKI_NOT_INITIALIZED)
			break;
		calls++;
	}
	return (void *)(intptr_t)(rv == CKR_OK || rv == CKR_CRYPTOKI_NOT_INITIALIZED ? calls : -1);
}

static void *waiter(void *arg)
{
	CK_SLOT_ID slot;

	(void)arg;
	return (void *)(intptr_t)C_WaitForSlotEvent(0, &slot, NULL);
}

static void test_finalize_races_calls(void **state)
{
	pthread_t th[4], w;
	void *res;
	int i, round;

	(void)state;
	/* no card: no APDU; learnt at initialization, so no slot event */
	script_reader_present(false);
	assert_int_equal(C_Finalize(NULL), CKR_OK);
	assert_int_equal(C_Initialize(NULL), CKR_OK);
	for (round = 0; round < 20; round++) {
		__atomic_store_n(&stop_threads, 0, __ATOMIC_SEQ_CST);
		for (i = 0; i < 4; i++)
			assert_int_equal(pthread_create(&th[i], NULL, caller, NULL), 0);
		assert_int_equal(pthread_create(&w, NULL, waiter, NULL), 0);
		usleep(20000);
		assert_int_equal(C_Finalize(NULL), CKR_OK);
		assert_int_equal(pthread_join(w, &res), 0);
		assert_int_equal((CK_RV)(intptr_t)res, CKR_CRYPTOKI_NOT_INITIALIZED);
		assert_int_equal(C_Initialize(NULL), CKR_OK);
		__atomic_store_n(&stop_threads, 1, __ATOMIC_SEQ_CST);
		for (i = 0; i < 4; i++) {
			assert_int_equal(pthread_join(th[i], &res), 0);
			assert_true((intptr_t)res >= 0);
		}
	}
}

/* ---- the application's mutex functions fail -------------------------------- */

static int fail_locks;

static CK_RV app_create(CK_VOID_PTR_PTR m)
{
	*m = calloc(1, sizeof(pthread_mutex_t));
	return *m && pthread_mutex_init(*m, NULL) == 0 ? CKR_OK : CKR_HOST_MEMORY;
}
static CK_RV app_destroy(CK_VOID_PTR m)
{
	pthread_mutex_destroy(m);
	free(m);
	return CKR_OK;
}
static CK_RV app_lock(CK_VOID_PTR m)
{
	if (fail_locks)
		return CKR_MUTEX_BAD;
	return pthread_mutex_lock(m) ? CKR_GENERAL_ERROR : CKR_OK;
}
static CK_RV app_unlock(CK_VOID_PTR m)
{
	return pthread_mutex_unlock(m) ? CKR_MUTEX_NOT_LOCKED : CKR_OK;
}

/* A lock that fails is passed on as the call's result: the call does not
 * go on unlocked. */
static void test_app_mutex_errors(void **state)
{
	CK_C_INITIALIZE_ARGS args = { app_create, app_destroy, app_lock, app_unlock, 0, NULL };
	CK_SLOT_ID slots[4];
	CK_ULONG n = 4;
	CK_INFO info;

	(void)state;
	assert_int_equal(C_Finalize(NULL), CKR_OK);
	script_reader_present(false);
	assert_int_equal(C_Initialize(&args), CKR_OK);
	fail_locks = 1;
	assert_int_equal(C_GetSlotList(CK_FALSE, slots, &n), CKR_MUTEX_BAD);
	assert_int_equal(C_GetInfo(&info), CKR_MUTEX_BAD);
	fail_locks = 0;
	assert_int_equal(C_GetSlotList(CK_FALSE, slots, &n), CKR_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		MODULE_TEST(test_app_mutex_errors), MODULE_TEST(test_finalize_races_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
