/* jpki-pkcs11: signing and verifying operations (see op.h). */
#include "config.h"

#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "digest.h"
#include "op.h"

CK_RV jp_op_init(jp_op *op, const CK_MECHANISM *mech, EVP_PKEY *pkey)
{
	const jp_mech *m;

	if (!mech)
		return CKR_ARGUMENTS_BAD;
	if (!(m = jp_mech_find(mech->mechanism)))
		return CKR_MECHANISM_INVALID;
	if (mech->pParameter || mech->ulParameterLen)
		return CKR_MECHANISM_PARAM_INVALID;
	jp_op_reset(op);
	op->mech = m;
	if (m->alg.md && !(op->md = jp_digest_new(&m->alg)))
		return CKR_HOST_MEMORY;
	if (pkey) {
		EVP_PKEY_up_ref(pkey);
		op->pkey = pkey;
	}
	op->active = true;
	return CKR_OK;
}

CK_RV jp_op_update(jp_op *op, const CK_BYTE *part, CK_ULONG len)
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

CK_RV jp_op_tbs(jp_op *op, uint8_t *out, size_t *len)
{
	if (!op->md) {
		memcpy(out, op->data, op->data_len);
		*len = op->data_len;
		return CKR_OK;
	}
	*len = jp_digestinfo_final(&op->mech->alg, op->md, out);
	return *len ? CKR_OK : CKR_FUNCTION_FAILED;
}

CK_RV jp_op_sig_space(CK_ULONG bits, const CK_BYTE *sig, CK_ULONG *sig_len, bool *query)
{
	CK_ULONG need = (bits + 7) / 8;

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

CK_RV jp_op_verify(jp_op *op, const CK_BYTE *sig, CK_ULONG sig_len)
{
	uint8_t tbs[256];
	size_t tbs_len = 0;
	EVP_PKEY_CTX *pc;
	CK_RV rv;
	int ok;

	if (!sig)
		return CKR_ARGUMENTS_BAD;
	if (!op->pkey || sig_len != (CK_ULONG)EVP_PKEY_get_size(op->pkey))
		return CKR_SIGNATURE_LEN_RANGE;
	if ((rv = jp_op_tbs(op, tbs, &tbs_len)) != CKR_OK)
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

void jp_op_reset(jp_op *op)
{
	EVP_MD_CTX_free(op->md);
	EVP_PKEY_free(op->pkey);
	jp_secret_free(op->pin);
	OPENSSL_cleanse(op, sizeof(*op));
}
