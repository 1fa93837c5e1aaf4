/* jpki-pkcs11: signing (on the card) and verifying (in software) entry
 * points.  The operations themselves are op.c's; the card's signature is
 * the token's. */
#include "config.h"

#include "conf.h"
#include "object.h"
#include "p11.h"

static CK_RV sign_init(jp_ctx *c, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
	jp_obj_kind k;
	CK_RV rv;

	if (!jp_obj_kind_of(key, c->slot, &k))
		return CKR_KEY_HANDLE_INVALID;
	if (!jp_obj_is_key(c->t, k))
		return jp_obj_visible(c->t, k) ? CKR_KEY_FUNCTION_NOT_PERMITTED : CKR_KEY_HANDLE_INVALID;
	if (!jp_obj_visible(c->t, k))
		return c->t->pin_usable && !c->t->logged_in && k == JP_OBJ_PRIV ? CKR_USER_NOT_LOGGED_IN
		                                                               : CKR_KEY_HANDLE_INVALID;
	if (k != JP_OBJ_PRIV)
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	if ((rv = jp_op_init(&c->s->sign, mech, NULL)) != CKR_OK)
		jp_op_reset(&c->s->sign);
	return rv;
}

CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	JP_SESSION(hSession, JP_TOKEN | JP_IDLE_SIGN, sign_init, pMechanism, hKey);
}

/* The signature operation is over: wipe it, and give back a card held for
 * it that it did not use (e.g. the data was too long). */
static void sign_op_end(jp_ctx *c)
{
	jp_op_reset(&c->s->sign);
	if (jp_card_held_by(&c->r->ct.card, c->s))
		jp_token_release_hold(&c->r->ct);
}

/* The card signs what the operation gathered. */
static CK_RV card_signature(jp_ctx *c, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	jp_op *op = &c->s->sign;
	uint8_t tbs[256];
	size_t tbs_len = 0, out_len = *sig_len;
	const jp_secret *pin = NULL;
	CK_RV rv;

	if ((rv = jp_op_tbs(op, tbs, &tbs_len)) != CKR_OK)
		return rv;
	if (!op->md && tbs_len > (jp_token_key_bits(c->t) + 7) / 8 - 11)
		return CKR_DATA_LEN_RANGE;
	if (c->t->cred == JPKI_SIGN && jp_conf_always_auth()) {
		/* Every signature needs its own context login; its PIN is gone
		 * when a C_SetPIN or logout made it stale (then only a hold
		 * still open for this session could sign). */
		if (!op->context_login || (!op->pin && !jp_card_held_by(&c->r->ct.card, c->s)))
			return CKR_USER_NOT_LOGGED_IN;
		pin = op->pin;
	}
	rv = jp_token_sign(&c->r->ct, c->t, c->s, pin, tbs, tbs_len, sig, &out_len);
	if (rv == CKR_OK)
		*sig_len = out_len;
	return rv;
}

/* C_Sign (single, with the data) and C_SignFinal: a length query or a
 * short buffer leaves the operation going; anything else ends it. */
static CK_RV sign_and_end(jp_ctx *c, bool single, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
                          CK_ULONG_PTR sig_len)
{
	bool query = false;
	CK_RV rv;

	rv = jp_op_sig_space(jp_token_key_bits(c->t), sig, sig_len, &query);
	if (rv == CKR_BUFFER_TOO_SMALL || query)
		return rv;
	if (rv == CKR_OK && single)
		rv = c->s->sign.multipart ? CKR_OPERATION_ACTIVE : jp_op_update(&c->s->sign, data, len);
	if (rv == CKR_OK)
		rv = card_signature(c, sig, sig_len);
	sign_op_end(c);
	return rv;
}

static CK_RV sign(jp_ctx *c, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	return sign_and_end(c, true, data, len, sig, sig_len);
}

CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
             CK_ULONG_PTR pulSignatureLen)
{
	JP_SESSION(hSession, JP_TOKEN | JP_SIGNING, sign, pData, ulDataLen, pSignature, pulSignatureLen);
}

static CK_RV sign_final(jp_ctx *c, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	return sign_and_end(c, false, NULL, 0, sig, sig_len);
}

CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	JP_SESSION(hSession, JP_TOKEN | JP_SIGNING, sign_final, pSignature, pulSignatureLen);
}

/* C_SignUpdate and C_VerifyUpdate: one more part of a multi-part
 * operation; any failure ends the operation. */
static CK_RV sign_update(jp_ctx *c, CK_BYTE_PTR part, CK_ULONG len)
{
	CK_RV rv;

	c->s->sign.multipart = true;
	if ((rv = jp_op_update(&c->s->sign, part, len)) != CKR_OK)
		sign_op_end(c);
	return rv;
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	JP_SESSION(hSession, JP_SIGNING, sign_update, pPart, ulPartLen);
}

static CK_RV verify_init(jp_ctx *c, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
	jp_obj_kind k;
	CK_RV rv;

	if (!jp_obj_kind_of(key, c->slot, &k) || !jp_obj_visible(c->t, k) || !jp_obj_is_key(c->t, k))
		return CKR_KEY_HANDLE_INVALID;
	if (k == JP_OBJ_PRIV)
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	/* Only a key verifies: a certificate's handle is not a key's. */
	if (k != JP_OBJ_PUB || !jp_cert_pkey(&c->t->cert))
		return CKR_KEY_HANDLE_INVALID;
	if ((rv = jp_op_init(&c->s->verify, mech, c->t->cert.pkey)) != CKR_OK)
		jp_op_reset(&c->s->verify);
	return rv;
}

CK_RV C_VerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	JP_SESSION(hSession, JP_TOKEN | JP_IDLE_VERIFY, verify_init, pMechanism, hKey);
}

static CK_RV verify(jp_ctx *c, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG sig_len)
{
	jp_op *op = &c->s->verify;
	CK_RV rv = op->multipart ? CKR_OPERATION_ACTIVE : jp_op_update(op, data, len);

	if (rv == CKR_OK)
		rv = jp_op_verify(op, sig, sig_len);
	jp_op_reset(op);
	return rv;
}

CK_RV C_Verify(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
               CK_ULONG ulSignatureLen)
{
	JP_SESSION(hSession, JP_VERIFYING, verify, pData, ulDataLen, pSignature, ulSignatureLen);
}

static CK_RV verify_update(jp_ctx *c, CK_BYTE_PTR part, CK_ULONG len)
{
	CK_RV rv;

	c->s->verify.multipart = true;
	if ((rv = jp_op_update(&c->s->verify, part, len)) != CKR_OK)
		jp_op_reset(&c->s->verify);
	return rv;
}

CK_RV C_VerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	JP_SESSION(hSession, JP_VERIFYING, verify_update, pPart, ulPartLen);
}

static CK_RV verify_final(jp_ctx *c, CK_BYTE_PTR sig, CK_ULONG sig_len)
{
	CK_RV rv = jp_op_verify(&c->s->verify, sig, sig_len);

	jp_op_reset(&c->s->verify);
	return rv;
}

CK_RV C_VerifyFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	JP_SESSION(hSession, JP_VERIFYING, verify_final, pSignature, ulSignatureLen);
}
