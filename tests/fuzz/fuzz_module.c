/* jpki-pkcs11 fuzzing: the whole module, driven through its C_* functions
 * over the fuzz backend (fuzz_backend.h), every card answer and reader
 * change taken from the input.
 *
 * Input: one byte N (at most MAX_OPS are used), then N operations of two
 * bytes each (an opcode, modulo the number of operations, and an argument
 * byte), then the answer stream of fuzz_backend.h.  The argument picks a
 * slot, session or object (low bits, from what earlier calls returned),
 * and a PIN, mechanism or variant (high bits).  The module is initialized
 * before the first operation (with the settings of a reinit with argument
 * 0) and finalized after the last.  The module's debug log and
 * certificate cache are scratch, emptied before each input (fuzz_env.h).
 *
 * The backend abort()s when the module breaks its promises about the
 * card; this file checks the C_* results for consistency.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpki/pkcs11.h>

#include "fuzz_backend.h"
#include "fuzz_env.h"
#include "fuzz_transport.h"
#include "log.h"

#define MAX_OPS 64
#define MAX_HANDLES 8

/* right, wrong and badly formatted PINs of both tokens */
static const char *const pins[8] = {
	"1234", "0000", "ABC123", "abc123", "XYZ999", "12a4", "123", "ABCDEFGHIJKLMNOPQ",
};

/* SHA-256 DigestInfo of 32 zero bytes: what CKM_RSA_PKCS signs */
static const CK_BYTE DIGESTINFO[51] = {
	0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
	0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
};

static const CK_MECHANISM_TYPE mechs[4] = {
	CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_SHA1_RSA_PKCS, CKM_SHA512_RSA_PKCS,
};

enum {
	OP_SLOT_LIST, OP_SLOT_INFO, OP_TOKEN_INFO, OP_OPEN, OP_CLOSE, OP_CLOSE_ALL, OP_FIND, OP_ATTRS,
	OP_LOGIN, OP_LOGIN_CONTEXT, OP_LOGOUT, OP_SIGN_INIT, OP_SIGN, OP_SIGN_PARTS, OP_VERIFY,
	OP_SET_PIN, OP_REINIT, OP_WAIT, OP_EVENT, OP_MECHS, OP_SESSION_INFO, OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"slot-list", "slot-info", "token-info", "open", "close", "close-all", "find", "attrs",
	"login", "login-context", "logout", "sign-init", "sign", "sign-parts", "verify",
	"set-pin", "reinit", "wait", "event", "mechs", "session-info",
};

static struct {
	bool initialized;
	CK_SLOT_ID slots[MAX_HANDLES];
	CK_ULONG nslots;
	CK_SESSION_HANDLE sessions[MAX_HANDLES];
	int nsessions;
	CK_OBJECT_HANDLE objects[MAX_HANDLES];
	int nobjects;
	CK_BYTE sig[512];
	CK_ULONG sig_len;
	CK_MECHANISM_TYPE sig_mech;
} h;

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz module: %s\n", what);
		abort();
	}
}

static CK_SLOT_ID pick_slot(unsigned a)
{
	return h.nslots ? h.slots[a % h.nslots] : a & 7;
}

static CK_SESSION_HANDLE pick_session(unsigned a)
{
	return h.nsessions ? h.sessions[a % h.nsessions] : a & 7;
}

static CK_OBJECT_HANDLE pick_object(unsigned a)
{
	return h.nobjects ? h.objects[a % h.nobjects] : a & 31;
}

static void no_pin(void)
{
	fuzz_backend_call(FZ_CALL_NO_PIN, NULL, 0, NULL, 0);
}

/* a: bit 0 always-authenticate off, bit 1 one token shown (bit 2: auth,
 * else sign), bit 3 C_Initialize with arguments, bit 4 the certificate
 * cache on, bit 5 PIN pads off. */
static void initialize(unsigned a)
{
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
	CK_RV rv;

	/* module settings are read by C_Initialize; the certificate cache is
	 * on only when asked (fuzz_env.c tells why) */
	if (a & 1)
		setenv("JPKI_PKCS11_ALWAYS_AUTHENTICATE", "0", 1);
	else
		unsetenv("JPKI_PKCS11_ALWAYS_AUTHENTICATE");
	if (a & 2)
		setenv("JPKI_PKCS11_TOKENS", a & 4 ? "auth" : "sign", 1);
	else
		unsetenv("JPKI_PKCS11_TOKENS");
	fuzz_env_cache(a & 16);
	if (a & 32)
		setenv("JPKI_PKCS11_PINPAD", "0", 1);
	else
		unsetenv("JPKI_PKCS11_PINPAD");
	no_pin();
	rv = C_Initialize(a & 8 ? &args : NULL);
	check(rv == CKR_OK, "C_Initialize failed");
	h.initialized = true;
	h.nslots = 0;
	h.nsessions = 0;
	h.nobjects = 0;
}

static void finalize(void)
{
	if (!h.initialized)
		return;
	no_pin();
	check(C_Finalize(NULL) == CKR_OK, "C_Finalize failed");
	h.initialized = false;
}

static void slot_list(unsigned a)
{
	CK_ULONG n = 0;
	CK_RV rv = C_GetSlotList(a & 1, NULL, &n);

	check(rv == CKR_OK, "C_GetSlotList (count) failed");
	if (n > MAX_HANDLES)
		n = MAX_HANDLES;
	/* the slots may change between the two calls */
	rv = C_GetSlotList(a & 1, h.slots, &n);
	check(rv == CKR_OK || rv == CKR_BUFFER_TOO_SMALL, "C_GetSlotList failed");
	h.nslots = rv == CKR_OK ? n : 0;
}

static void token_info(unsigned a)
{
	CK_TOKEN_INFO ti;
	CK_RV rv = C_GetTokenInfo(pick_slot(a), &ti);

	if (rv != CKR_OK)
		return;
	check(ti.ulMinPinLen >= 4 && ti.ulMaxPinLen <= 16 && ti.ulMinPinLen <= ti.ulMaxPinLen, "PIN lengths");
	check(!(ti.flags & CKF_USER_PIN_FINAL_TRY) || (ti.flags & CKF_USER_PIN_COUNT_LOW), "final try not low");
}

static void open_session(unsigned a)
{
	CK_SESSION_HANDLE s;
	CK_FLAGS fl = CKF_SERIAL_SESSION | (a & 0x80 ? CKF_RW_SESSION : 0);

	if (C_OpenSession(pick_slot(a), fl, NULL, NULL, &s) != CKR_OK)
		return;
	if (h.nsessions < MAX_HANDLES)
		h.sessions[h.nsessions++] = s;
	else
		h.sessions[a % MAX_HANDLES] = s;
}

static void find(unsigned a)
{
	static const CK_OBJECT_CLASS classes[4] = {
		CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE, CKO_DATA,
	};
	CK_OBJECT_CLASS cls = classes[a >> 3 & 3];
	CK_BYTE id = 1 + (a >> 7);
	CK_ATTRIBUTE tmpl[2] = { { CKA_CLASS, &cls, sizeof(cls) }, { CKA_ID, &id, 1 } };
	CK_SESSION_HANDLE s = pick_session(a);
	CK_OBJECT_HANDLE found[MAX_HANDLES];
	CK_ULONG n = 0;

	if (C_FindObjectsInit(s, tmpl, (a >> 5 & 3) % 3) != CKR_OK)
		return;
	if (C_FindObjects(s, found, MAX_HANDLES, &n) == CKR_OK) {
		check(n <= MAX_HANDLES, "C_FindObjects: too many");
		if (fuzz_trace)
			fprintf(stderr, "fuzz: found %lu object(s)\n", (unsigned long)n);
		/* what was found replaces what was known (keeps picking simple) */
		h.nobjects = (int)n;
		memcpy(h.objects, found, n * sizeof(found[0]));
	}
	check(C_FindObjectsFinal(s) == CKR_OK, "C_FindObjectsFinal failed");
}

static void attributes(unsigned a)
{
	static const CK_ATTRIBUTE_TYPE types[] = {
		CKA_CLASS, CKA_ID, CKA_LABEL, CKA_VALUE, CKA_MODULUS, CKA_PUBLIC_EXPONENT,
		CKA_ALWAYS_AUTHENTICATE, CKA_KEY_TYPE, CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER,
	};
	CK_ATTRIBUTE t[sizeof(types) / sizeof(types[0])];
	CK_SESSION_HANDLE s = pick_session(a);
	CK_OBJECT_HANDLE o = pick_object(a >> 3);
	CK_ULONG i, n = sizeof(types) / sizeof(types[0]);
	CK_RV rv;

	memset(t, 0, sizeof(t));
	for (i = 0; i < n; i++)
		t[i].type = types[i];
	rv = C_GetAttributeValue(s, o, t, n);
	if (rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID && rv != CKR_ATTRIBUTE_SENSITIVE)
		return;
	for (i = 0; i < n; i++) {
		if (t[i].ulValueLen == CK_UNAVAILABLE_INFORMATION)
			t[i].ulValueLen = 0;
		check(t[i].ulValueLen < 1u << 20, "absurd attribute length");
		t[i].pValue = t[i].ulValueLen ? malloc(t[i].ulValueLen) : NULL;
	}
	(void)C_GetAttributeValue(s, o, t, n);
	for (i = 0; i < n; i++)
		free(t[i].pValue);
}

static void login(unsigned a, CK_USER_TYPE type)
{
	const char *pin = pins[a >> 3 & 7];
	CK_RV rv;

	fuzz_backend_call(FZ_CALL_LOGIN, (const uint8_t *)pin, strlen(pin), NULL, 0);
	rv = C_Login(pick_session(a), type, (CK_UTF8CHAR_PTR)pin, strlen(pin));
	(void)rv;
}

static void sign_init(unsigned a)
{
	CK_MECHANISM m = { mechs[a >> 3 & 3], NULL, 0 };

	if (C_SignInit(pick_session(a), &m, pick_object(a >> 5)) == CKR_OK)
		h.sig_mech = m.mechanism;
}

static void sign(unsigned a)
{
	CK_BYTE big[300];
	CK_BYTE_PTR data = (CK_BYTE_PTR)DIGESTINFO;
	CK_ULONG len = sizeof(DIGESTINFO), sig_len = sizeof(h.sig);
	CK_SESSION_HANDLE s = pick_session(a);
	CK_RV rv;

	if (a & 0x80) {
		memset(big, 0x5A, sizeof(big));
		data = big;
		len = sizeof(big);
	}
	if (a & 0x40) {
		sig_len = 0;
		fuzz_backend_call(FZ_CALL_SIGN, NULL, 0, NULL, 0);
		if (C_Sign(s, data, len, NULL, &sig_len) != CKR_OK)
			return;
		/* The length asked for is the certificate's modulus in bytes,
		 * whatever size the input's certificate claims; the buffer
		 * handed over below never claims more than it holds. */
		check(sig_len > 0, "no signature length");
		if (sig_len > sizeof(h.sig))
			sig_len = sizeof(h.sig);
		if (a & 0x20)
			sig_len--;      /* too short: CKR_BUFFER_TOO_SMALL, the operation goes on */
	}
	fuzz_backend_call(FZ_CALL_SIGN, NULL, 0, NULL, 0);
	rv = C_Sign(s, data, len, h.sig, &sig_len);
	if (rv == CKR_OK) {
		check(sig_len > 0 && sig_len <= sizeof(h.sig), "signature length");
		h.sig_len = sig_len;
	}
}

static void sign_parts(unsigned a)
{
	CK_SESSION_HANDLE s = pick_session(a);
	CK_ULONG sig_len = sizeof(h.sig);

	no_pin();
	if (C_SignUpdate(s, (CK_BYTE_PTR)DIGESTINFO, 20) != CKR_OK)
		return;
	no_pin();
	if (a & 0x80 && C_SignUpdate(s, (CK_BYTE_PTR)DIGESTINFO + 20, sizeof(DIGESTINFO) - 20) != CKR_OK)
		return;
	fuzz_backend_call(FZ_CALL_SIGN, NULL, 0, NULL, 0);
	if (C_SignFinal(s, h.sig, &sig_len) == CKR_OK)
		h.sig_len = sig_len;
}

static void verify(unsigned a)
{
	CK_MECHANISM m = { h.sig_mech ? h.sig_mech : CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_SESSION_HANDLE s = pick_session(a);

	if (C_VerifyInit(s, &m, pick_object(a >> 3)) != CKR_OK)
		return;
	no_pin();
	(void)C_Verify(s, (CK_BYTE_PTR)DIGESTINFO, sizeof(DIGESTINFO), h.sig, h.sig_len);
}

static void set_pin(unsigned a)
{
	const char *old = pins[a >> 2 & 7], *new = pins[(a >> 5) ^ 2];

	fuzz_backend_call(FZ_CALL_SET_PIN, (const uint8_t *)old, strlen(old), (const uint8_t *)new, strlen(new));
	(void)C_SetPIN(pick_session(a), (CK_UTF8CHAR_PTR)old, strlen(old), (CK_UTF8CHAR_PTR)new, strlen(new));
}

static void mechanisms(unsigned a)
{
	CK_MECHANISM_TYPE list[16];
	CK_MECHANISM_INFO info;
	CK_ULONG n = 16, i;

	if (C_GetMechanismList(pick_slot(a), list, &n) != CKR_OK)
		return;
	for (i = 0; i < n && i < 16; i++)
		if (C_GetMechanismInfo(pick_slot(a), list[i], &info) == CKR_OK)
			check(info.ulMinKeySize <= info.ulMaxKeySize, "mechanism key sizes");
}

static void run_op(unsigned op, unsigned a)
{
	CK_SLOT_INFO si;
	CK_SESSION_INFO ses;
	CK_SLOT_ID slot;
	CK_RV rv;

	if (fuzz_trace)
		fprintf(stderr, "fuzz: op %s %02X\n", op_names[op], a);
	no_pin();
	switch (op) {
	case OP_SLOT_LIST: slot_list(a); break;
	case OP_SLOT_INFO: (void)C_GetSlotInfo(pick_slot(a), &si); break;
	case OP_TOKEN_INFO: token_info(a); break;
	case OP_OPEN: open_session(a); break;
	case OP_CLOSE: (void)C_CloseSession(pick_session(a)); break;
	case OP_CLOSE_ALL: (void)C_CloseAllSessions(pick_slot(a)); break;
	case OP_FIND: find(a); break;
	case OP_ATTRS: attributes(a); break;
	case OP_LOGIN: login(a, CKU_USER); break;
	case OP_LOGIN_CONTEXT: login(a, CKU_CONTEXT_SPECIFIC); break;
	case OP_LOGOUT: (void)C_Logout(pick_session(a)); break;
	case OP_SIGN_INIT: sign_init(a); break;
	case OP_SIGN: sign(a); break;
	case OP_SIGN_PARTS: sign_parts(a); break;
	case OP_VERIFY: verify(a); break;
	case OP_SET_PIN: set_pin(a); break;
	case OP_REINIT:
		finalize();
		initialize(a);
		break;
	case OP_WAIT:
		rv = C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL);
		check(rv == CKR_OK || rv == CKR_NO_EVENT, "C_WaitForSlotEvent(CKF_DONT_BLOCK)");
		break;
	case OP_EVENT: fuzz_backend_event(a); break;
	case OP_MECHS: mechanisms(a); break;
	case OP_SESSION_INFO: (void)C_GetSessionInfo(pick_session(a), &ses); break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nops, i;

	/* the module's log and certificate cache: scratch, emptied */
	fuzz_env_input();
	if (size < 1)
		return 0;
	nops = data[0] < MAX_OPS ? data[0] : MAX_OPS;
	if (nops * 2 > size - 1)
		nops = (size - 1) / 2;
	memset(&h, 0, sizeof(h));
	fuzz_backend_begin(data + 1 + 2 * nops, size - 1 - 2 * nops);
	initialize(0);
	for (i = 0; i < nops; i++)
		run_op(data[1 + 2 * i] % OP_COUNT, data[2 + 2 * i]);
	finalize();
	if (fuzz_trace)
		fprintf(stderr, "fuzz: %zu input bytes left unread\n", fuzz_backend_left());
	fuzz_backend_end();
	return 0;
}
