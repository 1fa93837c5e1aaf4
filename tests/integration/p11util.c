/* Helpers for the integration test programs. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p11util.h"

CK_FUNCTION_LIST *p11;
int failures;

void check_(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf(ok ? "ok - " : "not ok - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

const char *ckr_name(CK_RV rv)
{
	static char buf[32];

	switch (rv) {
#define N(x) case x: return #x;
	N(CKR_OK) N(CKR_HOST_MEMORY) N(CKR_SLOT_ID_INVALID) N(CKR_GENERAL_ERROR) N(CKR_FUNCTION_FAILED)
	N(CKR_ARGUMENTS_BAD) N(CKR_NO_EVENT) N(CKR_CANT_LOCK) N(CKR_ATTRIBUTE_SENSITIVE)
	N(CKR_ATTRIBUTE_TYPE_INVALID) N(CKR_DATA_LEN_RANGE) N(CKR_DEVICE_ERROR) N(CKR_DEVICE_REMOVED)
	N(CKR_FUNCTION_NOT_SUPPORTED) N(CKR_KEY_HANDLE_INVALID) N(CKR_KEY_FUNCTION_NOT_PERMITTED)
	N(CKR_MECHANISM_INVALID) N(CKR_OBJECT_HANDLE_INVALID) N(CKR_OPERATION_ACTIVE)
	N(CKR_OPERATION_NOT_INITIALIZED) N(CKR_PIN_INCORRECT) N(CKR_PIN_INVALID) N(CKR_PIN_LEN_RANGE)
	N(CKR_PIN_LOCKED) N(CKR_SESSION_CLOSED) N(CKR_SESSION_HANDLE_INVALID)
	N(CKR_SESSION_PARALLEL_NOT_SUPPORTED) N(CKR_SESSION_READ_ONLY) N(CKR_SIGNATURE_INVALID)
	N(CKR_SIGNATURE_LEN_RANGE) N(CKR_TOKEN_NOT_PRESENT) N(CKR_TOKEN_NOT_RECOGNIZED)
	N(CKR_TOKEN_WRITE_PROTECTED) N(CKR_USER_ALREADY_LOGGED_IN) N(CKR_USER_NOT_LOGGED_IN)
	N(CKR_USER_PIN_NOT_INITIALIZED) N(CKR_USER_TYPE_INVALID) N(CKR_RANDOM_NO_RNG)
	N(CKR_BUFFER_TOO_SMALL) N(CKR_CRYPTOKI_NOT_INITIALIZED) N(CKR_CRYPTOKI_ALREADY_INITIALIZED)
	N(CKR_MECHANISM_PARAM_INVALID) N(CKR_FUNCTION_NOT_PARALLEL)
#undef N
	default:
		snprintf(buf, sizeof(buf), "0x%lx", (unsigned long)rv);
		return buf;
	}
}

void check_rv(CK_RV rv, CK_RV want, const char *what)
{
	check_(rv == want, "%s: %s (want %s)", what, ckr_name(rv), ckr_name(want));
}

void p11_load(const char *path)
{
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);
	void *h;

	if (!path)
		path = getenv("JPKI_MODULE");
	if (!path) {
		fprintf(stderr, "JPKI_MODULE is not set\n");
		exit(1);
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
		exit(1);
	}
	get = (CK_RV (*)(CK_FUNCTION_LIST_PTR_PTR))dlsym(h, "C_GetFunctionList");
	if (!get || get(&p11) != CKR_OK) {
		fprintf(stderr, "no C_GetFunctionList in %s\n", path);
		exit(1);
	}
}

CK_RV p11_init_os(void)
{
	CK_C_INITIALIZE_ARGS args;

	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	return p11->C_Initialize(&args);
}

CK_SLOT_ID find_slot(const char *label, int nth)
{
	CK_SLOT_ID slots[32];
	CK_ULONG n = 32, i;
	CK_TOKEN_INFO ti;
	size_t len = strlen(label);

	if (p11->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		return (CK_SLOT_ID)-1;
	for (i = 0; i < n; i++) {
		if (p11->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		if (memcmp(ti.label, label, len) == 0 && (len == 32 || ti.label[len] == ' ') && nth-- == 0)
			return slots[i];
	}
	return (CK_SLOT_ID)-1;
}

CK_FLAGS token_flags(CK_SLOT_ID slot)
{
	CK_TOKEN_INFO ti;

	if (p11->C_GetTokenInfo(slot, &ti) != CKR_OK)
		return 0;
	return ti.flags;
}

CK_SESSION_HANDLE open_session(CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	CK_RV rv = p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s);

	if (rv != CKR_OK)
		check_rv(rv, CKR_OK, "C_OpenSession");
	return s;
}

size_t find_objects(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE *out, size_t max)
{
	CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof(cls) };
	CK_ULONG n = 0;

	if (p11->C_FindObjectsInit(s, &t, cls == CK_UNAVAILABLE_INFORMATION ? 0 : 1) != CKR_OK)
		return 0;
	p11->C_FindObjects(s, out, max, &n);
	p11->C_FindObjectsFinal(s);
	return n;
}

CK_RV get_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t, void *buf, CK_ULONG *len)
{
	CK_ATTRIBUTE a = { t, buf, *len };
	CK_RV rv = p11->C_GetAttributeValue(s, o, &a, 1);

	*len = a.ulValueLen;
	return rv;
}

CK_BBOOL get_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t)
{
	CK_BBOOL b = 2;
	CK_ULONG len = sizeof(b);

	if (get_attr(s, o, t, &b, &len) != CKR_OK)
		return 2;
	return b;
}

CK_ULONG get_ulong(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t)
{
	CK_ULONG v = (CK_ULONG)-1, len = sizeof(v);

	if (get_attr(s, o, t, &v, &len) != CKR_OK)
		return (CK_ULONG)-1;
	return v;
}

CK_RV sign_data(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, const char *pin, const void *data, size_t len,
                unsigned char *sig, CK_ULONG *sig_len, bool multipart)
{
	CK_MECHANISM m = { mech, NULL, 0 };
	CK_OBJECT_HANDLE key;
	CK_RV rv;

	if (find_objects(s, CKO_PRIVATE_KEY, &key, 1) != 1)
		return CKR_KEY_HANDLE_INVALID;
	if ((rv = p11->C_SignInit(s, &m, key)) != CKR_OK)
		return rv;
	if (get_bool(s, key, CKA_ALWAYS_AUTHENTICATE) == CK_TRUE &&
	    (rv = p11->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)pin, strlen(pin))) != CKR_OK) {
		CK_ULONG n = *sig_len;
		p11->C_Sign(s, (CK_BYTE_PTR)data, len, sig, &n);   /* ends the operation */
		return rv;
	}
	if (!multipart)
		return p11->C_Sign(s, (CK_BYTE_PTR)data, len, sig, sig_len);
	if (len > 1 && (rv = p11->C_SignUpdate(s, (CK_BYTE_PTR)data, len / 2)) != CKR_OK)
		return rv;
	if ((rv = p11->C_SignUpdate(s, (CK_BYTE_PTR)data + len / 2, len - len / 2)) != CKR_OK)
		return rv;
	return p11->C_SignFinal(s, sig, sig_len);
}

long apdu_count(void)
{
	const char *path = getenv("JP_TRACE");
	char line[4096];
	long n = 0;
	FILE *f;

	/* A count of nothing would make every "no APDU" check pass: without
	 * the trace the program stops, and the test fails. */
	if (!path || !*path) {
		printf("not ok - JP_TRACE is not set: no APDU can be counted\n");
		exit(99);
	}
	if (!(f = fopen(path, "r"))) {
		printf("not ok - cannot read the card's trace %s: %s\n", path, strerror(errno));
		exit(99);
	}
	while (fgets(line, sizeof(line), f))
		if (line[0] != '#' && line[0] != '\n')
			n++;
	if (ferror(f)) {
		printf("not ok - error reading the card's trace %s\n", path);
		exit(99);
	}
	fclose(f);
	return n;
}
