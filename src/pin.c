/* jpki-pkcs11: PIN rules, from the municipal documents: the
 * user-authentication PIN is exactly four digits; the signature PIN is six
 * to sixteen of A-Z and 0-9, mixing letters and digits. */
#include "config.h"

#include <openssl/crypto.h>

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

CK_RV jp_pin_prepare(jpki_cred cred, const CK_UTF8CHAR *pin, CK_ULONG len, uint8_t *out, size_t *out_len)
{
	CK_ULONG min, max, i;
	int letters = 0, digits = 0;
	uint8_t ch;

	*out_len = 0;
	if (!pin)
		return CKR_ARGUMENTS_BAD;
	jp_pin_limits(cred, &min, &max);
	if (len < min || len > max)
		return CKR_PIN_LEN_RANGE;
	for (i = 0; i < len; i++) {
		ch = pin[i];
		if (cred == JPKI_SIGN && ch >= 'a' && ch <= 'z')
			ch = (uint8_t)(ch - 'a' + 'A');
		if (ch >= '0' && ch <= '9')
			digits++;
		else if (cred == JPKI_SIGN && ch >= 'A' && ch <= 'Z')
			letters++;
		else
			goto invalid;
		out[i] = ch;
	}
	if (cred == JPKI_SIGN && (letters == 0 || digits == 0))
		goto invalid;
	*out_len = len;
	return CKR_OK;
invalid:
	OPENSSL_cleanse(out, JP_PIN_MAX);
	return CKR_PIN_INVALID;
}

CK_RV jp_pin_check(jpki_cred cred, const CK_UTF8CHAR *pin, CK_ULONG len)
{
	uint8_t buf[JP_PIN_MAX];
	size_t n;
	CK_RV rv = jp_pin_prepare(cred, pin, len, buf, &n);

	OPENSSL_cleanse(buf, sizeof(buf));
	return rv;
}
