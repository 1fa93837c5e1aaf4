/* jpki-pkcs11 tests: the C_* entry points over a scripted card behind the
 * scripted backend (reader listing and connection): a token whose last
 * session closes is public again; a C_SetPIN makes a pending context
 * login's PIN stale, so it is never sent; a listing hiccup keeps a held
 * login; C_Finalize waits for calls in flight in other threads; the
 * card-face token costs nothing until used and holds its data only while
 * logged in. */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lock.h"
#include "p11.h"
#include "script_transport.h"
#include "slot.h"

#define SEL_APP "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"
#define SEL(ef) "00 A4 02 0C 02 " ef
#define OK "90 00"

static jp_transport *scr;

/* Handles are slot * 8 + kind + 1; the private key is kind 3. */
#define PRIV_KEY(slot) ((CK_OBJECT_HANDLE)(slot) * 8 + 3 + 1)

static int setup(void **state)
{
	(void)state;
	scr = script_new();
	script_backend_use(scr);
	assert_int_equal(C_Initialize(NULL), CKR_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	C_Finalize(NULL);
	script_assert_done(scr);
	script_backend_use(NULL);
	script_free(scr);
	return 0;
}

/* What the module reads of a new card: applet, serial, availability, both
 * PIN counters. */
static void expect_detect(void)
{
	/* EF 0006: label, manufacturer, model, serial */
	static const uint8_t info[96] = "JPKIAPICCTOKEN2                 "
	                                "JPKI                            "
	                                "JPKIAPICCTOKEN2 VC12345678901234";
	static const uint8_t avail[3] = { 0x8F, 0x8F, 0x00 };

	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 06"), OK);
	script_expect_data(scr, "00 B0 00 00 60", info, sizeof(info), 0x9000);
	script_expect(scr, SEL("00 08"), OK);
	script_expect_data(scr, "00 B0 00 00 03", avail, sizeof(avail), 0x9000);
	/* no PIN counter: read when a token's flags are asked for */
}

static CK_SLOT_ID slot0;

static CK_SLOT_ID first_slot(void)
{
	CK_SLOT_ID slots[4];
	CK_ULONG n = 4;

	expect_detect();
	assert_int_equal(C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	/* the card-face token too: listed without an APDU, looked for when used */
	assert_int_equal(n, 3);
	slot0 = slots[0];
	return slots[0];
}

/* The scripted reader (after first_slot). */
static jp_reader *only_reader(void)
{
	jpki_cred cred;
	jp_reader *r;

	jp_global_lock();
	r = jp_slot_find_inlock(slot0, &cred);
	jp_global_unlock();
	assert_non_null(r);
	return r;
}

static CK_SESSION_HANDLE open_rw(CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE h = 0;

	assert_int_equal(C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
	return h;
}

static void test_last_session_logs_out(void **state)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE h1, h2, h3;
	CK_SESSION_INFO info;
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };

	(void)state;
	slot = first_slot();
	h1 = open_rw(slot);
	h2 = open_rw(slot);
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	/* the counter first: never read yet in this process */
	script_expect(scr, "00 20 00 80", "63 C3");
	script_expect(scr, "00 20 00 80 04 31 32 33 34", OK);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(C_Login(h1, CKU_USER, (CK_UTF8CHAR_PTR)"1234", 4), CKR_OK);
	/* one session closes: the other keeps the login */
	assert_int_equal(C_CloseSession(h1), CKR_OK);
	assert_int_equal(C_GetSessionInfo(h2, &info), CKR_OK);
	assert_int_equal(info.state, CKS_RW_USER_FUNCTIONS);
	/* the last one closes: the token is public again */
	assert_int_equal(C_CloseSession(h2), CKR_OK);
	h3 = open_rw(slot);
	assert_int_equal(C_GetSessionInfo(h3, &info), CKR_OK);
	assert_int_equal(info.state, CKS_RW_PUBLIC_SESSION);
	assert_int_equal(C_SignInit(h3, &m, PRIV_KEY(slot)), CKR_USER_NOT_LOGGED_IN);
	/* the same through C_CloseAllSessions */
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	script_expect(scr, "00 20 00 80 04 31 32 33 34", OK);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(C_Login(h3, CKU_USER, (CK_UTF8CHAR_PTR)"1234", 4), CKR_OK);
	assert_int_equal(C_CloseAllSessions(slot), CKR_OK);
	h3 = open_rw(slot);
	assert_int_equal(C_GetSessionInfo(h3, &info), CKR_OK);
	assert_int_equal(info.state, CKS_RW_PUBLIC_SESSION);
}

/* Log in to the signature token (its certificate is read then: here the
 * card has none) and start a signature with a context login held. */
static CK_SESSION_HANDLE sign_pending(CK_SLOT_ID slot)
{
	static const uint8_t ff[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
	CK_MECHANISM m = { CKM_RSA_PKCS, NULL, 0 };
	CK_SESSION_HANDLE h = open_rw(slot);

	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 1B"), OK);
	/* the counter first: never read yet in this process */
	script_expect(scr, "00 20 00 80", "63 C5");
	script_expect(scr, "00 20 00 80 06 41 42 43 31 32 33", OK);
	script_expect(scr, SEL("00 01"), OK);
	script_expect_data(scr, "00 B0 00 00 00", ff, sizeof(ff), 0x9000);
	assert_int_equal(C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"ABC123", 6), CKR_OK);
	/* the login's transaction is held for this session: not cleared yet */
	assert_true(jp_card_held_by(&only_reader()->ct.card, NULL));
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
	slot = first_slot();
	h = open_rw(slot);
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	/* the counter first: never read yet in this process */
	script_expect(scr, "00 20 00 80", "63 C3");
	script_expect(scr, "00 20 00 80 04 31 32 33 34", OK);
	assert_int_equal(C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"1234", 4), CKR_OK);
	assert_int_equal(C_SignInit(h, &m, PRIV_KEY(slot)), CKR_OK);
	memset(answer, 0x66, sizeof(answer));
	script_expect(scr, SEL("00 17"), OK);           /* no begin, no VERIFY */
	script_expect_data(scr, "80 2A 00 80 02 30 31 00", answer, sizeof(answer), 0x9000);
	script_expect(scr, SEL_APP, OK);                /* cleared after */
	assert_int_equal(C_Sign(h, data, sizeof(data), sig, &sl), CKR_OK);
	assert_int_equal(script_begins(scr), script_ends(scr));
	assert_false(jp_card_held_by(&only_reader()->ct.card, NULL));
	/* the next signature verifies with the kept PIN in a transaction of
	 * its own */
	assert_int_equal(C_SignInit(h, &m, PRIV_KEY(slot)), CKR_OK);
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	script_expect(scr, "00 20 00 80 04 31 32 33 34", OK);
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
	slot = first_slot();
	h = open_rw(slot);
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
	slot = first_slot();
	h = open_rw(slot);
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	/* the counter first: never read yet in this process */
	script_expect(scr, "00 20 00 80", "63 C3");
	script_expect(scr, "00 20 00 80 04 31 32 33 34", OK);
	assert_int_equal(C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"1234", 4), CKR_OK);
	/* the other token's counter: the hold is cleared and ended first */
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 1B"), OK);
	script_expect(scr, "00 20 00 80", "63 C5");
	assert_int_equal(C_GetTokenInfo(slot + 1, &ti), CKR_OK);
	assert_false(jp_card_held_by(&only_reader()->ct.card, NULL));
	assert_int_equal(script_begins(scr), script_ends(scr));
	assert_int_equal(C_Logout(h), CKR_OK);
	/* logged in again: C_Logout clears at once */
	script_expect(scr, SEL_APP, OK);
	script_expect(scr, SEL("00 18"), OK);
	script_expect(scr, "00 20 00 80 04 31 32 33 34", OK);
	assert_int_equal(C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"1234", 4), CKR_OK);
	script_expect(scr, SEL_APP, OK);
	assert_int_equal(C_Logout(h), CKR_OK);
	assert_false(jp_card_held_by(&only_reader()->ct.card, NULL));
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
	slot = first_slot() + 1;
	ha = sign_pending(slot);
	hb = open_rw(slot);
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
	slot = first_slot() + 1;
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
	slot = first_slot() + 1;
	sign_pending(slot);
	script_expect(scr, SEL_APP, OK);                /* cleared as the reader goes */
	assert_int_equal(C_Finalize(NULL), CKR_OK);
	assert_int_equal(script_ends(scr), script_begins(scr));
	assert_int_equal(C_Initialize(NULL), CKR_OK);
}

/* ---- C_Finalize while other threads are inside calls --------------------- */

static int stop_threads;

static void *caller(void *arg)
{
	CK_SLOT_ID slots[4];
	CK_ULONG n;
	CK_INFO info;
	CK_RV rv = CKR_OK;
	long calls = 0;

	(void)arg;
	while (!__atomic_load_n(&stop_threads, __ATOMIC_SEQ_CST)) {
		n = 4;
		rv = C_GetSlotList(CK_FALSE, slots, &n);
		if (rv != CKR_OK && rv != CKR_CRYPTOKI_NOT_INITIALIZED)
			break;
		rv = C_GetInfo(&info);
		if (rv != CKR_OK && rv != CKR_CRYPTOKI_NOT_INITIALIZED)
			break;
		calls++;
	}
	return (void *)(intptr_t)(rv == CKR_OK || rv == CKR_CRYPTOKI_NOT_INITIALIZED ? calls : -1);
}

static void *waiter(void *arg)
{
	CK_SLOT_ID slot;

	(void)arg;
	return (void *)(intptr_t)C_WaitForSlotEvent(0, &slot, NULL);
}

static void test_finalize_races_calls(void **state)
{
	pthread_t th[4], w;
	void *res;
	int i, round;

	(void)state;
	/* no card: no APDU; learnt at initialization, so no slot event */
	script_reader_present(false);
	assert_int_equal(C_Finalize(NULL), CKR_OK);
	assert_int_equal(C_Initialize(NULL), CKR_OK);
	for (round = 0; round < 20; round++) {
		__atomic_store_n(&stop_threads, 0, __ATOMIC_SEQ_CST);
		for (i = 0; i < 4; i++)
			assert_int_equal(pthread_create(&th[i], NULL, caller, NULL), 0);
		assert_int_equal(pthread_create(&w, NULL, waiter, NULL), 0);
		usleep(20000);
		assert_int_equal(C_Finalize(NULL), CKR_OK);
		assert_int_equal(pthread_join(w, &res), 0);
		assert_int_equal((CK_RV)(intptr_t)res, CKR_CRYPTOKI_NOT_INITIALIZED);
		assert_int_equal(C_Initialize(NULL), CKR_OK);
		__atomic_store_n(&stop_threads, 1, __ATOMIC_SEQ_CST);
		for (i = 0; i < 4; i++) {
			assert_int_equal(pthread_join(th[i], &res), 0);
			assert_true((intptr_t)res >= 0);
		}
	}
}

#define SEL_FACE "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"

/* The card-face token: nothing for it until its slot is used, then the
 * applet and its counter once; the login reads both files while the PIN
 * is verified and clears; the five objects exist only while logged in and
 * cost no APDU. */
static void test_face_token(void **state)
{
	static const uint8_t ef1[] = { 0xFF, 0x10, 0x0C, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '1', '8' };
	static const uint8_t ef2[] = { 0xFF, 0x20, 0x12, 0xDF, 0x22, 0x02, 'H', 'N', 0xDF, 0x23, 0x01, 'A',
	                               0xDF, 0x24, 0x02, '1', '9', 0xDF, 0x25, 0x01, '2' };
	CK_SLOT_ID face;
	CK_SESSION_HANDLE h;
	CK_TOKEN_INFO ti;
	CK_OBJECT_HANDLE objs[8];
	CK_ULONG n = 0;
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BYTE value[16];
	CK_ATTRIBUTE a = { CKA_VALUE, value, sizeof(value) };
	size_t before;

	(void)state;
	face = first_slot() + 2;        /* the listing sent nothing for it */
	script_expect(scr, SEL_FACE, OK);
	script_expect(scr, SEL("00 11"), OK);
	script_expect(scr, "00 20 00 80", "63 C3");
	assert_int_equal(C_GetTokenInfo(face, &ti), CKR_OK);
	assert_memory_equal(ti.label, "JPKI Card Face Data ", 20);
	assert_true(ti.flags & CKF_LOGIN_REQUIRED);
	assert_int_equal(ti.ulMinPinLen, 4);
	h = open_rw(face);
	assert_int_equal(C_FindObjectsInit(h, NULL, 0), CKR_OK);
	assert_int_equal(C_FindObjects(h, objs, 8, &n), CKR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(C_FindObjectsFinal(h), CKR_OK);
	/* a format error costs nothing */
	before = script_count(scr);
	assert_int_equal(C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"12345", 5), CKR_PIN_LEN_RANGE);
	assert_int_equal(script_count(scr), before);
	script_expect(scr, SEL_FACE, OK);
	script_expect(scr, SEL("00 11"), OK);
	script_expect(scr, "00 20 00 80 04 31 32 33 34", OK);
	script_expect(scr, SEL("00 01"), OK);
	script_expect_data(scr, "00 B0 00 00 00", ef1, sizeof(ef1), 0x9000);
	script_expect(scr, SEL("00 02"), OK);
	script_expect_data(scr, "00 B0 00 00 00", ef2, sizeof(ef2), 0x9000);
	script_expect(scr, SEL_APP, OK);        /* cleared */
	assert_int_equal(C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)"1234", 4), CKR_OK);
	before = script_count(scr);
	assert_int_equal(C_FindObjectsInit(h, &(CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) }, 1), CKR_OK);
	assert_int_equal(C_FindObjects(h, objs, 8, &n), CKR_OK);
	assert_int_equal(n, 5);
	assert_int_equal(C_FindObjectsFinal(h), CKR_OK);
	assert_int_equal(C_GetAttributeValue(h, objs[0], &a, 1), CKR_OK);
	assert_int_equal(a.ulValueLen, 12);
	assert_memory_equal(value, "123456789018", 12);
	a.ulValueLen = sizeof(value);
	assert_int_equal(C_GetAttributeValue(h, objs[1], &a, 1), CKR_OK);
	assert_memory_equal(value, "HN", 2);
	/* a data object is no key */
	assert_int_equal(C_SignInit(h, &(CK_MECHANISM){ CKM_SHA256_RSA_PKCS, NULL, 0 }, objs[3]),
	                 CKR_KEY_FUNCTION_NOT_PERMITTED);
	assert_int_equal(script_count(scr), before);
	assert_int_equal(C_Logout(h), CKR_OK);
	a.ulValueLen = sizeof(value);
	assert_int_equal(C_GetAttributeValue(h, objs[0], &a, 1), CKR_OBJECT_HANDLE_INVALID);
}

/* A card without the applet: the slot shows no token once looked at. */
static void test_face_absent(void **state)
{
	CK_SLOT_ID slots[4], face;
	CK_ULONG n = 4;
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO si;

	(void)state;
	face = first_slot() + 2;
	script_expect(scr, SEL_FACE, "6A 82");
	assert_int_equal(C_GetTokenInfo(face, &ti), CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(C_GetSlotInfo(face, &si), CKR_OK);
	assert_false(si.flags & CKF_TOKEN_PRESENT);
	assert_int_equal(C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	assert_int_equal(n, 2);
}

/* ---- the application's mutex functions fail -------------------------------- */

static int fail_locks;

static CK_RV app_create(CK_VOID_PTR_PTR m)
{
	*m = calloc(1, sizeof(pthread_mutex_t));
	return *m && pthread_mutex_init(*m, NULL) == 0 ? CKR_OK : CKR_HOST_MEMORY;
}
static CK_RV app_destroy(CK_VOID_PTR m)
{
	pthread_mutex_destroy(m);
	free(m);
	return CKR_OK;
}
static CK_RV app_lock(CK_VOID_PTR m)
{
	if (fail_locks)
		return CKR_MUTEX_BAD;
	return pthread_mutex_lock(m) ? CKR_GENERAL_ERROR : CKR_OK;
}
static CK_RV app_unlock(CK_VOID_PTR m)
{
	return pthread_mutex_unlock(m) ? CKR_MUTEX_NOT_LOCKED : CKR_OK;
}

/* A lock that fails is passed on as the call's result: the call does not
 * go on unlocked. */
static void test_app_mutex_errors(void **state)
{
	CK_C_INITIALIZE_ARGS args = { app_create, app_destroy, app_lock, app_unlock, 0, NULL };
	CK_SLOT_ID slots[4];
	CK_ULONG n = 4;
	CK_INFO info;

	(void)state;
	assert_int_equal(C_Finalize(NULL), CKR_OK);
	script_reader_present(false);
	assert_int_equal(C_Initialize(&args), CKR_OK);
	fail_locks = 1;
	assert_int_equal(C_GetSlotList(CK_FALSE, slots, &n), CKR_MUTEX_BAD);
	assert_int_equal(C_GetInfo(&info), CKR_MUTEX_BAD);
	fail_locks = 0;
	assert_int_equal(C_GetSlotList(CK_FALSE, slots, &n), CKR_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_last_session_logs_out), T(test_setpin_makes_context_pin_stale),
		T(test_listing_hiccup_keeps_hold), T(test_app_mutex_errors), T(test_finalize_clears_hold), T(test_finalize_races_calls),
		T(test_face_token), T(test_face_absent),
		T(test_login_hold_signs_with_one_verify), T(test_login_hold_released),
		T(test_login_locked_pin_not_sent),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
