/*
 * COMPUTE DIGITAL SIGNATURE: PKCS#1 v1.5 type-1 padding over the data as
 * given (normally a DigestInfo) with the key of the current key EF.
 */
#include "vc.h"

#include <openssl/rsa.h>

uint16_t vc_sign(struct vc_ctx *ctx, const struct vc_apdu *a,
		 struct vc_resp *r)
{
	const struct vc_ef *ef = ctx->cur_ef;
	EVP_PKEY *key;
	EVP_PKEY_CTX *pctx = NULL;
	size_t siglen;
	uint16_t sw = SW_OK;
	int ksize;

	if (a->p1 != 0x00 || a->p2 != 0x80)
		return SW_WRONG_P1P2;
	if (a->lc == 0 || !a->has_le)
		return SW_WRONG_LENGTH;
	if (!ef)
		return SW_NO_CURRENT_EF;
	if (ef->kind != VC_EF_KEY)
		return SW_INCOMPATIBLE_FILE;
	if (!ctx->verified[ef->pin])
		return SW_SECURITY;
	key = ctx->card.key[ef->key];
	if (!key)
		return 0x6985;		/* conditions of use not satisfied */
	ksize = EVP_PKEY_get_size(key);
	if (ksize <= 11 || a->lc > (size_t)ksize - 11 || a->le < (size_t)ksize)
		return SW_WRONG_LENGTH;

	siglen = (size_t)ksize;
	pctx = EVP_PKEY_CTX_new(key, NULL);
	if (!pctx || EVP_PKEY_sign_init(pctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_sign(pctx, r->buf, &siglen, a->data, a->lc) <= 0) {
		sw = 0x6F00;		/* a card's "no precise diagnosis" */
		goto out;
	}
	r->len = siglen;
	if (ctx->opt.sign_latency_ms)
		vc_sleep_ms(ctx->opt.sign_latency_ms);
out:
	EVP_PKEY_CTX_free(pctx);
	return sw;
}
