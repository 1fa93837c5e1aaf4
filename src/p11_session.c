/* jpki-pkcs11: session, login and PIN entry points. */
#include "config.h"

#include <string.h>

#include "log.h"
#include "p11.h"
#include "session.h"
#include "slot.h"
#include "token.h"

CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication,
                    CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession)
{
	jp_ctx c;
	CK_RV rv;

	if (!phSession)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if (!(flags & CKF_SERIAL_SESSION))
		return jp_ret(__func__, CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	if ((rv = jp_slot_enter(slotID, &c)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (c.sync == CKR_OK) {
		jp_mutex_lock(g.lock);
		rv = jp_session_new_inlock(c.r, c.cred, slotID, flags, phSession);
		jp_mutex_unlock(g.lock);
	} else {
		rv = jp_sync_ckr(c.sync) == CKR_SLOT_ID_INVALID ? CKR_TOKEN_NOT_PRESENT : jp_sync_ckr(c.sync);
	}
	jp_slot_leave(&c);
	return jp_ret(__func__, rv);
}

/* r's lock held.  Give up a card held for a session of this token. */
static void release_token_hold(jp_ctx *c)
{
	const jp_session *h = jp_card_holder(&c->r->card);

	if (h && h->cred == c->cred)
		jp_reader_release_hold(c->r);
}

/* r's lock held, not g.lock.  A token whose last session closed goes back
 * to the public state: logged out and its kept PIN wiped (the PINs of its
 * sessions' operations went with the sessions). */
static void logout_if_unused(jp_ctx *c)
{
	CK_ULONG all, rw;

	jp_mutex_lock(g.lock);
	jp_sessions_count_inlock(c->r, c->cred, &all, &rw);
	jp_mutex_unlock(g.lock);
	if (all > 0)
		return;
	if (c->t->logged_in)
		JP_LOG("last session of the token closed: logged out");
	jp_token_logout(c->t);
}

CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
{
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(hSession, &c, JP_STATE_ONLY)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (jp_card_held_by(&c.r->card, c.s))
		jp_reader_release_hold(c.r);
	jp_mutex_lock(g.lock);
	if (!c.s->closed)
		jp_session_close_inlock(c.s);
	jp_mutex_unlock(g.lock);
	logout_if_unused(&c);
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_slot_enter(slotID, &c)) != CKR_OK)
		return jp_ret(__func__, rv);
	release_token_hold(&c);
	jp_mutex_lock(g.lock);
	jp_sessions_close_slot_inlock(c.r, (int)c.cred);
	jp_mutex_unlock(g.lock);
	logout_if_unused(&c);
	jp_slot_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	bool rw;
	jp_ctx c;
	CK_RV rv;

	if (!pInfo)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if ((rv = jp_session_enter(hSession, &c, JP_SYNC_CARD)) != CKR_OK)
		return jp_ret(__func__, rv);
	rw = (c.s->flags & CKF_RW_SESSION) != 0;
	memset(pInfo, 0, sizeof(*pInfo));
	pInfo->slotID = c.slot;
	pInfo->flags = c.s->flags;
	if (c.t->logged_in)
		pInfo->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
	else
		pInfo->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
	jp_session_leave(&c);
	return jp_ret(__func__, CKR_OK);
}

static CK_RV login(jp_ctx *c, CK_USER_TYPE type, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	jp_op *op = &c->s->sign;
	CK_RV rv;

	switch (type) {
	case CKU_USER:
		if (c->t->logged_in)
			return CKR_USER_ALREADY_LOGGED_IN;
		return jp_token_login(c->r, c->t, pin, len);
	case CKU_CONTEXT_SPECIFIC:
		if (!op->active)
			return CKR_OPERATION_NOT_INITIALIZED;
		if (!c->t->logged_in)
			return CKR_USER_NOT_LOGGED_IN;
		/* A new context login replaces the last one's PIN and hold. */
		jp_secret_free(op->pin);
		op->context_login = false;
		/* Kept only until this one signature is made, in case the
		 * hold is gone by then. */
		if (!(op->pin = jp_secret_new()))
			return CKR_HOST_MEMORY;
		rv = jp_token_check_pin(c->r, c->t, pin, len, c->s, op->pin);
		if (rv == CKR_OK) {
			op->context_login = true;
		} else {
			jp_secret_free(op->pin);
			op->pin = NULL;
		}
		return rv;
	case CKU_SO:
		/* The card has no security officer: its PINs are reset only at a
		 * municipal office. */
		return CKR_USER_TYPE_INVALID;
	default:
		return CKR_USER_TYPE_INVALID;
	}
}

CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	jp_ctx c;
	CK_RV rv;

	/* No protected authentication path: the PIN comes from the caller. */
	if (!pPin)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if ((rv = jp_session_enter(hSession, &c, JP_SYNC_CARD)) != CKR_OK)
		return jp_ret(__func__, rv);
	rv = login(&c, userType, pPin, ulPinLen);
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(hSession, &c, JP_STATE_ONLY)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (c.t->logged_in) {
		release_token_hold(&c);
		jp_token_logout(c.t);
		jp_op_reset(&c.s->sign);
		jp_mutex_lock(g.lock);
		jp_sessions_forget_pins_inlock(c.r, c.cred);
		jp_mutex_unlock(g.lock);
	} else {
		rv = CKR_USER_NOT_LOGGED_IN;
	}
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
               CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	jp_ctx c;
	CK_RV rv;

	if (!pOldPin || !pNewPin)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if ((rv = jp_session_enter(hSession, &c, JP_SYNC_CARD)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (!(c.s->flags & CKF_RW_SESSION)) {
		rv = CKR_SESSION_READ_ONLY;
	} else {
		rv = jp_token_set_pin(c.r, c.t, pOldPin, ulOldLen, pNewPin, ulNewLen);
		/* The token's own kept PIN was updated; the PINs pending context
		 * logins keep are stale now, and are never sent. */
		if (rv == CKR_OK) {
			jp_mutex_lock(g.lock);
			jp_sessions_forget_pins_inlock(c.r, c.cred);
			jp_mutex_unlock(g.lock);
		}
	}
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(hSession, &c, JP_STATE_ONLY)) != CKR_OK)
		return jp_ret(__func__, rv);
	jp_session_leave(&c);
	/* Only a security officer may, and there is none. */
	return jp_ret(__func__, CKR_USER_NOT_LOGGED_IN);
}

CK_RV jp_session_only(CK_SESSION_HANDLE h, CK_RV answer)
{
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(h, &c, JP_STATE_ONLY)) != CKR_OK)
		return rv;
	jp_session_leave(&c);
	return answer;
}

CK_RV C_GetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
                          CK_ULONG_PTR pulOperationStateLen)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_FUNCTION_NOT_SUPPORTED));
}

CK_RV C_SetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,
                          CK_ULONG ulOperationStateLen, CK_OBJECT_HANDLE hEncryptionKey,
                          CK_OBJECT_HANDLE hAuthenticationKey)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_FUNCTION_NOT_SUPPORTED));
}

CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE hSession)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_FUNCTION_NOT_PARALLEL));
}

CK_RV C_CancelFunction(CK_SESSION_HANDLE hSession)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_FUNCTION_NOT_PARALLEL));
}

CK_RV C_SeedRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_RANDOM_NO_RNG));
}

CK_RV C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData, CK_ULONG ulRandomLen)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_RANDOM_NO_RNG));
}
