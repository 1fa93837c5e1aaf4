/* jpki-pkcs11 tests: the JPKI card application against a scripted card:
 * the applet and its files, status words, token information, signing.
 * Certificates: test_jpki_cert.c; PINs: test_jpki_pin.c. */
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

/* ---- applet ------------------------------------------------------------ */

static void test_select_app(void **state)
{
	card_fixture *f = *state;
	script_expect(f->t, SEL_APP, OK);
	assert_int_equal(jpki_select_app(&f->c), JP_OK);
	assert_true(f->c.app_selected);
	script_assert_done(f->t);
}

static void test_select_app_other_cards(void **state)
{
	card_fixture *f = *state;
	static const char *const sws[] = { "6A 82", "6A 86", "6D 00", "6E 00", "69 99" };

	card_assert_select_refused(f, SEL_APP, jpki_select_app, sws, sizeof(sws) / sizeof(sws[0]),
	                           JP_E_NOT_JPKI, &f->c.app_selected);
}

static void test_no_redundant_selects(void **state)
{
	card_fixture *f = *state;
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
	card_fixture *f = *state;
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

/* Every status word of the card specification, through a command that maps the
 * generic ones (COMPUTE DIGITAL SIGNATURE). */
static void test_status_words(void **state)
{
	card_fixture *f = *state;
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
	card_fixture *f = *state;
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

/* ---- token information ------------------------------------------------- */

/* EF 0006's first 96 bytes: label, manufacturer, model, then the serial
 * (and status word) from serial_answer; a short serial_answer is a file
 * that ends early. */
static jpki_info info_label(void **state, const char *label, const char *serial_answer,
                            const char *avail_answer)
{
	card_fixture *f = *state;
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
		jpki_card_forget(&((card_fixture *)*state)->c);
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
	card_fixture *f = *state;
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
	card_fixture *f = *state;
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
	card_fixture *f = *state;
	jpki_info info;

	script_expect(f->t, SEL_APP, "6A 82");
	assert_int_equal(jpki_read_info(&f->c, &info), JP_E_NOT_JPKI);
	script_assert_done(f->t);
}

/* ---- signing ----------------------------------------------------------- */

/* SHA-256 DigestInfo prefix + 32 bytes */
static const char DIGESTINFO_HEX[] =
	"30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20 "
	"00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F "
	"10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F";

static void sign_answer(void **state, jpki_cred cred, size_t answer_len, jp_rv want)
{
	card_fixture *f = *state;
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
	card_fixture *f = *state;
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
	card_fixture *f = *state;
	uint8_t data[256] = { 0 }, out[256];
	size_t len = sizeof(out);

	assert_int_equal(jpki_sign(&f->c, JPKI_AUTH, data, 256, out, &len), JP_E_DATA_LEN);
	assert_int_equal(jpki_sign(&f->c, JPKI_AUTH, data, 0, out, &len), JP_E_ARGS);
	len = 255;
	assert_int_equal(jpki_sign(&f->c, JPKI_AUTH, data, 10, out, &len), JP_E_ARGS);
	assert_int_equal(script_count(f->t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CARD_TEST(test_select_app), CARD_TEST(test_select_app_other_cards),
		CARD_TEST(test_no_redundant_selects), CARD_TEST(test_transport_error_forgets),
		CARD_TEST(test_status_words), CARD_TEST(test_select_ef_status),
		CARD_TEST(test_info_adult), CARD_TEST(test_info_under_15),
		CARD_TEST(test_info_blank_serial), CARD_TEST(test_info_zero_serial),
		CARD_TEST(test_info_ff_serial), CARD_TEST(test_info_nonprintable_serial),
		CARD_TEST(test_info_padded_serial), CARD_TEST(test_info_short_files),
		CARD_TEST(test_info_missing_files), CARD_TEST(test_info_not_jpki),
		CARD_TEST(test_info_phone), CARD_TEST(test_info_not_phone),
		CARD_TEST(test_info_tiny_token_file), CARD_TEST(test_sign_auth),
		CARD_TEST(test_sign_sign), CARD_TEST(test_sign_short),
		CARD_TEST(test_sign_1024bit), CARD_TEST(test_sign_empty), CARD_TEST(test_sign_t0),
		CARD_TEST(test_sign_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
