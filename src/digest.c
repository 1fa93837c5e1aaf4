/* jpki-pkcs11: hashing with OpenSSL; the card gets DigestInfo. */
#include "config.h"

#include <string.h>

#include "digest.h"

EVP_MD_CTX *jp_digest_new(const jp_digest_alg *alg)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_MD *md = EVP_MD_fetch(NULL, alg->md, NULL);

	if (!ctx || !md || !EVP_DigestInit_ex2(ctx, md, NULL)) {
		EVP_MD_CTX_free(ctx);
		ctx = NULL;
	}
	EVP_MD_free(md);
	return ctx;
}

size_t jp_digestinfo_final(const jp_digest_alg *alg, EVP_MD_CTX *ctx, uint8_t *out)
{
	unsigned int n = 0;

	memcpy(out, alg->prefix, alg->prefix_len);
	if (!EVP_DigestFinal_ex(ctx, out + alg->prefix_len, &n) || n != alg->hash_len)
		return 0;
	return alg->prefix_len + n;
}
