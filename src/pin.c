/* jpki-pkcs11: PIN rules, from the municipal documents: the
 * user-authentication PIN is exactly four digits; the signature PIN is six
 * to sixteen of A-Z and 0-9, and must mix letters and digits when it is set. */
#include "config.h"

#include "pin.h"

void jp_pin_limits(jpki_cred cred, CK_ULONG *min, CK_ULONG *max)
{
	*min = cred == JPKI_SIGN ? 6 : 4;
	*max = cred == JPKI_SIGN ? 16 : 4;
}

int jp_pin_max_tries(jpki_cred cred)
{
	return cred == JPKI_SIGN ? 5 : 3;
}

CK_RV jp_pin_check(jpki_cred cred, const CK_UTF8CHAR *pin, CK_ULONG len, int new_pin)
{
	CK_ULONG min, max, i;
	int letters = 0, digits = 0;

	if (!pin)
		return CKR_ARGUMENTS_BAD;
	jp_pin_limits(cred, &min, &max);
	if (len < min || len > max)
		return CKR_PIN_LEN_RANGE;
	for (i = 0; i < len; i++) {
		if (pin[i] >= '0' && pin[i] <= '9')
			digits++;
		else if (cred == JPKI_SIGN && pin[i] >= 'A' && pin[i] <= 'Z')
			letters++;
		else
			return CKR_PIN_INVALID;
	}
	if (new_pin && cred == JPKI_SIGN && (letters == 0 || digits == 0))
		return CKR_PIN_INVALID;
	return CKR_OK;
}
