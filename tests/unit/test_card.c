/* jpki-pkcs11 tests: the card session's fail-safe rules, through the token
 * model over a scripted card: a clear that fails powers the card down, a
 * hold lapses and is cleared, errors name their cause, a SELECT answered
 * 6F00 first is sent once more and nothing else is, a card answering a
 * byte at a time cannot make a certificate cost thousands of APDUs. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "script_transport.h"
#include "conf.h"
#include "slot.h"
#include "token.h"

#define SEL_APP "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"
#define SEL(ef) "00 A4 02 0C 02 " ef
#define OK "90 00"
#define VERIFY_1234 "00 20 00 80 04 31 32 33 34"
#define VERIFY_ABC123 "00 20 00 80 06 41 42 43 31 32 33"

static jp_transport *scr;

static int setup(void **state)
{
	jp_reader *r = calloc(1, sizeof(*r));

	jp_lock_setup(NULL);
	jp_global_init();
	jp_conf_set(true, 3);
	scr = script_new();
	script_backend_use(scr);
	assert_int_equal(jp_card_init(&r->ct.card, "scripted"), 0);
	r->name = strdup("scripted");
	r->ct.tokens[JPKI_AUTH].cred = JPKI_AUTH;
	r->ct.tokens[JPKI_SIGN].cred = JPKI_SIGN;
	r->ct.tokens[JPKI_AUTH].has_cert = r->ct.tokens[JPKI_SIGN].has_cert = true;
	r->ct.tokens[JPKI_AUTH].pin_usable = r->ct.tokens[JPKI_SIGN].pin_usable = true;
	r->ct.tokens[JPKI_AUTH].tries = 3;
	r->ct.tokens[JPKI_SIGN].tries = 5;
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	jp_reader *r = *state;

	jp_card_free(&r->ct.card);
	script_assert_done(scr);
	script_backend_use(NULL);
	script_free(scr);
	jp_token_clear(&r->ct.tokens[0]);
	jp_token_clear(&r->ct.tokens[1]);
	free(r->name);
	free(r);
	jp_global_free();
	return 0;
}

static CK_RV login(jp_reader *r, jpki_cred cred, const char *pin)
{
	return jp_token_login(&r->ct, &r->ct.tokens[cred], (const CK_UTF8CHAR *)pin, strlen(pin), NULL);
}

static void keep_pin(jp_token *t, const char *pin)
{
	t->logged_in = true;
	t->pin = jp_secret_new();
	jp_secret_set(t->pin, (const uint8_t *)pin, strlen(pin));
}

static const uint8_t digestinfo[2] = { 0x30, 0x31 };
#define SIGN_CMD "80 2A 00 80 02 30 31 00"

/* The clearing SELECT answers an odd status word: the login stands (the
 * PIN was right) but the transaction ends with the card powered down. */
static void test_clear_odd_sw_powers_down(void **state)
{
	jp_reader *r = *state;

	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	script_expect(scr, VERIFY_1234, OK);
	script_expect(scr, SEL_APP, "6F 00");
	assert_int_equal(login(r, JPKI_AUTH, "1234"), CKR_OK);
	assert_int_equal(script_unpowered(scr), 1);
	assert_int_equal(script_ends(scr), 1);
}

/* The clear's answer is lost: powered down as well. */
static void test_clear_lost_powers_down(void **state)
{
	jp_reader *r = *state;

	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	script_expect(scr, VERIFY_1234, OK);
	script_expect_error(scr, SEL_APP, JP_E_COMM);
	assert_int_equal(login(r, JPKI_AUTH, "1234"), CKR_OK);
	assert_int_equal(script_unpowered(scr), 1);
}

/* A wrong PIN still ends cleared; a clear that works leaves the card
 * powered. */
static void test_clear_ok_leaves_power(void **state)
{
	jp_reader *r = *state;

	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	script_expect(scr, VERIFY_1234, "63 C2");
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(login(r, JPKI_AUTH, "1234"), CKR_PIN_INCORRECT);
	assert_int_equal(script_unpowered(scr), 0);
	assert_int_equal(script_ends(scr), 1);
}

/* A transaction that never sent a VERIFY needs no clear. */
static void test_no_verify_no_clear(void **state)
{
	jp_reader *r = *state;

	r->ct.tokens[JPKI_AUTH].tries_at = 0;
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	script_expect(scr, "00 20 00 80", "63 C3");
	assert_int_equal(jp_token_refresh_tries(&r->ct, &r->ct.tokens[JPKI_AUTH]), CKR_OK);
	assert_int_equal(script_count(scr), 3);
	assert_int_equal(script_unpowered(scr), 0);
}

/* The re-verification before a signature fails because of the card:
 * the error names the card, not a missing login; the PIN is dropped. */
static void reverify_fails(jp_reader *r, const char *sw, jp_rv err, CK_RV want)
{
	jp_token *t = &r->ct.tokens[JPKI_AUTH];
	uint8_t sig[256];
	size_t sl = sizeof(sig);

	keep_pin(t, "1234");
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	if (sw)
		script_expect(scr, VERIFY_1234, sw);
	else
		script_expect_error(scr, VERIFY_1234, err);
	if (err != JP_E_NO_CARD)
		script_expect(scr, SEL_APP, OK);
	assert_int_equal(jp_token_sign(&r->ct, t, NULL, NULL, digestinfo, sizeof(digestinfo), sig, &sl), want);
	assert_false(t->logged_in);
	assert_null(t->pin);
}

static void test_reverify_6f00(void **state) { reverify_fails(*state, "6F 00", JP_OK, CKR_DEVICE_ERROR); }
static void test_reverify_6581(void **state) { reverify_fails(*state, "65 81", JP_OK, CKR_DEVICE_MEMORY); }
static void test_reverify_lost(void **state) { reverify_fails(*state, NULL, JP_E_COMM, CKR_DEVICE_ERROR); }
static void test_reverify_wrong(void **state) { reverify_fails(*state, "63 C1", JP_OK, CKR_USER_NOT_LOGGED_IN); }

static void test_reverify_pulled(void **state)
{
	jp_reader *r = *state;

	reverify_fails(r, NULL, JP_E_NO_CARD, CKR_DEVICE_REMOVED);
	assert_true(jp_card_gone(&r->ct.card));
	assert_int_equal(script_unpowered(scr), 1);     /* nothing to clear: dropped */
}

/* A context login's hold lapses: the watchdog clears and ends it; the
 * later C_Sign verifies again with the PIN the operation kept. */
static void test_hold_lapses(void **state)
{
	jp_reader *r = *state;
	jp_token *t = &r->ct.tokens[JPKI_SIGN];
	jp_secret *keep = jp_secret_new();
	uint8_t answer[256], sig[256];
	size_t sl = sizeof(sig);
	int owner;

	t->logged_in = true;
	memset(answer, 0x44, sizeof(answer));
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 1B"), OK);
	script_expect(scr, VERIFY_ABC123, OK);
	/* the lower-case form is the PIN: the card gets upper case */
	assert_int_equal(jp_token_check_pin(&r->ct, t, (const CK_UTF8CHAR *)"abc123", 6, &owner, keep), CKR_OK);
	assert_true(jp_card_held_by(&r->ct.card, &owner));
	assert_int_equal(keep->len, 6);
	script_expect(scr, SEL_APP, OK);                /* the watchdog's clear */
	usleep((JP_HOLD_MS + 500) * 1000);
	assert_false(jp_card_held_by(&r->ct.card, &owner));
	assert_int_equal(script_ends(scr), 1);
	assert_int_equal(script_count(scr), 4);
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 1B"), OK);
	script_expect(scr, VERIFY_ABC123, OK);
	script_expect(scr, SEL("00 1A"), OK);
	script_expect_data(scr, SIGN_CMD, answer, sizeof(answer), 0x9000);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(jp_token_sign(&r->ct, t, &owner, keep, digestinfo, sizeof(digestinfo), sig, &sl), CKR_OK);
	assert_memory_equal(sig, answer, 256);
	jp_secret_free(keep);
}

/* A hold released by its owner (its signature) never waits for the
 * watchdog: the signature ends the transaction at once. */
static void test_hold_used_at_once(void **state)
{
	jp_reader *r = *state;
	jp_token *t = &r->ct.tokens[JPKI_SIGN];
	uint8_t answer[256], sig[256];
	size_t sl = sizeof(sig);
	int owner, other;

	t->logged_in = true;
	memset(answer, 0x45, sizeof(answer));
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 1B"), OK);
	script_expect(scr, VERIFY_ABC123, OK);
	assert_int_equal(jp_token_check_pin(&r->ct, t, (const CK_UTF8CHAR *)"ABC123", 6, &owner, NULL), CKR_OK);
	/* someone else's signature cannot use it */
	assert_false(jp_card_resume(&r->ct.card, &other));
	script_expect(scr, SEL("00 1A"), OK);
	script_expect_data(scr, SIGN_CMD, answer, sizeof(answer), 0x9000);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(jp_token_sign(&r->ct, t, &owner, NULL, digestinfo, sizeof(digestinfo), sig, &sl), CKR_OK);
	assert_int_equal(script_ends(scr), 1);
	assert_int_equal(script_unpowered(scr), 0);
}

/* 6F00 as the first answer of a transaction: the applet SELECT is sent
 * once more.  Not twice, and never a VERIFY. */
static void test_first_select_6f00(void **state)
{
	jp_reader *r = *state;

	script_expect(scr, SEL_APP, "6F 00");
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	script_expect(scr, VERIFY_1234, "6F 00");
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(login(r, JPKI_AUTH, "1234"), CKR_DEVICE_ERROR);
	assert_false(r->ct.tokens[JPKI_AUTH].logged_in);
}

static void test_select_6f00_twice(void **state)
{
	jp_reader *r = *state;

	r->ct.tokens[JPKI_AUTH].tries_at = 0;
	script_expect(scr, SEL_APP, "6F 00");
	script_expect(scr, SEL_APP, "6F 00");
	assert_int_equal(jp_token_refresh_tries(&r->ct, &r->ct.tokens[JPKI_AUTH]), CKR_TOKEN_NOT_RECOGNIZED);
	assert_int_equal(script_count(scr), 2);
}

/* A card that answers one byte per READ BINARY: bounded. */
static void test_cert_read_bounded(void **state)
{
	jp_reader *r = *state;
	uint8_t hdr[4] = { 0x30, 0x82, 0x04, 0x00 }, one = 0x42;
	char cmd[32];
	int i;

	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 0A"), OK);
	script_expect_data(scr, "00 B0 00 00 00", hdr, sizeof(hdr), 0x9000);
	for (i = 0; i < 63; i++) {
		snprintf(cmd, sizeof(cmd), "00 B0 %02X %02X 00", (4 + i) >> 8, (4 + i) & 0xFF);
		script_expect_data(scr, cmd, &one, 1, 0x9000);
	}
	assert_int_equal(jp_token_load(&r->ct, &r->ct.tokens[JPKI_AUTH], true, false), CKR_DEVICE_ERROR);
	assert_int_equal(script_count(scr), 66);
}

/* A reset by someone else, seen at the start of a transaction, logs both
 * tokens out: their kept PINs are wiped. */
static jp_rv reset_begin(jp_transport *t) { (void)t; return JP_E_RESET; }

static void test_reset_logs_out(void **state)
{
	jp_reader *r = *state;

	keep_pin(&r->ct.tokens[JPKI_AUTH], "1234");
	r->ct.tokens[JPKI_AUTH].tries_at = 0;
	script_begin_result(scr, reset_begin, 1);
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	script_expect(scr, "00 20 00 80", "63 C3");
	assert_int_equal(jp_token_refresh_tries(&r->ct, &r->ct.tokens[JPKI_AUTH]), CKR_OK);
	assert_false(r->ct.tokens[JPKI_AUTH].logged_in);
	assert_null(r->ct.tokens[JPKI_AUTH].pin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_clear_odd_sw_powers_down), T(test_clear_lost_powers_down), T(test_clear_ok_leaves_power),
		T(test_no_verify_no_clear), T(test_reverify_6f00), T(test_reverify_6581), T(test_reverify_lost),
		T(test_reverify_wrong), T(test_reverify_pulled), T(test_hold_lapses), T(test_hold_used_at_once),
		T(test_first_select_6f00), T(test_select_6f00_twice), T(test_cert_read_bounded),
		T(test_reset_logs_out),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
