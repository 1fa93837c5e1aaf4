/* p11check scenarios with card events: removal, slot events, threads,
 * application mutexes, two readers, pcscd stopped, reset, cost. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "p11check.h"

/* ---- threads: N threads sign at once on one token ---------------------- */

struct worker {
	CK_SLOT_ID slot;
	int rounds, ok;
};

static void *sign_worker(void *arg)
{
	struct worker *w = arg;
	unsigned char sig[512];
	CK_SESSION_HANDLE s = open_session(w->slot);
	int i;

	for (i = 0; i < w->rounds; i++) {
		CK_ULONG sl = sizeof(sig);
		if (sign_data(s, CKM_SHA256_RSA_PKCS, auth_pin(), "thread", 6, sig, &sl, i & 1) == CKR_OK && sl == 256)
			w->ok++;
	}
	p11->C_CloseSession(s);
	return NULL;
}

/* The card-face token logged in meanwhile: each round lists its five
 * objects and reads the My Number in a session of its own. */
static void *face_worker(void *arg)
{
	struct worker *w = arg;
	CK_OBJECT_HANDLE objs[8];
	char value[64];
	int i;

	for (i = 0; i < w->rounds; i++) {
		CK_SESSION_HANDLE s = open_session(w->slot);
		CK_ULONG vl = sizeof(value);
		if (find_objects(s, CKO_DATA, objs, 8) == 5 && get_attr(s, objs[0], CKA_VALUE, value, &vl) == CKR_OK &&
		    vl == 12)
			w->ok++;
		p11->C_CloseSession(s);
	}
	return NULL;
}

int cmd_threads(int n, int rounds)
{
	struct worker w[16], fw[2];
	pthread_t th[16], fth[2];
	CK_SESSION_HANDLE s, fs;
	CK_SLOT_ID face = (CK_SLOT_ID)-1;
	int i, total = 0, ftotal = 0;

	if (n > 16)
		n = 16;
	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	s = open_session(find_slot(AUTH, 0));
	check_rv(login(s, auth_pin()), CKR_OK, "login shared by all sessions");
	/* the card-face token too, when the card has it (PIN 1234) */
	if ((face = find_slot(FACE, 0)) != (CK_SLOT_ID)-1) {
		fs = open_session(face);
		check_rv(login(fs, "1234"), CKR_OK, "card-face login shared by its sessions");
	}
	for (i = 0; i < n; i++) {
		w[i].slot = find_slot(AUTH, 0);
		w[i].rounds = rounds;
		w[i].ok = 0;
		pthread_create(&th[i], NULL, sign_worker, &w[i]);
	}
	for (i = 0; face != (CK_SLOT_ID)-1 && i < 2; i++) {
		fw[i] = (struct worker){ face, rounds * 2, 0 };
		pthread_create(&fth[i], NULL, face_worker, &fw[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		total += w[i].ok;
	}
	for (i = 0; face != (CK_SLOT_ID)-1 && i < 2; i++) {
		pthread_join(fth[i], NULL);
		ftotal += fw[i].ok;
	}
	CHECK(total == n * rounds, "%d threads: %d of %d signatures", n, total, n * rounds);
	if (face != (CK_SLOT_ID)-1)
		CHECK(ftotal == 4 * rounds, "2 card-face threads meanwhile: %d of %d reads", ftotal, 4 * rounds);
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

/* ---- application-supplied mutexes ------------------------------------- */

static int mutex_calls;

static CK_RV app_create(void **m)
{
	pthread_mutex_t *p = malloc(sizeof(*p));
	pthread_mutex_init(p, NULL);
	*m = p;
	__atomic_add_fetch(&mutex_calls, 1, __ATOMIC_SEQ_CST);
	return CKR_OK;
}
static CK_RV app_destroy(void *m) { pthread_mutex_destroy(m); free(m); return CKR_OK; }
static CK_RV app_lock(void *m)
{
	__atomic_add_fetch(&mutex_calls, 1, __ATOMIC_SEQ_CST);
	return pthread_mutex_lock(m) ? CKR_GENERAL_ERROR : CKR_OK;
}
static CK_RV app_unlock(void *m) { return pthread_mutex_unlock(m) ? CKR_GENERAL_ERROR : CKR_OK; }

int cmd_mutex(void)
{
	CK_C_INITIALIZE_ARGS args = { app_create, app_destroy, app_lock, app_unlock, 0, NULL };
	struct worker w[4];
	pthread_t th[4];
	CK_SESSION_HANDLE s;
	int i, total = 0, before;

	check_rv(p11->C_Initialize(&args), CKR_OK, "C_Initialize with application mutexes");
	s = open_session(find_slot(AUTH, 0));
	check_rv(login(s, auth_pin()), CKR_OK, "login");
	before = mutex_calls;
	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){ find_slot(AUTH, 0), 3, 0 };
		pthread_create(&th[i], NULL, sign_worker, &w[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		total += w[i].ok;
	}
	CHECK(total == 12, "4 threads with application mutexes: %d of 12 signatures", total);
	CHECK(mutex_calls > before, "the module used the application's mutexes (%d calls)", mutex_calls - before);
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	check_rv(p11->C_Initialize(&(CK_C_INITIALIZE_ARGS){ app_create, NULL, NULL, NULL, 0, NULL }),
	         CKR_ARGUMENTS_BAD, "C_Initialize with only some mutex functions");
	return failures ? 1 : 0;
}

/* ---- removal, re-insertion, events ------------------------------------ */

static pid_t card_pid(const char *var)
{
	const char *v = getenv(var);
	return v ? (pid_t)atol(v) : 0;
}

/* Wait until the authentication token of reader slot base is (not) there. */
static bool wait_token(bool present, int seconds)
{
	int i;

	for (i = 0; i < seconds * 20; i++) {
		if ((find_slot(AUTH, 0) != (CK_SLOT_ID)-1) == present)
			return true;
		msleep(50);
	}
	return false;
}

int cmd_remove(void)
{
	pid_t pid = card_pid("JP_CARD_PID");
	unsigned char sig[512];
	CK_ULONG sl = sizeof(sig);
	CK_SESSION_HANDLE s, s2;
	CK_SESSION_INFO si;
	CK_TOKEN_INFO ti;
	CK_SLOT_ID a;
	CK_RV rv;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	a = find_slot(AUTH, 0);
	s = open_session(a);
	check_rv(login(s, auth_pin()), CKR_OK, "login");
	check_rv(sign_data(s, CKM_SHA256_RSA_PKCS, auth_pin(), "a", 1, sig, &sl, false), CKR_OK, "sign before");
	kill(pid, SIGUSR1);
	CHECK(wait_token(false, 10), "token gone after the card is pulled");
	sl = sizeof(sig);
	rv = sign_data(s, CKM_SHA256_RSA_PKCS, auth_pin(), "a", 1, sig, &sl, false);
	CHECK(rv == CKR_DEVICE_REMOVED || rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED ||
	      rv == CKR_KEY_HANDLE_INVALID, "sign on the old session: %s", ckr_name(rv));
	check_rv(p11->C_GetTokenInfo(a, &ti), CKR_TOKEN_NOT_PRESENT, "C_GetTokenInfo without the card");
	check_rv(p11->C_OpenSession(a, CKF_SERIAL_SESSION, NULL, NULL, &s2), CKR_TOKEN_NOT_PRESENT,
	         "C_OpenSession without the card");
	kill(pid, SIGUSR2);
	CHECK(wait_token(true, 10), "token back after re-insertion");
	CHECK(find_slot(AUTH, 0) == a, "same slot id for the same reader");
	rv = p11->C_GetSessionInfo(s, &si);
	CHECK(rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED, "old session is gone: %s", ckr_name(rv));
	check_rv(p11->C_GetTokenInfo(a, &ti), CKR_OK, "C_GetTokenInfo on the new card");
	CHECK(ti.ulSessionCount == 0, "the old card's session is not counted: %lu", (unsigned long)ti.ulSessionCount);
	s2 = open_session(a);
	memset(&si, 0, sizeof(si));
	check_rv(p11->C_GetSessionInfo(s2, &si), CKR_OK, "C_GetSessionInfo on the new session");
	CHECK(si.state == CKS_RO_PUBLIC_SESSION, "new card, new session: not logged in");
	check_rv(login(s2, auth_pin()), CKR_OK, "login again");
	sl = sizeof(sig);
	check_rv(sign_data(s2, CKM_SHA256_RSA_PKCS, auth_pin(), "a", 1, sig, &sl, false), CKR_OK, "sign after");
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

/* The card is pulled while the module works on a signature (the card was
 * started with 300 ms per APDU and a long signature latency).  The card
 * takes a pull between two APDUs: at 150 ms it lands after the first APDU
 * of C_Sign (the key EF's SELECT in the transaction C_Login held, or the
 * applet SELECT of a new one), before the card signs. */
static void *pull_later(void *arg)
{
	msleep(150);
	kill(*(pid_t *)arg, SIGUSR1);
	return NULL;
}

int cmd_remove_during(void)
{
	pid_t pid = card_pid("JP_CARD_PID");
	unsigned char sig[512];
	CK_ULONG sl = sizeof(sig);
	CK_SESSION_HANDLE s;
	pthread_t th;
	time_t t0;
	CK_RV rv;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	s = open_session(find_slot(AUTH, 0));
	check_rv(login(s, auth_pin()), CKR_OK, "login");
	pthread_create(&th, NULL, pull_later, &pid);
	t0 = time(NULL);
	rv = sign_data(s, CKM_SHA256_RSA_PKCS, auth_pin(), "a", 1, sig, &sl, false);
	pthread_join(th, NULL);
	CHECK(rv != CKR_OK, "signature interrupted by the pull fails: %s", ckr_name(rv));
	CHECK(time(NULL) - t0 < 15, "and does not hang");
	CHECK(wait_token(false, 10), "token gone");
	kill(pid, SIGUSR2);
	CHECK(wait_token(true, 10), "token back");
	s = open_session(find_slot(AUTH, 0));
	check_rv(login(s, auth_pin()), CKR_OK, "login on the re-inserted card");
	sl = sizeof(sig);
	check_rv(sign_data(s, CKM_SHA256_RSA_PKCS, auth_pin(), "a", 1, sig, &sl, false), CKR_OK, "sign again");
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

static void *finalize_later(void *arg)
{
	(void)arg;
	msleep(500);
	p11->C_Finalize(NULL);
	return NULL;
}

int cmd_events(void)
{
	pid_t pid = card_pid("JP_CARD_PID");
	CK_SLOT_ID slot, a, f;
	CK_SESSION_HANDLE fs;
	CK_SESSION_INFO si;
	pthread_t th;
	time_t t0;
	CK_RV rv;
	int i;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	a = find_slot(AUTH, 0);
	f = find_slot(FACE, 0);
	CHECK(f == a + 2, "the card-face token is the reader's third slot");
	/* a logged-in card-face session goes with the card */
	fs = open_session(f);
	check_rv(login(fs, "1234"), CKR_OK, "card-face login");
	check_rv(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT, "no event at start");
	kill(pid, SIGUSR1);
	t0 = time(NULL);
	rv = p11->C_WaitForSlotEvent(0, &slot, NULL);
	CHECK(rv == CKR_OK && slot >= a && slot <= a + 2, "blocking wait sees the removal: %s slot %lu",
	      ckr_name(rv), (unsigned long)slot);
	CHECK(time(NULL) - t0 < 10, "promptly");
	for (i = 0; i < 2; i++) {
		rv = p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL);
		CHECK(rv == CKR_OK && slot >= a && slot <= a + 2, "the reader's other slots are reported too: %s",
		      ckr_name(rv));
	}
	rv = p11->C_GetSessionInfo(fs, &si);
	CHECK(rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_DEVICE_REMOVED || rv == CKR_SESSION_CLOSED,
	      "the card-face session ended with the card: %s", ckr_name(rv));
	check_rv(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT, "then no more events");
	kill(pid, SIGUSR2);
	rv = p11->C_WaitForSlotEvent(0, &slot, NULL);
	CHECK(rv == CKR_OK && slot >= a && slot <= a + 2, "blocking wait sees the insertion: %s", ckr_name(rv));
	CHECK(wait_token(true, 10), "token present again");
	/* C_Finalize from another thread wakes a blocked waiter */
	while (p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL) == CKR_OK)
		;
	pthread_create(&th, NULL, finalize_later, NULL);
	t0 = time(NULL);
	rv = p11->C_WaitForSlotEvent(0, &slot, NULL);
	pthread_join(th, NULL);
	CHECK(rv == CKR_CRYPTOKI_NOT_INITIALIZED, "C_Finalize wakes the waiter: %s", ckr_name(rv));
	CHECK(time(NULL) - t0 < 5, "within seconds");
	return failures ? 1 : 0;
}

/* ---- two readers, two cards ------------------------------------------- */

int cmd_two(void)
{
	CK_SLOT_ID a0, a1;
	CK_TOKEN_INFO t0, t1;
	struct worker w[2];
	pthread_t th[2];
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16;
	int i;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	check_rv(p11->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK, "C_GetSlotList");
	CHECK(n == 6, "six slots with tokens, three a card (%lu)", (unsigned long)n);
	a0 = find_slot(AUTH, 0);
	a1 = find_slot(AUTH, 1);
	CHECK(a0 != (CK_SLOT_ID)-1 && a1 != (CK_SLOT_ID)-1 && a0 != a1, "two authentication tokens");
	memset(&t0, 0, sizeof(t0));
	memset(&t1, 0, sizeof(t1));
	check_rv(p11->C_GetTokenInfo(a0, &t0), CKR_OK, "C_GetTokenInfo, first card");
	check_rv(p11->C_GetTokenInfo(a1, &t1), CKR_OK, "C_GetTokenInfo, second card");
	CHECK(memcmp(t0.serialNumber, t1.serialNumber, 16) != 0, "different cards, different serials");
	for (i = 0; i < 2; i++) {
		CK_SESSION_HANDLE s = open_session(i ? a1 : a0);
		check_rv(login(s, auth_pin()), CKR_OK, "login");
		w[i] = (struct worker){ i ? a1 : a0, 4, 0 };
		pthread_create(&th[i], NULL, sign_worker, &w[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK(w[0].ok == 4 && w[1].ok == 4, "both cards sign at once (%d, %d)", w[0].ok, w[1].ok);
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

/* ---- phases with the shell: pcscd restarted, card reset --------------- */

/* Print READY and wait for the shell to create the file $JP_GO. */
static void handshake(void)
{
	const char *go = getenv("JP_GO");
	int i;

	printf("READY\n");
	fflush(stdout);
	for (i = 0; go && i < 600 && access(go, F_OK) != 0; i++)
		msleep(100);
	if (go)
		unlink(go);
}

int cmd_pcscd(void)
{
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16;
	unsigned char sig[512];
	CK_ULONG sl = sizeof(sig);
	CK_SESSION_HANDLE s;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	s = open_session(find_slot(AUTH, 0));
	check_rv(login(s, auth_pin()), CKR_OK, "login");
	handshake();          /* pcscd is stopped */
	check_rv(p11->C_GetSlotList(CK_FALSE, slots, &n), CKR_OK, "C_GetSlotList without pcscd");
	CHECK(n == 0, "no slots without pcscd (%lu)", (unsigned long)n);
	sl = sizeof(sig);
	CHECK(sign_data(s, CKM_SHA256_RSA_PKCS, auth_pin(), "a", 1, sig, &sl, false) != CKR_OK,
	      "old session fails without pcscd");
	handshake();          /* pcscd is back */
	CHECK(wait_token(true, 15), "token back with pcscd");
	s = open_session(find_slot(AUTH, 0));
	check_rv(login(s, auth_pin()), CKR_OK, "login after pcscd came back");
	sl = sizeof(sig);
	check_rv(sign_data(s, CKM_SHA256_RSA_PKCS, auth_pin(), "a", 1, sig, &sl, false), CKR_OK, "sign");
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

int cmd_no_pcscd(void)
{
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize without pcscd");
	check_rv(p11->C_GetSlotList(CK_FALSE, slots, &n), CKR_OK, "C_GetSlotList without pcscd");
	CHECK(n == 0, "empty slot list");
	handshake();          /* pcscd started */
	CHECK(wait_token(true, 15), "the slots come when pcscd does");
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

int cmd_reset(void)
{
	unsigned char sig[512];
	CK_ULONG sl = sizeof(sig);
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_SESSION_HANDLE s;
	CK_SESSION_INFO si;
	CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
	CK_RV rv;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	s = open_session(find_slot(AUTH, 0));
	check_rv(login(s, auth_pin()), CKR_OK, "login");
	CHECK(find_objects(s, CKO_PRIVATE_KEY, &key, 1) == 1, "private key listed");
	handshake();          /* another process resets the card */
	rv = p11->C_SignInit(s, &m, key);
	if (rv == CKR_OK)
		rv = p11->C_Sign(s, (CK_BYTE_PTR)"a", 1, sig, &sl);
	check_rv(rv, CKR_USER_NOT_LOGGED_IN, "after a reset by someone else: not logged in");
	memset(&si, 0, sizeof(si));
	check_rv(p11->C_GetSessionInfo(s, &si), CKR_OK, "C_GetSessionInfo after the reset");
	CHECK(si.state == CKS_RO_PUBLIC_SESSION, "the session is still there, public again");
	check_rv(login(s, auth_pin()), CKR_OK, "login again");
	sl = sizeof(sig);
	check_rv(sign_data(s, CKM_SHA256_RSA_PKCS, auth_pin(), "a", 1, sig, &sl, false), CKR_OK, "sign");
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

/* ---- cost: what repeated calls send ----------------------------------- */

int cmd_cost(void)
{
	CK_OBJECT_HANDLE objs[8];
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	CK_SLOT_ID a;
	long before, sent;
	int i, answered;

	before = apdu_count();
	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	CHECK(apdu_count() == before, "C_Initialize sends no APDU");
	a = find_slot(AUTH, 0);
	s = open_session(a);
	find_objects(s, CK_UNAVAILABLE_INFORMATION, objs, 8);
	msleep(1100);         /* the PIN counter may be read again now */
	before = apdu_count();
	for (i = 0, answered = 0; i < 5; i++) {
		answered += p11->C_GetTokenInfo(a, &ti) == CKR_OK;
		answered += find_objects(s, CK_UNAVAILABLE_INFORMATION, objs, 8) > 0;
	}
	CHECK(answered == 10, "5 x C_GetTokenInfo + C_FindObjects answered (%d of 10)", answered);
	msleep(20);
	sent = apdu_count() - before;
	CHECK(sent >= 0 && sent <= 3, "5 x C_GetTokenInfo + C_FindObjects: %ld APDUs (the live PIN counter only)", sent);
	/* the card-face token: its first look (3 APDUs) is face.sh's; after
	 * it, the same calls cost at most its live PIN counter */
	a = find_slot(FACE, 0);
	CHECK(a != (CK_SLOT_ID)-1, "card-face token found");
	s = open_session(a);
	msleep(1100);
	before = apdu_count();
	for (i = 0, answered = 0; i < 5; i++) {
		answered += p11->C_GetTokenInfo(a, &ti) == CKR_OK;
		answered += find_objects(s, CK_UNAVAILABLE_INFORMATION, objs, 8) == 0;
	}
	CHECK(answered == 10, "card-face: 5 x C_GetTokenInfo + C_FindObjects answered (%d of 10)", answered);
	msleep(20);
	sent = apdu_count() - before;
	CHECK(sent >= 0 && sent <= 3, "card-face: 5 x C_GetTokenInfo + C_FindObjects: %ld APDUs (its PIN counter only)",
	      sent);
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

