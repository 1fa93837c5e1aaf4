/* jpki-pkcs11: session, login and PIN entry points. */
#include "config.h"

#include <string.h>

#include "log.h"
#include "p11.h"

static CK_RV open_session(jp_ctx *c, CK_FLAGS flags, CK_SESSION_HANDLE_PTR out)
{
	CK_RV rv;

	if (!out)
		return CKR_ARGUMENTS_BAD;
	if (!(flags & CKF_SERIAL_SESSION))
		return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	if ((rv = jp_sync_ckr(c->sync)) != CKR_OK)
		return rv == CKR_SLOT_ID_INVALID ? CKR_TOKEN_NOT_PRESENT : rv;
	jp_global_lock();
	rv = jp_session_new_inlock(c->r, c->cred, c->slot, flags, out);
	jp_global_unlock();
	return rv;
}

CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication,
                    CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession)
{
	JP_SLOT(slotID, JP_ANY, open_session, flags, phSession);
}

/* Give up a card held for a session of this token. */
static void release_token_hold(jp_ctx *c)
{
	const jp_session *h = jp_card_holder(&c->r->ct.card);

	if (h && h->cred == c->cred)
		jp_token_release_hold(&c->r->ct);
}

/* A token whose last session closed goes back to the public state: logged
 * out and its kept PIN wiped (the PINs of its sessions' operations went
 * with the sessions). */
static void logout_if_unused(jp_ctx *c)
{
	CK_ULONG all, rw;

	jp_global_lock();
	jp_sessions_count_inlock(c->r, c->cred, &all, &rw);
	jp_global_unlock();
	if (all > 0)
		return;
	if (c->t->logged_in)
		JP_LOG("last session of the token closed: logged out");
	jp_token_logout(c->t);
}

static CK_RV close_session(jp_ctx *c)
{
	if (jp_card_held_by(&c->r->ct.card, c->s))
		jp_token_release_hold(&c->r->ct);
	jp_global_lock();
	if (!c->s->closed)
		jp_session_close_inlock(c->s);
	jp_global_unlock();
	logout_if_unused(c);
	return CKR_OK;
}

CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
{
	JP_SESSION(hSession, JP_ANY, close_session);
}

static CK_RV close_all_sessions(jp_ctx *c)
{
	release_token_hold(c);
	jp_global_lock();
	jp_sessions_close_slot_inlock(c->r, (int)c->cred);
	jp_global_unlock();
	logout_if_unused(c);
	return CKR_OK;
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
	JP_SLOT(slotID, JP_ANY, close_all_sessions);
}

static CK_RV get_session_info(jp_ctx *c, CK_SESSION_INFO_PTR info)
{
	bool rw = (c->s->flags & CKF_RW_SESSION) != 0;

	if (!info)
		return CKR_ARGUMENTS_BAD;
	memset(info, 0, sizeof(*info));
	info->slotID = c->slot;
	info->flags = c->s->flags;
	if (c->t->logged_in)
		info->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
	else
		info->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
	return CKR_OK;
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	JP_SESSION(hSession, JP_TOKEN, get_session_info, pInfo);
}

/* C_Login(CKU_CONTEXT_SPECIFIC): the PIN for the one signature that
 * follows; the card is held for it (token.h), and the PIN kept in case the
 * hold is gone by then. */
static CK_RV context_login(jp_ctx *c, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	jp_op *op = &c->s->sign;
	CK_RV rv;

	if (!op->active)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (!c->t->logged_in)
		return CKR_USER_NOT_LOGGED_IN;
	/* A new context login replaces the last one's PIN and hold. */
	jp_secret_free(op->pin);
	op->context_login = false;
	if (!(op->pin = jp_secret_new()))
		return CKR_HOST_MEMORY;
	rv = jp_token_check_pin(&c->r->ct, c->t, pin, len, c->s, op->pin);
	if (rv == CKR_OK) {
		op->context_login = true;
	} else {
		jp_secret_free(op->pin);
		op->pin = NULL;
	}
	return rv;
}

static CK_RV login(jp_ctx *c, CK_USER_TYPE type, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	/* A NULL PIN is typed on the reader's keypad, where the token shows
	 * CKF_PROTECTED_AUTHENTICATION_PATH (checked in the token model). */
	if (!pin && len != 0)
		return CKR_ARGUMENTS_BAD;
	switch (type) {
	case CKU_USER:
		if (c->t->logged_in)
			return CKR_USER_ALREADY_LOGGED_IN;
		if (!pin)
			return jp_token_login_keypad(&c->r->ct, c->t);
		return jp_token_login(&c->r->ct, c->t, pin, len, c->s);
	case CKU_CONTEXT_SPECIFIC:
		/* only the signature key asks for it, and its PIN has letters:
		 * never on a keypad */
		if (!pin)
			return CKR_ARGUMENTS_BAD;
		return context_login(c, pin, len);
	default:
		/* CKU_SO included: the card has no security officer, its PINs
		 * are reset only at a municipal office. */
		return CKR_USER_TYPE_INVALID;
	}
}

CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	JP_SESSION(hSession, JP_TOKEN, login, userType, pPin, ulPinLen);
}

/* Every PIN this process keeps for the token's pending context logins is
 * stale: wiped, never sent. */
static void forget_pins(jp_ctx *c)
{
	jp_global_lock();
	jp_sessions_forget_pins_inlock(c->r, c->cred);
	jp_global_unlock();
}

static CK_RV logout(jp_ctx *c)
{
	release_token_hold(c);
	jp_token_logout(c->t);
	jp_op_reset(&c->s->sign);
	forget_pins(c);
	return CKR_OK;
}

CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
	JP_SESSION(hSession, JP_USER, logout);
}

static CK_RV set_pin(jp_ctx *c, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len, CK_UTF8CHAR_PTR new_pin,
                     CK_ULONG new_len)
{
	CK_RV rv;

	if (!old_pin && !new_pin && old_len == 0 && new_len == 0) {
		/* both typed on the reader's keypad, where it can change PINs */
		rv = jp_token_set_pin_keypad(&c->r->ct, c->t);
		if (rv == CKR_OK)
			forget_pins(c);
		return rv;
	}
	if (!old_pin || !new_pin)
		return CKR_ARGUMENTS_BAD;
	/* The token's own kept PIN is updated there. */
	rv = jp_token_set_pin(&c->r->ct, c->t, old_pin, old_len, new_pin, new_len);
	if (rv == CKR_OK)
		forget_pins(c);
	return rv;
}

CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
               CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	JP_SESSION(hSession, JP_TOKEN | JP_RW, set_pin, pOldPin, ulOldLen, pNewPin, ulNewLen);
}
