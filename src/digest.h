/* jpki-pkcs11: hashing in software and the DigestInfo the card signs. */
#ifndef JP_DIGEST_H
#define JP_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

/* Largest DigestInfo we build: SHA-512's 19-byte prefix + 64 bytes. */
#define JP_DIGESTINFO_MAX 83

/* The hash name OpenSSL knows ("SHA256"...), or NULL for raw CKM_RSA_PKCS. */
typedef struct {
	const char *md;
	const uint8_t *prefix;  /* DER of DigestInfo up to the hash value */
	size_t prefix_len;
	size_t hash_len;
} jp_digest_alg;

/* Finish ctx and write prefix || hash to out (JP_DIGESTINFO_MAX bytes).
 * Returns the length, or 0 on failure. */
size_t jp_digestinfo_final(const jp_digest_alg *alg, EVP_MD_CTX *ctx, uint8_t *out);
/* A fresh context for alg, or NULL. */
EVP_MD_CTX *jp_digest_new(const jp_digest_alg *alg);

#endif
