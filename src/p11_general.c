/* jpki-pkcs11: C_Initialize, C_Finalize, C_GetInfo, and the frame every
 * entry point runs in (p11.h): the call gate, the enter and leave of each
 * rule, the rules themselves. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "p11.h"

CK_RV jp_ret(const char *fn, CK_RV rv)
{
	JP_LOG("%s = 0x%lx", fn, (unsigned long)rv);
	return rv;
}

/* ---- the call gate ------------------------------------------------------
 *
 * Every entry point is counted in `calls` from before it touches anything
 * until it has let go of everything.  C_Finalize sets `finalizing` and waits
 * for the count to drop to zero before it frees anything; a call that
 * arrives meanwhile counts itself, sees the state and leaves with
 * CKR_CRYPTOKI_NOT_INITIALIZED.  One state word, read once, and the count
 * are sequentially consistent atomics, so a call either is seen by
 * C_Finalize or sees it finalizing (two flags read one after the other
 * could be seen half-way through C_Finalize's end).  `pid` tells a child
 * after fork(): it sees the parent's state, none of it usable. */
enum { UNINITIALIZED, READY, FINALIZING };

static struct {
	int calls;
	int state;
	pid_t pid;
} gate;

static bool call_begin(void)
{
	__atomic_add_fetch(&gate.calls, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&gate.state, __ATOMIC_SEQ_CST) != READY || gate.pid != getpid()) {
		__atomic_sub_fetch(&gate.calls, 1, __ATOMIC_SEQ_CST);
		return false;
	}
	return true;
}

static void call_end(void)
{
	__atomic_sub_fetch(&gate.calls, 1, __ATOMIC_SEQ_CST);
}

/* ---- enter and leave -------------------------------------------------- */

CK_RV jp_global_enter(void)
{
	CK_RV rv;

	if (!call_begin())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if ((rv = jp_global_lock()) != CKR_OK) {
		call_end();
		return rv;
	}
	return CKR_OK;
}

/* On its way out every call closes the sessions whose card or reader went
 * (session.h), found by it or by another; a reader that goes with them is
 * freed once the global lock is let go. */
void jp_global_leave(void)
{
	jp_sessions_sweep_inlock();
	jp_global_unlock();
	jp_slots_reap();
	call_end();
}

/* The reader's lock, taken with the global lock dropped; on failure the
 * call is over. */
static CK_RV lock_reader(jp_ctx *c)
{
	CK_RV rv = jp_mutex_lock(c->r->lock);

	if (rv != CKR_OK) {
		jp_global_lock();
		if (c->s)
			jp_session_release_inlock(c->s);
		else
			jp_reader_unref_inlock(c->r);
		jp_global_leave();
	}
	return rv;
}

/* A card the card session saw go is forgotten before the reader is let
 * go: its tokens, logins and sessions end with it. */
static void unlock_reader(jp_ctx *c)
{
	if (jp_card_gone(&c->r->ct.card))
		jp_reader_forget_card(c->r);
	jp_mutex_unlock(c->r->lock);
}

CK_RV jp_slot_enter(CK_SLOT_ID id, jp_ctx *c)
{
	CK_RV rv;

	memset(c, 0, sizeof(*c));
	if ((rv = jp_global_enter()) != CKR_OK)
		return rv;
	jp_slots_refresh_inlock();
	c->r = jp_slot_find_inlock(id, &c->cred);
	if (!c->r) {
		jp_global_leave();
		return CKR_SLOT_ID_INVALID;
	}
	jp_reader_ref_inlock(c->r);
	jp_global_unlock();
	if ((rv = lock_reader(c)) != CKR_OK)
		return rv;
	c->slot = id;
	c->t = &c->r->ct.tokens[c->cred];
	c->sync = jp_reader_sync_token(c->r, c->cred);
	return CKR_OK;
}

void jp_slot_leave(jp_ctx *c)
{
	unlock_reader(c);
	jp_global_lock();
	jp_reader_unref_inlock(c->r);
	jp_global_leave();
}

CK_RV jp_session_enter(CK_SESSION_HANDLE h, jp_ctx *c, unsigned rules)
{
	bool card = (rules & JP_TOKEN) != 0;
	CK_RV rv;

	memset(c, 0, sizeof(*c));
	if ((rv = jp_global_enter()) != CKR_OK)
		return rv;
	if (card)
		jp_slots_refresh_inlock();
	c->s = jp_session_find_inlock(h);
	if (!c->s) {
		jp_global_leave();
		return CKR_SESSION_HANDLE_INVALID;
	}
	c->s->busy++;
	c->r = c->s->reader;
	c->cred = c->s->cred;
	c->slot = c->s->slot;
	c->t = &c->r->ct.tokens[c->cred];
	jp_global_unlock();
	if ((rv = lock_reader(c)) != CKR_OK)
		return rv;
	if (card && jp_reader_sync_token(c->r, c->cred) != CKR_OK)
		rv = CKR_DEVICE_REMOVED;
	else if (c->s->generation != c->r->generation)
		rv = CKR_DEVICE_REMOVED;
	else if (c->s->closed)
		rv = CKR_SESSION_HANDLE_INVALID;
	if (rv != CKR_OK)
		jp_session_leave(c);
	return rv;
}

void jp_session_leave(jp_ctx *c)
{
	unlock_reader(c);
	jp_global_lock();
	jp_session_release_inlock(c->s);
	jp_global_leave();
}

/* ---- the rules -------------------------------------------------------- */

CK_RV jp_sync_ckr(CK_RV sync)
{
	if (sync == CKR_OK)
		return CKR_OK;
	if (sync == CKR_DEVICE_REMOVED)
		return CKR_SLOT_ID_INVALID;
	if (sync == CKR_TOKEN_NOT_RECOGNIZED || sync == CKR_DEVICE_ERROR || sync == CKR_DEVICE_MEMORY ||
	    sync == CKR_HOST_MEMORY)
		return sync;
	return CKR_TOKEN_NOT_PRESENT;
}

CK_RV jp_rules(const jp_ctx *c, unsigned rules)
{
	if (!c->s)
		return rules & JP_TOKEN ? jp_sync_ckr(c->sync) : CKR_OK;
	if ((rules & JP_USER) && !c->t->logged_in)
		return CKR_USER_NOT_LOGGED_IN;
	if ((rules & JP_RW) && !(c->s->flags & CKF_RW_SESSION))
		return CKR_SESSION_READ_ONLY;
	if (((rules & JP_SIGNING) && !c->s->sign.active) || ((rules & JP_VERIFYING) && !c->s->verify.active) ||
	    ((rules & JP_FINDING) && !c->s->finding))
		return CKR_OPERATION_NOT_INITIALIZED;
	if (((rules & JP_IDLE_SIGN) && c->s->sign.active) || ((rules & JP_IDLE_VERIFY) && c->s->verify.active) ||
	    ((rules & JP_IDLE_FIND) && c->s->finding))
		return CKR_OPERATION_ACTIVE;
	return CKR_OK;
}

/* ---- C_Initialize, C_Finalize, C_GetInfo ---------------------------------- */

static CK_RV initialize(const CK_C_INITIALIZE_ARGS *args)
{
	CK_RV rv;

	if (__atomic_load_n(&gate.state, __ATOMIC_SEQ_CST) != UNINITIALIZED && gate.pid == getpid())
		return CKR_CRYPTOKI_ALREADY_INITIALIZED;
	if (__atomic_load_n(&gate.state, __ATOMIC_SEQ_CST) != UNINITIALIZED) {
		/* A child after fork(): forget the parent's state without touching
		 * its connections, threads or locks (they may be held in the
		 * parent, and destroying a held mutex is undefined). */
		__atomic_store_n(&gate.state, UNINITIALIZED, __ATOMIC_SEQ_CST);
		jp_sessions_free_all(false);
		jp_slots_free_all(false);
		jp_global_forget();
		__atomic_store_n(&gate.calls, 0, __ATOMIC_SEQ_CST);
	}
	if (args && args->pReserved)
		return CKR_ARGUMENTS_BAD;
	if ((rv = jp_lock_setup(args)) != CKR_OK)
		return rv;
	if ((rv = jp_global_init()) != CKR_OK)
		return rv;
	jp_log_init();
	jp_conf_load();
	gate.pid = getpid();
	__atomic_store_n(&gate.state, READY, __ATOMIC_SEQ_CST);
	/* Learn the readers now (no APDU): cards already in them are not slot
	 * events for C_WaitForSlotEvent. */
	if ((rv = jp_global_enter()) != CKR_OK)
		return rv;
	jp_slots_refresh_inlock();
	jp_slots_mark_reported_inlock();
	JP_LOG("initialized: always-authenticate %s", jp_conf_always_auth() ? "on" : "off");
	jp_global_leave();
	return CKR_OK;
}

CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
	return jp_ret(__func__, initialize(pInitArgs));
}

static void cancel_waits(void)
{
	if (jp_global_lock() != CKR_OK)
		return;
	jp_slots_cancel_waits_inlock();
	jp_global_unlock();
}

static CK_RV finalize(CK_VOID_PTR reserved)
{
	int expected = READY;

	if (reserved)
		return CKR_ARGUMENTS_BAD;
	if (gate.pid != getpid())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	/* One finalizer; every call from now on is turned away. */
	if (!__atomic_compare_exchange_n(&gate.state, &expected, FINALIZING, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	/* Let the calls in flight finish (a waiter is woken: it returns
	 * CKR_CRYPTOKI_NOT_INITIALIZED); nothing is freed under them. */
	while (__atomic_load_n(&gate.calls, __ATOMIC_SEQ_CST) > 0) {
		cancel_waits();
		usleep(1000);
	}
	/* Holds are released and verified cards cleared as the readers go. */
	jp_sessions_free_all(true);
	jp_slots_free_all(true);
	jp_slots_close_service();
	jp_global_free();
	jp_conf_unload();
	__atomic_store_n(&gate.state, UNINITIALIZED, __ATOMIC_SEQ_CST);
	return CKR_OK;
}

CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
	return jp_ret(__func__, finalize(pReserved));
}

/* A process that exits with a card held (between a context login and its
 * signature) or in a verified transaction: clear it on the way out, so
 * the next process does not find the card verified.  Best effort: no lock
 * other threads might hold is waited for. */
__attribute__((destructor)) static void release_at_exit(void)
{
	if (__atomic_load_n(&gate.state, __ATOMIC_SEQ_CST) == READY && gate.pid == getpid())
		jp_slots_release_at_exit();
}

static CK_RV get_info(CK_INFO_PTR info)
{
	if (!info)
		return CKR_ARGUMENTS_BAD;
	memset(info, 0, sizeof(*info));
	info->cryptokiVersion.major = CRYPTOKI_VERSION_MAJOR;
	info->cryptokiVersion.minor = CRYPTOKI_VERSION_MINOR;
	jp_pad(info->manufacturerID, sizeof(info->manufacturerID), "jpki-pkcs11 project");
	jp_pad(info->libraryDescription, sizeof(info->libraryDescription), "My Number Card (JPKI)");
	info->libraryVersion.major = 0;
	info->libraryVersion.minor = 1;
	return CKR_OK;
}

CK_RV C_GetInfo(CK_INFO_PTR pInfo)
{
	JP_GLOBAL(get_info, pInfo);
}
