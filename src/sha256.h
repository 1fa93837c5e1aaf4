/* jpki-pkcs11: SHA-256 (FIPS 180-4), without OpenSSL.
 *
 * For what the module hashes on its own account, the token serial and the
 * certificate cache's check: using OpenSSL for these would load and
 * initialize its providers in processes that need nothing else from it
 * (millions of instructions for a few hundred bytes).  Signing data still
 * goes through OpenSSL (digest.h). */
#ifndef JP_SHA256_H
#define JP_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define JP_SHA256_LEN 32

typedef struct {
	uint32_t h[8];
	uint64_t total;         /* bytes so far */
	uint8_t buf[64];
	size_t used;
} jp_sha256_ctx;

void jp_sha256_init(jp_sha256_ctx *c);
void jp_sha256_update(jp_sha256_ctx *c, const void *data, size_t len);
void jp_sha256_final(jp_sha256_ctx *c, uint8_t out[JP_SHA256_LEN]);
/* One call: out = SHA-256(data). */
void jp_sha256(const void *data, size_t len, uint8_t out[JP_SHA256_LEN]);

#endif
