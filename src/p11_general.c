/* jpki-pkcs11: C_Initialize, C_Finalize, C_GetInfo, and the enter/leave
 * discipline every entry point uses. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

CK_RV jp_enter(void)
{
	/* After fork() the child sees the parent's state but none of it is
	 * usable (pcsc-lite contexts are per process): it must C_Initialize. */
	if (!g.initialized || g.pid != getpid())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	jp_mutex_lock(g.lock);
	return CKR_OK;
}

void jp_leave(void)
{
	jp_mutex_unlock(g.lock);
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
	jp_leave();
	jp_mutex_lock(c->r->lock);
	c->slot = id;
	c->t = &c->r->tokens[c->cred];
	c->sync = jp_reader_sync(c->r);
	return CKR_OK;
}

void jp_slot_leave(jp_ctx *c)
{
	jp_mutex_unlock(c->r->lock);
	jp_mutex_lock(g.lock);
	jp_reader_unref_inlock(c->r);
	jp_mutex_unlock(g.lock);
}

CK_RV jp_session_enter(CK_SESSION_HANDLE h, jp_ctx *c, bool card)
{
	CK_RV rv;

	memset(c, 0, sizeof(*c));
	if ((rv = jp_enter()) != CKR_OK)
		return rv;
	if (card)
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
	jp_leave();
	jp_mutex_lock(c->r->lock);
	rv = CKR_OK;
	if (card) {
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
	jp_mutex_unlock(c->r->lock);
	jp_mutex_lock(g.lock);
	jp_session_release_inlock(c->s);
	jp_mutex_unlock(g.lock);
}

static bool env_off(const char *name)
{
	const char *v = getenv(name);
	return v && (strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "false") == 0);
}

/* JPKI_PKCS11_TOKENS: which tokens the module shows, e.g. "auth" for a
 * browser (it then never asks for the signature PIN while it looks for
 * client certificates), "sign" for a signing tool. Unset or empty: both.
 * Only the named tokens are shown; unknown words are ignored (and logged),
 * so a misspelt value hides rather than shows. */
static unsigned tokens_from_env(void)
{
	const char *v = getenv("JPKI_PKCS11_TOKENS");
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

	if (g.initialized && g.pid == getpid())
		return CKR_CRYPTOKI_ALREADY_INITIALIZED;
	if (g.initialized) {
		/* A child after fork(): forget the parent's state without touching
		 * its PC/SC handles or its locks, which may be held in the parent. */
		jp_slots_free_all(false);
		memset(&g, 0, sizeof(g));
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
	g.initialized = true;
	/* Learn the readers now (PC/SC only, no APDU): cards already in them
	 * are not slot events for C_WaitForSlotEvent. */
	jp_mutex_lock(g.lock);
	jp_slots_refresh_inlock();
	for (i = 0; i < g.nreaders; i++) {
		g.readers[i]->reported_present = g.readers[i]->present;
		g.readers[i]->reported_events = g.readers[i]->events;
	}
	jp_mutex_unlock(g.lock);
	JP_LOG("initialized: %zu reader(s), always-authenticate %s", g.nreaders, g.always_auth ? "on" : "off");
	return CKR_OK;
}

CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
	return jp_ret(__func__, initialize(pInitArgs));
}

CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
	CK_RV rv;

	if (pReserved)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if ((rv = jp_enter()) != CKR_OK)
		return jp_ret(__func__, rv);
	g.finalizing = true;
	/* Wake any thread blocked in C_WaitForSlotEvent and let it leave. */
	while (g.waiting > 0) {
		if (g.waiter)
			jp_pcsc_cancel(g.waiter);
		jp_leave();
		usleep(1000);
		jp_mutex_lock(g.lock);
	}
	jp_slots_free_all(true);
	if (g.pcsc)
		jp_pcsc_close(g.pcsc);
	if (g.waiter)
		jp_pcsc_close(g.waiter);
	jp_leave();
	jp_mutex_free(g.lock);
	memset(&g, 0, sizeof(g));
	return jp_ret(__func__, CKR_OK);
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
