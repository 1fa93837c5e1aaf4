/* jpki-pkcs11 tests: sessions and logins through the C_* entry points over
 * a scripted card (module_fixture.h): a token whose last session closes is
 * public again; a login holds its verified transaction for the signature
 * that follows and releases it for anything else; a locked PIN is never
 * sent; a C_SetPIN makes a pending context login's PIN stale, so it is
 * never sent; a listing hiccup keeps a held login; C_Finalize clears one.
 * The card-face token and the threads: test_module_face.c,
 * test_module_threads.c. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "module_fixture.h"

static void test_last_session_logs_out(void **state)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE h1, h2, h3;
	CK_SESSION_INFO info;
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };

	(void)state;
	slot = module_first_slot();
	h1 = module_open_rw(slot);
	h2 = module_open_rw(slot);
	/* the counter first: never read yet in this process */
	module_expect_auth_verify(true);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(C_Login(h1, CKU_USER, (CK_UTF8CHAR_PTR)"1234", 4), CKR_OK);
	/* one session closes: the other keeps the login */
	assert_int_equal(C_CloseSession(h1), CKR_OK);
	assert_int_equal(C_GetSessionInfo(h2, &info), CKR_OK);
	assert_int_equal(info.state, CKS_RW_USER_FUNCTIONS);
	/* the last one closes: the token is public again */
	assert_int_equal(C_CloseSession(h2), CKR_OK);
	h3 = module_open_rw(slot);
	assert_int_equal(C_GetSessionInfo(h3, &info), CKR_OK);
	assert_int_equal(info.state, CKS_RW_PUBLIC_SESSION);
	assert_int_equal(C_SignInit(h3, &m, PRIV_KEY(slot)), CKR_USER_NOT_LOGGED_IN);
	/* the same through C_CloseAllSessions */
	module_expect_auth_verify(false);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(C_Login(h3, CKU_USER, (CK_UTF8CHAR_PTR)"1234", 4), CKR_OK);
	assert_int_equal(C_CloseAllSessions(slot), CKR_OK);
	h3 = module_open_rw(slot);
	assert_int_equal(C_GetSessionInfo(h3, &info), CKR_OK);
	assert_int_equal(info.state, CKS_RW_PUBLIC_SESSION);
}

/* Log in to the signature token (its certificate is read then: here the
 * card has none) and start a signature with a context login held. */
static CK_SESSION_HANDLE sign_pending(CK_SLOT_ID slot)
{
	static const uint8_t ff[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
	CK_MECHANISM m = { CKM_RSA_PKCS, NULL, 0 };
	CK_SESSION_HANDLE h = module_open_rw(slot);

	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 1B"), OK);
	/* the counter first: never read yet in this process */
	script_expect(scr, "00 20 00 80", "63 C5");
	script_expect(scr, "00 20 00 80 06 41 42 43 31 32 33", OK);
	script_expect(scr, SEL("00 01"), OK);
	script_expect_data(scr, "00 B0 00 00 00", ff, sizeof(ff), 0x9000);
	assert_int_equal(C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"ABC123", 6), CKR_OK);
	/* the login's transaction is held for this session: not cleared yet */
	assert_true(jp_card_held_by(&module_reader()->ct.card, NULL));
	assert_int_equal(C_SignInit(h, &m, PRIV_KEY(slot)), CKR_OK);
	/* the context login verifies again inside it: no clear, no applet
	 * SELECT */
	script_expect(scr, SEL("00 1B"), OK);
	script_expect(scr, "00 20 00 80 06 41 42 43 31 32 33", OK);
	assert_int_equal(C_Login(h, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)"abc123", 6), CKR_OK);
	return h;
}

/* C_Login holds its verified transaction for the signature that follows:
 * one VERIFY for login + sign. */
static void test_login_hold_signs_with_one_verify(void **state)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE h;
	CK_MECHANISM m = { CKM_RSA_PKCS, NULL, 0 };
	CK_BYTE data[2] = { 0x30, 0x31 }, sig[256];
	CK_ULONG sl = sizeof(sig);
	uint8_t answer[256];

	(void)state;
	slot = module_first_slot();
	h = module_open_rw(slot);
	/* the counter first: never read yet in this process */
	module_login_auth(h, true);
	assert_int_equal(C_SignInit(h, &m, PRIV_KEY(slot)), CKR_OK);
	memset(answer, 0x66, sizeof(answer));
	script_expect(scr, SEL("00 17"), OK);           /* no begin, no VERIFY */
	script_expect_data(scr, "80 2A 00 80 02 30 31 00", answer, sizeof(answer), 0x9000);
	script_expect(scr, SEL_APP, OK);                /* cleared after */
	assert_int_equal(C_Sign(h, data, sizeof(data), sig, &sl), CKR_OK);
	assert_int_equal(script_begins(scr), script_ends(scr));
	assert_false(jp_card_held_by(&module_reader()->ct.card, NULL));
	/* the next signature verifies with the kept PIN in a transaction of
	 * its own */
	assert_int_equal(C_SignInit(h, &m, PRIV_KEY(slot)), CKR_OK);
	module_expect_auth_verify(false);
	script_expect(scr, SEL("00 17"), OK);
	script_expect_data(scr, "80 2A 00 80 02 30 31 00", answer, sizeof(answer), 0x9000);
	script_expect(scr, SEL_APP, OK);
	sl = sizeof(sig);
	assert_int_equal(C_Sign(h, data, sizeof(data), sig, &sl), CKR_OK);
}

/* The first login of a process reads the counter first: a PIN locked
 * since (in another process) is never sent. */
static void test_login_locked_pin_not_sent(void **state)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE h;

	(void)state;
	slot = module_first_slot();
	h = module_open_rw(slot);
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	script_expect(scr, "00 20 00 80", "69 84");      /* blocked */
	assert_int_equal(C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"1234", 4), CKR_PIN_LOCKED);
	assert_int_equal(script_begins(scr), script_ends(scr));
	/* and not again: known locked, nothing is sent */
	assert_int_equal(C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"1234", 4), CKR_PIN_LOCKED);
	script_assert_done(scr);
}

/* A login's hold ends with anything else that needs the card, cleared;
 * and with C_Logout. */
static void test_login_hold_released(void **state)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE h;
	CK_TOKEN_INFO ti;

	(void)state;
	slot = module_first_slot();
	h = module_open_rw(slot);
	/* the counter first: never read yet in this process */
	module_login_auth(h, true);
	/* the other token's counter: the hold is cleared and ended first */
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 1B"), OK);
	script_expect(scr, "00 20 00 80", "63 C5");
	assert_int_equal(C_GetTokenInfo(slot + 1, &ti), CKR_OK);
	assert_false(jp_card_held_by(&module_reader()->ct.card, NULL));
	assert_int_equal(script_begins(scr), script_ends(scr));
	assert_int_equal(C_Logout(h), CKR_OK);
	/* logged in again: C_Logout clears at once */
	module_login_auth(h, false);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(C_Logout(h), CKR_OK);
	assert_false(jp_card_held_by(&module_reader()->ct.card, NULL));
	assert_int_equal(script_begins(scr), script_ends(scr));
}

static void test_setpin_makes_context_pin_stale(void **state)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE ha, hb;
	CK_BYTE data[2] = { 0x30, 0x31 }, sig[256];
	CK_ULONG sl = sizeof(sig);
	size_t before;

	(void)state;
	slot = module_first_slot() + 1;
	ha = sign_pending(slot);
	hb = module_open_rw(slot);
	script_expect(scr, SEL_APP, OK);                /* the hold is released */
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 1B"), OK);
	script_expect(scr, "00 20 00 80 06 41 42 43 31 32 33", OK);
	script_expect(scr, "00 24 01 80 06 58 59 5A 37 38 39", OK);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(C_SetPIN(hb, (CK_UTF8CHAR_PTR)"ABC123", 6, (CK_UTF8CHAR_PTR)"xyz789", 6), CKR_OK);
	/* the old PIN is never sent: no APDU at all */
	before = script_count(scr);
	assert_int_equal(C_Sign(ha, data, sizeof(data), sig, &sl), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(script_count(scr), before);
}

static void test_listing_hiccup_keeps_hold(void **state)
{
	CK_SLOT_ID slot, slots[4];
	CK_SESSION_HANDLE h;
	CK_ULONG n = 4;
	CK_BYTE data[2] = { 0x30, 0x31 }, sig[256];
	CK_ULONG sl = sizeof(sig);
	uint8_t answer[256];

	(void)state;
	slot = module_first_slot() + 1;
	h = sign_pending(slot);
	script_list_errors(1);
	assert_int_equal(C_GetSlotList(CK_FALSE, slots, &n), CKR_OK);
	assert_int_equal(n, 3);                         /* the reader did not go */
	memset(answer, 0x66, sizeof(answer));
	script_expect(scr, SEL("00 1A"), OK);           /* no new VERIFY: still held */
	script_expect_data(scr, "80 2A 00 80 02 30 31 00", answer, sizeof(answer), 0x9000);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(C_Sign(h, data, sizeof(data), sig, &sl), CKR_OK);
	assert_int_equal(script_unpowered(scr), 0);
}

static void test_finalize_clears_hold(void **state)
{
	CK_SLOT_ID slot;

	(void)state;
	slot = module_first_slot() + 1;
	sign_pending(slot);
	script_expect(scr, SEL_APP, OK);                /* cleared as the reader goes */
	assert_int_equal(C_Finalize(NULL), CKR_OK);
	assert_int_equal(script_ends(scr), script_begins(scr));
	assert_int_equal(C_Initialize(NULL), CKR_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		MODULE_TEST(test_last_session_logs_out), MODULE_TEST(test_setpin_makes_context_pin_stale),
		MODULE_TEST(test_listing_hiccup_keeps_hold), MODULE_TEST(test_finalize_clears_hold),
		MODULE_TEST(test_login_hold_signs_with_one_verify), MODULE_TEST(test_login_hold_released),
		MODULE_TEST(test_login_locked_pin_not_sent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
