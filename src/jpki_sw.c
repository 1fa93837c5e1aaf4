/* jpki-pkcs11: what the card's status words mean (see jpki_sw.h). */
#include "config.h"

#include "jpki_sw.h"
#include "log.h"

/* The generic meaning of a status word; commands handle 63Cx and their own
 * special cases before calling this.  Anything not in the card's table of
 * known failures with a meaning of their own (6981 6985 6986 6A86 6B00 6D00
 * 6E00, and words never seen) is a device error. */
jp_rv jpki_sw_rv(uint16_t sw)
{
	switch (sw) {
	case SW_OK: return JP_OK;
	case SW_WRONG_LENGTH: return JP_E_DATA_LEN;
	case SW_SECURITY: return JP_E_SECURITY;
	case SW_PIN_BLOCKED:
	case SW_PIN_BLOCKED2: return JP_E_PIN_LOCKED;
	case SW_BAD_DATA: return JP_E_BAD_DATA;
	case SW_NOT_FOUND: return JP_E_NOT_FOUND;
	case SW_MEMORY_FAILURE: return JP_E_DEVICE_MEMORY;
	default:
		JP_LOG("unexpected status word %04X", sw);
		return JP_E_DEVICE;
	}
}
