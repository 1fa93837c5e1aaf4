/* p11check: the PIN-pad reader's scenarios (tests/integration/pinpad-login.sh).
 * The keypad is fed from files by the shell (tests/harness/env.sh); these
 * commands make the PKCS#11 calls and print their results.  A login or a
 * PIN change on the keypad is login or setpin without PINs
 * (p11check_pins.c). */
#include "config.h"

#include <stdio.h>

#include "p11check.h"

/* pinpad-flags: "auth: flags: ..." and "sign: flags: ..." */
int cmd_pinpad_flags(void)
{
	CK_SLOT_ID a, s;

	if (p11_init_os() != CKR_OK)
		return 2;
	a = find_slot(AUTH, 0);
	s = find_slot(SIGN, 0);
	if (a == (CK_SLOT_ID)-1 || s == (CK_SLOT_ID)-1)
		return 2;
	printf("auth: ");
	print_flags(token_flags(a));
	printf("sign: ");
	print_flags(token_flags(s));
	p11->C_Finalize(NULL);
	return 0;
}

/* pinpad-sign N: log in on the keypad, then N signatures with the
 * user-authentication key, each checked with C_Verify; "login: ",
 * "sign I: ", "verify I: " and at the end "state: user|public". */
int cmd_pinpad_sign(int n)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE pub;
	CK_SESSION_INFO si;
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	unsigned char sig[512];
	CK_ULONG sl;
	CK_RV rv;
	int i;

	if (p11_init_os() != CKR_OK || (slot = slot_of("auth")) == (CK_SLOT_ID)-1)
		return 2;
	s = open_session(slot);
	rv = login(s, NULL);
	printf("login: %s\n", ckr_name(rv));
	for (i = 1; i <= n && rv == CKR_OK; i++) {
		sl = sizeof(sig);
		rv = sign_data(s, CKM_SHA256_RSA_PKCS, "", "pinpad", 6, sig, &sl, false);
		printf("sign %d: %s\n", i, ckr_name(rv));
		if (rv != CKR_OK) {
			rv = CKR_OK;    /* go on: the next one may work */
			continue;
		}
		if (find_objects(s, CKO_PUBLIC_KEY, &pub, 1) != 1) {
			printf("verify %d: no public key\n", i);
			continue;
		}
		if ((rv = p11->C_VerifyInit(s, &m, pub)) == CKR_OK)
			rv = p11->C_Verify(s, (CK_BYTE_PTR) "pinpad", 6, sig, sl);
		printf("verify %d: %s\n", i, ckr_name(rv));
	}
	if (p11->C_GetSessionInfo(s, &si) == CKR_OK)
		printf("state: %s\n", si.state == CKS_RO_USER_FUNCTIONS ? "user" : "public");
	p11->C_Finalize(NULL);
	return 0;
}
