/* jpki-pkcs11 tests: the JPKI card application against a scripted card. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jpki.h"
#include "log_capture.h"
#include "script_transport.h"

#define SEL_APP   "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"
#define SEL(ef)   "00 A4 02 0C 02 " ef
#define OK        "90 00"
#define VERIFY_Q  "00 20 00 80"

typedef struct {
	jp_transport *t;
	jpki_card c;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	f->t = script_new();
	jpki_card_init(&f->c, f->t);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	script_free(f->t);
	free(f);
	return 0;
}

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

/* ---- applet ------------------------------------------------------------ */

static void test_select_app(void **state)
{
	fixture *f = *state;
	script_expect(f->t, SEL_APP, OK);
	assert_int_equal(jpki_select_app(&f->c), JP_OK);
	assert_true(f->c.app_selected);
	script_assert_done(f->t);
}

static void test_select_app_other_cards(void **state)
{
	fixture *f = *state;
	const char *sws[] = { "6A 82", "6A 86", "6D 00", "6E 00", "69 99" };
	size_t i;
	for (i = 0; i < sizeof(sws) / sizeof(sws[0]); i++) {
		script_expect(f->t, SEL_APP, sws[i]);
		assert_int_equal(jpki_select_app(&f->c), JP_E_NOT_JPKI);
		assert_false(f->c.app_selected);
	}
	script_expect_error(f->t, SEL_APP, JP_E_NO_CARD);
	assert_int_equal(jpki_select_app(&f->c), JP_E_NO_CARD);
	script_assert_done(f->t);
}

static void test_no_redundant_selects(void **state)
{
	fixture *f = *state;
	int tries;

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 18"), OK);
	script_expect(f->t, VERIFY_Q, "63 C3");
	script_expect(f->t, VERIFY_Q, "63 C3");          /* same EF: no SELECT */
	script_expect(f->t, SEL("00 1B"), OK);
	script_expect(f->t, VERIFY_Q, "63 C5");
	assert_int_equal(jpki_pin_tries(&f->c, JPKI_AUTH, &tries), JP_OK);
	assert_int_equal(tries, 3);
	assert_int_equal(jpki_pin_tries(&f->c, JPKI_AUTH, &tries), JP_OK);
	assert_int_equal(jpki_pin_tries(&f->c, JPKI_SIGN, &tries), JP_OK);
	assert_int_equal(tries, 5);
	assert_int_equal(script_count(f->t), 6);

	/* after forget (a new transaction) everything is selected again */
	jpki_card_forget(&f->c);
	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 1B"), OK);
	script_expect(f->t, VERIFY_Q, "63 C5");
	assert_int_equal(jpki_pin_tries(&f->c, JPKI_SIGN, &tries), JP_OK);

	/* an explicit applet select always goes out: it is the logout */
	script_expect(f->t, SEL_APP, OK);
	assert_int_equal(jpki_select_app(&f->c), JP_OK);
	assert_int_equal(f->c.current_ef, 0);
	script_assert_done(f->t);
}

static void test_transport_error_forgets(void **state)
{
	fixture *f = *state;
	int tries;

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 18"), OK);
	script_expect_error(f->t, VERIFY_Q, JP_E_RESET);
	assert_int_equal(jpki_pin_tries(&f->c, JPKI_AUTH, &tries), JP_E_RESET);
	assert_false(f->c.app_selected);
	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 18"), OK);
	script_expect(f->t, VERIFY_Q, "63 C2");
	assert_int_equal(jpki_pin_tries(&f->c, JPKI_AUTH, &tries), JP_OK);
	assert_int_equal(tries, 2);
	script_assert_done(f->t);
}

/* ---- status words ------------------------------------------------------ */

/* Every status word of jpki-card.md, through a command that maps the
 * generic ones (COMPUTE DIGITAL SIGNATURE). */
static void test_status_words(void **state)
{
	fixture *f = *state;
	static const struct { const char *sw; jp_rv rv; } table[] = {
		{ "67 00", JP_E_DATA_LEN },
		{ "69 81", JP_E_DEVICE },
		{ "69 82", JP_E_SECURITY },
		{ "69 83", JP_E_PIN_LOCKED },
		{ "69 84", JP_E_PIN_LOCKED },
		{ "69 85", JP_E_DEVICE },
		{ "69 86", JP_E_DEVICE },
		{ "6A 80", JP_E_BAD_DATA },
		{ "6A 82", JP_E_NOT_FOUND },
		{ "6A 86", JP_E_DEVICE },
		{ "6B 00", JP_E_DEVICE },
		{ "6D 00", JP_E_DEVICE },
		{ "6E 00", JP_E_DEVICE },
		{ "63 C2", JP_E_DEVICE },       /* no PIN in a signature */
		{ "62 83", JP_E_DEVICE },       /* never seen: device error */
		{ "6F 00", JP_E_DEVICE },
		{ "12 34", JP_E_DEVICE },
	};
	uint8_t sig[256];
	size_t i, len;

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 17"), OK);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		len = sizeof(sig);
		script_expect(f->t, "80 2A 00 80 03 01 02 03 00", table[i].sw);
		assert_int_equal(jpki_sign(&f->c, JPKI_AUTH, (const uint8_t *)"\1\2\3", 3, sig, &len),
		                 table[i].rv);
	}
	script_assert_done(f->t);
}

static void test_select_ef_status(void **state)
{
	fixture *f = *state;
	uint8_t sig[256];
	size_t len = sizeof(sig);

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 1A"), "6A 82");
	assert_int_equal(jpki_sign(&f->c, JPKI_SIGN, (const uint8_t *)"x", 1, sig, &len),
	                 JP_E_NOT_FOUND);
	assert_int_equal(f->c.current_ef, 0);
	script_expect(f->t, SEL("00 1A"), "6A 86");
	assert_int_equal(jpki_sign(&f->c, JPKI_SIGN, (const uint8_t *)"x", 1, sig, &len),
	                 JP_E_DEVICE);
	script_assert_done(f->t);
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
	fixture *f = *state;
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
	fixture *f = *state;
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
	fixture *f = *state;
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
	fixture *f = *state;
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
	fixture *f = *state;
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
	fixture *f = *state;
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
	fixture *f = *state;
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
	fixture *f = *state;
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
	fixture *f = *state;
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
	fixture *f = *state;
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

/* ---- token information ------------------------------------------------- */

/* EF 0006's first 96 bytes: label, manufacturer, model, then the serial
 * (and status word) from serial_answer; a short serial_answer is a file
 * that ends early. */
static jpki_info info_label(void **state, const char *label, const char *serial_answer,
                            const char *avail_answer)
{
	fixture *f = *state;
	uint8_t ans[96 + 2 + 16], tail[32];
	size_t n = hex_parse(serial_answer, tail, sizeof(tail));
	jpki_info info;

	memset(ans, ' ', 80);
	memcpy(ans, label, strlen(label));
	memcpy(ans + 32, "JPKI", 4);
	memcpy(ans + 64, label, strlen(label) < 16 ? strlen(label) : 16);
	memcpy(ans + 80, tail, n - 2);
	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 06"), OK);
	script_expect_data(f->t, "00 B0 00 00 60", ans, 80 + n - 2,
	                   (uint16_t)(tail[n - 2] << 8 | tail[n - 1]));
	script_expect(f->t, SEL("00 08"), OK);
	script_expect(f->t, "00 B0 00 00 03", avail_answer);
	assert_int_equal(jpki_read_info(&f->c, &info), JP_OK);
	script_assert_done(f->t);
	return info;
}

static void info_with(void **state, const char *serial_answer, const char *avail_answer,
                      const char *want_serial, bool auth, bool sign)
{
	jpki_info info = info_label(state, "JPKIAPICCTOKEN2", serial_answer, avail_answer);

	assert_string_equal(info.serial, want_serial);
	assert_int_equal(info.has_cert[JPKI_AUTH], auth);
	assert_int_equal(info.has_cert[JPKI_SIGN], sign);
	assert_int_equal(info.kind, JPKI_KIND_CARD);
	assert_false(info.cert_private[JPKI_AUTH]);
	assert_true(info.cert_private[JPKI_SIGN]);
	assert_true(info.may_have_face);
}

/* A phone: the same files, the label JPKIAPGPSETOKEN; its authentication
 * certificate is private and it has no card-face applet. */
static void test_info_phone(void **state)
{
	jpki_info info = info_label(state, "JPKIAPGPSETOKEN",
	                            "41 42 31 32 43 44 33 34 45 46 35 36 37 38 39 30 90 00",
	                            "8F 8F 00 90 00");

	assert_int_equal(info.kind, JPKI_KIND_PHONE);
	assert_string_equal(info.serial, "AB12CD34EF567890");
	assert_true(info.cert_private[JPKI_AUTH]);
	assert_true(info.cert_private[JPKI_SIGN]);
	assert_false(info.may_have_face);
}

/* Labels that only look like a phone's, and the old 住基カード: cards. */
static void test_info_not_phone(void **state)
{
	static const char *const labels[] = { "JPKIAPICCTOKEN", "JPKIAPGPSETOKENX", "JPKIAPIOSTOKEN", "" };
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		jpki_info info = info_label(state, labels[i],
		                            "41 42 31 32 43 44 33 34 45 46 35 36 37 38 39 30 90 00",
		                            "8F 8F 00 90 00");
		assert_int_equal(info.kind, JPKI_KIND_CARD);
		assert_true(info.may_have_face);
		jpki_card_forget(&((fixture *)*state)->c);
	}
}

/* "AB12CD34EF567890" */
#define SERIAL_HEX "41 42 31 32 43 44 33 34 45 46 35 36 37 38 39 30"

static void test_info_adult(void **state)
{
	info_with(state, SERIAL_HEX " 90 00", "8F 8F 00 90 00", "AB12CD34EF567890", true, true);
}

static void test_info_under_15(void **state)
{
	info_with(state, SERIAL_HEX " 90 00", "00 8F 00 90 00", "AB12CD34EF567890", true, false);
}

static void test_info_blank_serial(void **state)
{
	info_with(state, "20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 90 00",
	          "8F 8F 00 90 00", "", true, true);
}

static void test_info_zero_serial(void **state)
{
	info_with(state, "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 90 00",
	          "8F 8F 00 90 00", "", true, true);
}

static void test_info_ff_serial(void **state)
{
	info_with(state, "FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF 90 00",
	          "8F 8F 00 90 00", "", true, true);
}

static void test_info_nonprintable_serial(void **state)
{
	info_with(state, "41 42 31 32 43 44 33 34 45 46 35 36 37 38 39 07 90 00",
	          "8F 8F 00 90 00", "", true, true);
}

static void test_info_padded_serial(void **state)
{
	info_with(state, "41 42 31 32 43 44 33 34 20 20 20 20 20 20 20 20 90 00",
	          "8F 00 00 90 00", "AB12CD34", false, true);
}

static void test_info_short_files(void **state)
{
	info_with(state, "41 42 90 00", "8F 90 00", "", true, true);
}

/* EF 0006 shorter than its label: a card with no serial. */
static void test_info_tiny_token_file(void **state)
{
	fixture *f = *state;
	jpki_info info;

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 06"), OK);
	script_expect(f->t, "00 B0 00 00 60", "4A 50 4B 49 90 00");
	script_expect(f->t, SEL("00 08"), OK);
	script_expect(f->t, "00 B0 00 00 03", "8F 8F 00 90 00");
	assert_int_equal(jpki_read_info(&f->c, &info), JP_OK);
	assert_string_equal(info.serial, "");
	assert_int_equal(info.kind, JPKI_KIND_CARD);
	script_assert_done(f->t);
}

static void test_info_missing_files(void **state)
{
	fixture *f = *state;
	jpki_info info;

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 06"), "6A 82");
	script_expect(f->t, SEL("00 08"), "6A 82");
	assert_int_equal(jpki_read_info(&f->c, &info), JP_OK);
	assert_string_equal(info.serial, "");
	assert_true(info.has_cert[JPKI_AUTH]);
	assert_true(info.has_cert[JPKI_SIGN]);
	script_assert_done(f->t);
}

static void test_info_not_jpki(void **state)
{
	fixture *f = *state;
	jpki_info info;

	script_expect(f->t, SEL_APP, "6A 82");
	assert_int_equal(jpki_read_info(&f->c, &info), JP_E_NOT_JPKI);
	script_assert_done(f->t);
}

/* ---- PINs -------------------------------------------------------------- */

static void tries_with(void **state, const char *answer, jp_rv want_rv, int want)
{
	fixture *f = *state;
	int tries = 1234;

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 18"), OK);
	script_expect(f->t, VERIFY_Q, answer);
	assert_int_equal(jpki_pin_tries(&f->c, JPKI_AUTH, &tries), want_rv);
	if (want_rv == JP_OK)
		assert_int_equal(tries, want);
	script_assert_done(f->t);
}

static void test_tries_3(void **state) { tries_with(state, "63 C3", JP_OK, 3); }
static void test_tries_1(void **state) { tries_with(state, "63 C1", JP_OK, 1); }
static void test_tries_0(void **state) { tries_with(state, "63 C0", JP_OK, 0); }
static void test_tries_verified(void **state) { tries_with(state, "90 00", JP_OK, -1); }
static void test_tries_6983(void **state) { tries_with(state, "69 83", JP_OK, 0); }
static void test_tries_6984(void **state) { tries_with(state, "69 84", JP_OK, 0); }
static void test_tries_odd(void **state) { tries_with(state, "63 00", JP_E_DEVICE, 0); }
static void test_tries_no_pin_ef(void **state) { tries_with(state, "6A 82", JP_E_NOT_FOUND, 0); }

static void verify_with(void **state, jpki_cred cred, const char *answer, jp_rv want_rv, int want)
{
	fixture *f = *state;
	int tries = 1234;

	script_expect(f->t, SEL_APP, OK);
	if (cred == JPKI_AUTH) {
		script_expect(f->t, SEL("00 18"), OK);
		script_expect(f->t, "00 20 00 80 04 31 32 33 34", answer);
		assert_int_equal(jpki_verify(&f->c, cred, (const uint8_t *)"1234", 4, &tries), want_rv);
	} else {
		script_expect(f->t, SEL("00 1B"), OK);
		script_expect(f->t, "00 20 00 80 06 41 42 43 31 32 33", answer);
		assert_int_equal(jpki_verify(&f->c, cred, (const uint8_t *)"ABC123", 6, &tries), want_rv);
	}
	assert_int_equal(tries, want);
	/* exactly one VERIFY: the script holds no second one, any further
	 * command would fail the test */
	script_assert_done(f->t);
}

static void test_verify_ok(void **state) { verify_with(state, JPKI_AUTH, "90 00", JP_OK, -1); }
static void test_verify_sign_ok(void **state) { verify_with(state, JPKI_SIGN, "90 00", JP_OK, -1); }
static void test_verify_wrong(void **state) { verify_with(state, JPKI_AUTH, "63 C2", JP_E_PIN_INCORRECT, 2); }
static void test_verify_wrong_sign(void **state) { verify_with(state, JPKI_SIGN, "63 C4", JP_E_PIN_INCORRECT, 4); }
/* the try that locks it: still "incorrect" for this call, 0 left */
static void test_verify_last_try(void **state) { verify_with(state, JPKI_AUTH, "63 C0", JP_E_PIN_INCORRECT, 0); }
static void test_verify_blocked(void **state) { verify_with(state, JPKI_AUTH, "69 84", JP_E_PIN_LOCKED, 0); }
static void test_verify_blocked_iso(void **state) { verify_with(state, JPKI_SIGN, "69 83", JP_E_PIN_LOCKED, 0); }
static void test_verify_odd(void **state) { verify_with(state, JPKI_AUTH, "6F 00", JP_E_DEVICE, 1234); }
static void test_verify_wrong_le(void **state) { verify_with(state, JPKI_AUTH, "6C 02", JP_E_DEVICE, 1234); }

static void verify_error_once(void **state, jp_rv err)
{
	fixture *f = *state;
	int tries = 1234;

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 18"), OK);
	script_expect_error(f->t, "00 20 00 80 04 31 32 33 34", err);
	assert_int_equal(jpki_verify(&f->c, JPKI_AUTH, (const uint8_t *)"1234", 4, &tries), err);
	assert_int_equal(tries, 1234);
	assert_int_equal(script_count(f->t), 3);
	script_assert_done(f->t);
}

static void test_verify_comm_not_retried(void **state) { verify_error_once(state, JP_E_COMM); }
static void test_verify_reset_not_retried(void **state) { verify_error_once(state, JP_E_RESET); }
static void test_verify_removed(void **state) { verify_error_once(state, JP_E_NO_CARD); }

static void test_verify_refuses_empty(void **state)
{
	fixture *f = *state;
	int tries;
	uint8_t long_pin[17];

	memset(long_pin, '1', sizeof(long_pin));
	assert_int_equal(jpki_verify(&f->c, JPKI_AUTH, (const uint8_t *)"", 0, &tries), JP_E_ARGS);
	assert_int_equal(jpki_verify(&f->c, JPKI_AUTH, NULL, 4, &tries), JP_E_ARGS);
	assert_int_equal(jpki_verify(&f->c, JPKI_SIGN, long_pin, 17, &tries), JP_E_ARGS);
	assert_int_equal(jpki_verify(&f->c, (jpki_cred)7, long_pin, 4, &tries), JP_E_ARGS);
	assert_int_equal(jpki_change_pin(&f->c, JPKI_AUTH, (const uint8_t *)"", 0), JP_E_ARGS);
	assert_int_equal(script_count(f->t), 0);
}

static void change_with(void **state, const char *answer, jp_rv want)
{
	fixture *f = *state;

	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 1B"), OK);
	script_expect(f->t, "00 24 01 80 08 58 59 5A 39 38 37 36 35", answer);
	assert_int_equal(jpki_change_pin(&f->c, JPKI_SIGN, (const uint8_t *)"XYZ98765", 8), want);
	script_assert_done(f->t);
}

static void test_change_ok(void **state) { change_with(state, "90 00", JP_OK); }
static void test_change_format(void **state) { change_with(state, "6A 80", JP_E_BAD_DATA); }
static void test_change_not_verified(void **state) { change_with(state, "69 82", JP_E_SECURITY); }
static void test_change_odd(void **state) { change_with(state, "63 C1", JP_E_DEVICE); }

/* ---- signing ----------------------------------------------------------- */

/* SHA-256 DigestInfo prefix + 32 bytes */
static const char DIGESTINFO_HEX[] =
	"30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20 "
	"00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F "
	"10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F";

static void sign_answer(void **state, jpki_cred cred, size_t answer_len, jp_rv want)
{
	fixture *f = *state;
	uint8_t di[64], sig[300], out[256];
	size_t di_len = hex_parse(DIGESTINFO_HEX, di, sizeof(di)), len = sizeof(out);
	char cmd[400];

	memset(sig, 0xC3, sizeof(sig));
	snprintf(cmd, sizeof(cmd), "80 2A 00 80 33 %s 00", DIGESTINFO_HEX);
	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, cred == JPKI_AUTH ? SEL("00 17") : SEL("00 1A"), OK);
	script_expect_data(f->t, cmd, sig, answer_len, 0x9000);
	memset(out, 0, sizeof(out));
	assert_int_equal(jpki_sign(&f->c, cred, di, di_len, out, &len), want);
	if (want == JP_OK) {
		assert_int_equal(len, 256);
		assert_memory_equal(out, sig, 256);
	}
	script_assert_done(f->t);
}

static void test_sign_auth(void **state) { sign_answer(state, JPKI_AUTH, 256, JP_OK); }
static void test_sign_sign(void **state) { sign_answer(state, JPKI_SIGN, 256, JP_OK); }
static void test_sign_short(void **state) { sign_answer(state, JPKI_AUTH, 255, JP_E_DEVICE); }
static void test_sign_1024bit(void **state) { sign_answer(state, JPKI_AUTH, 128, JP_E_DEVICE); }
static void test_sign_empty(void **state) { sign_answer(state, JPKI_AUTH, 0, JP_E_DEVICE); }

static void test_sign_t0(void **state)
{
	fixture *f = *state;
	uint8_t sig[256], out[256];
	size_t len = sizeof(out);

	memset(sig, 0x3C, sizeof(sig));
	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 17"), OK);
	script_expect(f->t, "80 2A 00 80 02 AA BB 00", "61 00");
	script_expect_data(f->t, "00 C0 00 00 00", sig, 256, 0x9000);
	assert_int_equal(jpki_sign(&f->c, JPKI_AUTH, (const uint8_t *)"\xAA\xBB", 2, out, &len), JP_OK);
	assert_memory_equal(out, sig, 256);
	script_assert_done(f->t);
}

static void test_sign_args(void **state)
{
	fixture *f = *state;
	uint8_t data[256] = { 0 }, out[256];
	size_t len = sizeof(out);

	assert_int_equal(jpki_sign(&f->c, JPKI_AUTH, data, 256, out, &len), JP_E_DATA_LEN);
	assert_int_equal(jpki_sign(&f->c, JPKI_AUTH, data, 0, out, &len), JP_E_ARGS);
	len = 255;
	assert_int_equal(jpki_sign(&f->c, JPKI_AUTH, data, 10, out, &len), JP_E_ARGS);
	assert_int_equal(script_count(f->t), 0);
}

/* ---- the log never sees a PIN ------------------------------------------ */

static bool has_pin_trace(const char *log, const char *pin)
{
	size_t i, n = strlen(pin);
	char pair[8];
	if (strstr(log, pin) != NULL)
		return true;
	for (i = 0; i + 1 < n; i++) {
		snprintf(pair, sizeof(pair), "%02X %02X", (unsigned char)pin[i], (unsigned char)pin[i + 1]);
		if (strstr(log, pair) != NULL)
			return true;
		snprintf(pair, sizeof(pair), "%02X%02X", (unsigned char)pin[i], (unsigned char)pin[i + 1]);
		if (strstr(log, pair) != NULL)
			return true;
	}
	return false;
}

static void test_no_pin_in_log(void **state)
{
	fixture *f = *state;
	int tries;
	char *log;

	log_capture_start();
	script_expect(f->t, SEL_APP, OK);
	script_expect(f->t, SEL("00 1B"), OK);
	script_expect(f->t, VERIFY_Q, "63 C5");
	script_expect(f->t, "00 20 00 80 08 51 37 57 35 45 33 52 39", "63 C4");
	script_expect(f->t, "00 20 00 80 08 51 37 57 35 45 33 52 39", OK);
	script_expect(f->t, "00 24 01 80 0A 5A 38 58 36 43 34 56 32 42 30", OK);
	script_expect(f->t, SEL("00 18"), OK);
	script_expect(f->t, "00 20 00 80 04 38 36 31 37", "63 C2");
	assert_int_equal(jpki_pin_tries(&f->c, JPKI_SIGN, &tries), JP_OK);
	assert_int_equal(jpki_verify(&f->c, JPKI_SIGN, (const uint8_t *)"Q7W5E3R9", 8, &tries),
	                 JP_E_PIN_INCORRECT);
	assert_int_equal(jpki_verify(&f->c, JPKI_SIGN, (const uint8_t *)"Q7W5E3R9", 8, &tries), JP_OK);
	assert_int_equal(jpki_change_pin(&f->c, JPKI_SIGN, (const uint8_t *)"Z8X6C4V2B0", 10), JP_OK);
	assert_int_equal(jpki_verify(&f->c, JPKI_AUTH, (const uint8_t *)"8617", 4, &tries),
	                 JP_E_PIN_INCORRECT);
	log = log_capture_stop();
	script_assert_done(f->t);

	/* the trace is there ... */
	assert_non_null(strstr(log, "-> 00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"));
	assert_non_null(strstr(log, "-> 00 20 00 80\n"));
	assert_non_null(strstr(log, "-> 00 20 00 80 **\n"));
	assert_non_null(strstr(log, "-> 00 24 01 80 **\n"));
	assert_non_null(strstr(log, "<- 63 C4\n"));
	/* ... the PINs are not */
	assert_false(has_pin_trace(log, "Q7W5E3R9"));
	assert_false(has_pin_trace(log, "Z8X6C4V2B0"));
	assert_false(has_pin_trace(log, "8617"));
	/* the length of a PIN stays out, too */
	assert_null(strstr(log, "00 20 00 80 08"));
	assert_null(strstr(log, "00 20 00 80 04"));
	free(log);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_select_app), T(test_select_app_other_cards), T(test_no_redundant_selects),
		T(test_transport_error_forgets),
		T(test_status_words), T(test_select_ef_status),
		T(test_cert_1000), T(test_cert_small), T(test_cert_256), T(test_cert_512),
		T(test_cert_1795), T(test_cert_known_same), T(test_cert_known_differs),
		T(test_cert_known_other_length), T(test_cert_known_tail_not_read), T(test_cert_known_never_sign),
		 T(test_cert_each_ef), T(test_cert_ff_only),
		T(test_cert_sign_needs_pin), T(test_cert_bad_header), T(test_cert_short_form),
		T(test_cert_header_cut), T(test_cert_absurd_length), T(test_cert_empty_file),
		T(test_cert_empty_answer), T(test_cert_ff_then_garbage),
		T(test_cert_truncated_6b00), T(test_cert_truncated_empty),
		T(test_cert_truncated_6982), T(test_cert_truncated_6f00), T(test_cert_short_chunks), T(test_cert_too_much),
		T(test_info_adult), T(test_info_under_15), T(test_info_blank_serial),
		T(test_info_zero_serial), T(test_info_ff_serial), T(test_info_nonprintable_serial),
		T(test_info_padded_serial), T(test_info_short_files), T(test_info_missing_files),
		T(test_info_not_jpki), T(test_info_phone), T(test_info_not_phone), T(test_info_tiny_token_file),
		T(test_tries_3), T(test_tries_1), T(test_tries_0), T(test_tries_verified),
		T(test_tries_6983), T(test_tries_6984), T(test_tries_odd), T(test_tries_no_pin_ef),
		T(test_verify_ok), T(test_verify_sign_ok), T(test_verify_wrong),
		T(test_verify_wrong_sign), T(test_verify_last_try), T(test_verify_blocked),
		T(test_verify_blocked_iso), T(test_verify_odd), T(test_verify_wrong_le),
		T(test_verify_comm_not_retried), T(test_verify_reset_not_retried),
		T(test_verify_removed), T(test_verify_refuses_empty),
		T(test_change_ok), T(test_change_format), T(test_change_not_verified),
		T(test_change_odd),
		T(test_sign_auth), T(test_sign_sign), T(test_sign_short), T(test_sign_1024bit),
		T(test_sign_empty), T(test_sign_t0), T(test_sign_args),
		T(test_no_pin_in_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
