/* p11check: PIN scenarios driven from the shell, one call and its result
 * (tests/integration/pins.sh, face.sh, failsafe.sh, pinpad-login.sh). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "p11check.h"

static void print_flags(CK_FLAGS f)
{
	printf("flags:%s%s%s%s%s\n", f & CKF_LOGIN_REQUIRED ? " login" : "", f & CKF_USER_PIN_INITIALIZED ? " pin" : "",
	       f & CKF_USER_PIN_COUNT_LOW ? " count-low" : "", f & CKF_USER_PIN_FINAL_TRY ? " final-try" : "",
	       f & CKF_USER_PIN_LOCKED ? " locked" : "");
}

/* login WHICH PIN: prints "rv: CKR_..." then "apdus: N" (APDUs the C_Login
 * call itself sent) and the token flags after it. */
int cmd_login(const char *which, const char *pin)
{
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	long before, after;
	CK_RV rv;

	if (p11_init_os() != CKR_OK || (slot = slot_of(which)) == (CK_SLOT_ID)-1)
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

int cmd_setpin(const char *which, const char *old, const char *new_pin)
{
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	long before;
	CK_RV rv;

	if (p11_init_os() != CKR_OK || (slot = slot_of(which)) == (CK_SLOT_ID)-1)
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
