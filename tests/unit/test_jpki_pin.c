/* jpki-pkcs11 tests: the JPKI applet's PINs against a scripted card:
 * retry counters, VERIFY, CHANGE REFERENCE DATA, and the log that never
 * sees a PIN. */
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
#include "log_capture.h"

/* ---- PINs -------------------------------------------------------------- */

static void tries_with(void **state, const char *answer, jp_rv want_rv, int want)
{
	card_fixture *f = *state;
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
	card_fixture *f = *state;
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
	card_fixture *f = *state;
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
	card_fixture *f = *state;
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
	card_fixture *f = *state;

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
	card_fixture *f = *state;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		CARD_TEST(test_tries_3), CARD_TEST(test_tries_1), CARD_TEST(test_tries_0),
		CARD_TEST(test_tries_verified), CARD_TEST(test_tries_6983),
		CARD_TEST(test_tries_6984), CARD_TEST(test_tries_odd),
		CARD_TEST(test_tries_no_pin_ef), CARD_TEST(test_verify_ok),
		CARD_TEST(test_verify_sign_ok), CARD_TEST(test_verify_wrong),
		CARD_TEST(test_verify_wrong_sign), CARD_TEST(test_verify_last_try),
		CARD_TEST(test_verify_blocked), CARD_TEST(test_verify_blocked_iso),
		CARD_TEST(test_verify_odd), CARD_TEST(test_verify_wrong_le),
		CARD_TEST(test_verify_comm_not_retried), CARD_TEST(test_verify_reset_not_retried),
		CARD_TEST(test_verify_removed), CARD_TEST(test_verify_refuses_empty),
		CARD_TEST(test_change_ok), CARD_TEST(test_change_format),
		CARD_TEST(test_change_not_verified), CARD_TEST(test_change_odd),
		CARD_TEST(test_no_pin_in_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
