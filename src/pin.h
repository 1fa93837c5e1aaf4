/* jpki-pkcs11: the PIN rules of the two credentials, checked before any
 * APDU is sent, so that a typo in the format never costs a try. */
#ifndef JP_PIN_H
#define JP_PIN_H

#include <stddef.h>
#include <stdint.h>
#include <jpki/pkcs11.h>
#include "jpki.h"

#define JP_PIN_MAX 16

/* The length limits reported in CK_TOKEN_INFO. */
void jp_pin_limits(jpki_cred cred, CK_ULONG *min, CK_ULONG *max);
/* The number of tries a fresh PIN has. */
int jp_pin_max_tries(jpki_cred cred);

/* Check the format and give the PIN as the card compares it, in out
 * (JP_PIN_MAX bytes, *out_len set; wiped on failure).  The signature PIN:
 * lower-case a-z are taken as A-Z first (the issuer's own software does
 * so), then 6-16 of A-Z0-9 with at least one letter and one digit (no
 * other signature PIN can exist).  The user-authentication PIN: 4 digits.
 * CKR_OK, CKR_PIN_LEN_RANGE, CKR_PIN_INVALID; CKR_ARGUMENTS_BAD for NULL. */
CK_RV jp_pin_prepare(jpki_cred cred, const CK_UTF8CHAR *pin, CK_ULONG len, uint8_t *out, size_t *out_len);

/* The same check without the result. */
CK_RV jp_pin_check(jpki_cred cred, const CK_UTF8CHAR *pin, CK_ULONG len);

#endif
