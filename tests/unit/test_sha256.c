/* jpki-pkcs11 tests: the module's own SHA-256 against the FIPS 180-4
 * examples and against OpenSSL for every length around block edges. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "sha256.h"

static void hex(const uint8_t *md, char *out)
{
	int i;
	for (i = 0; i < JP_SHA256_LEN; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static void test_known_answers(void **state)
{
	uint8_t md[JP_SHA256_LEN];
	char s[65];

	(void)state;
	jp_sha256("abc", 3, md);
	hex(md, s);
	assert_string_equal(s, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	jp_sha256("", 0, md);
	hex(md, s);
	assert_string_equal(s, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	jp_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, md);
	hex(md, s);
	assert_string_equal(s, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_against_openssl(void **state)
{
	uint8_t data[1100], mine[JP_SHA256_LEN], theirs[JP_SHA256_LEN];
	unsigned int n;
	size_t len, i, split;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + (i >> 3));
	for (len = 0; len <= sizeof(data); len += len < 200 ? 1 : 37) {
		assert_int_equal(EVP_Digest(data, len, theirs, &n, EVP_sha256(), NULL), 1);
		jp_sha256(data, len, mine);
		assert_memory_equal(mine, theirs, JP_SHA256_LEN);
		/* the same in two updates, split anywhere */
		for (split = 0; split <= len; split += 13) {
			jp_sha256_ctx c;
			jp_sha256_init(&c);
			jp_sha256_update(&c, data, split);
			jp_sha256_update(&c, data + split, len - split);
			jp_sha256_final(&c, mine);
			assert_memory_equal(mine, theirs, JP_SHA256_LEN);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_against_openssl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
