/* p11check: integration checks of the module through the real pcscd and
 * the virtual card.  Each subcommand is one scenario; it prints "ok - …" /
 * "not ok - …" lines and exits 1 when any check failed.  The shell tests
 * in this directory set the card up and call it. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "p11check.h"

const char *auth_pin(void) { return getenv("JV_AUTH_PIN") ? getenv("JV_AUTH_PIN") : "1234"; }
const char *sign_pin(void) { return getenv("JV_SIGN_PIN") ? getenv("JV_SIGN_PIN") : "ABC123"; }

void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

CK_RV login(CK_SESSION_HANDLE s, const char *pin)
{
	return p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
}

/* Write a file for the shell to check with openssl. */
static void save(const char *dir, const char *name, const void *p, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb"))) {
		fwrite(p, 1, len, f);
		fclose(f);
	}
}

/* ---- tokens: labels, serials, flags, objects, attributes per profile -- */

static void check_common_attrs(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, const char *what)
{
	CHECK(get_bool(s, o, CKA_TOKEN) == CK_TRUE, "%s: CKA_TOKEN true", what);
	CHECK(get_bool(s, o, CKA_MODIFIABLE) == CK_FALSE, "%s: CKA_MODIFIABLE false", what);
}

static void check_key_attrs(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE k, bool sign_token, bool always_auth)
{
	unsigned char mod[512], cmod[512], buf[16];
	CK_ULONG len = sizeof(mod), clen, blen;
	CK_OBJECT_HANDLE pub;
	CK_RV rv;

	check_common_attrs(s, k, "private key");
	CHECK(get_bool(s, k, CKA_PRIVATE) == CK_TRUE, "private key: CKA_PRIVATE");
	CHECK(get_bool(s, k, CKA_SIGN) == CK_TRUE, "private key: CKA_SIGN");
	CHECK(get_bool(s, k, CKA_DECRYPT) == CK_FALSE, "private key: CKA_DECRYPT false");
	CHECK(get_bool(s, k, CKA_UNWRAP) == CK_FALSE, "private key: CKA_UNWRAP false");
	CHECK(get_bool(s, k, CKA_SIGN_RECOVER) == CK_FALSE, "private key: CKA_SIGN_RECOVER false");
	CHECK(get_bool(s, k, CKA_DERIVE) == CK_FALSE, "private key: CKA_DERIVE false");
	CHECK(get_bool(s, k, CKA_SENSITIVE) == CK_TRUE, "private key: sensitive");
	CHECK(get_bool(s, k, CKA_EXTRACTABLE) == CK_FALSE, "private key: not extractable");
	CHECK(get_bool(s, k, CKA_COPYABLE) == CK_FALSE, "private key: not copyable");
	CHECK(get_bool(s, k, CKA_DESTROYABLE) == CK_FALSE, "private key: not destroyable");
	CHECK(get_bool(s, k, CKA_ALWAYS_AUTHENTICATE) == (always_auth ? CK_TRUE : CK_FALSE),
	      "private key: CKA_ALWAYS_AUTHENTICATE %s", always_auth ? "true" : "false");
	CHECK(get_ulong(s, k, CKA_KEY_TYPE) == CKK_RSA, "private key: CKK_RSA");
	rv = get_attr(s, k, CKA_MODULUS, mod, &len);
	CHECK(rv == CKR_OK && len == 256, "private key: 2048-bit CKA_MODULUS (%s, %lu bytes)", ckr_name(rv),
	      (unsigned long)len);
	blen = sizeof(buf);
	CHECK(get_attr(s, k, CKA_PUBLIC_EXPONENT, buf, &blen) == CKR_OK && blen > 0,
	      "private key: CKA_PUBLIC_EXPONENT");
	blen = sizeof(buf);
	rv = get_attr(s, k, CKA_PRIVATE_EXPONENT, buf, &blen);
	CHECK(rv == CKR_ATTRIBUTE_SENSITIVE, "private key: CKA_PRIVATE_EXPONENT sensitive (%s)", ckr_name(rv));
	CHECK(find_objects(s, CKO_PUBLIC_KEY, &pub, 1) == 1, "public key listed with the private key");
	clen = sizeof(cmod);
	CHECK(get_attr(s, pub, CKA_MODULUS, cmod, &clen) == CKR_OK && clen == len && memcmp(mod, cmod, len) == 0,
	      "public and private key have the same modulus");
	(void)sign_token;
}

/* The profile is a phone: its user-authentication certificate is private. */
static bool phone_profile;

/* The objects of one token must share CKA_ID per credential; certificates
 * carry their category and dates. */
static void check_objects(CK_SESSION_HANDLE s, bool sign_token, bool logged_in, bool has_cert, bool has_key,
                          const char *dir)
{
	int want_users = has_cert && (!(sign_token || phone_profile) || logged_in), want_keys = has_key && logged_in;
	CK_OBJECT_HANDLE objs[16], certs[4], keys[2];
	size_t n, ncert, i, nkey;
	unsigned char val[4096], id0[8];
	CK_ULONG len, id0len = 0;
	int users = 0, cas = 0;

	n = find_objects(s, CK_UNAVAILABLE_INFORMATION, objs, 16);
	for (i = 0; i < n; i++)
		if (!logged_in)
			CHECK(get_bool(s, objs[i], CKA_PRIVATE) == CK_FALSE,
			      "public session: object %lu is not private", (unsigned long)objs[i]);
	ncert = find_objects(s, CKO_CERTIFICATE, certs, 4);
	for (i = 0; i < ncert; i++) {
		CK_ULONG cat = get_ulong(s, certs[i], CKA_CERTIFICATE_CATEGORY);
		CK_DATE start, end;
		CK_ULONG dl = sizeof(end);

		check_common_attrs(s, certs[i], "certificate");
		CHECK(get_ulong(s, certs[i], CKA_CERTIFICATE_TYPE) == CKC_X_509, "certificate: CKC_X_509");
		CHECK(cat == 1 || cat == 2, "certificate: category %lu", (unsigned long)cat);
		len = sizeof(val);
		CHECK(get_attr(s, certs[i], CKA_VALUE, val, &len) == CKR_OK && len > 500 && val[0] == 0x30,
		      "certificate: CKA_VALUE is DER (%lu bytes)", (unsigned long)len);
		if (cat == 1) {
			users++;
			save(dir, sign_token ? "sign-cert.der" : "auth-cert.der", val, len);
			id0len = sizeof(id0);
			get_attr(s, certs[i], CKA_ID, id0, &id0len);
			dl = sizeof(end);
			CHECK(get_attr(s, certs[i], CKA_END_DATE, &end, &dl) == CKR_OK && dl == sizeof(end),
			      "certificate: CKA_END_DATE");
			save(dir, sign_token ? "sign-end-date" : "auth-end-date", &end, sizeof(end));
			dl = sizeof(start);
			CHECK(get_attr(s, certs[i], CKA_START_DATE, &start, &dl) == CKR_OK && dl == sizeof(start),
			      "certificate: CKA_START_DATE");
		} else {
			cas++;
		}
		len = sizeof(val);
		CHECK(get_attr(s, certs[i], CKA_SUBJECT, val, &len) == CKR_OK && len > 0, "certificate: CKA_SUBJECT");
		len = sizeof(val);
		CHECK(get_attr(s, certs[i], CKA_ISSUER, val, &len) == CKR_OK && len > 0, "certificate: CKA_ISSUER");
		len = sizeof(val);
		CHECK(get_attr(s, certs[i], CKA_SERIAL_NUMBER, val, &len) == CKR_OK && len > 0 && val[0] == 0x02,
		      "certificate: CKA_SERIAL_NUMBER is a DER INTEGER");
	}
	nkey = find_objects(s, CKO_PRIVATE_KEY, keys, 2);
	CHECK(nkey == (size_t)want_keys, "%zu private key(s) listed", nkey);
	for (i = 0; i < nkey; i++) {
		unsigned char kid[8];
		CK_ULONG kl = sizeof(kid);
		check_key_attrs(s, keys[i], sign_token, sign_token && !getenv("JPKI_PKCS11_ALWAYS_AUTHENTICATE"));
		CHECK(get_attr(s, keys[i], CKA_ID, kid, &kl) == CKR_OK && kl == id0len && memcmp(kid, id0, kl) == 0,
		      "private key has its certificate's CKA_ID");
	}
	CHECK(users == want_users && cas == (has_cert ? 1 : 0) && n == (size_t)(2 * want_users + cas + want_keys),
	      "%s token, %s: %zu objects (user certs %d, CA certs %d, private keys %zu)",
	      sign_token ? "signature" : "authentication", logged_in ? "logged in" : "public", n, users, cas, nkey);
}

static int cmd_tokens(const char *profile, const char *dir)
{
	bool standard = !strcmp(profile, "standard") || !strcmp(profile, "expired");
	bool face = !strcmp(profile, "face-auth"), nosign = !strcmp(profile, "no-sign-cert");
	bool auth_locked = !strcmp(profile, "auth-locked"), sign_locked = !strcmp(profile, "sign-locked");
	const char *model = (phone_profile = !strcmp(profile, "phone")) ? "JPKI Smartphone " : "JPKI            ";
	CK_SLOT_ID a, sg;
	CK_TOKEN_INFO ta, ts;
	CK_SESSION_HANDLE s;
	CK_RV rv;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	a = find_slot(AUTH, 0);
	sg = find_slot(SIGN, 0);
	CHECK(a != (CK_SLOT_ID)-1 && sg != (CK_SLOT_ID)-1, "both tokens present (%lu, %lu)", (unsigned long)a,
	      (unsigned long)sg);
	if (a == (CK_SLOT_ID)-1 || sg == (CK_SLOT_ID)-1)
		return 1;
	memset(&ta, 0, sizeof(ta));
	memset(&ts, 0, sizeof(ts));
	check_rv(p11->C_GetTokenInfo(a, &ta), CKR_OK, "C_GetTokenInfo, authentication token");
	check_rv(p11->C_GetTokenInfo(sg, &ts), CKR_OK, "C_GetTokenInfo, signature token");
	CHECK(memcmp(ta.serialNumber, ts.serialNumber, 16) != 0, "the two tokens have different serials");
	CHECK(memcmp(ta.model, model, 16) == 0 && memcmp(ts.model, model, 16) == 0, "model \"%.16s\"", ta.model);
	for (int i = 0; i < 16; i++)
		if (ta.serialNumber[i] < 0x21 || ta.serialNumber[i] > 0x7e || ts.serialNumber[i] < 0x21 ||
		    ts.serialNumber[i] > 0x7e) {
			CHECK(false, "serial character %d printable", i);
			break;
		}
	CHECK(memcmp(ta.serialNumber, "0000000000000000", 16) != 0, "serial is not zeros");
	printf("# serials %.16s %.16s\n", ta.serialNumber, ts.serialNumber);
	save(dir, "serials", ta.serialNumber, 16);
	CHECK(ta.ulMinPinLen == 4 && ta.ulMaxPinLen == 4, "auth PIN length 4/4");
	CHECK(ts.ulMinPinLen == 6 && ts.ulMaxPinLen == 16, "sign PIN length 6/16");
	CHECK((ta.flags & (CKF_WRITE_PROTECTED | CKF_TOKEN_INITIALIZED)) == (CKF_WRITE_PROTECTED | CKF_TOKEN_INITIALIZED),
	      "auth token write-protected and initialized");
	CHECK(!(ta.flags & CKF_RNG), "no CKF_RNG");

	bool has_auth_pin = !face, has_sign_pin = !face && !nosign;
	CHECK(!!(ta.flags & CKF_LOGIN_REQUIRED) == has_auth_pin && !!(ta.flags & CKF_USER_PIN_INITIALIZED) == has_auth_pin,
	      "auth token %s a login-capable PIN", has_auth_pin ? "has" : "has no");
	CHECK(!!(ts.flags & CKF_LOGIN_REQUIRED) == has_sign_pin && !!(ts.flags & CKF_USER_PIN_INITIALIZED) == has_sign_pin,
	      "sign token %s a login-capable PIN", has_sign_pin ? "has" : "has no");
	CHECK(!!(ta.flags & CKF_USER_PIN_LOCKED) == auth_locked, "auth PIN locked flag %d", auth_locked);
	CHECK(!!(ts.flags & CKF_USER_PIN_LOCKED) == sign_locked, "sign PIN locked flag %d", sign_locked);
	CHECK(!(ta.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY)) &&
	      !(ts.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY)), "no count-low/final-try flags");

	/* the authentication token */
	s = open_session(a);
	check_objects(s, false, false, true, has_auth_pin, dir);
	rv = login(s, auth_pin());
	check_rv(rv, face ? CKR_USER_PIN_NOT_INITIALIZED : auth_locked ? CKR_PIN_LOCKED : CKR_OK, "auth C_Login");
	if (rv == CKR_OK) {
		check_objects(s, false, true, true, true, dir);
		check_rv(login(s, auth_pin()), CKR_USER_ALREADY_LOGGED_IN, "second C_Login");
		check_rv(p11->C_Logout(s), CKR_OK, "C_Logout");
	}
	check_rv(p11->C_Logout(s), CKR_USER_NOT_LOGGED_IN, "C_Logout when logged out");
	p11->C_CloseSession(s);

	/* the signature token */
	s = open_session(sg);
	check_objects(s, true, false, has_sign_pin, has_sign_pin, dir);
	rv = login(s, sign_pin());
	check_rv(rv, !has_sign_pin ? CKR_USER_PIN_NOT_INITIALIZED : sign_locked ? CKR_PIN_LOCKED : CKR_OK, "sign C_Login");
	if (rv == CKR_OK)
		check_objects(s, true, true, true, true, dir);
	p11->C_CloseSession(s);
	(void)standard;
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

/* ---- mechanisms: every mechanism signs with each key, single- and
 * multi-part; the module verifies; files are left for openssl ------------ */

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

static int cmd_mechs(const char *dir)
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

/* ---- PIN scenarios driven from the shell: one call, its result --------- */

static CK_SLOT_ID slot_arg(const char *which)
{
	return find_slot(!strcmp(which, "sign") ? SIGN : !strcmp(which, "face") ? FACE : AUTH, 0);
}

static void print_flags(CK_FLAGS f)
{
	printf("flags:%s%s%s%s%s\n", f & CKF_LOGIN_REQUIRED ? " login" : "", f & CKF_USER_PIN_INITIALIZED ? " pin" : "",
	       f & CKF_USER_PIN_COUNT_LOW ? " count-low" : "", f & CKF_USER_PIN_FINAL_TRY ? " final-try" : "",
	       f & CKF_USER_PIN_LOCKED ? " locked" : "");
}

/* login WHICH PIN: prints "rv: CKR_..." then "apdus: N" (APDUs the C_Login
 * call itself sent) and the token flags after it. */
static int cmd_login(const char *which, const char *pin)
{
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	long before, after;
	CK_RV rv;

	if (p11_init_os() != CKR_OK || (slot = slot_arg(which)) == (CK_SLOT_ID)-1)
		return 2;
	s = open_session(slot);
	before = apdu_count();
	rv = login(s, pin);
	msleep(20);
	after = apdu_count();
	printf("rv: %s\napdus: %ld\n", ckr_name(rv), after - before);
	print_flags(token_flags(slot));
	p11->C_Finalize(NULL);
	return 0;
}

static int cmd_setpin(const char *which, const char *old, const char *new_pin)
{
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	long before;
	CK_RV rv;

	if (p11_init_os() != CKR_OK || (slot = slot_arg(which)) == (CK_SLOT_ID)-1)
		return 2;
	if (p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) != CKR_OK)
		return 2;
	before = apdu_count();
	rv = p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)old, strlen(old), (CK_UTF8CHAR_PTR)new_pin, strlen(new_pin));
	msleep(20);
	printf("rv: %s\napdus: %ld\n", ckr_name(rv), apdu_count() - before);
	print_flags(token_flags(slot));
	p11->C_Finalize(NULL);
	return 0;
}

/* sign-once WHICH: log in, sign, finalize (for the raw-APDU test after). */
static int cmd_sign_once(const char *which)
{
	const char *pin = !strcmp(which, "sign") ? sign_pin() : auth_pin();
	unsigned char sig[512];
	CK_ULONG sl = sizeof(sig);
	CK_SESSION_HANDLE s;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	s = open_session(slot_arg(which));
	check_rv(login(s, pin), CKR_OK, "login");
	check_rv(sign_data(s, CKM_SHA256_RSA_PKCS, pin, "x", 1, sig, &sl, false), CKR_OK, "signature");
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

/* only-auth: the module shows the user-authentication token alone. */
static int cmd_only_auth(void)
{
	CK_SLOT_ID slots[16], a;
	CK_ULONG n = 16;
	CK_SLOT_INFO si;
	/* The harness tells how many readers its pcscd has. */
	const char *env = getenv("JV_NREADERS");
	CK_ULONG readers = env ? strtoul(env, NULL, 10) : 2;

	check_rv(p11_init_os(), CKR_OK, "C_Initialize");
	check_rv(p11->C_GetSlotList(CK_FALSE, slots, &n), CKR_OK, "C_GetSlotList");
	a = find_slot(AUTH, 0);
	CHECK(a != (CK_SLOT_ID)-1, "the authentication token is there");
	CHECK(find_slot(SIGN, 0) == (CK_SLOT_ID)-1, "the signature token is not");
	CHECK(n == readers, "one slot per reader (%lu for %lu readers)",
	      (unsigned long)n, (unsigned long)readers);
	check_rv(p11->C_GetSlotInfo(a + 1, &si), CKR_SLOT_ID_INVALID, "the signature slot id is invalid");
	check_rv(p11->C_Finalize(NULL), CKR_OK, "C_Finalize");
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	const char *dir = getenv("JV_TMP") ? getenv("JV_TMP") : ".";

	setvbuf(stdout, NULL, _IOLBF, 0);
	p11_load(NULL);
	if (!strcmp(cmd, "tokens") && argc > 2)
		return cmd_tokens(argv[2], dir);
	if (!strcmp(cmd, "mechs"))
		return cmd_mechs(dir);
	if (!strcmp(cmd, "login") && argc > 3)
		return cmd_login(argv[2], argv[3]);
	if (!strcmp(cmd, "setpin") && argc > 4)
		return cmd_setpin(argv[2], argv[3], argv[4]);
	if (!strcmp(cmd, "sign-once") && argc > 2)
		return cmd_sign_once(argv[2]);
	if (!strcmp(cmd, "threads"))
		return cmd_threads(argc > 2 ? atoi(argv[2]) : 8, argc > 3 ? atoi(argv[3]) : 3);
	if (!strcmp(cmd, "mutex"))
		return cmd_mutex();
	if (!strcmp(cmd, "remove"))
		return cmd_remove();
	if (!strcmp(cmd, "remove-during"))
		return cmd_remove_during();
	if (!strcmp(cmd, "events"))
		return cmd_events();
	if (!strcmp(cmd, "two"))
		return cmd_two();
	if (!strcmp(cmd, "pcscd"))
		return cmd_pcscd();
	if (!strcmp(cmd, "no-pcscd"))
		return cmd_no_pcscd();
	if (!strcmp(cmd, "reset"))
		return cmd_reset();
	if (!strcmp(cmd, "only-auth"))
		return cmd_only_auth();
	if (!strcmp(cmd, "cost"))
		return cmd_cost();
	if (!strcmp(cmd, "hold-then") && argc > 2)
		return cmd_hold_then(argv[2], argc > 3 ? atol(argv[3]) : 0);
	if (!strcmp(cmd, "hold-stay") && argc > 2)
		return cmd_hold_stay(atol(argv[2]));
	if (!strcmp(cmd, "setpin-pending") && argc > 2)
		return cmd_setpin_pending(argv[2]);
	if (!strcmp(cmd, "close-last"))
		return cmd_close_last();
	if (!strcmp(cmd, "verify-cert"))
		return cmd_verify_cert();
	if (!strcmp(cmd, "face") && argc > 2)
		return cmd_face(argv[2]);
	if (!strcmp(cmd, "face-absent"))
		return cmd_face_absent();
	if (!strcmp(cmd, "finalize-race"))
		return cmd_finalize_race(argc > 2 ? atoi(argv[2]) : 4, argc > 3 ? atoi(argv[3]) : 5);
	if (!strcmp(cmd, "pinpad-flags"))
		return cmd_pinpad_flags();
	if (!strcmp(cmd, "pinpad-login") && argc > 2)
		return cmd_pinpad_login(argv[2]);
	if (!strcmp(cmd, "pinpad-setpin") && argc > 2)
		return cmd_pinpad_setpin(argv[2]);
	if (!strcmp(cmd, "pinpad-sign"))
		return cmd_pinpad_sign(argc > 2 ? atoi(argv[2]) : 1);
	fprintf(stderr, "usage: p11check tokens PROFILE | mechs | login auth|sign PIN | setpin auth|sign OLD NEW |\n"
	                "  sign-once auth|sign | threads [N [ROUNDS]] | mutex | remove | remove-during | events |\n"
	                "  two | pcscd | no-pcscd | reset | cost | hold-then close|logout|finalize|exit|sleep MS |\n"
	                "  hold-stay MS | setpin-pending NEW | close-last | finalize-race [N [ROUNDS]] |\n"
	                "  pinpad-flags | pinpad-login auth|sign | pinpad-setpin auth|sign | pinpad-sign [N] |\n"
	                "  face PIN | face-absent   (login and setpin also take face)\n");
	return 2;
}
