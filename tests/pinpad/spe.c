/* Secure PIN entry of the test PIN-pad reader (see spe.h).
 *
 * Field meaning (PC/SC part 10, CCID secure PIN operations):
 *   bmFormatString    bit 7 units of the PIN position (1 bytes, 0 bits),
 *                     bits 6-3 the PIN's position from the first byte after
 *                     Lc, bit 2 right-justified, bits 1-0 encoding (00 one
 *                     byte per digit value, 01 BCD, 10 ASCII)
 *   bmPINBlockString  bits 7-4 size in bits of a PIN length field (0: none),
 *                     bits 3-0 the PIN block's size in bytes (0: the PIN's)
 *   bmPINLengthFormat bit 4 units of the length position (1 bytes, 0 bits),
 *                     bits 3-0 its position from the first byte after Lc
 *   wPINMaxExtraDigit min << 8 | max, in digits
 *   bConfirmPIN       (modify) bit 0 new PIN typed twice, bit 1 current PIN
 *                     typed first; the insertion offsets add to the position.
 * Bytes of the block the PIN does not fill keep the caller's placeholders.
 * This reader does length fields of 4 or 8 bits only; other shapes are
 * refused with 6B80, as a reader refuses what it cannot do. */
#include "config.h"

#include <string.h>

#include "keypad.h"
#include "spe.h"

#define SW_TIMEOUT   0x6400
#define SW_CANCEL    0x6401
#define SW_MISMATCH  0x6402
#define SW_LENGTH    0x6403
#define SW_INVALID   0x6B80

struct layout {
	uint8_t fmt, block, lenfmt;
	size_t min, max;
};

static unsigned le16(const uint8_t *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

static unsigned long le32(const uint8_t *p)
{
	return le16(p) | (unsigned long)le16(p + 2) << 16;
}

static void put_nibble(uint8_t *p, size_t nibble, unsigned v)
{
	if (nibble % 2 == 0)
		p[nibble / 2] = (uint8_t)((p[nibble / 2] & 0x0F) | v << 4);
	else
		p[nibble / 2] = (uint8_t)((p[nibble / 2] & 0xF0) | (v & 0x0F));
}

/* Puts the PIN (n digits) into the APDU's data field; -1 when the layout is
 * one this reader refuses. */
static int insert(const struct layout *l, size_t extra, const char *pin,
		  size_t n, uint8_t *apdu, size_t alen)
{
	size_t pos = (l->fmt >> 3) & 0x0F, bsize = l->block & 0x0F;
	size_t lbits = l->block >> 4, lpos = l->lenfmt & 0x0F;
	unsigned type = l->fmt & 0x03;
	size_t need = type == 1 ? (n + 1) / 2 : n, at, i;
	uint8_t *data = apdu + 5;

	if (type == 3 || alen < 5)
		return -1;
	if (!(l->fmt & 0x80)) {
		if (pos % 8)
			return -1;
		pos /= 8;
	}
	if (bsize == 0)
		bsize = need;
	if (need > bsize || 5 + pos + extra + bsize > alen)
		return -1;
	at = pos + extra + (l->fmt & 0x04 ? bsize - need : 0);
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(pin[i] - '0');
		if (type == 2)
			data[at + i] = (uint8_t)pin[i];
		else if (type == 0)
			data[at + i] = (uint8_t)d;
		else
			put_nibble(data + at, i, d);
	}
	if (lbits == 0)
		return 0;
	if (l->lenfmt & 0x10)
		lpos *= 8;                      /* now in bits */
	if (5 + lpos / 8 >= alen)
		return -1;
	if (lbits == 8 && lpos % 8 == 0)
		data[lpos / 8] = (uint8_t)n;
	else if (lbits == 4 && lpos % 4 == 0)
		put_nibble(data, lpos / 4, (unsigned)n);
	else
		return -1;
	return 0;
}

/* One keypad entry: 0 with the digits in pin, or the reader's status
 * word. */
static unsigned entry(const char *dir, const struct layout *l, char pin[KP_PIN_MAX + 1])
{
	size_t n, i;

	switch (kp_next(dir, pin)) {
	case KP_CANCEL:
		return SW_CANCEL;
	case KP_TIMEOUT:
		return SW_TIMEOUT;
	case KP_TYPED:
		break;
	}
	n = strlen(pin);
	for (i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return SW_LENGTH;
	return n < l->min || n > l->max ? SW_LENGTH : 0;
}

static const char *sw_word(unsigned sw)
{
	switch (sw) {
	case SW_TIMEOUT: return "timeout";
	case SW_CANCEL: return "cancel";
	case SW_MISMATCH: return "mismatch";
	case SW_LENGTH: return "bad-entry";
	default: return "invalid";
	}
}

/* Takes the entries a modify or verify asks for and puts them in apdu;
 * 0 or the reader's status word. */
static unsigned enter_pins(int modify, const uint8_t *s, const struct layout *l,
			   const char *dir, uint8_t *apdu, size_t alen, size_t *typed)
{
	char old[KP_PIN_MAX + 1], pin[KP_PIN_MAX + 1], again[KP_PIN_MAX + 1];
	unsigned sw = 0, confirm = modify ? s[9] : 0;

	old[0] = pin[0] = again[0] = '\0';
	if (confirm & 0x02)
		sw = entry(dir, l, old);
	if (sw == 0)
		sw = entry(dir, l, pin);
	if (sw == 0 && (confirm & 0x01)) {
		sw = entry(dir, l, again);
		if (sw == 0 && strcmp(pin, again) != 0)
			sw = SW_MISMATCH;
	}
	if (sw == 0 && (confirm & 0x02) &&
	    insert(l, s[5], old, strlen(old), apdu, alen) != 0)
		sw = SW_INVALID;
	if (sw == 0 &&
	    insert(l, modify ? s[6] : 0, pin, strlen(pin), apdu, alen) != 0)
		sw = SW_INVALID;
	*typed = strlen(pin);
	explicit_bzero(old, sizeof(old));
	explicit_bzero(pin, sizeof(pin));
	explicit_bzero(again, sizeof(again));
	return sw;
}

size_t spe_run(int modify, const uint8_t *s, size_t len, const char *dir,
	       spe_send_fn send, void *ctx, uint8_t *resp, size_t cap)
{
	const char *name = modify ? "modify-direct" : "verify-direct";
	size_t hdr = modify ? 24 : 19, alen = 0, typed = 0, rlen = cap;
	uint8_t apdu[300];
	struct layout l;
	unsigned sw = SW_INVALID, mx;

	if (cap < 2)
		return 0;
	if (len >= hdr + 5) {
		alen = le32(s + hdr - 4);
		mx = le16(s + (modify ? 7 : 5));
		l.fmt = s[2];
		l.block = s[3];
		l.lenfmt = s[4];
		l.min = mx >> 8;
		l.max = mx & 0xFF;
		if (alen + hdr == len && alen <= sizeof(apdu) && l.min >= 1 &&
		    l.min <= l.max && l.max <= KP_PIN_MAX) {
			memcpy(apdu, s + hdr, alen);
			sw = enter_pins(modify, s, &l, dir, apdu, alen, &typed);
		}
	}
	if (sw != 0) {
		kp_log(dir, "%s %s sw=%04X", name, sw_word(sw), sw);
		resp[0] = (uint8_t)(sw >> 8);
		resp[1] = (uint8_t)sw;
		return 2;
	}
	if (send(ctx, apdu, alen, resp, &rlen) != 0 || rlen < 2) {
		explicit_bzero(apdu, sizeof(apdu));
		kp_log(dir, "%s len=%zu transmit-error", name, typed);
		return 0;
	}
	explicit_bzero(apdu, sizeof(apdu));
	kp_log(dir, "%s len=%zu sw=%02X%02X", name, typed, resp[rlen - 2],
	       resp[rlen - 1]);
	return rlen;
}
