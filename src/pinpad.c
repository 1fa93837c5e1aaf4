/* jpki-pkcs11: PIN-pad readers (PC/SC part 10), as plain bytes. */
#include "config.h"

#include <string.h>

#include "pinpad.h"

/* bmFormatString: byte units (bit 7), PIN at offset 0 of the data field
 * (bits 6-3), left-justified (bit 2), ASCII (bits 1-0 = 10). */
#define FMT_ASCII_BYTES_AT_0 0x82
/* bmPINBlockString: no PIN length field (bits 7-4), a 4-byte block. */
#define BLOCK_4_NO_LENGTH    0x04
#define PIN_DIGITS           4
#define OK_KEY               0x02        /* bEntryValidationCondition */
#define LANG_JAPANESE        0x0411      /* wLangId */
/* The PIN's place in the APDU before the reader fills it: not a digit, so
 * a reader that failed to insert the PIN never sends a likely PIN. */
#define PLACEHOLDER          0xFF

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v & 0xFF);
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)(v & 0xFFFF));
	put_le16(p + 2, (uint16_t)(v >> 16));
}

/* CLA INS P1 P2 Lc and the placeholder block. */
static void put_apdu(uint8_t *p, uint8_t ins, uint8_t p1)
{
	p[0] = 0x00;
	p[1] = ins;
	p[2] = p1;
	p[3] = 0x80;
	p[4] = PIN_DIGITS;
	memset(p + 5, PLACEHOLDER, PIN_DIGITS);
}

int jp_pinpad_parse_features(const uint8_t *buf, size_t len, jp_pinpad_features *f)
{
	size_t i = 0;

	memset(f, 0, sizeof(*f));
	while (i < len) {
		uint8_t tag, n;
		uint32_t code;

		if (len - i < 2 || len - i - 2 < buf[i + 1])
			goto malformed;
		tag = buf[i];
		n = buf[i + 1];
		i += 2;
		if (tag != JP_FEATURE_VERIFY_PIN_DIRECT &&
		    tag != JP_FEATURE_MODIFY_PIN_DIRECT &&
		    tag != JP_FEATURE_IFD_PIN_PROPERTIES) {
			i += n;
			continue;
		}
		if (n != 4)
			goto malformed;
		code = (uint32_t)buf[i] << 24 | (uint32_t)buf[i + 1] << 16 |
		       (uint32_t)buf[i + 2] << 8 | buf[i + 3];
		i += 4;
		if (tag == JP_FEATURE_VERIFY_PIN_DIRECT)
			f->verify_direct = code;
		else if (tag == JP_FEATURE_MODIFY_PIN_DIRECT)
			f->modify_direct = code;
		else
			f->pin_properties = code;
	}
	return 0;
malformed:
	memset(f, 0, sizeof(*f));
	return -1;
}

int jp_pinpad_parse_properties(const uint8_t *buf, size_t len, int *lcd_lines, int *lcd_chars)
{
	/* wLcdLayout (little-endian): lines in the high byte, characters per
	 * line in the low one; then bEntryValidationCondition, bTimeOut2. */
	if (len < 4) {
		*lcd_lines = *lcd_chars = 0;
		return -1;
	}
	*lcd_lines = buf[1];
	*lcd_chars = buf[0];
	return 0;
}

size_t jp_pinpad_build_verify(uint8_t timeout, uint8_t *out, size_t cap)
{
	if (cap < JP_PINPAD_VERIFY_LEN)
		return 0;
	memset(out, 0, JP_PINPAD_VERIFY_LEN);
	out[0] = timeout;                       /* bTimerOut */
	out[1] = timeout;                       /* bTimerOut2 */
	out[2] = FMT_ASCII_BYTES_AT_0;
	out[3] = BLOCK_4_NO_LENGTH;
	out[4] = 0x00;                          /* bmPINLengthFormat */
	put_le16(out + 5, PIN_DIGITS << 8 | PIN_DIGITS); /* min, max */
	out[7] = OK_KEY;
	out[8] = 0x01;                          /* bNumberMessage */
	put_le16(out + 9, LANG_JAPANESE);
	out[11] = 0x00;                         /* bMsgIndex: "enter PIN" */
	/* 12-14 bTeoPrologue: 0 */
	put_le32(out + 15, 9);                  /* ulDataLength */
	put_apdu(out + 19, 0x20, 0x00);         /* VERIFY 00 20 00 80 04 */
	return JP_PINPAD_VERIFY_LEN;
}

size_t jp_pinpad_build_change(uint8_t timeout, uint8_t *out, size_t cap)
{
	if (cap < JP_PINPAD_CHANGE_LEN)
		return 0;
	memset(out, 0, JP_PINPAD_CHANGE_LEN);
	out[0] = timeout;                       /* bTimerOut */
	out[1] = timeout;                       /* bTimerOut2 */
	out[2] = FMT_ASCII_BYTES_AT_0;
	out[3] = BLOCK_4_NO_LENGTH;
	out[4] = 0x00;                          /* bmPINLengthFormat */
	out[5] = 0x00;                          /* bInsertionOffsetOld: unused */
	out[6] = 0x00;                          /* bInsertionOffsetNew */
	put_le16(out + 7, PIN_DIGITS << 8 | PIN_DIGITS); /* min, max */
	out[9] = 0x01;                          /* bConfirmPIN: new PIN twice,
	                                         * no current PIN */
	out[10] = OK_KEY;
	out[11] = 0x02;                         /* bNumberMessage: two prompts */
	put_le16(out + 12, LANG_JAPANESE);
	out[14] = 0x01;                         /* bMsgIndex1: "new PIN" */
	out[15] = 0x02;                         /* bMsgIndex2: "confirm" */
	out[16] = 0x00;                         /* bMsgIndex3 */
	/* 17-19 bTeoPrologue: 0 */
	put_le32(out + 20, 9);                  /* ulDataLength */
	put_apdu(out + 24, 0x24, 0x01);         /* CHANGE 00 24 01 80 04 */
	return JP_PINPAD_CHANGE_LEN;
}

jp_pinpad_result jp_pinpad_result_of(const uint8_t *resp, size_t len, int *tries, uint16_t *sw_out)
{
	uint16_t sw = 0;
	jp_pinpad_result r = JP_PINPAD_OTHER;

	if (tries != NULL)
		*tries = -1;
	if (len >= 2)
		sw = (uint16_t)(resp[len - 2] << 8 | resp[len - 1]);
	if (sw_out != NULL)
		*sw_out = sw;
	if ((sw & 0xFFF0) == 0x63C0) {
		if (tries != NULL)
			*tries = sw & 0x0F;
		return JP_PINPAD_WRONG;
	}
	switch (sw) {
	case 0x9000: r = JP_PINPAD_OK; break;
	case 0x6983:
	case 0x6984: r = JP_PINPAD_LOCKED; break;
	case 0x6400: r = JP_PINPAD_TIMEOUT; break;
	case 0x6401: r = JP_PINPAD_CANCELLED; break;
	case 0x6402:
	case 0x6403: r = JP_PINPAD_BAD_ENTRY; break;
	default: break;
	}
	return r;
}
