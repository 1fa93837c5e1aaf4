/* jpki-pkcs11 tests: reading the JPKI applet's certificates from a
 * scripted card. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "card_fixture.h"

/* A certificate-like DER of total bytes: 30 82 LL LL then a pattern. */
static uint8_t *fake_cert(size_t total)
{
	uint8_t *d = malloc(total);
	size_t i;
	d[0] = 0x30;
	d[1] = 0x82;
	d[2] = (uint8_t)((total - 4) >> 8);
	d[3] = (uint8_t)(total - 4);
	for (i = 4; i < total; i++)
		d[i] = (uint8_t)(i * 7 + 1);
	return d;
}

/* ---- certificates ------------------------------------------------------ */

static void expect_reads(jp_transport *t, const uint8_t *file, size_t file_len, size_t total)
{
	char cmd[32];
	size_t off = 0;
	int first = 1;
	while (off < total) {
		size_t want = first ? 256 : (total - off < 256 ? total - off : 256);
		size_t give = want < file_len - off ? want : file_len - off;
		snprintf(cmd, sizeof(cmd), "00 B0 %02X %02X %02X", (unsigned)(off >> 8),
		         (unsigned)(off & 0xFF), (unsigned)(want & 0xFF));
		script_expect_data(t, cmd, file + off, give, 0x9000);
		off += give;
		first = 0;
	}
}

static void read_cert_of(void **state, size_t total, size_t reads)
{
	card_fixture *f = *state;
	size_t file_len = total + 300, len = 0;
	uint8_t *cert = fake_cert(total), *file = malloc(file_len), *der = NULL;

	memset(file, 0xFF, file_len);           /* EF bigger than the certificate */
	memcpy(file, cert, total);
	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 0A"), OK);
	expect_reads(f->t, file, file_len, total);
	assert_int_equal(jpki_read_cert(&f->c, JPKI_AUTH, false, &der, &len), JP_OK);
	assert_int_equal(len, total);
	assert_memory_equal(der, cert, total);
	assert_int_equal(script_count(f->t), 2 + reads);
	script_assert_done(f->t);
	free(der);
	free(cert);
	free(file);
}

static void test_cert_1000(void **state) { read_cert_of(state, 1000, 4); }
static void test_cert_small(void **state) { read_cert_of(state, 200, 1); }
static void test_cert_256(void **state) { read_cert_of(state, 256, 1); }
static void test_cert_512(void **state) { read_cert_of(state, 512, 2); }
static void test_cert_1795(void **state) { read_cert_of(state, 1795, 8); }

/* A copy known from elsewhere (the cache), checked against the card. */
static void known_case(void **state, const uint8_t *known, size_t known_len, bool expect_same)
{
	card_fixture *f = *state;
	size_t total = 1795, len = 0;
	uint8_t *cert = fake_cert(total), *der = NULL;
	bool same = !expect_same;

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 0B"), OK);
	if (expect_same)
		script_expect_data(f->t, "00 B0 00 00 00", cert, 256, 0x9000);
	else
		expect_reads(f->t, cert, total, total);
	assert_int_equal(jpki_read_cert_known(&f->c, JPKI_AUTH, true, known, known_len, &der, &len, &same), JP_OK);
	assert_int_equal(same, expect_same);
	if (expect_same) {
		/* the SELECT and one READ BINARY: nothing more */
		assert_null(der);
		assert_int_equal(script_count(f->t), 3);
	} else {
		/* a full read, reusing the first chunk: as with no copy at all */
		assert_int_equal(len, total);
		assert_memory_equal(der, cert, total);
		assert_int_equal(script_count(f->t), 2 + 8);
	}
	script_assert_done(f->t);
	free(der);
	free(cert);
}

static void test_cert_known_same(void **state)
{
	uint8_t *c = fake_cert(1795);
	known_case(state, c, 1795, true);
	free(c);
}

static void test_cert_known_differs(void **state)
{
	uint8_t *c = fake_cert(1795);

	c[100] ^= 1;                    /* e.g. another serial number */
	known_case(state, c, 1795, false);
	free(c);
}

static void test_cert_known_other_length(void **state)
{
	uint8_t *c = fake_cert(1795), *d = fake_cert(1700);

	memcpy(d + 4, c + 4, 252);      /* same start but for the length */
	known_case(state, d, 1700, false);
	free(c);
	free(d);
}

/* Differs only past the first chunk: the check passes, as documented (the
 * cache's own hash guards the rest). */
static void test_cert_known_tail_not_read(void **state)
{
	uint8_t *c = fake_cert(1795);

	c[1000] ^= 1;
	known_case(state, c, 1795, true);
	free(c);
}

/* The signature certificate is private: a known copy is never used. */
static void test_cert_known_never_sign(void **state)
{
	card_fixture *f = *state;
	uint8_t *cert = fake_cert(600), *der = NULL;
	size_t len = 0;
	bool same = true;

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 01"), OK);
	expect_reads(f->t, cert, 600, 600);
	assert_int_equal(jpki_read_cert_known(&f->c, JPKI_SIGN, false, cert, 600, &der, &len, &same), JP_OK);
	assert_false(same);
	assert_int_equal(len, 600);
	script_assert_done(f->t);
	free(der);
	free(cert);
}

static void test_cert_each_ef(void **state)
{
	card_fixture *f = *state;
	static const struct { jpki_cred cred; bool ca; const char *sel; } efs[] = {
		{ JPKI_AUTH, false, SEL("00 0A") }, { JPKI_AUTH, true, SEL("00 0B") },
		{ JPKI_SIGN, false, SEL("00 01") }, { JPKI_SIGN, true, SEL("00 02") },
	};
	uint8_t *der;
	size_t i, len;

	script_expect(f->t, SEL_APP, OK);
	for (i = 0; i < 4; i++) {
		script_expect(f->t, efs[i].sel, "6A 82");
		assert_int_equal(jpki_read_cert(&f->c, efs[i].cred, efs[i].ca, &der, &len), JP_OK);
		assert_null(der);
		assert_int_equal(len, 0);
	}
	script_assert_done(f->t);
}

static void test_cert_ff_only(void **state)
{
	card_fixture *f = *state;
	uint8_t ff[256], *der = (uint8_t *)1;
	size_t len = 99;

	memset(ff, 0xFF, sizeof(ff));
	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 01"), OK);
	script_expect_data(f->t, "00 B0 00 00 00", ff, sizeof(ff), 0x9000);
	assert_int_equal(jpki_read_cert(&f->c, JPKI_SIGN, false, &der, &len), JP_OK);
	assert_null(der);
	assert_int_equal(len, 0);
	script_assert_done(f->t);
}

static void test_cert_sign_needs_pin(void **state)
{
	card_fixture *f = *state;
	uint8_t *der;
	size_t len;

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 01"), OK);
	script_expect(f->t, "00 B0 00 00 00", "69 82");
	assert_int_equal(jpki_read_cert(&f->c, JPKI_SIGN, false, &der, &len), JP_E_SECURITY);
	assert_null(der);
	script_assert_done(f->t);
}

static void cert_bad(void **state, const uint8_t *first, size_t n, uint16_t sw)
{
	card_fixture *f = *state;
	uint8_t *der = (uint8_t *)1;
	size_t len = 1;

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 0B"), OK);
	script_expect_data(f->t, "00 B0 00 00 00", first, n, sw);
	assert_int_equal(jpki_read_cert(&f->c, JPKI_AUTH, true, &der, &len), JP_E_DEVICE);
	assert_null(der);
	assert_int_equal(len, 0);
	script_assert_done(f->t);
}

static void test_cert_bad_header(void **state)
{
	uint8_t b[256];
	memset(b, 0xFF, sizeof(b));
	memcpy(b, "\x31\x82\x01\x00", 4);
	cert_bad(state, b, sizeof(b), 0x9000);
}

static void test_cert_short_form(void **state)
{
	uint8_t b[256];
	memset(b, 0, sizeof(b));
	memcpy(b, "\x30\x81\xF0", 3);
	cert_bad(state, b, sizeof(b), 0x9000);
}

static void test_cert_header_cut(void **state)
{
	cert_bad(state, (const uint8_t *)"\x30\x82\x05", 3, 0x9000);
}

static void test_cert_absurd_length(void **state)
{
	uint8_t b[256];
	memset(b, 0xAA, sizeof(b));
	memcpy(b, "\x30\x82\xFF\xF0", 4);
	cert_bad(state, b, sizeof(b), 0x9000);
}

static void test_cert_empty_file(void **state)
{
	cert_bad(state, NULL, 0, 0x6B00);
}

static void test_cert_empty_answer(void **state)
{
	cert_bad(state, NULL, 0, 0x9000);
}

static void test_cert_ff_then_garbage(void **state)
{
	uint8_t b[256];
	memset(b, 0xFF, sizeof(b));
	b[200] = 0x00;
	cert_bad(state, b, sizeof(b), 0x9000);
}

/* The file ends, or the card stops answering, after the first piece. */
static void cert_truncated(void **state, const char *second_answer, jp_rv want)
{
	card_fixture *f = *state;
	uint8_t *cert = fake_cert(600), *der = (uint8_t *)1;
	size_t len = 1;

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 0A"), OK);
	script_expect_data(f->t, "00 B0 00 00 00", cert, 256, 0x9000);
	script_expect(f->t, "00 B0 01 00 00", second_answer);
	assert_int_equal(jpki_read_cert(&f->c, JPKI_AUTH, false, &der, &len), want);
	assert_null(der);
	assert_int_equal(len, 0);
	script_assert_done(f->t);
	free(cert);
}

static void test_cert_truncated_6b00(void **state) { cert_truncated(state, "6B 00", JP_E_DEVICE); }
static void test_cert_truncated_empty(void **state) { cert_truncated(state, "90 00", JP_E_DEVICE); }
/* security status not satisfied mid-file: said as such, as at offset 0 */
static void test_cert_truncated_6982(void **state) { cert_truncated(state, "69 82", JP_E_SECURITY); }
/* a status word nobody expects: a device error */
static void test_cert_truncated_6f00(void **state) { cert_truncated(state, "6F 00", JP_E_DEVICE); }

static void test_cert_short_chunks(void **state)
{
	/* a card answering fewer bytes than asked mid-file: keep reading */
	card_fixture *f = *state;
	uint8_t *cert = fake_cert(300), *der;
	size_t len;

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 0A"), OK);
	script_expect_data(f->t, "00 B0 00 00 00", cert, 100, 0x9000);
	script_expect_data(f->t, "00 B0 00 64 C8", cert + 100, 150, 0x9000);
	script_expect_data(f->t, "00 B0 00 FA 32", cert + 250, 50, 0x9000);
	assert_int_equal(jpki_read_cert(&f->c, JPKI_AUTH, false, &der, &len), JP_OK);
	assert_int_equal(len, 300);
	assert_memory_equal(der, cert, 300);
	free(der);
	free(cert);
	script_assert_done(f->t);
}

static void test_cert_too_much(void **state)
{
	/* more bytes than asked for the last piece: malformed */
	card_fixture *f = *state;
	uint8_t *cert = fake_cert(300), *der;
	size_t len;
	uint8_t extra[60];

	memset(extra, 0xFF, sizeof(extra));
	memcpy(extra, cert + 256, 44);
	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 0A"), OK);
	script_expect_data(f->t, "00 B0 00 00 00", cert, 256, 0x9000);
	script_expect_data(f->t, "00 B0 01 00 2C", extra, sizeof(extra), 0x9000);
	assert_int_equal(jpki_read_cert(&f->c, JPKI_AUTH, false, &der, &len), JP_E_DEVICE);
	assert_null(der);
	free(cert);
	script_assert_done(f->t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CARD_TEST(test_cert_1000), CARD_TEST(test_cert_small), CARD_TEST(test_cert_256),
		CARD_TEST(test_cert_512), CARD_TEST(test_cert_1795),
		CARD_TEST(test_cert_known_same), CARD_TEST(test_cert_known_differs),
		CARD_TEST(test_cert_known_other_length), CARD_TEST(test_cert_known_tail_not_read),
		CARD_TEST(test_cert_known_never_sign), CARD_TEST(test_cert_each_ef),
		CARD_TEST(test_cert_ff_only), CARD_TEST(test_cert_sign_needs_pin),
		CARD_TEST(test_cert_bad_header), CARD_TEST(test_cert_short_form),
		CARD_TEST(test_cert_header_cut), CARD_TEST(test_cert_absurd_length),
		CARD_TEST(test_cert_empty_file), CARD_TEST(test_cert_empty_answer),
		CARD_TEST(test_cert_ff_then_garbage), CARD_TEST(test_cert_truncated_6b00),
		CARD_TEST(test_cert_truncated_empty), CARD_TEST(test_cert_truncated_6982),
		CARD_TEST(test_cert_truncated_6f00), CARD_TEST(test_cert_short_chunks),
		CARD_TEST(test_cert_too_much),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
