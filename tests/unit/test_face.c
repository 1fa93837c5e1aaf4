/* jpki-pkcs11 tests: the card-face data assistance application against a
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
#include "face.h"
#include "log_capture.h"

#define READ0     "00 B0 00 00 00"

/* FF10 0C "123456789018" */
#define MY_NUMBER_TLV "FF 10 0C 31 32 33 34 35 36 37 38 39 30 31 38"

/* Append a TLV with a two-byte tag; returns the new length. */
static size_t put_tlv(uint8_t *p, size_t at, unsigned tag, const void *v, size_t n)
{
	p[at++] = (uint8_t)(tag >> 8);
	p[at++] = (uint8_t)tag;
	if (n < 0x80) {
		p[at++] = (uint8_t)n;
	} else if (n < 0x100) {
		p[at++] = 0x81;
		p[at++] = (uint8_t)n;
	} else {
		p[at++] = 0x82;
		p[at++] = (uint8_t)(n >> 8);
		p[at++] = (uint8_t)n;
	}
	memcpy(p + at, v, n);
	return at + n;
}

/* EF 0002 as a card holds it: FF20 { DF22 name, DF23 address, DF24 birth,
 * DF25 sex }. */
static size_t basic_file(uint8_t *out, const char *name, const char *addr, const char *birth, const char *sex)
{
	uint8_t inner[2048];
	size_t n = 0;

	n = put_tlv(inner, n, 0xDF22, name, strlen(name));
	n = put_tlv(inner, n, 0xDF23, addr, strlen(addr));
	n = put_tlv(inner, n, 0xDF24, birth, strlen(birth));
	n = put_tlv(inner, n, 0xDF25, sex, strlen(sex));
	return put_tlv(out, 0, 0xFF20, inner, n);
}

static void assert_field(const face_data *d, face_field f, const char *want)
{
	assert_non_null(d->v[f]);
	assert_int_equal(d->len[f], strlen(want));
	assert_memory_equal(d->v[f], want, strlen(want));
}

/* ---- applet and PIN ------------------------------------------------------ */

static void test_select(void **state)
{
	card_fixture *f = *state;

	script_expect(f->t, SEL_FACE, OK);
	assert_int_equal(face_select_app(&f->c), JP_OK);
	assert_true(f->c.face_selected);
	assert_false(f->c.app_selected);
	script_assert_done(f->t);
}

/* A phone, or a card without the applet: absent, whatever it answers. */
static void test_select_absent(void **state)
{
	card_fixture *f = *state;
	static const char *const sws[] = { "6A 82", "6A 86", "6D 00", "69 99" };

	card_assert_select_refused(f, SEL_FACE, face_select_app, sws, sizeof(sws) / sizeof(sws[0]),
	                           JP_E_NOT_FOUND, &f->c.face_selected);
}

/* The two applets take turns: each is selected again after the other. */
static void test_applets_alternate(void **state)
{
	card_fixture *f = *state;
	int tries;

	script_expect(f->t, SEL_FACE, OK);
	script_expect(f->t, SEL("00 11"), OK);
	script_expect(f->t, VERIFY_Q, "63 C3");
	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 18"), OK);
	script_expect(f->t, VERIFY_Q, "63 C3");
	script_expect(f->t, SEL_FACE, OK);
	script_expect(f->t, SEL("00 11"), OK);
	script_expect(f->t, VERIFY_Q, "63 C2");
	script_expect(f->t, VERIFY_Q, "63 C2");
	assert_int_equal(face_pin_tries(&f->c, &tries), JP_OK);
	assert_int_equal(tries, 3);
	assert_int_equal(jpki_pin_tries(&f->c, JPKI_AUTH, &tries), JP_OK);
	assert_int_equal(face_pin_tries(&f->c, &tries), JP_OK);
	assert_int_equal(tries, 2);
	/* the EF is still current: no SELECT */
	assert_int_equal(face_pin_tries(&f->c, &tries), JP_OK);
	script_assert_done(f->t);
}

static void test_tries(void **state)
{
	card_fixture *f = *state;
	int tries = 99;

	script_expect(f->t, SEL_FACE, OK);
	script_expect(f->t, SEL("00 11"), OK);
	script_expect(f->t, VERIFY_Q, "63 C0");
	script_expect(f->t, VERIFY_Q, OK);
	script_expect(f->t, VERIFY_Q, "69 84");
	assert_int_equal(face_pin_tries(&f->c, &tries), JP_OK);
	assert_int_equal(tries, 0);
	assert_int_equal(face_pin_tries(&f->c, &tries), JP_OK);
	assert_int_equal(tries, -1);
	assert_int_equal(face_pin_tries(&f->c, &tries), JP_OK);
	assert_int_equal(tries, 0);
	script_assert_done(f->t);
}

static void test_verify(void **state)
{
	card_fixture *f = *state;
	int tries = 99;

	script_expect(f->t, SEL_FACE, OK);
	script_expect(f->t, SEL("00 11"), OK);
	script_expect(f->t, "00 20 00 80 04 31 32 33 35", "63 C2");
	script_expect(f->t, "00 20 00 80 04 31 32 33 34", OK);
	script_expect(f->t, "00 20 00 80 04 31 32 33 34", "69 84");
	assert_int_equal(face_verify(&f->c, (const uint8_t *)"1235", 4, &tries), JP_E_PIN_INCORRECT);
	assert_int_equal(tries, 2);
	assert_int_equal(face_verify(&f->c, (const uint8_t *)"1234", 4, &tries), JP_OK);
	assert_int_equal(tries, -1);
	assert_int_equal(face_verify(&f->c, (const uint8_t *)"1234", 4, &tries), JP_E_PIN_LOCKED);
	assert_int_equal(tries, 0);
	assert_int_equal(face_verify(&f->c, (const uint8_t *)"", 0, &tries), JP_E_ARGS);
	script_assert_done(f->t);
}

static void test_change(void **state)
{
	card_fixture *f = *state;

	script_expect(f->t, SEL_FACE, OK);
	script_expect(f->t, SEL("00 11"), OK);
	script_expect(f->t, "00 24 01 80 04 39 38 37 36", OK);
	script_expect(f->t, "00 24 01 80 04 39 38 37 36", "69 82");
	assert_int_equal(face_change_pin(&f->c, (const uint8_t *)"9876", 4), JP_OK);
	assert_int_equal(face_change_pin(&f->c, (const uint8_t *)"9876", 4), JP_E_SECURITY);
	script_assert_done(f->t);
}

/* ---- reading --------------------------------------------------------------- */

static void expect_files(card_fixture *f, const uint8_t *basic, size_t basic_len)
{
	uint8_t num[32];
	size_t n = hex_parse(MY_NUMBER_TLV, num, sizeof(num)), off = 0;

	script_expect(f->t, SEL_FACE, OK);
	script_expect(f->t, SEL("00 01"), OK);
	script_expect_data(f->t, READ0, num, n, 0x9000);        /* a short file */
	script_expect(f->t, SEL("00 02"), OK);
	while (off < basic_len) {
		size_t chunk = basic_len - off < 256 ? basic_len - off : 256;
		char cmd[32];
		snprintf(cmd, sizeof(cmd), "00 B0 %02X %02X %02X", (unsigned)(off >> 8), (unsigned)(off & 0xFF),
		         off == 0 ? 0u : (unsigned)(chunk & 0xFF));
		script_expect_data(f->t, cmd, basic + off, chunk, 0x9000);
		off += chunk;
	}
}

static void test_read(void **state)
{
	card_fixture *f = *state;
	uint8_t basic[512];
	size_t n = basic_file(basic, "試験　花子", "東京都千代田区架空町一丁目2番3号", "19900101", "2");
	face_data d;

	expect_files(f, basic, n);
	assert_int_equal(face_read(&f->c, &d), JP_OK);
	assert_field(&d, FACE_MY_NUMBER, "123456789018");
	assert_field(&d, FACE_NAME, "試験　花子");
	assert_field(&d, FACE_ADDRESS, "東京都千代田区架空町一丁目2番3号");
	assert_field(&d, FACE_BIRTH, "19900101");
	assert_field(&d, FACE_SEX, "2");
	face_data_free(&d);
	assert_null(d.v[FACE_NAME]);
	script_assert_done(f->t);
}

/* An address longer than one READ BINARY: the rest is read exactly. */
static void test_read_long(void **state)
{
	card_fixture *f = *state;
	uint8_t basic[2048];
	char addr[601];
	size_t n;
	face_data d;

	memset(addr, 'A', 600);
	addr[600] = '\0';
	n = basic_file(basic, "NAME", addr, "19900101", "1");
	assert_true(n > 512);
	expect_files(f, basic, n);
	assert_int_equal(face_read(&f->c, &d), JP_OK);
	assert_field(&d, FACE_ADDRESS, addr);
	face_data_free(&d);
	script_assert_done(f->t);
}

/* Before the PIN: 6982, nothing read. */
static void test_read_needs_pin(void **state)
{
	card_fixture *f = *state;
	face_data d;

	script_expect(f->t, SEL_FACE, OK);
	script_expect(f->t, SEL("00 01"), OK);
	script_expect(f->t, READ0, "69 82");
	assert_int_equal(face_read(&f->c, &d), JP_E_SECURITY);
	assert_null(d.v[FACE_MY_NUMBER]);
	script_assert_done(f->t);
}

static void read_fails(void **state, const char *ef1_answer, const char *ef2_answer, jp_rv want)
{
	card_fixture *f = *state;
	face_data d;

	script_expect(f->t, SEL_FACE, OK);
	script_expect(f->t, SEL("00 01"), OK);
	script_expect(f->t, READ0, ef1_answer);
	if (ef2_answer) {
		script_expect(f->t, SEL("00 02"), OK);
		script_expect(f->t, READ0, ef2_answer);
	}
	assert_int_equal(face_read(&f->c, &d), want);
	for (int i = 0; i < FACE_FIELDS; i++)
		assert_null(d.v[i]);
	script_assert_done(f->t);
}

static void test_bad_my_number(void **state)
{
	static const char *const bad[] = {
		"FF 11 0C 31 32 33 34 35 36 37 38 39 30 31 38 90 00",   /* tag */
		"FF 10 0B 31 32 33 34 35 36 37 38 39 30 31 90 00",      /* 11 digits */
		"FF 10 0C 31 32 33 34 35 36 37 38 39 30 31 41 90 00",   /* a letter */
		"FF 10 90 00", "FF 90 00", "90 00",                     /* headers cut */
		"FF FF FF FF 90 00",                                    /* erased */
		"FF 10 83 00 00 0C 90 00",                              /* length form */
		"6B 00",                                                /* empty */
		"6F 00",                                                /* odd */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		read_fails(state, bad[i], NULL, JP_E_DEVICE);
		jpki_card_forget(&((card_fixture *)*state)->c);
	}
}

static void test_bad_basic(void **state)
{
	static const char *const bad[] = {
		/* a field missing (no DF25) */
		"FF 20 0C DF 22 01 41 DF 23 01 42 DF 24 01 43 90 00",
		/* a field twice */
		"FF 20 14 DF 22 01 41 DF 23 01 42 DF 24 01 43 DF 25 01 31 DF 25 01 32 90 00",
		/* an inner length past FF20's end */
		"FF 20 10 DF 22 01 41 DF 23 01 42 DF 24 01 43 DF 25 05 31 00 00 00 00 00 90 00",
		/* an inner header cut by FF20's end */
		"FF 20 0E DF 22 01 41 DF 23 01 42 DF 24 01 43 DF 25 90 00",
		/* wrong outer tag */
		"FF 21 10 DF 22 01 41 DF 23 01 42 DF 24 01 43 DF 25 01 31 90 00",
		/* a tag of four bytes */
		"FF 20 14 DF 22 01 41 DF 23 01 42 DF 24 01 43 DF 25 01 31 DF FF FF 7F 00 90 00",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		read_fails(state, MY_NUMBER_TLV " 90 00", bad[i], JP_E_DEVICE);
		jpki_card_forget(&((card_fixture *)*state)->c);
	}
}

/* Files that end before their TLV does: the rest is asked for, and the
 * card has no more. */
static void test_truncated(void **state)
{
	card_fixture *f = *state;
	face_data d;

	script_expect(f->t, SEL_FACE, OK);
	script_expect(f->t, SEL("00 01"), OK);
	script_expect(f->t, READ0, "FF 10 0C 31 32 33 34 35 36 37 38 39 30 31 90 00");
	script_expect(f->t, "00 B0 00 0E 01", "6B 00");
	assert_int_equal(face_read(&f->c, &d), JP_E_DEVICE);
	jpki_card_forget(&f->c);

	script_expect(f->t, SEL_FACE, OK);
	script_expect(f->t, SEL("00 01"), OK);
	script_expect(f->t, READ0, MY_NUMBER_TLV " 90 00");
	script_expect(f->t, SEL("00 02"), OK);
	script_expect(f->t, READ0, "FF 20 20 DF 22 01 41 DF 23 01 42 90 00");
	script_expect(f->t, "00 B0 00 0B 18", "90 00");
	assert_int_equal(face_read(&f->c, &d), JP_E_DEVICE);
	assert_null(d.v[FACE_MY_NUMBER]);
	script_assert_done(f->t);
}

/* FF20 whose length says more than FACE_FILE_MAX: never allocated. */
static void test_absurd_length(void **state)
{
	read_fails(state, MY_NUMBER_TLV " 90 00", "FF 20 82 FF F0 DF 22 01 41 90 00", JP_E_DEVICE);
}

/* Unknown DFxx inside FF20 (a card may carry more) are skipped; padding
 * after the TLV is ignored. */
static void test_parse_extra(void **state)
{
	static const uint8_t basic[] = {
		0xFF, 0x20, 0x16, 0xDF, 0x21, 0x02, 0x00, 0x01,
		0xDF, 0x22, 0x01, 'A', 0xDF, 0x23, 0x01, 'B', 0xDF, 0x24, 0x01, 'C',
		0xDF, 0x25, 0x02, '1', '2', 0xFF, 0xFF, 0xFF, 0xFF,
	};
	face_data d;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_int_equal(face_parse_basic(basic, sizeof(basic), &d), JP_OK);
	assert_field(&d, FACE_NAME, "A");
	assert_field(&d, FACE_SEX, "12");
	face_data_free(&d);
	/* every prefix of it is malformed, never a crash */
	for (size_t n = 0; n < 25; n++) {
		memset(&d, 0, sizeof(d));
		assert_int_equal(face_parse_basic(basic, n, &d), JP_E_DEVICE);
		assert_null(d.v[FACE_NAME]);
	}
}

/* The transport fails in the middle: as it is, nothing kept. */
static void test_read_removed(void **state)
{
	card_fixture *f = *state;
	face_data d;

	script_expect(f->t, SEL_FACE, OK);
	script_expect(f->t, SEL("00 01"), OK);
	script_expect(f->t, READ0, MY_NUMBER_TLV " 90 00");
	script_expect(f->t, SEL("00 02"), OK);
	script_expect_error(f->t, READ0, JP_E_NO_CARD);
	assert_int_equal(face_read(&f->c, &d), JP_E_NO_CARD);
	assert_null(d.v[FACE_MY_NUMBER]);
	script_assert_done(f->t);
}

/* The debug log shows the APDUs, never the data nor the PIN. */
static void test_nothing_in_log(void **state)
{
	card_fixture *f = *state;
	uint8_t basic[512];
	size_t n = basic_file(basic, "TESTNAME", "TESTADDRESS", "19900101", "2");
	face_data d;
	char *log;

	log_capture_start();
	script_expect(f->t, SEL_FACE, OK);
	script_expect(f->t, SEL("00 11"), OK);
	script_expect(f->t, "00 20 00 80 04 38 36 31 37", OK);
	script_expect(f->t, SEL("00 01"), OK);
	script_expect(f->t, READ0, MY_NUMBER_TLV " 90 00");
	script_expect(f->t, SEL("00 02"), OK);
	script_expect_data(f->t, READ0, basic, n, 0x9000);
	assert_int_equal(face_verify(&f->c, (const uint8_t *)"8617", 4, NULL), JP_OK);
	assert_int_equal(face_read(&f->c, &d), JP_OK);
	face_data_free(&d);
	log = log_capture_stop();
	script_assert_done(f->t);

	assert_non_null(strstr(log, "-> 00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"));
	assert_non_null(strstr(log, "-> 00 B0 00 00 00"));
	assert_non_null(strstr(log, "-> 00 20 00 80 **"));
	/* neither the digits, nor the text, in any spelling */
	assert_null(strstr(log, "123456789018"));
	assert_null(strstr(log, "31 32 33 34 35 36"));
	assert_null(strstr(log, "313233343536"));
	assert_null(strstr(log, "FF 10"));
	assert_null(strstr(log, "TESTNAME"));
	assert_null(strstr(log, "54 45 53 54"));
	assert_null(strstr(log, "38 36 31 37"));
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CARD_TEST(test_select), CARD_TEST(test_select_absent),
		CARD_TEST(test_applets_alternate), CARD_TEST(test_tries), CARD_TEST(test_verify),
		CARD_TEST(test_change), CARD_TEST(test_read), CARD_TEST(test_read_long),
		CARD_TEST(test_read_needs_pin), CARD_TEST(test_bad_my_number),
		CARD_TEST(test_bad_basic), CARD_TEST(test_absurd_length),
		CARD_TEST(test_truncated), CARD_TEST(test_parse_extra),
		CARD_TEST(test_read_removed), CARD_TEST(test_nothing_in_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
