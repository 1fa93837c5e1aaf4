/* jpki-pkcs11 tests: the APDU layer and the APDU trace of the log. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "apdu.h"
#include "log.h"
#include "log_capture.h"
#include "script_transport.h"

static const uint8_t TWO[2] = { 0x00, 0x06 };

/* The exchange tests: a scripted card, and where its answer lands. The
 * teardown fails a test whose script was not used up. */
typedef struct {
	jp_transport *t;
	uint8_t resp[256];
	size_t n;
	uint16_t sw;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->t = script_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	script_assert_done(f->t);
	script_free(f->t);
	free(f);
	return 0;
}
#define XCHG_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* One exchange into f->resp, room for cap bytes. */
static jp_rv xchg_into(fixture *f, const jp_apdu *a, size_t cap)
{
	f->n = cap;
	f->sw = 0;
	return jp_apdu_exchange(f->t, a, f->resp, &f->n, &f->sw);
}

static jp_rv xchg(fixture *f, const jp_apdu *a)
{
	return xchg_into(f, a, sizeof(f->resp));
}

static void check_encode(const jp_apdu *a, const char *hex)
{
	uint8_t buf[300], want[300];
	size_t n = jp_apdu_encode(a, buf, sizeof(buf));
	size_t m = hex_parse(hex, want, sizeof(want));
	assert_int_equal(n, m);
	assert_memory_equal(buf, want, m);
}

static void test_encode_cases(void **state)
{
	uint8_t big[255];
	uint8_t buf[300];
	jp_apdu a1 = { 0x00, 0x20, 0x00, 0x80, NULL, 0, -1, 0 };
	jp_apdu a2 = { 0x00, 0xB0, 0x00, 0x50, NULL, 0, 16, 0 };
	jp_apdu a2_256 = { 0x00, 0xB0, 0x01, 0x00, NULL, 0, 256, 0 };
	jp_apdu a2_0 = { 0x00, 0xB0, 0x01, 0x00, NULL, 0, 0, 0 };
	jp_apdu a3 = { 0x00, 0xA4, 0x02, 0x0C, TWO, 2, -1, 0 };
	jp_apdu a4 = { 0x80, 0x2A, 0x00, 0x80, TWO, 2, 256, 0 };
	jp_apdu a3_255 = { 0x80, 0x2A, 0x00, 0x80, big, 255, -1, 0 };
	(void)state;

	check_encode(&a1, "00 20 00 80");                       /* case 1: no P3 */
	check_encode(&a2, "00 B0 00 50 10");                    /* case 2 */
	check_encode(&a2_256, "00 B0 01 00 00");                /* Le 256 is 00 */
	check_encode(&a2_0, "00 B0 01 00 00");
	check_encode(&a3, "00 A4 02 0C 02 00 06");              /* case 3 */
	check_encode(&a4, "80 2A 00 80 02 00 06 00");           /* case 4 */
	memset(big, 0xAB, sizeof(big));
	assert_int_equal(jp_apdu_encode(&a3_255, buf, sizeof(buf)), 5 + 255);
	assert_int_equal(buf[4], 0xFF);
}

static void test_encode_refuses(void **state)
{
	uint8_t big[256] = { 0 }, buf[300];
	jp_apdu too_long = { 0x00, 0xD6, 0x00, 0x00, big, 256, -1, 0 };
	jp_apdu le_big = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, 257, 0 };
	jp_apdu le_neg = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, -2, 0 };
	jp_apdu no_data = { 0x00, 0xA4, 0x02, 0x0C, NULL, 2, -1, 0 };
	jp_apdu fine = { 0x00, 0xA4, 0x02, 0x0C, TWO, 2, 0, 0 };
	(void)state;

	assert_int_equal(jp_apdu_encode(&too_long, buf, sizeof(buf)), 0);
	assert_int_equal(jp_apdu_encode(&le_big, buf, sizeof(buf)), 0);
	assert_int_equal(jp_apdu_encode(&le_neg, buf, sizeof(buf)), 0);
	assert_int_equal(jp_apdu_encode(&no_data, buf, sizeof(buf)), 0);
	assert_int_equal(jp_apdu_encode(&fine, buf, 7), 0);      /* needs 8 */
	assert_int_equal(jp_apdu_encode(&fine, buf, 8), 8);
}

/* A READ BINARY with Le le that the card answers with answer_hex:
 * exchanged without error, the answer in f. */
static void read_answered(fixture *f, uint8_t le, const char *answer_hex)
{
	jp_apdu a = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, le, 0 };
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "00 B0 00 00 %02X", le);
	script_expect(f->t, cmd, answer_hex);
	assert_int_equal(xchg(f, &a), JP_OK);
}

static void test_exchange_plain(void **state)
{
	fixture *f = *state;

	read_answered(f, 3, "8F 8F 00 90 00");
	assert_int_equal(f->sw, 0x9000);
	assert_int_equal(f->n, 3);
	assert_memory_equal(f->resp, "\x8F\x8F\x00", 3);
}

static void test_exchange_sw_not_interpreted(void **state)
{
	fixture *f = *state;

	read_answered(f, 0, "69 82");
	assert_int_equal(f->sw, 0x6982);
	assert_int_equal(f->n, 0);
}

static void test_get_response(void **state)
{
	fixture *f = *state;
	jp_apdu a = { 0x80, 0x2A, 0x00, 0x80, TWO, 2, 0, 0 };
	uint8_t sig[256];

	memset(sig, 0x5A, sizeof(sig));
	script_expect(f->t, "80 2A 00 80 02 00 06 00", "61 00");
	script_expect_data(f->t, "00 C0 00 00 00", sig, 256, 0x9000);
	assert_int_equal(xchg(f, &a), JP_OK);
	assert_int_equal(f->sw, 0x9000);
	assert_int_equal(f->n, 256);
	assert_memory_equal(f->resp, sig, 256);
	assert_int_equal(script_count(f->t), 2);
}

static void test_get_response_chained(void **state)
{
	fixture *f = *state;
	jp_apdu a = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, 6, 0 };

	script_expect(f->t, "00 B0 00 00 06", "01 02 61 02");
	script_expect(f->t, "00 C0 00 00 02", "03 04 61 02");
	script_expect(f->t, "00 C0 00 00 02", "05 06 90 00");
	assert_int_equal(xchg(f, &a), JP_OK);
	assert_int_equal(f->n, 6);
	assert_memory_equal(f->resp, "\x01\x02\x03\x04\x05\x06", 6);
}

static void test_get_response_endless(void **state)
{
	fixture *f = *state;
	jp_apdu a = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, 0, 0 };
	int i;

	script_expect(f->t, "00 B0 00 00 00", "61 01");
	for (i = 0; i < 8; i++)
		script_expect(f->t, "00 C0 00 00 01", "61 01");
	assert_int_equal(xchg(f, &a), JP_E_DEVICE);
}

static void test_wrong_le_resent(void **state)
{
	fixture *f = *state;
	jp_apdu a = { 0x00, 0xB0, 0x00, 0x50, NULL, 0, 0, 0 };

	script_expect(f->t, "00 B0 00 50 00", "6C 03");
	script_expect(f->t, "00 B0 00 50 03", "41 42 43 90 00");
	assert_int_equal(xchg(f, &a), JP_OK);
	assert_int_equal(f->sw, 0x9000);
	assert_int_equal(f->n, 3);
}

static void test_wrong_le_not_resent(void **state)
{
	/* no Le, or a PIN inside: 6Cxx comes back as a status word */
	fixture *f = *state;
	jp_apdu nole = { 0x00, 0xA4, 0x02, 0x0C, TWO, 2, -1, 0 };
	jp_apdu pin = { 0x00, 0x20, 0x00, 0x80, (const uint8_t *)"1234", 4, 0, 1 };

	script_expect(f->t, "00 A4 02 0C 02 00 06", "6C 10");
	assert_int_equal(xchg(f, &nole), JP_OK);
	assert_int_equal(f->sw, 0x6C10);
	script_expect(f->t, "00 20 00 80 04 31 32 33 34 00", "6C 10");
	assert_int_equal(xchg(f, &pin), JP_OK);
	assert_int_equal(f->sw, 0x6C10);
	assert_int_equal(script_count(f->t), 2);
}

static void test_malformed_answers(void **state)
{
	fixture *f = *state;
	jp_apdu a = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, 2, 0 };

	script_expect(f->t, "00 B0 00 00 02", "90");                 /* 1 byte */
	assert_int_equal(xchg(f, &a), JP_E_DEVICE);
	script_expect(f->t, "00 B0 00 00 02", "");                   /* nothing */
	assert_int_equal(xchg(f, &a), JP_E_DEVICE);
	script_expect(f->t, "00 B0 00 00 02", "01 02 03 90 00");     /* more than Le */
	assert_int_equal(xchg(f, &a), JP_E_DEVICE);
	script_expect(f->t, "00 B0 00 00 02", "01 02 90 00");        /* buffer too small */
	assert_int_equal(xchg_into(f, &a, 1), JP_E_DEVICE);
}

static void test_transport_error_passes(void **state)
{
	fixture *f = *state;
	jp_apdu a = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, 2, 0 };

	script_expect_error(f->t, "00 B0 00 00 02", JP_E_RESET);
	assert_int_equal(xchg(f, &a), JP_E_RESET);
	script_expect_error(f->t, "00 B0 00 00 02", JP_E_NO_CARD);
	assert_int_equal(xchg(f, &a), JP_E_NO_CARD);
}

static void test_trace_redacts(void **state)
{
	fixture *f = *state;
	jp_apdu pin = { 0x00, 0x20, 0x00, 0x80, (const uint8_t *)"7395", 4, -1, 1 };
	jp_apdu rd = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, 2, 0 };
	char *log;

	log_capture_start();
	script_expect(f->t, "00 20 00 80 04 37 33 39 35", "63 C2");
	script_expect(f->t, "00 B0 00 00 02", "AB CD 90 00");
	assert_int_equal(xchg(f, &pin), JP_OK);
	assert_int_equal(xchg(f, &rd), JP_OK);
	jp_log_apdu("<-", (const uint8_t *)"\x12\x34\x90\x00", 4, 1);
	log = log_capture_stop();

	assert_non_null(strstr(log, "jpki-pkcs11: -> 00 20 00 80 **\n"));
	assert_non_null(strstr(log, "jpki-pkcs11: <- 63 C2\n"));
	assert_non_null(strstr(log, "jpki-pkcs11: -> 00 B0 00 00 02\n"));
	assert_non_null(strstr(log, "jpki-pkcs11: <- AB CD 90 00\n"));
	assert_non_null(strstr(log, "jpki-pkcs11: <- [2 bytes] ** 90 00\n"));
	assert_null(strstr(log, "37 33"));
	assert_null(strstr(log, "7395"));
	assert_null(strstr(log, "12 34"));
	free(log);
}

static void test_log_off_by_default(void **state)
{
	(void)state;
	unsetenv("JPKI_PKCS11_DEBUG");
	jp_log_init();
	assert_int_equal(jp_log_enabled, 0);
	setenv("JPKI_PKCS11_DEBUG", "0", 1);
	jp_log_init();
	assert_int_equal(jp_log_enabled, 0);
	unsetenv("JPKI_PKCS11_DEBUG");
	assert_string_equal(jp_rv_name(JP_E_PIN_LOCKED), "PIN locked");
	assert_string_equal(jp_rv_name(JP_OK), "ok");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_cases),
		cmocka_unit_test(test_encode_refuses),
		XCHG_TEST(test_exchange_plain),
		XCHG_TEST(test_exchange_sw_not_interpreted),
		XCHG_TEST(test_get_response),
		XCHG_TEST(test_get_response_chained),
		XCHG_TEST(test_get_response_endless),
		XCHG_TEST(test_wrong_le_resent),
		XCHG_TEST(test_wrong_le_not_resent),
		XCHG_TEST(test_malformed_answers),
		XCHG_TEST(test_transport_error_passes),
		XCHG_TEST(test_trace_redacts),
		cmocka_unit_test(test_log_off_by_default),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
