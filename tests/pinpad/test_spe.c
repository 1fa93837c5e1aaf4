/* jpki-pkcs11 tests: the test PIN-pad reader's secure PIN entry without
 * pcscd: PIN placement as the part 10 structure says, and the reader's own
 * answers, with a fake card that records what reaches it. */
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

#include "keypad.h"
#include "pinpad.h"
#include "spe.h"

static char dir[] = "/tmp/test_spe.XXXXXX";
static uint8_t sent[300];
static size_t sent_len;
static int sends, send_fails;

static int fake_card(void *ctx, const uint8_t *apdu, size_t len, uint8_t *resp, size_t *rlen)
{
	(void)ctx;
	sends++;
	memcpy(sent, apdu, len);
	sent_len = len;
	if (send_fails)
		return -1;
	resp[0] = 0x90;
	resp[1] = 0x00;
	*rlen = 2;
	return 0;
}

static void type(const char *lines)
{
	char p[100];
	FILE *f;

	snprintf(p, sizeof(p), "%s/keypad", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(lines, f);
	fclose(f);
}

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	for (; *hex; hex++) {
		if (*hex == ' ')
			continue;
		sscanf(hex, "%2x", &v);
		out[n++] = (uint8_t)v;
		hex++;
	}
	return n;
}

/* Runs a structure (hex) with the entries typed (NULL: the keypad file as
 * it is); checks the answer's SW
 * and, for 9000, the APDU that reached the card. */
static void check(int modify, const char *s_hex, const char *typed, unsigned sw, const char *apdu_hex)
{
	uint8_t s[300], resp[16], want[300];
	size_t n = unhex(s_hex, s), r;

	if (typed != NULL)
		type(typed);
	sends = 0;
	r = spe_run(modify, s, n, dir, fake_card, NULL, resp, sizeof(resp));
	assert_int_equal(r, 2);
	assert_int_equal(resp[0] << 8 | resp[1], sw);
	if (apdu_hex == NULL) {
		assert_int_equal(sends, 0);
		return;
	}
	assert_int_equal(sends, 1);
	n = unhex(apdu_hex, want);
	assert_int_equal(sent_len, n);
	assert_memory_equal(sent, want, n);
}

/* A VERIFY structure: format, block, length format; wPINMaxExtraDigit as
 * on the wire (max, then min); the APDU. */
static const char *verify_s(const char *fmt3, const char *maxmin, const char *apdu)
{
	static char buf[400];
	unsigned len = (unsigned)strlen(apdu) / 2;

	snprintf(buf, sizeof(buf), "0000 %s %s 02 01 1104 00 000000 %02X000000 %s",
		 fmt3, maxmin, len, apdu);
	return buf;
}

static void test_module_structure(void **state)
{
	uint8_t s[64];
	char hex[200];
	size_t n = jp_pinpad_build_verify(30, s, sizeof(s)), i;

	(void)state;
	for (i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02X", s[i]);
	check(0, hex, "1234\n", 0x9000, "0020008004 31323334");
}

static void test_placements(void **state)
{
	(void)state;
	/* Right-justified ASCII in an 8-byte block of spaces. */
	check(0, verify_s("86 08 00", "0804", "0020008008 2020202020202020"),
	      "1234\n", 0x9000, "0020008008 2020202031323334");
	/* A length byte before the PIN, block as long as the PIN. */
	check(0, verify_s("8A 80 10", "0804", "0020008005 FFFFFFFFFF"),
	      "1234\n", 0x9000, "0020008005 0431323334");
	/* ISO 9564 format 2: control nibble 2, length nibble, BCD, F pad. */
	check(0, verify_s("89 47 04", "0C04", "0020008108 20FFFFFFFFFFFFFF"),
	      "12345\n", 0x9000, "0020008108 2512345FFFFFFFFF");
	/* One byte per digit value. */
	check(0, verify_s("80 04 00", "0404", "0020008004 FFFFFFFF"),
	      "1234\n", 0x9000, "0020008004 01020304");
}

static void test_reader_answers(void **state)
{
	const char *s = verify_s("82 04 00", "0404", "0020008004 FFFFFFFF");

	(void)state;
	check(0, s, "cancel\n", 0x6401, NULL);
	check(0, s, "timeout\n", 0x6400, NULL);
	check(0, s, "", 0x6400, NULL);
	check(0, s, "123\n", 0x6403, NULL);
	check(0, s, "12345\n", 0x6403, NULL);
	check(0, s, "12a4\n", 0x6403, NULL);
	/* Structures the reader cannot follow: 6B80, nothing sent. */
	check(0, verify_s("82 04 00", "0404", "0020008004 FFFF"), "1234\n", 0x6B80, NULL);
	check(0, verify_s("82 02 00", "0404", "0020008004 FFFFFFFF"), "1234\n", 0x6B80, NULL);
	check(0, verify_s("82 04 00", "0305", "0020008004 FFFFFFFF"), "1234\n", 0x6B80, NULL);
	check(0, verify_s("83 04 00", "0404", "0020008004 FFFFFFFF"), "1234\n", 0x6B80, NULL);
	/* Lengths that disagree: ulDataLength says 9, 8 bytes follow. */
	check(0, "0000 82 04 00 0404 02 01 1104 00 000000 09000000 0020008004FFFFFF",
	      "1234\n", 0x6B80, NULL);
}

static void test_entries_consumed_in_order(void **state)
{
	char p[100];

	(void)state;
	check(0, verify_s("82 04 00", "0404", "0020008004 FFFFFFFF"),
	      "cancel\n1234\n", 0x6401, NULL);
	/* The second line stayed for the next operation. */
	check(0, verify_s("82 04 00", "0404", "0020008004 FFFFFFFF"),
	      NULL, 0x9000, "0020008004 31323334");
	snprintf(p, sizeof(p), "%s/keypad", dir);
	assert_int_equal(access(p, F_OK), -1);
}

static void test_modify(void **state)
{
	uint8_t s[64];
	char hex[200];
	size_t n = jp_pinpad_build_change(0, s, sizeof(s)), i;
	/* Current PIN, new PIN, confirmation; old at 0, new at 4. */
	const char *full = "0000 82 04 00 00 04 0404 03 02 03 1104 000102 000000"
			   "0D000000 0024008008 FFFFFFFFFFFFFFFF";

	(void)state;
	for (i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02X", s[i]);
	check(1, hex, "5678\n5678\n", 0x9000, "0024018004 35363738");
	check(1, hex, "5678\n5679\n", 0x6402, NULL);
	check(1, hex, "cancel\n", 0x6401, NULL);
	check(1, hex, "5678\ntimeout\n", 0x6400, NULL);
	check(1, full, "1111\n2222\n2222\n", 0x9000,
	      "0024008008 3131313132323232");
}

static void test_transmit_error(void **state)
{
	const char *hex = verify_s("82 04 00", "0404", "0020008004 FFFFFFFF");
	uint8_t s[64], resp[16];
	size_t n = unhex(hex, s);

	(void)state;
	type("1234\n");
	send_fails = 1;
	assert_int_equal(spe_run(0, s, n, dir, fake_card, NULL, resp, sizeof(resp)), 0);
	send_fails = 0;
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[100];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_structure),
		cmocka_unit_test(test_placements),
		cmocka_unit_test(test_reader_answers),
		cmocka_unit_test(test_entries_consumed_in_order),
		cmocka_unit_test(test_modify),
		cmocka_unit_test(test_transmit_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
