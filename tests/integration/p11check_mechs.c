/* p11check: mechanisms and signatures (tests/integration/mechanisms.sh):
 * every mechanism signs with each key, single- and multi-part, and the
 * module verifies; files are left for openssl; what the token refuses.
 * And sign-once, one signature for the tests that look at the card after. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p11check.h"

static const struct { CK_MECHANISM_TYPE m; const char *name; } mechs[] = {
	{ CKM_RSA_PKCS, "rsa-pkcs" }, { CKM_SHA1_RSA_PKCS, "sha1" }, { CKM_SHA224_RSA_PKCS, "sha224" },
	{ CKM_SHA256_RSA_PKCS, "sha256" }, { CKM_SHA384_RSA_PKCS, "sha384" }, { CKM_SHA512_RSA_PKCS, "sha512" },
};

/* DigestInfo of SHA-256("jpki") for CKM_RSA_PKCS. */
static const unsigned char raw_digestinfo[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04,
	0x20, 0x2f, 0x8b, 0x1c, 0x2e, 0xbc, 0x9c, 0x42, 0x48, 0x79, 0x42, 0x57, 0x0e, 0x4e, 0x50, 0xcd, 0x1d, 0x3a,
	0x6d, 0x32, 0xe3, 0x9c, 0xd3, 0xe7, 0xe3, 0x22, 0x9b, 0x30, 0x27, 0x65, 0x1e, 0x74, 0x21,
};

static void sign_all(CK_SESSION_HANDLE s, const char *who, const char *pin, const char *dir)
{
	static const char msg[] = "My Number Card signs this line.\n";
	unsigned char sig[512];
	CK_OBJECT_HANDLE pub;
	char name[64];
	size_t i;
	int mp;

	CK_OBJECT_HANDLE certs[4];
	unsigned char der[4096];
	CK_ULONG dl;
	size_t nc;

	save(dir, "message", msg, sizeof(msg) - 1);
	save(dir, "digestinfo", raw_digestinfo, sizeof(raw_digestinfo));
	CHECK(find_objects(s, CKO_PUBLIC_KEY, &pub, 1) == 1, "%s: public key for verification", who);
	/* the end-entity certificate, for openssl to verify with */
	nc = find_objects(s, CKO_CERTIFICATE, certs, 4);
	for (i = 0; i < nc; i++) {
		dl = sizeof(der);
		if (get_ulong(s, certs[i], CKA_CERTIFICATE_CATEGORY) == 1 &&
		    get_attr(s, certs[i], CKA_VALUE, der, &dl) == CKR_OK) {
			snprintf(name, sizeof(name), "%s-cert.der", who);
			save(dir, name, der, dl);
		}
	}
	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++) {
		for (mp = 0; mp < 2; mp++) {
			const void *data = mechs[i].m == CKM_RSA_PKCS ? (const void *)raw_digestinfo : (const void *)msg;
			size_t len = mechs[i].m == CKM_RSA_PKCS ? sizeof(raw_digestinfo) : sizeof(msg) - 1;
			CK_MECHANISM m = { mechs[i].m, NULL, 0 };
			CK_ULONG sl = sizeof(sig);
			CK_RV rv = sign_data(s, mechs[i].m, pin, data, len, sig, &sl, mp);

			CHECK(rv == CKR_OK && sl == 256, "%s %s %s-part: %s, %lu bytes", who, mechs[i].name,
			      mp ? "multi" : "single", ckr_name(rv), (unsigned long)sl);
			if (rv != CKR_OK)
				continue;
			snprintf(name, sizeof(name), "%s-%s%s.sig", who, mechs[i].name, mp ? "-mp" : "");
			save(dir, name, sig, sl);
			rv = p11->C_VerifyInit(s, &m, pub);
			if (rv == CKR_OK)
				rv = p11->C_Verify(s, (CK_BYTE_PTR)data, len, sig, sl);
			check_rv(rv, CKR_OK, "C_Verify of that signature");
			sig[10] ^= 1;
			rv = p11->C_VerifyInit(s, &m, pub);
			if (rv == CKR_OK)
				rv = p11->C_Verify(s, (CK_BYTE_PTR)data, len, sig, sl);
			check_rv(rv, CKR_SIGNATURE_INVALID, "C_Verify of a damaged signature");
		}
	}
}

int cmd_mechs(const char *dir)
{
	CK_MECHANISM_TYPE list[16];
	CK_ULONG n = 16, sl;
	CK_MECHANISM_INFO mi;
	CK_MECHANISM dec = { CKM_RSA_PKCS, NULL, 0 }, pss = { CKM_SHA256_RSA_PKCS_PSS, NULL, 0 };
	CK_SESSION_HANDLE s, s2;
	CK_OBJECT_HANDLE key;
	unsigned char sig[512], big[300];
	CK_SLOT_ID a, sg;
	CK_RV rv;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	a = find_slot(AUTH, 0);
	sg = find_slot(SIGN, 0);
	check_rv(p11->C_GetMechanismList(a, list, &n), CKR_OK, "C_GetMechanismList");
	CHECK(n == 6, "six mechanisms (%lu)", (unsigned long)n);
	check_rv(p11->C_GetMechanismInfo(a, CKM_SHA256_RSA_PKCS, &mi), CKR_OK, "C_GetMechanismInfo");
	CHECK(mi.ulMinKeySize == 2048 && mi.ulMaxKeySize == 2048 && (mi.flags & CKF_SIGN) && (mi.flags & CKF_HW) &&
	      !(mi.flags & CKF_DECRYPT), "mechanism info: 2048-bit, sign, hardware, no decrypt");
	check_rv(p11->C_GetMechanismInfo(a, CKM_RSA_PKCS_PSS, &mi), CKR_MECHANISM_INVALID, "no PSS");
	check_rv(p11->C_GetMechanismInfo(a, CKM_RSA_X_509, &mi), CKR_MECHANISM_INVALID, "no raw RSA");

	s = open_session(a);
	check_rv(login(s, auth_pin()), CKR_OK, "auth login");
	sign_all(s, "auth", auth_pin(), dir);
	find_objects(s, CKO_PRIVATE_KEY, &key, 1);
	check_rv(p11->C_DecryptInit(s, &dec, key), CKR_MECHANISM_INVALID, "C_DecryptInit refused");
	check_rv(p11->C_SignInit(s, &pss, key), CKR_MECHANISM_INVALID, "PSS sign refused");
	memset(big, 1, sizeof(big));
	sl = sizeof(sig);
	check_rv(sign_data(s, CKM_RSA_PKCS, auth_pin(), big, 246, sig, &sl, false), CKR_DATA_LEN_RANGE,
	         "CKM_RSA_PKCS with 246 bytes");
	/* the length query and a short buffer leave the operation going */
	check_rv(p11->C_SignInit(s, &dec, key), CKR_OK, "C_SignInit");
	sl = 0;
	check_rv(p11->C_Sign(s, (CK_BYTE_PTR)raw_digestinfo, sizeof(raw_digestinfo), NULL, &sl), CKR_OK, "length query");
	CHECK(sl == 256, "length query says 256");
	sl = 10;
	check_rv(p11->C_Sign(s, (CK_BYTE_PTR)raw_digestinfo, sizeof(raw_digestinfo), sig, &sl), CKR_BUFFER_TOO_SMALL,
	         "short buffer");
	sl = sizeof(sig);
	check_rv(p11->C_Sign(s, (CK_BYTE_PTR)raw_digestinfo, sizeof(raw_digestinfo), sig, &sl), CKR_OK,
	         "then the signature");
	check_rv(p11->C_GenerateRandom(s, sig, 8), CKR_RANDOM_NO_RNG, "C_GenerateRandom");
	check_rv(p11->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)"1234", 4), CKR_USER_TYPE_INVALID, "no SO login");
	check_rv(p11->C_Login(s, 7, (CK_UTF8CHAR_PTR)"1234", 4), CKR_USER_TYPE_INVALID, "unknown user type");
	check_rv(p11->C_InitPIN(s, (CK_UTF8CHAR_PTR)"1234", 4), CKR_USER_NOT_LOGGED_IN, "C_InitPIN refused");
	check_rv(p11->C_OpenSession(a, 0, NULL, NULL, &s2), CKR_SESSION_PARALLEL_NOT_SUPPORTED, "no parallel session");
	check_rv(p11->C_OpenSession(a, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s2), CKR_OK,
	         "read-write session accepted");
	check_rv(p11->C_DestroyObject(s2, key), CKR_TOKEN_WRITE_PROTECTED, "C_DestroyObject refused");
	check_rv(p11->C_CreateObject(s2, NULL, 0, &key), CKR_TOKEN_WRITE_PROTECTED, "C_CreateObject refused");
	check_rv(p11->C_InitToken(a, (CK_UTF8CHAR_PTR)"1234", 4, (CK_UTF8CHAR_PTR)"x"), CKR_TOKEN_WRITE_PROTECTED,
	         "C_InitToken refused");
	p11->C_CloseSession(s2);
	p11->C_CloseSession(s);

	s = open_session(sg);
	check_rv(login(s, sign_pin()), CKR_OK, "sign login");
	if (!getenv("JPKI_PKCS11_ALWAYS_AUTHENTICATE")) {
		/* without the context-specific login the signature is refused */
		find_objects(s, CKO_PRIVATE_KEY, &key, 1);
		check_rv(p11->C_SignInit(s, &dec, key), CKR_OK, "C_SignInit on the signature key");
		sl = sizeof(sig);
		rv = p11->C_Sign(s, (CK_BYTE_PTR)raw_digestinfo, sizeof(raw_digestinfo), sig, &sl);
		check_rv(rv, CKR_USER_NOT_LOGGED_IN, "signature key without C_Login(CKU_CONTEXT_SPECIFIC)");
		check_rv(p11->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)"ABC123", 6),
		         CKR_OPERATION_NOT_INITIALIZED, "context login with no operation");
	}
	sign_all(s, "sign", sign_pin(), dir);
	p11->C_CloseSession(s);
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

/* sign-once WHICH: log in, sign, finalize (for the raw-APDU test after). */
int cmd_sign_once(const char *which)
{
	const char *pin = !strcmp(which, "sign") ? sign_pin() : auth_pin();
	unsigned char sig[512];
	CK_ULONG sl = sizeof(sig);
	CK_SESSION_HANDLE s;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	s = open_session(slot_of(which));
	check_rv(login(s, pin), CKR_OK, "login");
	check_rv(sign_data(s, CKM_SHA256_RSA_PKCS, pin, "x", 1, sig, &sl, false), CKR_OK, "signature");
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}
