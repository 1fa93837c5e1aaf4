/* jpki-pkcs11: what the token model needs to know of a certificate, taken
 * apart once when the certificate is read (cert.c: a small DER reader, not
 * OpenSSL). */
#ifndef JP_CERT_H
#define JP_CERT_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <jpki/pkcs11.h>

typedef struct {
	uint8_t *p;
	size_t len;
} jp_buf;

typedef struct {
	jp_buf der;             /* the certificate itself */
	jp_buf subject, issuer; /* DER Names */
	jp_buf serial;          /* DER INTEGER */
	jp_buf modulus, exponent; /* big-endian, no leading zero */
	jp_buf spki;            /* DER SubjectPublicKeyInfo */
	CK_DATE start, end;
	CK_ULONG bits;
	EVP_PKEY *pkey;         /* made by jp_cert_pkey() when first needed */
} jp_cert;

/* Parse der (copied).  CKR_OK, CKR_HOST_MEMORY, or CKR_DEVICE_ERROR when
 * the bytes are not an X.509 certificate with an RSA key. */
CK_RV jp_cert_parse(jp_cert *c, const uint8_t *der, size_t len);
/* The public key as an OpenSSL key, for verification; made at the first
 * call and kept (freed by jp_cert_clear).  NULL on failure. */
EVP_PKEY *jp_cert_pkey(jp_cert *c);
void jp_cert_clear(jp_cert *c);

#endif
