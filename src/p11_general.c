/* jpki-pkcs11: C_Initialize, C_Finalize, C_GetInfo, and the enter/leave
 * discipline every entry point uses. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "card.h"
#include "log.h"
#include "p11.h"
#include "session.h"
#include "slot.h"
#include "token.h"

jp_state g;

/* The tokens this module file shows at most; jpki-pkcs11-auth.so narrows
 * it in its C_GetFunctionList (module.c). */
unsigned jp_module_tokens = 1u << JPKI_AUTH | 1u << JPKI_SIGN;

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
 * arrives meanwhile counts itself, sees the flag and leaves with
 * CKR_CRYPTOKI_NOT_INITIALIZED.  Both are sequentially consistent atomics,
 * so a call either is seen by C_Finalize or sees the flag.  They live
 * outside g so that clearing g never races with a counting call. */
static int calls;
static int finalizing;
static int initialized;

static bool call_begin(void)
{
	__atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
	/* After fork() the child sees the parent's state but none of it is
	 * usable (connections are per process): it must C_Initialize. */
	if (!__atomic_load_n(&initialized, __ATOMIC_SEQ_CST) || __atomic_load_n(&finalizing, __ATOMIC_SEQ_CST) ||
	    g.pid != getpid()) {
		__atomic_sub_fetch(&calls, 1, __ATOMIC_SEQ_CST);
		return false;
	}
	return true;
}

static void call_end(void)
{
	__atomic_sub_fetch(&calls, 1, __ATOMIC_SEQ_CST);
}

CK_RV jp_enter(void)
{
	CK_RV rv;

	if (!call_begin())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if ((rv = jp_mutex_lock(g.lock)) != CKR_OK) {
		call_end();
		return rv;
	}
	return CKR_OK;
}

void jp_leave(void)
{
	jp_mutex_unlock(g.lock);
	jp_slots_reap();
	call_end();
}

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

/* The reader's lock, taken with g.lock dropped (never both waited for). */
static CK_RV lock_reader(jp_ctx *c)
{
	CK_RV rv = jp_mutex_lock(c->r->lock);

	if (rv != CKR_OK) {
		jp_mutex_lock(g.lock);
		jp_reader_unref_inlock(c->r);
		jp_mutex_unlock(g.lock);
		jp_slots_reap();
		call_end();
	}
	return rv;
}

/* A card the card session saw go is forgotten before the reader is let
 * go: its tokens, logins and sessions end with it. */
static void unlock_reader(jp_ctx *c)
{
	if (jp_card_gone(&c->r->card))
		jp_reader_forget_card(c->r);
	jp_mutex_unlock(c->r->lock);
}

CK_RV jp_slot_enter(CK_SLOT_ID id, jp_ctx *c)
{
	CK_RV rv;

	memset(c, 0, sizeof(*c));
	if ((rv = jp_enter()) != CKR_OK)
		return rv;
	jp_slots_refresh_inlock();
	c->r = jp_slot_find_inlock(id, &c->cred);
	if (!c->r) {
		jp_leave();
		return CKR_SLOT_ID_INVALID;
	}
	jp_reader_ref_inlock(c->r);
	jp_mutex_unlock(g.lock);
	if ((rv = lock_reader(c)) != CKR_OK)
		return rv;
	c->slot = id;
	c->t = &c->r->tokens[c->cred];
	c->sync = jp_reader_sync(c->r);
	return CKR_OK;
}

void jp_slot_leave(jp_ctx *c)
{
	unlock_reader(c);
	jp_mutex_lock(g.lock);
	jp_reader_unref_inlock(c->r);
	jp_leave();
}

CK_RV jp_session_enter(CK_SESSION_HANDLE h, jp_ctx *c, jp_card_use use)
{
	CK_RV rv;

	memset(c, 0, sizeof(*c));
	if ((rv = jp_enter()) != CKR_OK)
		return rv;
	if (use == JP_SYNC_CARD)
		jp_slots_refresh_inlock();
	c->s = jp_session_find_inlock(h);
	if (!c->s) {
		jp_leave();
		return CKR_SESSION_HANDLE_INVALID;
	}
	c->s->busy++;
	c->r = c->s->reader;
	c->cred = c->s->cred;
	c->slot = c->s->slot;
	c->t = &c->r->tokens[c->cred];
	jp_mutex_unlock(g.lock);
	if ((rv = jp_mutex_lock(c->r->lock)) != CKR_OK) {
		jp_mutex_lock(g.lock);
		jp_session_release_inlock(c->s);
		jp_leave();
		return rv;
	}
	rv = CKR_OK;
	if (use == JP_SYNC_CARD) {
		c->sync = jp_reader_sync(c->r);
		if (c->sync != CKR_OK)
			rv = CKR_DEVICE_REMOVED;
	}
	if (rv == CKR_OK && (c->s->closed || c->s->generation != c->r->generation))
		rv = c->s->generation != c->r->generation ? CKR_DEVICE_REMOVED : CKR_SESSION_HANDLE_INVALID;
	if (rv != CKR_OK)
		jp_session_leave(c);
	return rv;
}

void jp_session_leave(jp_ctx *c)
{
	unlock_reader(c);
	jp_mutex_lock(g.lock);
	jp_session_release_inlock(c->s);
	jp_leave();
}

static bool env_off(const char *name)
{
	const char *v = secure_getenv(name);
	return v && (strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "false") == 0);
}

/* JPKI_PKCS11_TOKENS: which tokens the module shows, e.g. "auth" for a
 * browser (it then never asks for the signature PIN while it looks for
 * client certificates), "sign" for a signing tool. Unset or empty: both.
 * Only the named tokens are shown; unknown words are ignored (and logged),
 * so a misspelt value hides rather than shows. */
static unsigned tokens_from_env(void)
{
	const char *v = secure_getenv("JPKI_PKCS11_TOKENS");
	unsigned mask = 0;
	size_t n;

	if (!v || !*v)
		return 1u << JPKI_AUTH | 1u << JPKI_SIGN;
	while (*v) {
		n = strcspn(v, ", ");
		if (n == 4 && strncmp(v, "auth", 4) == 0)
			mask |= 1u << JPKI_AUTH;
		else if (n == 4 && strncmp(v, "sign", 4) == 0)
			mask |= 1u << JPKI_SIGN;
		else if (n)
			JP_LOG("JPKI_PKCS11_TOKENS: unknown token \"%.*s\" ignored", (int)n, v);
		v += n;
		v += strspn(v, ", ");
	}
	return mask;
}

static CK_RV initialize(const CK_C_INITIALIZE_ARGS *args)
{
	CK_RV rv;
	size_t i;

	if (__atomic_load_n(&initialized, __ATOMIC_SEQ_CST) && g.pid == getpid())
		return CKR_CRYPTOKI_ALREADY_INITIALIZED;
	if (__atomic_load_n(&initialized, __ATOMIC_SEQ_CST)) {
		/* A child after fork(): forget the parent's state without touching
		 * its connections, threads or locks (they may be held in the
		 * parent, and destroying a held mutex is undefined). */
		__atomic_store_n(&initialized, 0, __ATOMIC_SEQ_CST);
		jp_slots_free_all(false);
		memset(&g, 0, sizeof(g));
		__atomic_store_n(&calls, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&finalizing, 0, __ATOMIC_SEQ_CST);
	}
	if (args && args->pReserved)
		return CKR_ARGUMENTS_BAD;
	if ((rv = jp_lock_setup(args)) != CKR_OK)
		return rv;
	memset(&g, 0, sizeof(g));
	if ((rv = jp_mutex_new(&g.lock)) != CKR_OK)
		return rv;
	jp_log_init();
	g.always_auth = !env_off("JPKI_PKCS11_ALWAYS_AUTHENTICATE");
	g.tokens = jp_module_tokens & tokens_from_env();
	g.pid = getpid();
	__atomic_store_n(&initialized, 1, __ATOMIC_SEQ_CST);
	/* Learn the readers now (no APDU): cards already in them are not slot
	 * events for C_WaitForSlotEvent. */
	if ((rv = jp_enter()) != CKR_OK)
		return rv;
	jp_slots_refresh_inlock();
	for (i = 0; i < g.nreaders; i++) {
		g.readers[i]->reported_present = g.readers[i]->present;
		g.readers[i]->reported_events = g.readers[i]->events;
	}
	JP_LOG("initialized: %zu reader(s), always-authenticate %s", g.nreaders, g.always_auth ? "on" : "off");
	jp_leave();
	return CKR_OK;
}

CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
	return jp_ret(__func__, initialize(pInitArgs));
}

/* Wake a thread blocked in C_WaitForSlotEvent; it sees g.finalizing. */
static void wake_waiters(void)
{
	if (jp_mutex_lock(g.lock) != CKR_OK)
		return;
	g.finalizing = true;
	if (g.waiter)
		jp_readers_cancel(g.waiter);
	jp_mutex_unlock(g.lock);
}

CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
	int expected = 0;

	if (pReserved)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if (!__atomic_load_n(&initialized, __ATOMIC_SEQ_CST) || g.pid != getpid())
		return jp_ret(__func__, CKR_CRYPTOKI_NOT_INITIALIZED);
	/* One finalizer; every call from now on is turned away. */
	if (!__atomic_compare_exchange_n(&finalizing, &expected, 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return jp_ret(__func__, CKR_CRYPTOKI_NOT_INITIALIZED);
	/* Let the calls in flight finish (a waiter is woken: it returns
	 * CKR_CRYPTOKI_NOT_INITIALIZED); nothing is freed under them. */
	while (__atomic_load_n(&calls, __ATOMIC_SEQ_CST) > 0) {
		wake_waiters();
		usleep(1000);
	}
	/* Holds are released and verified cards cleared as the readers go. */
	jp_slots_free_all(true);
	jp_readers_close(g.lister);
	jp_readers_close(g.waiter);
	jp_mutex_free(g.lock);
	memset(&g, 0, sizeof(g));
	__atomic_store_n(&initialized, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&finalizing, 0, __ATOMIC_SEQ_CST);
	return jp_ret(__func__, CKR_OK);
}

/* A process that exits with a card held (between a context login and its
 * signature) or in a verified transaction: clear it on the way out, so
 * the next process does not find the card verified.  Best effort: locks
 * other threads might hold are not waited for (the card session's own
 * lock is only tried). */
__attribute__((destructor)) static void release_at_exit(void)
{
	size_t i;

	if (!__atomic_load_n(&initialized, __ATOMIC_SEQ_CST) || g.pid != getpid())
		return;
	for (i = 0; i < g.nreaders; i++)
		jp_card_release_at_exit(&g.readers[i]->card);
}

CK_RV C_GetInfo(CK_INFO_PTR pInfo)
{
	CK_RV rv;

	if ((rv = jp_enter()) != CKR_OK)
		return jp_ret(__func__, rv);
	jp_leave();
	if (!pInfo)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	memset(pInfo, 0, sizeof(*pInfo));
	pInfo->cryptokiVersion.major = CRYPTOKI_VERSION_MAJOR;
	pInfo->cryptokiVersion.minor = CRYPTOKI_VERSION_MINOR;
	jp_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), "jpki-pkcs11 project");
	jp_pad(pInfo->libraryDescription, sizeof(pInfo->libraryDescription), "My Number Card (JPKI)");
	pInfo->libraryVersion.major = 0;
	pInfo->libraryVersion.minor = 1;
	return jp_ret(__func__, CKR_OK);
}
