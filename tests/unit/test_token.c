/* jpki-pkcs11 tests: the token model over a scripted card — PIN rules,
 * login and signature flows, the object catalogue and its attributes. */
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
#include <openssl/x509.h>

#include "object.h"
#include "pin.h"
#include "script_transport.h"
#include "scripted_card.h"
#include "session.h"
#include "token.h"

#define SEL_APP "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"
#define SEL(ef) "00 A4 02 0C 02 " ef
#define OK "90 00"

/* ---- PIN rules ---------------------------------------------------------- */

static CK_RV check(jpki_cred cred, const char *pin)
{
	return jp_pin_check(cred, (const CK_UTF8CHAR *)pin, strlen(pin));
}

/* The PIN as the card will compare it. */
static CK_RV prepared(jpki_cred cred, const char *pin, char *out)
{
	uint8_t buf[JP_PIN_MAX];
	size_t n = 0;
	CK_RV rv = jp_pin_prepare(cred, (const CK_UTF8CHAR *)pin, strlen(pin), buf, &n);

	memcpy(out, buf, n);
	out[n] = '\0';
	return rv;
}

static void test_pin_rules(void **state)
{
	char out[JP_PIN_MAX + 1];

	(void)state;
	assert_int_equal(check(JPKI_AUTH, "1234"), CKR_OK);
	assert_int_equal(check(JPKI_AUTH, "123"), CKR_PIN_LEN_RANGE);
	assert_int_equal(check(JPKI_AUTH, "12345"), CKR_PIN_LEN_RANGE);
	assert_int_equal(check(JPKI_AUTH, "12a4"), CKR_PIN_INVALID);
	assert_int_equal(check(JPKI_AUTH, "12A4"), CKR_PIN_INVALID);
	assert_int_equal(check(JPKI_SIGN, "ABC123"), CKR_OK);
	assert_int_equal(check(JPKI_SIGN, "ABCDEFGHIJ123456"), CKR_OK);
	assert_int_equal(check(JPKI_SIGN, "ABCDEFGHIJ1234567"), CKR_PIN_LEN_RANGE);
	assert_int_equal(check(JPKI_SIGN, "AB123"), CKR_PIN_LEN_RANGE);
	assert_int_equal(check(JPKI_SIGN, "ABC 123"), CKR_PIN_INVALID);
	assert_int_equal(check(JPKI_SIGN, "ABC-123"), CKR_PIN_INVALID);
	/* lower case is taken as upper case, as the issuer's software does */
	assert_int_equal(prepared(JPKI_SIGN, "abc123", out), CKR_OK);
	assert_string_equal(out, "ABC123");
	assert_int_equal(prepared(JPKI_SIGN, "aBc12Z", out), CKR_OK);
	assert_string_equal(out, "ABC12Z");
	/* but not in the 4-digit PIN, which has no letters */
	assert_int_equal(prepared(JPKI_AUTH, "12a4", out), CKR_PIN_INVALID);
	/* a signature PIN without both a letter and a digit cannot exist */
	assert_int_equal(check(JPKI_SIGN, "ABCDEF"), CKR_PIN_INVALID);
	assert_int_equal(check(JPKI_SIGN, "abcdef"), CKR_PIN_INVALID);
	assert_int_equal(check(JPKI_SIGN, "123456"), CKR_PIN_INVALID);
	assert_int_equal(jp_pin_check(JPKI_AUTH, NULL, 4), CKR_ARGUMENTS_BAD);
	assert_int_equal(jp_pin_max_tries(JPKI_AUTH), 3);
	assert_int_equal(jp_pin_max_tries(JPKI_SIGN), 5);
}

/* ---- a scripted card in a reader ---------------------------------------- */

/* The scripted card every connection of the test reader reaches. */
static jp_transport *scr;

static int setup(void **state)
{
	scr = script_new();
	*state = scripted_card_new(scr);
	return 0;
}

static int teardown(void **state)
{
	scripted_card_free(*state, scr);
	return 0;
}
#define TOKEN_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

#define VERIFY_1234   "00 20 00 80 04 31 32 33 34"
#define VERIFY_ABC123 "00 20 00 80 06 41 42 43 31 32 33"

/* A VERIFY in its transaction: the applet, the PIN's EF (sel_ef), the
 * VERIFY answered with resp_hex; with clear, the applet selected again,
 * which makes the card forget the PIN. */
static void expect_verify(const char *sel_ef, const char *verify_hex, const char *resp_hex, bool clear)
{
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, sel_ef, OK);
	script_expect(scr, verify_hex, resp_hex);
	if (clear)
		script_expect(scr, SEL_APP, OK);
}

static CK_RV login(jp_card_tokens *ct, jpki_cred cred, const char *pin)
{
	return jp_token_login(ct, &ct->tokens[cred], (const CK_UTF8CHAR *)pin, strlen(pin), NULL);
}

static void test_format_costs_nothing(void **state)
{
	jp_card_tokens *ct = *state;

	assert_int_equal(login(ct, JPKI_AUTH, "123"), CKR_PIN_LEN_RANGE);
	assert_int_equal(login(ct, JPKI_SIGN, "ABCDEF"), CKR_PIN_INVALID);
	assert_int_equal(login(ct, JPKI_SIGN, "123456"), CKR_PIN_INVALID);
	assert_int_equal(script_count(scr), 0);
	assert_int_equal(script_begins(scr), 0);
}

static CK_RV set_pin(jp_card_tokens *ct, jpki_cred cred, const char *old_pin, const char *new_pin)
{
	return jp_token_set_pin(ct, &ct->tokens[cred], (const CK_UTF8CHAR *)old_pin, strlen(old_pin),
	                        (const CK_UTF8CHAR *)new_pin, strlen(new_pin));
}

/* No signature PIN is made of letters only or digits only (the module
 * specification, "Login and PINs"): refused at login and as the old PIN of
 * C_SetPIN, before the card is touched. */
static void test_sign_pin_must_mix(void **state)
{
	jp_card_tokens *ct = *state;

	assert_int_equal(check(JPKI_SIGN, "ABCDEF"), CKR_PIN_INVALID);
	assert_int_equal(check(JPKI_SIGN, "123456"), CKR_PIN_INVALID);
	assert_int_equal(login(ct, JPKI_SIGN, "ABCDEF"), CKR_PIN_INVALID);
	assert_int_equal(login(ct, JPKI_SIGN, "123456"), CKR_PIN_INVALID);
	assert_int_equal(set_pin(ct, JPKI_SIGN, "ABCDEF", "NEW456"), CKR_PIN_INVALID);
	assert_int_equal(set_pin(ct, JPKI_SIGN, "123456", "NEW456"), CKR_PIN_INVALID);
	assert_int_equal(script_count(scr), 0);
	assert_int_equal(script_begins(scr), 0);
	assert_int_equal(ct->tokens[JPKI_SIGN].tries, 5);
}

/* Lower-case letters in a signature PIN are sent as upper case. */
static void test_sign_pin_lower_case(void **state)
{
	jp_card_tokens *ct = *state;

	ct->tokens[JPKI_SIGN].cert_tried = true;
	expect_verify(SEL("00 1B"), VERIFY_ABC123, OK, true);
	assert_int_equal(login(ct, JPKI_SIGN, "abc123"), CKR_OK);
	assert_true(ct->tokens[JPKI_SIGN].logged_in);
}

/* C_SetPIN: the old and the new PIN in either case. */
static void test_set_sign_pin_lower_case(void **state)
{
	jp_card_tokens *ct = *state;

	expect_verify(SEL("00 1B"), VERIFY_ABC123, OK, false);
	script_expect(scr, "00 24 01 80 06 4E 45 57 37 38 39", OK);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(set_pin(ct, JPKI_SIGN, "abC123", "new789"), CKR_OK);
}

static void test_login_ok_clears(void **state)
{
	jp_card_tokens *ct = *state;

	expect_verify(SEL("00 18"), VERIFY_1234, OK, true); /* the card forgets the PIN */
	assert_int_equal(login(ct, JPKI_AUTH, "1234"), CKR_OK);
	assert_true(ct->tokens[JPKI_AUTH].logged_in);
	assert_non_null(ct->tokens[JPKI_AUTH].pin);
	assert_int_equal(ct->tokens[JPKI_AUTH].pin->len, 4);
	assert_int_equal(script_begins(scr), script_ends(scr));
	jp_token_logout(&ct->tokens[JPKI_AUTH]);
	assert_null(ct->tokens[JPKI_AUTH].pin);
}

static void test_login_wrong_then_locked(void **state)
{
	jp_card_tokens *ct = *state;

	expect_verify(SEL("00 18"), "00 20 00 80 04 39 39 39 39", "63 C0", true);
	assert_int_equal(login(ct, JPKI_AUTH, "9999"), CKR_PIN_INCORRECT);
	assert_int_equal(ct->tokens[JPKI_AUTH].tries, 0);
	/* locked: never sent again */
	assert_int_equal(login(ct, JPKI_AUTH, "1234"), CKR_PIN_LOCKED);
	assert_int_equal(script_count(scr), 4);
}

static void test_no_pin_token(void **state)
{
	jp_card_tokens *ct = *state;

	ct->tokens[JPKI_SIGN].pin_usable = false;
	assert_int_equal(login(ct, JPKI_SIGN, "ABC123"), CKR_USER_PIN_NOT_INITIALIZED);
	assert_int_equal(script_count(scr), 0);
}

static void test_verify_error_not_retried(void **state)
{
	jp_card_tokens *ct = *state;

	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	script_expect_error(scr, "00 20 00 80 04 31 32 33 34", JP_E_COMM);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(login(ct, JPKI_AUTH, "1234"), CKR_DEVICE_ERROR);
	assert_false(ct->tokens[JPKI_AUTH].logged_in);
}

static const uint8_t digestinfo[51] = { 0x30, 0x31 };

static void test_reverify_failure_logs_out(void **state)
{
	jp_card_tokens *ct = *state;
	jp_token *t = &ct->tokens[JPKI_AUTH];
	uint8_t sig[256];
	size_t sl = sizeof(sig);

	t->logged_in = true;
	t->pin = jp_secret_new();
	jp_secret_set(t->pin, (const uint8_t *)"1234", 4);
	expect_verify(SEL("00 18"), VERIFY_1234, "63 C2", true); /* changed elsewhere */
	assert_int_equal(jp_token_sign(ct, t, NULL, NULL, digestinfo, sizeof(digestinfo), sig, &sl),
	                 CKR_USER_NOT_LOGGED_IN);
	assert_false(t->logged_in);
	assert_null(t->pin);
	assert_int_equal(t->tries, 2);
	/* and the next signature does not try again */
	assert_int_equal(jp_token_sign(ct, t, NULL, NULL, digestinfo, sizeof(digestinfo), sig, &sl),
	                 CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(script_count(scr), 4);
}

static void test_sign_flow(void **state)
{
	jp_card_tokens *ct = *state;
	jp_token *t = &ct->tokens[JPKI_AUTH];
	uint8_t answer[256], sig[256];
	size_t sl = sizeof(sig);
	char cmd[200];
	int i, n;

	t->logged_in = true;
	t->pin = jp_secret_new();
	jp_secret_set(t->pin, (const uint8_t *)"1234", 4);
	memset(answer, 0x5a, sizeof(answer));
	n = snprintf(cmd, sizeof(cmd), "80 2A 00 80 33");
	for (i = 0; i < 51; i++)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " %02X", digestinfo[i]);
	snprintf(cmd + n, sizeof(cmd) - (size_t)n, " 00");
	expect_verify(SEL("00 18"), VERIFY_1234, OK, false);
	script_expect(scr, SEL("00 17"), OK);
	script_expect_data(scr, cmd, answer, sizeof(answer), 0x9000);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(jp_token_sign(ct, t, NULL, NULL, digestinfo, sizeof(digestinfo), sig, &sl), CKR_OK);
	assert_int_equal(sl, 256);
	assert_memory_equal(sig, answer, 256);
	assert_int_equal(script_begins(scr), 1);
	assert_int_equal(script_ends(scr), 1);
}

static void test_context_login_holds_card(void **state)
{
	jp_card_tokens *ct = *state;
	jp_token *t = &ct->tokens[JPKI_SIGN];
	jp_session s;
	uint8_t answer[256], sig[256];
	size_t sl = sizeof(sig);

	memset(&s, 0, sizeof(s));
	t->logged_in = true;
	memset(answer, 0x33, sizeof(answer));
	expect_verify(SEL("00 1B"), VERIFY_ABC123, OK, false);
	assert_int_equal(jp_token_check_pin(ct, t, (const CK_UTF8CHAR *)"ABC123", 6, &s, NULL), CKR_OK);
	assert_true(jp_card_held_by(&ct->card, &s));
	assert_int_equal(script_ends(scr), 0);          /* still inside the transaction */
	script_expect(scr, SEL("00 1A"), OK);
	script_expect_data(scr, "80 2A 00 80 02 30 31 00", answer, sizeof(answer), 0x9000);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(jp_token_sign(ct, t, &s, NULL, digestinfo, 2, sig, &sl), CKR_OK);
	assert_false(jp_card_held_by(&ct->card, NULL));
	assert_int_equal(script_ends(scr), 1);
}

static void test_hold_released_by_other_use(void **state)
{
	jp_card_tokens *ct = *state;
	jp_token *t = &ct->tokens[JPKI_SIGN];
	jp_session s;

	memset(&s, 0, sizeof(s));
	expect_verify(SEL("00 1B"), VERIFY_ABC123, OK, false);
	assert_int_equal(jp_token_check_pin(ct, t, (const CK_UTF8CHAR *)"ABC123", 6, &s, NULL), CKR_OK);
	script_expect(scr, SEL_APP, OK);                /* cleared and ended */
	jp_token_release_hold(ct);
	assert_false(jp_card_held_by(&ct->card, NULL));
	assert_int_equal(script_ends(scr), 1);
}

/* ---- objects ------------------------------------------------------------ */

static void make_cert(jp_cert *c)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	X509 *x = X509_new();
	unsigned char *der = NULL;
	int len;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)"test", -1,
	                           -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, k);
	X509_sign(x, k, EVP_sha256());
	len = i2d_X509(x, &der);
	assert_int_equal(jp_cert_parse(c, der, (size_t)len), CKR_OK);
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void test_objects(void **state)
{
	jp_card_tokens *ct = *state;
	jp_token *t = &ct->tokens[JPKI_SIGN];
	CK_BBOOL b = 9;
	CK_BYTE id = 0, buf[8];
	CK_ULONG cat = 0;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE a[3];
	jp_obj_kind k;
	CK_RV rv;

	make_cert(&t->cert);
	t->have_cert = t->cert_tried = true;
	/* the signature certificate, its key: private, hidden before login */
	assert_false(jp_obj_visible(t, JP_OBJ_CERT));
	assert_false(jp_obj_visible(t, JP_OBJ_PUB));
	assert_false(jp_obj_visible(t, JP_OBJ_PRIV));
	assert_false(jp_obj_visible(t, JP_OBJ_CA));      /* not read */
	t->logged_in = true;
	assert_true(jp_obj_visible(t, JP_OBJ_CERT));
	assert_true(jp_obj_visible(t, JP_OBJ_PRIV));

	a[0] = (CK_ATTRIBUTE){ CKA_ALWAYS_AUTHENTICATE, &b, sizeof(b) };
	a[1] = (CK_ATTRIBUTE){ CKA_ID, &id, 1 };
	assert_int_equal(jp_obj_get(t, JP_OBJ_PRIV, a, 2), CKR_OK);
	assert_int_equal(b, CK_TRUE);
	assert_int_equal(id, 0x02);
	a[0] = (CK_ATTRIBUTE){ CKA_PRIVATE_EXPONENT, buf, sizeof(buf) };
	a[1] = (CK_ATTRIBUTE){ CKA_VALUE_LEN, buf, sizeof(buf) };
	/* PKCS#11 lets either error stand when both apply */
	rv = jp_obj_get(t, JP_OBJ_PRIV, a, 2);
	assert_true(rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(a[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(a[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(jp_obj_get(t, JP_OBJ_PRIV, a, 1), CKR_ATTRIBUTE_SENSITIVE);
	a[0] = (CK_ATTRIBUTE){ CKA_MODULUS, buf, sizeof(buf) };
	assert_int_equal(jp_obj_get(t, JP_OBJ_PRIV, a, 1), CKR_BUFFER_TOO_SMALL);
	a[0] = (CK_ATTRIBUTE){ CKA_MODULUS, NULL, 0 };
	assert_int_equal(jp_obj_get(t, JP_OBJ_PUB, a, 1), CKR_OK);
	assert_int_equal(a[0].ulValueLen, 256);
	a[0] = (CK_ATTRIBUTE){ CKA_CERTIFICATE_CATEGORY, &cat, sizeof(cat) };
	assert_int_equal(jp_obj_get(t, JP_OBJ_CERT, a, 1), CKR_OK);
	assert_int_equal(cat, 1);
	a[0] = (CK_ATTRIBUTE){ CKA_DECRYPT, &b, sizeof(b) };
	assert_int_equal(jp_obj_get(t, JP_OBJ_PRIV, a, 1), CKR_OK);
	assert_int_equal(b, CK_FALSE);

	/* templates */
	a[0] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	id = 0x02;
	a[1] = (CK_ATTRIBUTE){ CKA_ID, &id, 1 };
	assert_true(jp_obj_match(t, JP_OBJ_PRIV, a, 2));
	assert_false(jp_obj_match(t, JP_OBJ_CERT, a, 2));
	id = 0x01;
	assert_false(jp_obj_match(t, JP_OBJ_PRIV, a, 2));

	/* handles */
	assert_true(jp_obj_kind_of(jp_obj_handle(5, JP_OBJ_PUB), 5, &k));
	assert_int_equal(k, JP_OBJ_PUB);
	assert_false(jp_obj_kind_of(jp_obj_handle(5, JP_OBJ_PUB), 4, &k));
	assert_false(jp_obj_kind_of(0, 0, &k));
}

static void test_find_needs(void **state)
{
	jp_card_tokens *ct = *state;
	jp_token *t = &ct->tokens[JPKI_AUTH];
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_BYTE id = 0x01;
	CK_ATTRIBUTE a[2] = { { CKA_CLASS, &cls, sizeof(cls) }, { CKA_ID, &id, 1 } };
	bool cert = true, ca = true;    /* what each call must overwrite */

	jp_obj_find_needs(t, a, 2, &cert, &ca);
	assert_false(cert);             /* a key search by id reads no certificate */
	assert_false(ca);
	jp_obj_find_needs(t, NULL, 0, &cert, &ca);
	assert_true(cert && ca);
	cls = CKO_CERTIFICATE;
	cert = false;
	jp_obj_find_needs(t, a, 2, &cert, &ca);
	assert_true(cert);
	assert_false(ca);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin_rules),
		TOKEN_TEST(test_format_costs_nothing),
		TOKEN_TEST(test_sign_pin_must_mix),
		TOKEN_TEST(test_sign_pin_lower_case),
		TOKEN_TEST(test_set_sign_pin_lower_case),
		TOKEN_TEST(test_login_ok_clears),
		TOKEN_TEST(test_login_wrong_then_locked),
		TOKEN_TEST(test_no_pin_token),
		TOKEN_TEST(test_verify_error_not_retried),
		TOKEN_TEST(test_reverify_failure_logs_out),
		TOKEN_TEST(test_sign_flow),
		TOKEN_TEST(test_context_login_holds_card),
		TOKEN_TEST(test_hold_released_by_other_use),
		TOKEN_TEST(test_objects),
		TOKEN_TEST(test_find_needs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
