/* p11check: the fail-safe scenarios (a held context login and what ends
 * it, a login that outlives its sessions, a stale PIN, C_Finalize racing
 * other threads).  What the card saw is checked by the shell test from the
 * virtual card's trace; these print what the module answered. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "p11check.h"

static const unsigned char data[] = "fail-safe";

/* Open a session on the signature token, log in, start a signature and
 * give the context-specific PIN: the card is held for that signature. */
static CK_SESSION_HANDLE hold_sign(void)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE key;
	CK_SESSION_HANDLE s;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	s = open_session(find_slot(SIGN, 0));
	check_rv(login(s, sign_pin()), CKR_OK, "C_Login (signature)");
	CHECK(find_objects(s, CKO_PRIVATE_KEY, &key, 1) == 1, "the signature key is listed");
	check_rv(p11->C_SignInit(s, &m, key), CKR_OK, "C_SignInit");
	check_rv(p11->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)sign_pin(), strlen(sign_pin())), CKR_OK,
	         "C_Login (context specific)");
	printf("held\n");
	return s;
}

/* hold-then close|logout|finalize|exit|sleep MS: hold the card for a
 * signature, then end it that way (sleep: wait MS, then sign). */
int cmd_hold_then(const char *how, long ms)
{
	unsigned char sig[512];
	CK_ULONG sl = sizeof(sig);
	CK_SESSION_HANDLE s = hold_sign();

	if (!strcmp(how, "close")) {
		check_rv(p11->C_CloseSession(s), CKR_OK, "C_CloseSession");
	} else if (!strcmp(how, "logout")) {
		check_rv(p11->C_Logout(s), CKR_OK, "C_Logout");
		/* the logout ended the operation with the login */
		check_rv(p11->C_Sign(s, (CK_BYTE_PTR)data, sizeof(data), sig, &sl), CKR_OPERATION_NOT_INITIALIZED,
		         "C_Sign after C_Logout");
	} else if (!strcmp(how, "finalize")) {
		check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
		return failures ? 1 : 0;
	} else if (!strcmp(how, "exit")) {
		fflush(stdout);
		exit(failures ? 1 : 0);         /* without C_Finalize */
	} else if (!strcmp(how, "sleep")) {
		msleep(ms);
		check_rv(p11->C_Sign(s, (CK_BYTE_PTR)data, sizeof(data), sig, &sl), CKR_OK,
		         "C_Sign after the hold lapsed (verifies again)");
	}
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

/* hold-stay MS: hold the card, then do nothing for MS (another process
 * measures how long it waits), then exit through C_Finalize. */
int cmd_hold_stay(long ms)
{
	hold_sign();
	fflush(stdout);
	msleep(ms);
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

/* setpin-pending NEW: a context login pending in one session, C_SetPIN to
 * NEW in another, then C_Sign in the first: refused, nothing sent.  The
 * PIN is set back at the end. */
int cmd_setpin_pending(const char *new_pin)
{
	unsigned char sig[512];
	CK_ULONG sl = sizeof(sig);
	CK_SESSION_HANDLE a = hold_sign(), b;
	long before;

	check_rv(p11->C_OpenSession(find_slot(SIGN, 0), CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &b), CKR_OK,
	         "second session");
	check_rv(p11->C_SetPIN(b, (CK_UTF8CHAR_PTR)sign_pin(), strlen(sign_pin()), (CK_UTF8CHAR_PTR)new_pin,
	                       strlen(new_pin)),
	         CKR_OK, "C_SetPIN in the second session");
	before = apdu_count();
	check_rv(p11->C_Sign(a, (CK_BYTE_PTR)data, sizeof(data), sig, &sl), CKR_USER_NOT_LOGGED_IN,
	         "C_Sign with the PIN made stale");
	CHECK(apdu_count() == before, "no APDU sent for it (%ld)", apdu_count() - before);
	check_rv(p11->C_SetPIN(b, (CK_UTF8CHAR_PTR)new_pin, strlen(new_pin), (CK_UTF8CHAR_PTR)sign_pin(),
	                       strlen(sign_pin())),
	         CKR_OK, "the PIN set back");
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

/* close-last: a token whose last session closed is public again. */
int cmd_close_last(void)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_SESSION_INFO info;
	CK_OBJECT_HANDLE key;
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	long before;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	slot = find_slot(AUTH, 0);
	s = open_session(slot);
	check_rv(login(s, auth_pin()), CKR_OK, "C_Login");
	check_rv(p11->C_CloseSession(s), CKR_OK, "C_CloseSession (the last one)");
	s = open_session(slot);
	memset(&info, 0xA5, sizeof(info));
	check_rv(p11->C_GetSessionInfo(s, &info), CKR_OK, "C_GetSessionInfo");
	CHECK(info.state == CKS_RO_PUBLIC_SESSION, "the new session is public (state %lu)", (unsigned long)info.state);
	before = apdu_count();
	CHECK(find_objects(s, CKO_PRIVATE_KEY, &key, 1) == 0, "the private key is not listed any more");
	/* its handle is the same in every session of the card */
	check_rv(p11->C_SignInit(s, &m, (CK_OBJECT_HANDLE)find_slot(AUTH, 0) * 8 + 4), CKR_USER_NOT_LOGGED_IN,
	         "C_SignInit without C_Login");
	CHECK(apdu_count() == before, "no APDU for it");
	check_rv(login(s, auth_pin()), CKR_OK, "C_Login again");
	check_rv(p11->C_CloseAllSessions(slot), CKR_OK, "C_CloseAllSessions");
	s = open_session(slot);
	check_rv(p11->C_GetSessionInfo(s, &info), CKR_OK, "C_GetSessionInfo");
	CHECK(info.state == CKS_RO_PUBLIC_SESSION, "public after C_CloseAllSessions (state %lu)",
	      (unsigned long)info.state);
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

/* verify-cert: a certificate's handle is not a key's: C_VerifyInit refuses
 * it; the public key verifies. */
int cmd_verify_cert(void)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE cert, pub;
	CK_SESSION_HANDLE s;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	s = open_session(find_slot(AUTH, 0));
	CHECK(find_objects(s, CKO_CERTIFICATE, &cert, 1) == 1, "a certificate is listed");
	CHECK(find_objects(s, CKO_PUBLIC_KEY, &pub, 1) == 1, "the public key is listed");
	check_rv(p11->C_VerifyInit(s, &m, cert), CKR_KEY_HANDLE_INVALID, "C_VerifyInit with a certificate");
	check_rv(p11->C_VerifyInit(s, &m, pub), CKR_OK, "C_VerifyInit with the public key");
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

/* finalize-race N: N threads call the module while the main thread calls
 * C_Finalize, ROUNDS times; every call must answer CKR_OK or
 * CKR_CRYPTOKI_NOT_INITIALIZED (or a token error), never crash. */
static int racing;

static void *racer(void *arg)
{
	CK_SLOT_ID slots[16];
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	CK_ULONG n;
	long bad = 0;
	CK_RV rv;

	(void)arg;
	while (__atomic_load_n(&racing, __ATOMIC_SEQ_CST)) {
		n = 16;
		rv = p11->C_GetSlotList(CK_TRUE, slots, &n);
		if (rv != CKR_OK && rv != CKR_CRYPTOKI_NOT_INITIALIZED)
			bad++;
		if (rv != CKR_OK || n == 0)
			continue;
		rv = p11->C_GetTokenInfo(slots[0], &ti);
		if (rv != CKR_OK && rv != CKR_CRYPTOKI_NOT_INITIALIZED && rv != CKR_SLOT_ID_INVALID)
			bad++;
		rv = p11->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &s);
		if (rv == CKR_OK)
			p11->C_CloseSession(s);
		else if (rv != CKR_CRYPTOKI_NOT_INITIALIZED && rv != CKR_SLOT_ID_INVALID)
			bad++;
	}
	return (void *)(intptr_t)bad;
}

int cmd_finalize_race(int threads, int rounds)
{
	pthread_t th[16];
	void *res;
	long bad = 0;
	int i, r;

	if (threads > 16)
		threads = 16;
	for (r = 0; r < rounds; r++) {
		check_rv(p11_init_os(), CKR_OK, "C_Initialize");
		__atomic_store_n(&racing, 1, __ATOMIC_SEQ_CST);
		for (i = 0; i < threads; i++)
			pthread_create(&th[i], NULL, racer, NULL);
		msleep(50 + 20 * r);
		check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize while threads call");
		__atomic_store_n(&racing, 0, __ATOMIC_SEQ_CST);
		for (i = 0; i < threads; i++) {
			pthread_join(th[i], &res);
			bad += (intptr_t)res;
		}
	}
	CHECK(bad == 0, "every racing call answered OK or CKR_CRYPTOKI_NOT_INITIALIZED (%ld others)", bad);
	return failures ? 1 : 0;
}
