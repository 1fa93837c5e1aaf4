/*
 * signloop: log in once and sign N times in one session, the way a
 * signing application does.
 *
 *   signloop [-T TRACE] MODULE SLOT_INDEX PIN KEY_ID_HEX N
 *
 * SLOT_INDEX counts tokens in C_GetSlotList(TRUE). The key is the private
 * key with CKA_ID KEY_ID_HEX; the mechanism CKM_SHA256_RSA_PKCS. When the
 * key has CKA_ALWAYS_AUTHENTICATE, every signature is preceded by
 * C_Login(CKU_CONTEXT_SPECIFIC) with the same PIN, as PKCS#11 requires.
 * N = 0 logs in and out only. One line per phase on stdout:
 *   phase NAME calls N apdus A ms T
 * (A from TRACE, the virtual card's APDU trace; "-" without -T) for the
 * phases init (C_Initialize to C_OpenSession), login, sign (the whole
 * loop, N calls), finish (C_Logout to C_Finalize).
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
	fprintf(stderr, "usage: signloop [-T TRACE] MODULE SLOT_INDEX PIN "
		"KEY_ID_HEX N\n");
	exit(2);
}

static CK_OBJECT_HANDLE find_key(CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s,
				 unsigned char *id, size_t id_len)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, id, id_len },
	};
	CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
	CK_ULONG n = 0;

	bench_check(f->C_FindObjectsInit(s, tmpl, 2), "C_FindObjectsInit");
	bench_check(f->C_FindObjects(s, &key, 1, &n), "C_FindObjects");
	bench_check(f->C_FindObjectsFinal(s), "C_FindObjectsFinal");
	if (n != 1) {
		fprintf(stderr, "signloop: no private key with that CKA_ID\n");
		exit(1);
	}
	return key;
}

static CK_BBOOL always_authenticate(CK_FUNCTION_LIST_PTR f,
				    CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key)
{
	CK_BBOOL v = CK_FALSE;
	CK_ATTRIBUTE a = { CKA_ALWAYS_AUTHENTICATE, &v, sizeof(v) };

	if (f->C_GetAttributeValue(s, key, &a, 1) != CKR_OK)
		return CK_FALSE;	/* attribute unknown: no */
	return v;
}

int main(int argc, char **argv)
{
	CK_FUNCTION_LIST_PTR f;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BBOOL ctx_login = CK_FALSE;
	unsigned char id[64], sig[1024], data[64];
	unsigned long index, n, i;
	size_t id_len;
	const char *pin;
	char **args;
	long a0;
	double t0;

	f = bench_start(argc, argv, 4, usage, &args);
	index = strtoul(args[0], NULL, 10);
	pin = args[1];
	id_len = bench_hex(args[2], id, sizeof(id));
	n = strtoul(args[3], NULL, 10);
	a0 = bench_apdus(); t0 = bench_ms();
	bench_check(f->C_Initialize(NULL), "C_Initialize");
	bench_check(f->C_OpenSession(bench_slot(f, index), CKF_SERIAL_SESSION,
				     NULL, NULL, &s), "C_OpenSession");
	bench_phase("init", a0, t0, 1);

	a0 = bench_apdus(); t0 = bench_ms();
	bench_check(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin)),
		    "C_Login");
	bench_phase("login", a0, t0, 1);

	if (n > 0) {
		key = find_key(f, s, id, id_len);
		ctx_login = always_authenticate(f, s, key);
		printf("always_authenticate %d\n", ctx_login ? 1 : 0);
	}
	a0 = bench_apdus(); t0 = bench_ms();
	for (i = 0; i < n; i++) {
		CK_ULONG sig_len = sizeof(sig);
		int len = snprintf((char *)data, sizeof(data),
				   "signloop signature %lu", i);

		bench_check(f->C_SignInit(s, &mech, key), "C_SignInit");
		if (ctx_login)
			bench_check(f->C_Login(s, CKU_CONTEXT_SPECIFIC,
					       (CK_UTF8CHAR_PTR)pin,
					       strlen(pin)),
				    "C_Login(CKU_CONTEXT_SPECIFIC)");
		bench_check(f->C_Sign(s, data, (CK_ULONG)len, sig, &sig_len),
			    "C_Sign");
	}
	bench_phase("sign", a0, t0, n);

	a0 = bench_apdus(); t0 = bench_ms();
	bench_check(f->C_Logout(s), "C_Logout");
	bench_check(f->C_CloseSession(s), "C_CloseSession");
	bench_check(f->C_Finalize(NULL), "C_Finalize");
	bench_phase("finish", a0, t0, 1);
	return 0;
}
