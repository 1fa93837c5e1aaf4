/* jpki-pkcs11: the PIN rules of the two credentials, checked before any
 * APDU is sent, so that a typo in the format never costs a try. */
#ifndef JP_PIN_H
#define JP_PIN_H

#include <jpki/pkcs11.h>
#include "jpki.h"

#define JP_PIN_MAX 16

/* The length limits reported in CK_TOKEN_INFO. */
void jp_pin_limits(jpki_cred cred, CK_ULONG *min, CK_ULONG *max);
/* The number of tries a fresh PIN has. */
int jp_pin_max_tries(jpki_cred cred);

/* CKR_OK, CKR_PIN_LEN_RANGE or CKR_PIN_INVALID (wrong characters; lower
 * case is not changed into upper case).  new_pin adds the rule for setting
 * a signature PIN: letters and digits mixed. */
CK_RV jp_pin_check(jpki_cred cred, const CK_UTF8CHAR *pin, CK_ULONG len, int new_pin);

#endif
