/* jpki-pkcs11 tests: the certificate reader gives the same fields OpenSSL
 * does, and refuses what is not an RSA certificate without reading past
 * the bytes it was given. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/x509.h>

#include "cert.h"

/* A certificate made by OpenSSL: key, serial, validity days from now. */
static unsigned char *make(EVP_PKEY *k, long serial, long from_days, long days, int *len)
{
	X509 *x = X509_new();
	unsigned char *der = NULL;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), 86400L * from_days);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * (from_days + days));
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)"subject",
	                           -1, -1, 0);
	X509_NAME_add_entry_by_txt(X509_get_issuer_name(x), "O", MBSTRING_ASC, (const unsigned char *)"JPKI test",
	                           -1, -1, 0);
	X509_set_pubkey(x, k);
	X509_sign(x, k, EVP_sha256());
	*len = i2d_X509(x, &der);
	X509_free(x);
	return der;
}

static void expect_der(const jp_buf *b, int len, unsigned char *der)
{
	assert_true(len > 0);
	assert_int_equal(b->len, (size_t)len);
	assert_memory_equal(b->p, der, (size_t)len);
	OPENSSL_free(der);
}

static void expect_date(const CK_DATE *d, const ASN1_TIME *t)
{
	struct tm tm;
	char s[40];

	assert_int_equal(ASN1_TIME_to_tm(t, &tm), 1);
	snprintf(s, sizeof(s), "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	assert_memory_equal(d->year, s, 4);
	assert_memory_equal(d->month, s + 4, 2);
	assert_memory_equal(d->day, s + 6, 2);
}

static void same_as_openssl(EVP_PKEY *k, long serial, long from_days)
{
	int len, n;
	unsigned char *der = make(k, serial, from_days, 365 * 5, &len), *out;
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, len);
	BIGNUM *bn = NULL;
	jp_cert c;
	uint8_t buf[600];

	assert_non_null(x);
	assert_int_equal(jp_cert_parse(&c, der, (size_t)len), CKR_OK);
	assert_int_equal(c.der.len, (size_t)len);
	assert_memory_equal(c.der.p, der, (size_t)len);
	out = NULL;
	n = i2d_X509_NAME(X509_get_subject_name(x), &out);
	expect_der(&c.subject, n, out);
	out = NULL;
	n = i2d_X509_NAME(X509_get_issuer_name(x), &out);
	expect_der(&c.issuer, n, out);
	out = NULL;
	n = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &out);
	expect_der(&c.serial, n, out);
	out = NULL;
	n = i2d_PUBKEY(k, &out);
	expect_der(&c.spki, n, out);
	assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &bn), 1);
	n = BN_bn2bin(bn, buf);
	assert_int_equal(c.modulus.len, (size_t)n);
	assert_memory_equal(c.modulus.p, buf, (size_t)n);
	BN_free(bn);
	bn = NULL;
	assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &bn), 1);
	n = BN_bn2bin(bn, buf);
	assert_int_equal(c.exponent.len, (size_t)n);
	assert_memory_equal(c.exponent.p, buf, (size_t)n);
	BN_free(bn);
	assert_int_equal(c.bits, (CK_ULONG)EVP_PKEY_get_bits(k));
	expect_date(&c.start, X509_get0_notBefore(x));
	expect_date(&c.end, X509_get0_notAfter(x));
	/* the key for verification, made when asked */
	assert_null(c.pkey);
	assert_non_null(jp_cert_pkey(&c));
	assert_int_equal(EVP_PKEY_eq(jp_cert_pkey(&c), k), 1);
	jp_cert_clear(&c);
	X509_free(x);
	OPENSSL_free(der);
}

static void test_fields(void **state)
{
	EVP_PKEY *k = EVP_RSA_gen(2048), *k1 = EVP_RSA_gen(1024);

	(void)state;
	same_as_openssl(k, 4242, -30);
	same_as_openssl(k, 0x7FFFFFFF, 0);          /* a serial with its top bit set: a leading 00 */
	same_as_openssl(k, 1, 365 * 40);            /* after 2049: GeneralizedTime */
	same_as_openssl(k1, 77, -3650);             /* another key size, expired */
	EVP_PKEY_free(k);
	EVP_PKEY_free(k1);
}

/* Every truncation, every single-byte change in the header bytes, and a
 * byte more: refused or parsed, never read outside the buffer (ASan). */
static void test_damage(void **state)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	int len, i;
	unsigned char *der = make(k, 9, 0, 100, &len), *copy = malloc((size_t)len + 1);
	jp_cert c;

	(void)state;
	for (i = 0; i < len; i++) {
		memcpy(copy, der, (size_t)i);
		assert_int_equal(jp_cert_parse(&c, copy, (size_t)i), CKR_DEVICE_ERROR);
	}
	memcpy(copy, der, (size_t)len);
	copy[len] = 0;
	assert_int_equal(jp_cert_parse(&c, copy, (size_t)len + 1), CKR_DEVICE_ERROR);
	for (i = 0; i < len; i++) {
		memcpy(copy, der, (size_t)len);
		copy[i] ^= 0x80;
		if (jp_cert_parse(&c, copy, (size_t)len) == CKR_OK)
			jp_cert_clear(&c);
	}
	/* the outer length made huge */
	memcpy(copy, der, (size_t)len);
	copy[2] = 0xFF;
	assert_int_equal(jp_cert_parse(&c, copy, (size_t)len), CKR_DEVICE_ERROR);
	free(copy);
	OPENSSL_free(der);
	EVP_PKEY_free(k);
}

/* Not RSA: refused. */
static void test_not_rsa(void **state)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	int len;
	unsigned char *der = make(k, 5, 0, 100, &len);
	jp_cert c;

	(void)state;
	assert_int_equal(jp_cert_parse(&c, der, (size_t)len), CKR_DEVICE_ERROR);
	OPENSSL_free(der);
	EVP_PKEY_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_not_rsa),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
