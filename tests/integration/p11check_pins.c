/* p11check: PIN scenarios driven from the shell, one call and its result
 * (tests/integration/pins.sh, face.sh, failsafe.sh, pinpad-login.sh).
 * Without PINs on the command line the call passes NULL PINs: the person
 * types them on the PIN-pad reader's keypad. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "p11check.h"

void print_flags(CK_FLAGS f)
{
	printf("flags:%s%s%s%s%s%s\n", f & CKF_LOGIN_REQUIRED ? " login" : "",
	       f & CKF_USER_PIN_INITIALIZED ? " pin" : "", f & CKF_USER_PIN_COUNT_LOW ? " count-low" : "",
	       f & CKF_USER_PIN_FINAL_TRY ? " final-try" : "", f & CKF_USER_PIN_LOCKED ? " locked" : "",
	       f & CKF_PROTECTED_AUTHENTICATION_PATH ? " protected" : "");
}

/* One PIN call on the token WHICH, then what it did: "rv: CKR_...",
 * "apdus: N" (the APDUs the call itself sent, a keypad VERIFY included) and
 * the token flags after it.  C_Login(CKU_USER, pin) in a read-only session;
 * with change, C_SetPIN(pin, new_pin) in a read-write one. */
static int pin_call(const char *which, bool change, const char *pin, const char *new_pin)
{
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	long before;
	CK_RV rv;

	if (p11_init_os() != CKR_OK || (slot = slot_of(which)) == (CK_SLOT_ID)-1)
		return 2;
	if (!change)
		s = open_session(slot);
	else if (p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) != CKR_OK)
		return 2;
	before = apdu_count();
	if (change)
		rv = p11->C_SetPIN(s, (CK_UTF8CHAR_PTR)pin, pin_len(pin), (CK_UTF8CHAR_PTR)new_pin, pin_len(new_pin));
	else
		rv = login(s, pin);
	msleep(20);
	printf("rv: %s\napdus: %ld\n", ckr_name(rv), apdu_count() - before);
	print_flags(token_flags(slot));
	p11->C_Finalize(NULL);
	return 0;
}

/* login WHICH [PIN] */
int cmd_login(const char *which, const char *pin)
{
	return pin_call(which, false, pin, NULL);
}

/* setpin WHICH [OLD NEW] */
int cmd_setpin(const char *which, const char *old, const char *new_pin)
{
	return pin_call(which, true, old, new_pin);
}
