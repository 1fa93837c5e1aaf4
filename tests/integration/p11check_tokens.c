/* p11check: the tokens as the module shows them, per card profile
 * (tests/integration/tokens.sh): labels, serials, flags, the objects and
 * their attributes, public and after login; and a card that offers the
 * user-authentication token alone. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p11check.h"

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

int cmd_tokens(const char *profile, const char *dir)
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

/* only-auth: the module shows the user-authentication token alone. */
int cmd_only_auth(void)
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
