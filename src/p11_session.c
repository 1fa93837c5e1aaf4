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
		rv = c.sync == CKR_TOKEN_NOT_RECOGNIZED || c.sync == CKR_DEVICE_ERROR ? c.sync : CKR_TOKEN_NOT_PRESENT;
	}
	jp_slot_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
{
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(hSession, &c, false)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (c.r->hold == c.s)
		jp_reader_release_hold(c.r);
	jp_mutex_lock(g.lock);
	if (!c.s->closed)
		jp_session_close_inlock(c.s);
	jp_mutex_unlock(g.lock);
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_slot_enter(slotID, &c)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (c.r->hold && c.r->hold->cred == c.cred)
		jp_reader_release_hold(c.r);
	jp_mutex_lock(g.lock);
	jp_sessions_close_slot_inlock(c.r, (int)c.cred);
	jp_mutex_unlock(g.lock);
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
	if ((rv = jp_session_enter(hSession, &c, true)) != CKR_OK)
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
		rv = jp_token_check_pin(c->r, c->t, pin, len, c->s);
		if (rv == CKR_OK) {
			/* Kept only until this one signature is made. */
			memcpy(op->pin, pin, len);
			op->pin_len = len;
			op->context_login = true;
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
	if ((rv = jp_session_enter(hSession, &c, true)) != CKR_OK)
		return jp_ret(__func__, rv);
	rv = login(&c, userType, pPin, ulPinLen);
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(hSession, &c, false)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (c.t->logged_in) {
		if (c.r->hold && c.r->hold->cred == c.cred)
			jp_reader_release_hold(c.r);
		jp_token_logout(c.t);
		jp_op_reset(&c.s->sign);
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
	if ((rv = jp_session_enter(hSession, &c, true)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (!(c.s->flags & CKF_RW_SESSION))
		rv = CKR_SESSION_READ_ONLY;
	else
		rv = jp_token_set_pin(c.r, c.t, pOldPin, ulOldLen, pNewPin, ulNewLen);
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(hSession, &c, false)) != CKR_OK)
		return jp_ret(__func__, rv);
	jp_session_leave(&c);
	/* Only a security officer may, and there is none. */
	return jp_ret(__func__, CKR_USER_NOT_LOGGED_IN);
}

CK_RV jp_session_only(CK_SESSION_HANDLE h, CK_RV answer)
{
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(h, &c, false)) != CKR_OK)
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
