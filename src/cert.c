/* jpki-pkcs11: certificates, with OpenSSL. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/x509.h>

#include "cert.h"

static int buf_set_der(jp_buf *b, int len, unsigned char *der)
{
	if (len <= 0) {
		OPENSSL_free(der);
		return 0;
	}
	b->p = malloc((size_t)len);
	if (b->p) {
		memcpy(b->p, der, (size_t)len);
		b->len = (size_t)len;
	}
	OPENSSL_free(der);
	return b->p != NULL;
}

static int buf_set_bn(jp_buf *b, const BIGNUM *bn)
{
	int n = BN_num_bytes(bn);
	b->p = malloc(n > 0 ? (size_t)n : 1);
	if (!b->p)
		return 0;
	b->len = (size_t)BN_bn2bin(bn, b->p);
	return 1;
}

/* ASN1_TIME to CK_DATE (YYYYMMDD as characters). */
static int date_set(CK_DATE *d, const ASN1_TIME *t)
{
	struct tm tm;
	char s[9];

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	if (snprintf(s, sizeof(s), "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) != 8)
		return 0;
	memcpy(d->year, s, 4);
	memcpy(d->month, s + 4, 2);
	memcpy(d->day, s + 6, 2);
	return 1;
}

CK_RV jp_cert_parse(jp_cert *c, const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	unsigned char *out = NULL;
	BIGNUM *n = NULL, *e = NULL;
	X509 *x = NULL;
	CK_RV rv = CKR_DEVICE_ERROR;
	int ok;

	memset(c, 0, sizeof(*c));
	x = d2i_X509(NULL, &p, (long)len);
	if (!x || p != der + len)
		goto out;
	c->pkey = X509_get_pubkey(x);
	if (!c->pkey || EVP_PKEY_get_base_id(c->pkey) != EVP_PKEY_RSA)
		goto out;
	if (!EVP_PKEY_get_bn_param(c->pkey, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(c->pkey, OSSL_PKEY_PARAM_RSA_E, &e))
		goto out;
	if (!date_set(&c->start, X509_get0_notBefore(x)) || !date_set(&c->end, X509_get0_notAfter(x)))
		goto out;
	c->bits = (CK_ULONG)EVP_PKEY_get_bits(c->pkey);

	rv = CKR_HOST_MEMORY;
	c->der.p = malloc(len);
	if (!c->der.p)
		goto out;
	memcpy(c->der.p, der, len);
	c->der.len = len;
	ok = buf_set_bn(&c->modulus, n) && buf_set_bn(&c->exponent, e);
	/* i2d_* allocate into out; each result is taken in its own statement. */
	if (ok) {
		int len2 = i2d_X509_NAME(X509_get_subject_name(x), &out);
		ok = buf_set_der(&c->subject, len2, out);
		out = NULL;
	}
	if (ok) {
		int len2 = i2d_X509_NAME(X509_get_issuer_name(x), &out);
		ok = buf_set_der(&c->issuer, len2, out);
		out = NULL;
	}
	if (ok) {
		int len2 = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &out);
		ok = buf_set_der(&c->serial, len2, out);
		out = NULL;
	}
	if (ok) {
		int len2 = i2d_PUBKEY(c->pkey, &out);
		ok = buf_set_der(&c->spki, len2, out);
		out = NULL;
	}
	if (ok)
		rv = CKR_OK;
out:
	BN_free(n);
	BN_free(e);
	X509_free(x);
	if (rv != CKR_OK)
		jp_cert_clear(c);
	return rv;
}

void jp_cert_clear(jp_cert *c)
{
	free(c->der.p);
	free(c->subject.p);
	free(c->issuer.p);
	free(c->serial.p);
	free(c->modulus.p);
	free(c->exponent.p);
	free(c->spki.p);
	EVP_PKEY_free(c->pkey);
	memset(c, 0, sizeof(*c));
}
