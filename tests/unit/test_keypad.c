/* jpki-pkcs11 tests: PIN-pad login, signature and PIN change over a
 * scripted reader with a keypad — the order of APDUs and keypad requests
 * in one transaction, the card's status words after a keypad VERIFY, and
 * the reader's own answers that never count as a try. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pinpad.h"
#include "script_transport.h"
#include "scripted_card.h"
#include "session.h"
#include "token.h"

#define SEL_APP "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"
#define SEL(ef) "00 A4 02 0C 02 " ef
#define OK "90 00"
#define VERIFY_CODE 0x42330006u
#define MODIFY_CODE 0x42330007u
#define PROPS_CODE 0x4233000Au
/* FEATURE_IFD_PIN_PROPERTIES: wLcdLayout (none, or 2 lines of 16),
 * bEntryValidationCondition, bTimeOut2 */
#define NO_DISPLAY "00 00 02 00"
#define DISPLAY_2X16 "10 02 02 00"
/* verify, modify and properties, as the CCID driver numbers them */
#define ALL_FEATURES "06 04 42 33 00 06  07 04 42 33 00 07  0A 04 42 33 00 0A"

static jp_transport *scr;

static int setup(void **state)
{
	jp_card_tokens *ct;

	scr = script_new();
	script_features(scr, ALL_FEATURES);
	ct = scripted_card_new(scr);
	ct->keypad_verify = ct->keypad_modify = true;
	*state = ct;
	return 0;
}

static int teardown(void **state)
{
	scripted_card_free(*state, scr);
	return 0;
}
#define KEYPAD_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* A keypad VERIFY of the user-authentication PIN answered with resp_hex,
 * in its transaction: the applet, the reader's properties (answered with
 * props_hex; NULL: a reader without them is not asked), the PIN's EF, the
 * keypad, the clear. */
static void expect_keypad_verify_props(const char *props_hex, const char *resp_hex, bool clear)
{
	script_expect(scr, SEL_APP, OK);
	if (props_hex)
		script_expect_control(scr, PROPS_CODE, props_hex);
	script_expect(scr, SEL("00 18"), OK);
	script_expect_control(scr, VERIFY_CODE, resp_hex);
	if (clear)
		script_expect(scr, SEL_APP, OK);
}

/* The same on a reader without a display. */
static void expect_keypad_verify(const char *resp_hex, bool clear)
{
	expect_keypad_verify_props(NO_DISPLAY, resp_hex, clear);
}

static void test_login_ok(void **state)
{
	jp_card_tokens *ct = *state;
	jp_token *t = &ct->tokens[JPKI_AUTH];
	uint8_t s[64], want[JP_PINPAD_VERIFY_LEN];
	size_t n;

	expect_keypad_verify(OK, true);
	assert_int_equal(jp_token_login_keypad(ct, t), CKR_OK);
	assert_true(t->logged_in);
	assert_true(t->keypad);
	assert_null(t->pin);                    /* nothing to keep */
	assert_int_equal(script_begins(scr), 1);
	assert_int_equal(script_ends(scr), 1);
	/* the structure: 4 digits, the VERIFY of the PIN's EF */
	n = script_last_control(scr, s, sizeof(s));
	assert_int_equal(n, JP_PINPAD_VERIFY_LEN);
	assert_int_equal(jp_pinpad_build_verify(s[0], want, sizeof(want)), n);
	assert_int_equal(jp_pinpad_no_messages(want, n), 0);
	assert_memory_equal(s, want, n);
	assert_memory_equal(s + 19, "\x00\x20\x00\x80\x04", 5);
	assert_int_equal(s[5], 4);
	assert_int_equal(s[6], 4);
	assert_int_equal(s[8], 0);              /* no display: no message */
}

/* A reader whose properties tell a display gets the prompt; one without
 * FEATURE_IFD_PIN_PROPERTIES none, and is not asked. */
static void test_display(void **state)
{
	jp_card_tokens *ct = *state;
	jp_token *t = &ct->tokens[JPKI_AUTH];
	uint8_t s[64], want[JP_PINPAD_VERIFY_LEN];
	size_t n;

	expect_keypad_verify_props(DISPLAY_2X16, OK, true);
	assert_int_equal(jp_token_login_keypad(ct, t), CKR_OK);
	n = script_last_control(scr, s, sizeof(s));
	assert_int_equal(jp_pinpad_build_verify(s[0], want, sizeof(want)), n);
	assert_memory_equal(s, want, n);
	assert_int_equal(s[8], 1);

	jp_token_logout(t);
	script_features(scr, "06 04 42 33 00 06");
	expect_keypad_verify_props(NULL, OK, true);
	assert_int_equal(jp_token_login_keypad(ct, t), CKR_OK);
	n = script_last_control(scr, s, sizeof(s));
	assert_int_equal(n, JP_PINPAD_VERIFY_LEN);
	assert_int_equal(s[8], 0);
}

/* The card's answers read as for a typed PIN. */
static void test_card_answers(void **state)
{
	jp_card_tokens *ct = *state;
	jp_token *t = &ct->tokens[JPKI_AUTH];

	expect_keypad_verify("63 C1", true);
	assert_int_equal(jp_token_login_keypad(ct, t), CKR_PIN_INCORRECT);
	assert_int_equal(t->tries, 1);
	assert_false(t->logged_in);
	expect_keypad_verify("63 C0", true);
	assert_int_equal(jp_token_login_keypad(ct, t), CKR_PIN_INCORRECT);
	assert_int_equal(t->tries, 0);
	/* locked: never asked again */
	assert_int_equal(jp_token_login_keypad(ct, t), CKR_PIN_LOCKED);
	t->tries = 3;                           /* blocked elsewhere meanwhile */
	expect_keypad_verify("69 84", true);
	assert_int_equal(jp_token_login_keypad(ct, t), CKR_PIN_LOCKED);
	assert_int_equal(t->tries, 0);
	assert_int_equal(script_begins(scr), 3);
}

/* The reader's own answers: the card saw nothing, no try counts, and the
 * transaction still ends cleared. */
static void test_reader_answers(void **state)
{
	jp_card_tokens *ct = *state;
	jp_token *t = &ct->tokens[JPKI_AUTH];

	t->tries = 2;
	expect_keypad_verify("64 01", true);
	assert_int_equal(jp_token_login_keypad(ct, t), CKR_FUNCTION_CANCELED);
	expect_keypad_verify("64 00", true);
	assert_int_equal(jp_token_login_keypad(ct, t), CKR_FUNCTION_CANCELED);
	expect_keypad_verify("64 03", true);
	assert_int_equal(jp_token_login_keypad(ct, t), CKR_PIN_LEN_RANGE);
	script_expect(scr, SEL_APP, OK);
	script_expect_control(scr, PROPS_CODE, NO_DISPLAY);
	script_expect(scr, SEL("00 18"), OK);
	script_expect_control_error(scr, VERIFY_CODE, JP_E_CANCELLED);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(jp_token_login_keypad(ct, t), CKR_FUNCTION_CANCELED);
	assert_int_equal(t->tries, 2);
	assert_false(t->logged_in);
	/* a structure the reader refuses is a device error, not a PIN */
	expect_keypad_verify("6B 80", true);
	assert_int_equal(jp_token_login_keypad(ct, t), CKR_DEVICE_ERROR);
	assert_int_equal(t->tries, 2);
	assert_int_equal(script_unpowered(scr), 0);
}

/* No keypad use where the token has no protected path. */
static void test_refused_without_path(void **state)
{
	jp_card_tokens *ct = *state;
	CK_TOKEN_INFO info;

	assert_true(jp_token_protected_path(ct, &ct->tokens[JPKI_AUTH]));
	jp_token_info(ct, &ct->tokens[JPKI_AUTH], &info);
	assert_true(info.flags & CKF_PROTECTED_AUTHENTICATION_PATH);
	/* the signature PIN has letters */
	assert_false(jp_token_protected_path(ct, &ct->tokens[JPKI_SIGN]));
	jp_token_info(ct, &ct->tokens[JPKI_SIGN], &info);
	assert_false(info.flags & CKF_PROTECTED_AUTHENTICATION_PATH);
	assert_int_equal(jp_token_login_keypad(ct, &ct->tokens[JPKI_SIGN]), CKR_ARGUMENTS_BAD);
	/* a PIN-less card */
	ct->tokens[JPKI_AUTH].pin_usable = false;
	jp_token_info(ct, &ct->tokens[JPKI_AUTH], &info);
	assert_false(info.flags & CKF_PROTECTED_AUTHENTICATION_PATH);
	assert_int_equal(jp_token_login_keypad(ct, &ct->tokens[JPKI_AUTH]), CKR_USER_PIN_NOT_INITIALIZED);
	ct->tokens[JPKI_AUTH].pin_usable = true;
	/* a reader without the keypad */
	ct->keypad_verify = false;
	jp_token_info(ct, &ct->tokens[JPKI_AUTH], &info);
	assert_false(info.flags & CKF_PROTECTED_AUTHENTICATION_PATH);
	assert_int_equal(jp_token_login_keypad(ct, &ct->tokens[JPKI_AUTH]), CKR_ARGUMENTS_BAD);
	assert_int_equal(script_begins(scr), 0);
	assert_int_equal(script_count(scr), 0);
}

/* The transport's feature list decides, not only the token's view: a
 * reader that answers none gets no keypad request. */
static void test_transport_without_feature(void **state)
{
	jp_card_tokens *ct = *state;

	script_features(scr, "12 04 42 33 00 12");
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(jp_token_login_keypad(ct, &ct->tokens[JPKI_AUTH]), CKR_FUNCTION_FAILED);
	assert_false(ct->tokens[JPKI_AUTH].logged_in);
}

static const uint8_t digestinfo[2] = { 0x30, 0x31 };

/* After a keypad login each signature types the PIN again, inside its own
 * transaction; a cancel there keeps the login and signs nothing. */
static void test_sign_after_keypad_login(void **state)
{
	jp_card_tokens *ct = *state;
	jp_token *t = &ct->tokens[JPKI_AUTH];
	uint8_t answer[256], sig[256];
	size_t sl = sizeof(sig);

	expect_keypad_verify(OK, true);
	assert_int_equal(jp_token_login_keypad(ct, t), CKR_OK);
	memset(answer, 0x44, sizeof(answer));
	expect_keypad_verify(OK, false);
	script_expect(scr, SEL("00 17"), OK);
	script_expect_data(scr, "80 2A 00 80 02 30 31 00", answer, sizeof(answer), 0x9000);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(jp_token_sign(ct, t, NULL, NULL, digestinfo, 2, sig, &sl), CKR_OK);
	assert_memory_equal(sig, answer, 256);
	assert_int_equal(script_begins(scr), 2);
	assert_int_equal(script_ends(scr), 2);

	expect_keypad_verify("64 01", true);
	assert_int_equal(jp_token_sign(ct, t, NULL, NULL, digestinfo, 2, sig, &sl), CKR_FUNCTION_CANCELED);
	assert_true(t->logged_in);
	assert_int_equal(t->tries, 3);

	/* a wrong PIN at the signature: logged out, as a kept PIN would be */
	expect_keypad_verify("63 C2", true);
	assert_int_equal(jp_token_sign(ct, t, NULL, NULL, digestinfo, 2, sig, &sl), CKR_USER_NOT_LOGGED_IN);
	assert_false(t->logged_in);
	assert_false(t->keypad);
	assert_int_equal(t->tries, 2);
}

/* C_SetPIN on the keypad: VERIFY then the change, one transaction; a
 * PIN kept since a typed login is stale after it. */
static void test_set_pin(void **state)
{
	jp_card_tokens *ct = *state;
	jp_token *t = &ct->tokens[JPKI_AUTH];
	uint8_t s[64], want[JP_PINPAD_CHANGE_LEN];
	size_t n;

	t->logged_in = true;
	t->pin = jp_secret_new();
	jp_secret_set(t->pin, (const uint8_t *)"1234", 4);
	expect_keypad_verify(OK, false);
	script_expect_control(scr, PROPS_CODE, NO_DISPLAY);
	script_expect_control(scr, MODIFY_CODE, OK);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(jp_token_set_pin_keypad(ct, t), CKR_OK);
	assert_null(t->pin);
	assert_true(t->logged_in);
	assert_true(t->keypad);
	n = script_last_control(scr, s, sizeof(s));
	assert_int_equal(jp_pinpad_build_change(s[0], want, sizeof(want)), n);
	assert_int_equal(jp_pinpad_no_messages(want, n), 0);
	assert_memory_equal(s, want, n);
	assert_int_equal(script_begins(scr), 1);

	/* the confirmation differs: the card is not asked to change */
	expect_keypad_verify(OK, false);
	script_expect_control(scr, PROPS_CODE, NO_DISPLAY);
	script_expect_control(scr, MODIFY_CODE, "64 02");
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(jp_token_set_pin_keypad(ct, t), CKR_PIN_INVALID);
	/* a wrong current PIN: no change asked */
	expect_keypad_verify("63 C2", true);
	assert_int_equal(jp_token_set_pin_keypad(ct, t), CKR_PIN_INCORRECT);
	assert_int_equal(t->tries, 2);
	/* no MODIFY_PIN_DIRECT: refused before the card */
	ct->keypad_modify = false;
	assert_int_equal(jp_token_set_pin_keypad(ct, t), CKR_ARGUMENTS_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KEYPAD_TEST(test_login_ok),
		KEYPAD_TEST(test_display),
		KEYPAD_TEST(test_card_answers),
		KEYPAD_TEST(test_reader_answers),
		KEYPAD_TEST(test_refused_without_path),
		KEYPAD_TEST(test_transport_without_feature),
		KEYPAD_TEST(test_sign_after_keypad_login),
		KEYPAD_TEST(test_set_pin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
