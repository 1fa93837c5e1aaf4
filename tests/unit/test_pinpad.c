/* jpki-pkcs11 tests: the PIN-pad bytes (PC/SC part 10 feature list, PIN
 * structures, the reader's answers). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pinpad.h"
#include "script_transport.h"

/* The bytes a hex string stands for, as the two arguments (bytes, length)
 * the parsers take; they last until the next HEX(). */
static uint8_t hex_buf[64];
#define HEX(s) hex_buf, hex_parse((s), hex_buf, sizeof(hex_buf))

static void test_features_found(void **state)
{
	jp_pinpad_features f;

	(void)state;
	/* A CCID reader's list: verify, modify, properties, and a tag we do
	 * not use (12: GET_TLV_PROPERTIES). */
	assert_int_equal(jp_pinpad_parse_features(HEX("0604 42330006" "0704 42330007"
	                                               "0A04 4233000A" "1204 42330012"), &f), 0);
	assert_int_equal(f.verify_direct, 0x42330006);
	assert_int_equal(f.modify_direct, 0x42330007);
	assert_int_equal(f.pin_properties, 0x4233000A);

	/* Only what is there; an unused tag of another length is skipped. */
	assert_int_equal(jp_pinpad_parse_features(HEX("1302 ABCD" "0604 11223344"), &f), 0);
	assert_int_equal(f.verify_direct, 0x11223344);
	assert_int_equal(f.modify_direct, 0);
	assert_int_equal(f.pin_properties, 0);

	/* vpcd's answer: no keypad; an empty answer: no features. */
	assert_int_equal(jp_pinpad_parse_features(HEX("1204 42330012"), &f), 0);
	assert_int_equal(f.verify_direct, 0);
	assert_int_equal(jp_pinpad_parse_features(NULL, 0, &f), 0);
	assert_int_equal(f.verify_direct, 0);
}

static void test_features_malformed(void **state)
{
	static const char *bad[] = {
		"06",                           /* tag without length */
		"0604 423300",                  /* value cut short */
		"0602 4233",                    /* used tag, wrong length */
		"0604 42330006 0705 4233000700",/* second one wrong length */
		"0604 42330006 1208 00",        /* unused tag cut short */
	};
	jp_pinpad_features f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&f, 0x55, sizeof(f));
		assert_int_equal(jp_pinpad_parse_features(HEX(bad[i]), &f), -1);
		/* Malformed means none, even the good TLVs before the bad. */
		assert_int_equal(f.verify_direct, 0);
		assert_int_equal(f.modify_direct, 0);
		assert_int_equal(f.pin_properties, 0);
	}
}

static void test_properties(void **state)
{
	static const uint8_t lcd[] = { 0x10, 0x02, 0x02, 0x00 };
	static const uint8_t none[] = { 0x00, 0x00, 0x02, 0x00 };
	int lines, chars;

	(void)state;
	assert_int_equal(jp_pinpad_parse_properties(lcd, 4, &lines, &chars), 0);
	assert_int_equal(lines, 2);
	assert_int_equal(chars, 16);
	assert_int_equal(jp_pinpad_parse_properties(none, 4, &lines, &chars), 0);
	assert_int_equal(lines, 0);
	assert_int_equal(chars, 0);
	assert_int_equal(jp_pinpad_parse_properties(lcd, 3, &lines, &chars), -1);
	assert_int_equal(lines, 0);
}

/* build() makes want[0..n) with this timeout, and nothing in less room. */
static void assert_builds(size_t (*build)(uint8_t timeout, uint8_t *out, size_t cap), uint8_t timeout,
                          const uint8_t *want, size_t n)
{
	uint8_t out[64];

	assert_int_equal(build(timeout, out, sizeof(out)), n);
	assert_memory_equal(out, want, n);
	assert_int_equal(build(timeout, out, n - 1), 0);
}

static void test_build_verify(void **state)
{
	uint8_t want[64];
	size_t n = hex_parse(
		"1E 1E"         /* bTimerOut, bTimerOut2 = 30 s */
		"82"            /* bytes, offset 0, left, ASCII */
		"04"            /* no length field, 4-byte block */
		"00"            /* bmPINLengthFormat */
		"0404"          /* wPINMaxExtraDigit: min 4, max 4 */
		"02"            /* OK key */
		"01"            /* one message */
		"1104"          /* wLangId 0x0411, little-endian */
		"00"            /* bMsgIndex */
		"000000"        /* bTeoPrologue */
		"09000000"      /* ulDataLength 9, little-endian */
		"0020008004 FFFFFFFF", want, sizeof(want));

	(void)state;
	assert_int_equal(n, JP_PINPAD_VERIFY_LEN);
	assert_builds(jp_pinpad_build_verify, 30, want, n);
}

static void test_build_change(void **state)
{
	uint8_t want[64];
	size_t n = hex_parse(
		"00 00"         /* reader's default timeouts */
		"82 04 00"      /* as for VERIFY */
		"00 00"         /* bInsertionOffsetOld, bInsertionOffsetNew */
		"0404"          /* min 4, max 4 */
		"01"            /* bConfirmPIN: new twice, no current PIN */
		"02"            /* OK key */
		"02"            /* two messages */
		"1104"          /* wLangId */
		"01 02 00"      /* bMsgIndex1-3 */
		"000000"        /* bTeoPrologue */
		"09000000"      /* ulDataLength */
		"0024018004 FFFFFFFF", want, sizeof(want));

	(void)state;
	assert_int_equal(n, JP_PINPAD_CHANGE_LEN);
	assert_builds(jp_pinpad_build_change, 0, want, n);
}

/* Only the reader's own answers are told apart here; every card status
 * word is the card application's (jpki_pin.c). */
static void test_results(void **state)
{
	uint16_t sw;

	(void)state;
	assert_int_equal(jp_pinpad_result_of(HEX("9000"), &sw), JP_PINPAD_CARD);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(jp_pinpad_result_of(HEX("63C2"), &sw), JP_PINPAD_CARD);
	assert_int_equal(sw, 0x63C2);
	assert_int_equal(jp_pinpad_result_of(HEX("6984"), &sw), JP_PINPAD_CARD);
	assert_int_equal(sw, 0x6984);
	assert_int_equal(jp_pinpad_result_of(HEX("6982"), NULL), JP_PINPAD_CARD);
	assert_int_equal(jp_pinpad_result_of(HEX("6401"), &sw), JP_PINPAD_CANCELLED);
	assert_int_equal(sw, 0x6401);
	assert_int_equal(jp_pinpad_result_of(HEX("6400"), NULL), JP_PINPAD_TIMEOUT);
	assert_int_equal(jp_pinpad_result_of(HEX("6402"), NULL), JP_PINPAD_MISMATCH);
	assert_int_equal(jp_pinpad_result_of(HEX("6403"), NULL), JP_PINPAD_LENGTH);
	assert_int_equal(jp_pinpad_result_of(HEX("6B80"), &sw), JP_PINPAD_REFUSED);
	assert_int_equal(sw, 0x6B80);
	/* The status word is the last two bytes; data before it is ignored. */
	assert_int_equal(jp_pinpad_result_of(HEX("AABB 6401"), NULL), JP_PINPAD_CANCELLED);
	assert_int_equal(jp_pinpad_result_of(HEX("90"), &sw), JP_PINPAD_REFUSED);
	assert_int_equal(sw, 0);
	assert_int_equal(jp_pinpad_result_of(NULL, 0, &sw), JP_PINPAD_REFUSED);
}

/* A reader without a display: the structures ask for no message. */
static void test_no_messages(void **state)
{
	uint8_t v[JP_PINPAD_VERIFY_LEN], c[JP_PINPAD_CHANGE_LEN], w[JP_PINPAD_VERIFY_LEN];

	(void)state;
	jp_pinpad_build_verify(30, v, sizeof(v));
	memcpy(w, v, sizeof(v));
	assert_int_equal(v[8], 1);
	assert_int_equal(jp_pinpad_no_messages(v, sizeof(v)), 0);
	assert_int_equal(v[8], 0);
	v[8] = w[8];
	assert_memory_equal(v, w, sizeof(v));   /* nothing else changed */
	jp_pinpad_build_change(30, c, sizeof(c));
	assert_int_equal(c[11], 2);
	assert_int_equal(jp_pinpad_no_messages(c, sizeof(c)), 0);
	assert_int_equal(c[11], 0);
	assert_int_equal(c[14] | c[15] | c[16], 0);
	assert_int_equal(jp_pinpad_no_messages(c, 10), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_found),
		cmocka_unit_test(test_features_malformed),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_build_verify),
		cmocka_unit_test(test_build_change),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_no_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
