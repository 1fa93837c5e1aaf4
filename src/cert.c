/* jpki-pkcs11: certificates, taken apart by a small DER reader.
 *
 * Only the fields the token shows are read: serial number, issuer,
 * validity, subject and the RSA public key.  OpenSSL is not used for this
 * on purpose: parsing with it loads and initializes its providers and
 * decoders, which cost a process listing objects far more instructions
 * than everything else the module does (bench/README.md).  The public key
 * becomes an OpenSSL key only when a verification asks for it
 * (jp_cert_pkey). */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/x509.h>

#include "cert.h"

/* A span of DER bytes. */
typedef struct {
	const uint8_t *p;
	size_t n;
} span;

/* Take one TLV with the given tag off the front of *in: *whole is the
 * element, *val its contents.  Single-byte tags, definite lengths of at
 * most 3 length bytes (a card's certificate is a few KB). */
static bool take(span *in, uint8_t tag, span *whole, span *val)
{
	size_t len, hdr = 2, i, k;

	if (in->n < 2 || in->p[0] != tag)
		return false;
	len = in->p[1];
	if (len & 0x80) {
		k = len & 0x7F;
		if (k == 0 || k > 3 || in->n < 2 + k)
			return false;
		len = 0;
		for (i = 0; i < k; i++)
			len = len << 8 | in->p[2 + i];
		hdr += k;
	}
	if (len > in->n - hdr)
		return false;
	if (whole) {
		whole->p = in->p;
		whole->n = hdr + len;
	}
	if (val) {
		val->p = in->p + hdr;
		val->n = len;
	}
	in->p += hdr + len;
	in->n -= hdr + len;
	return true;
}

static bool copy(jp_buf *b, span s)
{
	b->p = malloc(s.n ? s.n : 1);
	if (!b->p)
		return false;
	memcpy(b->p, s.p, s.n);
	b->len = s.n;
	return true;
}

/* A positive INTEGER's magnitude: big-endian, no leading zero. */
static bool positive(span v, span *out)
{
	if (v.n == 0 || (v.p[0] & 0x80))
		return false;
	while (v.n > 1 && v.p[0] == 0) {
		v.p++;
		v.n--;
	}
	*out = v;
	return !(v.n == 1 && v.p[0] == 0);
}

static bool digits(const uint8_t *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/* UTCTime (YYMMDD..., 1950-2049) or GeneralizedTime (YYYYMMDD...) to a
 * CK_DATE. */
static bool take_date(span *in, CK_DATE *d)
{
	span v;
	uint8_t year[4];

	if (in->n > 0 && in->p[0] == 0x17) {
		if (!take(in, 0x17, NULL, &v) || v.n < 11 || !digits(v.p, 6))
			return false;
		year[0] = v.p[0] < '5' ? '2' : '1';
		year[1] = v.p[0] < '5' ? '0' : '9';
		year[2] = v.p[0];
		year[3] = v.p[1];
		v.p += 2;
		v.n -= 2;
	} else {
		if (!take(in, 0x18, NULL, &v) || v.n < 13 || !digits(v.p, 8))
			return false;
		memcpy(year, v.p, 4);
		v.p += 4;
		v.n -= 4;
	}
	memcpy(d->year, year, 4);
	memcpy(d->month, v.p, 2);
	memcpy(d->day, v.p + 2, 2);
	return true;
}

static const uint8_t RSA_OID[] = { 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01 };

CK_RV jp_cert_parse(jp_cert *c, const uint8_t *der, size_t len)
{
	span all = { der, len }, cert, tbs, s, alg, oid, bits, key, n, e, issuer, subject, serial, spki, v;
	unsigned top;

	memset(c, 0, sizeof(*c));
	/* Certificate: SEQUENCE { tbs, signatureAlgorithm, signature }, all of
	 * der and nothing more */
	if (!take(&all, 0x30, NULL, &cert) || all.n != 0 || !take(&cert, 0x30, NULL, &tbs) ||
	    !take(&cert, 0x30, NULL, NULL) || !take(&cert, 0x03, NULL, NULL) || cert.n != 0)
		return CKR_DEVICE_ERROR;
	/* tbs: [0] version, serial, signature, issuer, validity, subject, key */
	if (tbs.n > 0 && tbs.p[0] == 0xA0 && !take(&tbs, 0xA0, NULL, NULL))
		return CKR_DEVICE_ERROR;
	if (!take(&tbs, 0x02, &serial, &v) || !take(&tbs, 0x30, NULL, NULL) || !take(&tbs, 0x30, &issuer, NULL) ||
	    !take(&tbs, 0x30, NULL, &s) || !take_date(&s, &c->start) || !take_date(&s, &c->end) || s.n != 0 ||
	    !take(&tbs, 0x30, &subject, NULL) || !take(&tbs, 0x30, &spki, &s))
		return CKR_DEVICE_ERROR;
	/* SubjectPublicKeyInfo: rsaEncryption, BIT STRING { SEQUENCE { n, e } } */
	if (!take(&s, 0x30, NULL, &alg) || !take(&alg, 0x06, NULL, &oid) || oid.n != sizeof(RSA_OID) ||
	    memcmp(oid.p, RSA_OID, sizeof(RSA_OID)) != 0 || !take(&s, 0x03, NULL, &bits) || s.n != 0 ||
	    bits.n < 1 || bits.p[0] != 0)
		return CKR_DEVICE_ERROR;
	bits.p++;
	bits.n--;
	if (!take(&bits, 0x30, NULL, &key) || bits.n != 0 || !take(&key, 0x02, NULL, &n) ||
	    !take(&key, 0x02, NULL, &e) || key.n != 0 || !positive(n, &n) || !positive(e, &e))
		return CKR_DEVICE_ERROR;
	for (top = n.p[0], c->bits = 8 * (n.n - 1); top; top >>= 1)
		c->bits++;

	if (!copy(&c->der, (span){ der, len }) || !copy(&c->serial, serial) || !copy(&c->issuer, issuer) ||
	    !copy(&c->subject, subject) || !copy(&c->spki, spki) || !copy(&c->modulus, n) ||
	    !copy(&c->exponent, e)) {
		jp_cert_clear(c);
		return CKR_HOST_MEMORY;
	}
	return CKR_OK;
}

EVP_PKEY *jp_cert_pkey(jp_cert *c)
{
	const unsigned char *p = c->spki.p;

	if (!c->pkey && p)
		c->pkey = d2i_PUBKEY(NULL, &p, (long)c->spki.len);
	return c->pkey;
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
