/* jpki-pkcs11: signing (on the card) and verifying (in software). */
#include "config.h"

#include <string.h>
#include <openssl/rsa.h>

#include "object.h"
#include "p11.h"
#include "session.h"
#include "token.h"

static CK_RV op_init(jp_op *op, const CK_MECHANISM *mech)
{
	const jp_mech *m;

	if (!mech)
		return CKR_ARGUMENTS_BAD;
	if (!(m = jp_mech_find(mech->mechanism)))
		return CKR_MECHANISM_INVALID;
	if (mech->pParameter || mech->ulParameterLen)
		return CKR_MECHANISM_PARAM_INVALID;
	memset(op, 0, sizeof(*op));
	op->mech = m;
	if (m->alg.md && !(op->md = jp_digest_new(&m->alg)))
		return CKR_HOST_MEMORY;
	op->active = true;
	return CKR_OK;
}

static CK_RV op_update(jp_op *op, const CK_BYTE *part, CK_ULONG len)
{
	if (len && !part)
		return CKR_ARGUMENTS_BAD;
	if (op->md)
		return EVP_DigestUpdate(op->md, part, len) ? CKR_OK : CKR_FUNCTION_FAILED;
	if (len > sizeof(op->data) - op->data_len)
		return CKR_DATA_LEN_RANGE;
	if (len)
		memcpy(op->data + op->data_len, part, len);
	op->data_len += len;
	return CKR_OK;
}

/* What the key works on: the DigestInfo of the hashed data, or the data. */
static CK_RV op_tbs(jp_op *op, uint8_t *out, size_t *len)
{
	if (!op->md) {
		memcpy(out, op->data, op->data_len);
		*len = op->data_len;
		return CKR_OK;
	}
	*len = jp_digestinfo_final(&op->mech->alg, op->md, out);
	return *len ? CKR_OK : CKR_FUNCTION_FAILED;
}

CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	jp_obj_kind k;
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(hSession, &c, JP_SYNC_CARD)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (c.s->sign.active)
		rv = CKR_OPERATION_ACTIVE;
	else if (!jp_obj_kind_of(hKey, c.slot, &k) || !jp_obj_visible(c.t, k))
		rv = c.t->pin_usable && !c.t->logged_in && jp_obj_kind_of(hKey, c.slot, &k) && k == JP_OBJ_PRIV
		     ? CKR_USER_NOT_LOGGED_IN : CKR_KEY_HANDLE_INVALID;
	else if (k != JP_OBJ_PRIV)
		rv = CKR_KEY_FUNCTION_NOT_PERMITTED;
	else
		rv = op_init(&c.s->sign, pMechanism);
	if (rv != CKR_OK && rv != CKR_OPERATION_ACTIVE)
		jp_op_reset(&c.s->sign);
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

/* The signature operation is over: wipe it, and give back a card held for
 * it that it did not use (e.g. the data was too long). */
static void end_sign(jp_ctx *c)
{
	jp_op_reset(&c->s->sign);
	if (jp_card_held_by(&c->r->card, c->s))
		jp_reader_release_hold(c->r);
}

/* The signature length, or CKR_BUFFER_TOO_SMALL: the operation goes on. */
static CK_RV sig_space(const jp_token *t, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len, bool *query)
{
	size_t need = (jp_token_key_bits(t) + 7) / 8;

	*query = false;
	if (!sig_len)
		return CKR_ARGUMENTS_BAD;
	if (!sig) {
		*sig_len = need;
		*query = true;
		return CKR_OK;
	}
	if (*sig_len < need) {
		*sig_len = need;
		return CKR_BUFFER_TOO_SMALL;
	}
	return CKR_OK;
}

static CK_RV sign_finish(jp_ctx *c, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	jp_op *op = &c->s->sign;
	uint8_t tbs[256];
	size_t tbs_len = 0, out_len = *sig_len;
	const jp_secret *pin = NULL;
	CK_RV rv;

	if ((rv = op_tbs(op, tbs, &tbs_len)) != CKR_OK)
		return rv;
	if (!op->md && tbs_len > (jp_token_key_bits(c->t) + 7) / 8 - 11)
		return CKR_DATA_LEN_RANGE;
	if (c->t->cred == JPKI_SIGN && g.always_auth) {
		/* Every signature needs its own context login; its PIN is gone
		 * when a C_SetPIN or logout made it stale (then only a hold
		 * still open for this session could sign). */
		if (!op->context_login || (!op->pin && !jp_card_held_by(&c->r->card, c->s)))
			return CKR_USER_NOT_LOGGED_IN;
		pin = op->pin;
	}
	rv = jp_token_sign(c->r, c->t, c->s, pin, tbs, tbs_len, sig, &out_len);
	if (rv == CKR_OK)
		*sig_len = out_len;
	return rv;
}

/* C_Sign (single, with the data) and C_SignFinal: a length query or a
 * short buffer leaves the operation going; anything else ends it. */
static CK_RV sign_last(CK_SESSION_HANDLE h, bool single, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
                       CK_ULONG_PTR sig_len)
{
	bool query = false;
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(h, &c, JP_SYNC_CARD)) != CKR_OK)
		return rv;
	if (!c.s->sign.active) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	rv = sig_space(c.t, sig, sig_len, &query);
	if (rv == CKR_BUFFER_TOO_SMALL || query)
		goto out;
	if (rv == CKR_OK && single)
		rv = c.s->sign.multipart ? CKR_OPERATION_ACTIVE : op_update(&c.s->sign, data, len);
	if (rv == CKR_OK)
		rv = sign_finish(&c, sig, sig_len);
	end_sign(&c);
out:
	jp_session_leave(&c);
	return rv;
}

CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
             CK_ULONG_PTR pulSignatureLen)
{
	return jp_ret(__func__, sign_last(hSession, true, pData, ulDataLen, pSignature, pulSignatureLen));
}

/* C_SignUpdate and C_VerifyUpdate: one more part of a multi-part
 * operation; any failure ends the operation. */
static CK_RV update(CK_SESSION_HANDLE h, bool sign, CK_BYTE_PTR part, CK_ULONG len)
{
	jp_op *op;
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(h, &c, JP_STATE_ONLY)) != CKR_OK)
		return rv;
	op = sign ? &c.s->sign : &c.s->verify;
	if (!op->active) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	} else {
		op->multipart = true;
		if ((rv = op_update(op, part, len)) != CKR_OK) {
			if (sign)
				end_sign(&c);
			else
				jp_op_reset(op);
		}
	}
	jp_session_leave(&c);
	return rv;
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	return jp_ret(__func__, update(hSession, true, pPart, ulPartLen));
}

CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	return jp_ret(__func__, sign_last(hSession, false, NULL, 0, pSignature, pulSignatureLen));
}

CK_RV C_VerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	const jp_cert *cert;
	jp_obj_kind k;
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(hSession, &c, JP_SYNC_CARD)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (c.s->verify.active) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
	if (!jp_obj_kind_of(hKey, c.slot, &k) || !jp_obj_visible(c.t, k)) {
		rv = CKR_KEY_HANDLE_INVALID;
		goto out;
	}
	if (k == JP_OBJ_PRIV) {
		rv = CKR_KEY_FUNCTION_NOT_PERMITTED;
		goto out;
	}
	/* Only a key verifies: a certificate's handle is not a key's. */
	if (k != JP_OBJ_PUB || !jp_cert_pkey(&c.t->cert)) {
		rv = CKR_KEY_HANDLE_INVALID;
		goto out;
	}
	cert = &c.t->cert;
	if ((rv = op_init(&c.s->verify, pMechanism)) == CKR_OK) {
		c.s->verify.pkey = cert->pkey;
		EVP_PKEY_up_ref(cert->pkey);
	} else {
		jp_op_reset(&c.s->verify);
	}
out:
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

static CK_RV verify_finish(jp_op *op, const CK_BYTE *sig, CK_ULONG sig_len)
{
	uint8_t tbs[256];
	size_t tbs_len = 0;
	EVP_PKEY_CTX *pc;
	CK_RV rv;
	int ok;

	if (!sig)
		return CKR_ARGUMENTS_BAD;
	if (sig_len != (CK_ULONG)EVP_PKEY_get_size(op->pkey))
		return CKR_SIGNATURE_LEN_RANGE;
	if ((rv = op_tbs(op, tbs, &tbs_len)) != CKR_OK)
		return rv;
	pc = EVP_PKEY_CTX_new(op->pkey, NULL);
	if (!pc)
		return CKR_HOST_MEMORY;
	/* No digest set: PKCS#1 v1.5 compares the recovered block with tbs,
	 * the DigestInfo (or the raw data for CKM_RSA_PKCS). */
	ok = EVP_PKEY_verify_init(pc) > 0 && EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) > 0 &&
	     EVP_PKEY_verify(pc, sig, sig_len, tbs, tbs_len) == 1;
	EVP_PKEY_CTX_free(pc);
	return ok ? CKR_OK : CKR_SIGNATURE_INVALID;
}

CK_RV C_Verify(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen, CK_BYTE_PTR pSignature,
               CK_ULONG ulSignatureLen)
{
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(hSession, &c, JP_STATE_ONLY)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (!c.s->verify.active) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	} else {
		rv = c.s->verify.multipart ? CKR_OPERATION_ACTIVE : op_update(&c.s->verify, pData, ulDataLen);
		if (rv == CKR_OK)
			rv = verify_finish(&c.s->verify, pSignature, ulSignatureLen);
		jp_op_reset(&c.s->verify);
	}
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_VerifyUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	return jp_ret(__func__, update(hSession, false, pPart, ulPartLen));
}

CK_RV C_VerifyFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(hSession, &c, JP_STATE_ONLY)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (!c.s->verify.active) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	} else {
		rv = verify_finish(&c.s->verify, pSignature, ulSignatureLen);
		jp_op_reset(&c.s->verify);
	}
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}
