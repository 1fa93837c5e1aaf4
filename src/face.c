/* jpki-pkcs11: the card-face data assistance application (see face.h).
 *
 * Facts (the card specification): AID D3 92 10 00 31 00 01 01 04 08; PIN EF 0011
 * with the JPKI PINs' VERIFY rules; EF 0001 the My Number (FF10), EF 0002
 * the basic facts (FF20 with DF22-DF25).  Files may be padded past their
 * TLV.  Every length read from the card is checked against what was
 * actually read before it is used.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "face.h"
#include "jpki_pin.h"
#include "jpki_sw.h"
#include "log.h"

static const uint8_t FACE_AID[] = { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08 };

/* Any answer but 9000 to its SELECT: 6A82 from a card without it (a
 * phone); anything else from a card that does not know it either. */
static const jpki_applet FACE_APPLET = {
	FACE_AID, sizeof(FACE_AID), "card-face applet", "not there", JP_E_NOT_FOUND
};

enum {
	EF_MY_NUMBER = 0x0001,
	EF_BASIC     = 0x0002,
	EF_FACE_PIN  = 0x0011,
};

enum {
	TAG_MY_NUMBER = 0xFF10,
	TAG_BASIC     = 0xFF20,
	TAG_NAME      = 0xDF22,
	TAG_ADDRESS   = 0xDF23,
	TAG_BIRTH     = 0xDF24,
	TAG_SEX       = 0xDF25,
};

#define MY_NUMBER_LEN 12
/* Bigger than any name and address the card could hold (a few hundred
 * bytes of UTF-8): a length above it is garbage. */
#define FACE_FILE_MAX 4096
/* READ BINARYs one file may cost (a card answering a few bytes a time). */
#define FACE_MAX_READS 32

void face_data_free(face_data *d)
{
	int i;

	for (i = 0; i < FACE_FIELDS; i++) {
		if (d->v[i] != NULL) {
			OPENSSL_cleanse(d->v[i], d->len[i]);
			free(d->v[i]);
		}
	}
	memset(d, 0, sizeof(*d));
}

jp_rv face_select_app(jpki_card *c)
{
	return jpki_select_applet(c, &FACE_APPLET, &c->face_selected);
}

static jp_rv select_ef(jpki_card *c, uint16_t ef)
{
	return jpki_select_ef_of(c, &FACE_APPLET, &c->face_selected, ef);
}

jp_rv face_pin_tries(jpki_card *c, int *tries)
{
	jp_rv rv = select_ef(c, EF_FACE_PIN);

	return rv != JP_OK ? rv : jpki_pin_tries_here(c, tries);
}

jp_rv face_verify(jpki_card *c, const uint8_t *pin, size_t pin_len, int *tries_left)
{
	jp_rv rv;

	if (!jpki_pin_ok(pin, pin_len))
		return JP_E_ARGS;
	rv = select_ef(c, EF_FACE_PIN);
	return rv != JP_OK ? rv : jpki_verify_here(c, pin, pin_len, tries_left);
}

jp_rv face_change_pin(jpki_card *c, const uint8_t *new_pin, size_t new_len)
{
	jp_rv rv;

	if (!jpki_pin_ok(new_pin, new_len))
		return JP_E_ARGS;
	rv = select_ef(c, EF_FACE_PIN);
	return rv != JP_OK ? rv : jpki_change_pin_here(c, new_pin, new_len);
}

jp_rv face_verify_keypad(jpki_card *c, uint32_t code, bool display, int *tries_left)
{
	jp_rv rv = select_ef(c, EF_FACE_PIN);

	return rv != JP_OK ? rv : jpki_verify_keypad_here(c, code, display, tries_left);
}

jp_rv face_change_keypad(jpki_card *c, uint32_t code, bool display)
{
	jp_rv rv = select_ef(c, EF_FACE_PIN);

	return rv != JP_OK ? rv : jpki_change_keypad_here(c, code, display);
}

/* ---- TLV ---------------------------------------------------------------- */

/* The header of a BER-TLV at buf[*pos..len): tag of 1-3 bytes, length of
 * 1-3 bytes (definite, at most 0xFFFF).  On success *pos is past the
 * header; the value may go on past len. */
static bool tlv_header(const uint8_t *buf, size_t len, size_t *pos, unsigned *tag, size_t *vlen)
{
	size_t p = *pos, n;
	unsigned t;
	int i;

	if (p >= len)
		return false;
	t = buf[p++];
	if ((t & 0x1F) == 0x1F) {
		for (i = 0; ; i++) {
			if (i == 2 || p >= len)
				return false;
			t = t << 8 | buf[p];
			if (!(buf[p++] & 0x80))
				break;
		}
	}
	if (p >= len)
		return false;
	n = buf[p++];
	if (n == 0x81 || n == 0x82) {
		size_t k = n & 0x7F;
		if (len - p < k)
			return false;
		n = k == 1 ? buf[p] : (size_t)buf[p] << 8 | buf[p + 1];
		p += k;
	} else if (n > 0x7F) {
		return false;
	}
	*pos = p;
	*tag = t;
	*vlen = n;
	return true;
}

/* A whole TLV: the header, and the value within len. */
static bool tlv_next(const uint8_t *buf, size_t len, size_t *pos, unsigned *tag, size_t *vlen)
{
	size_t p = *pos;

	if (!tlv_header(buf, len, &p, tag, vlen) || len - p < *vlen)
		return false;
	*pos = p;
	return true;
}

static jp_rv put_field(face_data *d, face_field f, const uint8_t *v, size_t n)
{
	d->v[f] = malloc(n ? n : 1);
	if (d->v[f] == NULL)
		return JP_E_MEMORY;
	if (n)
		memcpy(d->v[f], v, n);
	d->len[f] = n;
	return JP_OK;
}

jp_rv face_parse_my_number(const uint8_t *buf, size_t len, face_data *d)
{
	size_t pos = 0, n, i;
	unsigned tag;

	if (!tlv_next(buf, len, &pos, &tag, &n) || tag != TAG_MY_NUMBER || n != MY_NUMBER_LEN) {
		JP_LOG("card-face EF %04X: malformed", EF_MY_NUMBER);
		return JP_E_DEVICE;
	}
	for (i = 0; i < n; i++) {
		if (buf[pos + i] < '0' || buf[pos + i] > '9') {
			JP_LOG("card-face EF %04X: not 12 digits", EF_MY_NUMBER);
			return JP_E_DEVICE;
		}
	}
	return put_field(d, FACE_MY_NUMBER, buf + pos, n);
}

jp_rv face_parse_basic(const uint8_t *buf, size_t len, face_data *d)
{
	static const struct { unsigned tag; face_field f; } FIELDS[] = {
		{ TAG_NAME, FACE_NAME }, { TAG_ADDRESS, FACE_ADDRESS },
		{ TAG_BIRTH, FACE_BIRTH }, { TAG_SEX, FACE_SEX },
	};
	face_data tmp;
	size_t pos = 0, n, end, i;
	unsigned tag;
	jp_rv rv = JP_E_DEVICE;

	memset(&tmp, 0, sizeof(tmp));
	if (!tlv_next(buf, len, &pos, &tag, &n) || tag != TAG_BASIC)
		goto malformed;
	end = pos + n;
	while (pos < end) {
		if (!tlv_next(buf, end, &pos, &tag, &n))
			goto malformed;
		for (i = 0; i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++)
			if (FIELDS[i].tag == tag)
				break;
		if (i < sizeof(FIELDS) / sizeof(FIELDS[0])) {
			if (tmp.v[FIELDS[i].f] != NULL)
				goto malformed;         /* twice */
			rv = put_field(&tmp, FIELDS[i].f, buf + pos, n);
			if (rv != JP_OK)
				goto out;
			rv = JP_E_DEVICE;
		}
		pos += n;
	}
	for (i = 0; i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++)
		if (tmp.v[FIELDS[i].f] == NULL)
			goto malformed;
	for (i = 0; i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++) {
		d->v[FIELDS[i].f] = tmp.v[FIELDS[i].f];
		d->len[FIELDS[i].f] = tmp.len[FIELDS[i].f];
	}
	return JP_OK;
malformed:
	JP_LOG("card-face EF %04X: malformed", EF_BASIC);
	rv = JP_E_DEVICE;
out:
	face_data_free(&tmp);
	return rv;
}

/* ---- reading ------------------------------------------------------------- */

/* Read an EF holding one TLV (then padding): the first READ BINARY asks
 * for a whole chunk, which brings the header; then exactly the rest of
 * the TLV.  *out (malloc'd, *out_len bytes) is wiped by the caller. */
static jp_rv read_tlv_file(jpki_card *c, uint16_t ef, uint8_t **out, size_t *out_len)
{
	uint8_t chunk[256], *buf = NULL;
	size_t n, total = 0, have, pos = 0, vlen;
	unsigned tag;
	uint16_t sw;
	int reads = 1;
	jp_rv rv;

	*out = NULL;
	*out_len = 0;
	rv = select_ef(c, ef);
	if (rv != JP_OK)
		return rv == JP_E_NOT_FOUND ? JP_E_DEVICE : rv;
	rv = jpki_read_binary(c, 0, 256, true, chunk, &n, &sw);
	if (rv != JP_OK)
		goto out;
	if (sw != SW_OK) {
		rv = sw == SW_OFFSET_PAST_END ? JP_E_DEVICE : jpki_sw_rv(sw);
		goto out;
	}
	/* The header only: the value may go on past this chunk. */
	if (!tlv_header(chunk, n, &pos, &tag, &vlen)) {
		JP_LOG("card-face EF %04X: no TLV header", ef);
		rv = JP_E_DEVICE;
		goto out;
	}
	total = pos + vlen;
	if (total > FACE_FILE_MAX) {
		JP_LOG("card-face EF %04X: length %zu is absurd", ef, total);
		rv = JP_E_DEVICE;
		goto out;
	}
	buf = malloc(total);
	if (buf == NULL) {
		rv = JP_E_MEMORY;
		goto out;
	}
	have = n < total ? n : total;
	memcpy(buf, chunk, have);
	while (have < total) {
		size_t want = total - have < 256 ? total - have : 256;
		if (++reads > FACE_MAX_READS) {
			JP_LOG("card-face EF %04X: too many READ BINARYs", ef);
			rv = JP_E_DEVICE;
			goto out;
		}
		rv = jpki_read_binary(c, have, want, true, chunk, &n, &sw);
		if (rv != JP_OK)
			goto out;
		if (sw != SW_OK || n == 0) {
			JP_LOG("card-face EF %04X: truncated (%04X)", ef, sw);
			rv = sw == SW_OK || sw == SW_OFFSET_PAST_END ? JP_E_DEVICE : jpki_sw_rv(sw);
			goto out;
		}
		memcpy(buf + have, chunk, n);   /* n <= want: checked by apdu.c */
		have += n;
	}
	*out = buf;
	*out_len = total;
	buf = NULL;
	rv = JP_OK;
out:
	OPENSSL_cleanse(chunk, sizeof(chunk));
	if (buf != NULL) {
		OPENSSL_cleanse(buf, total);
		free(buf);
	}
	return rv;
}

jp_rv face_read(jpki_card *c, face_data *d)
{
	uint8_t *buf;
	size_t len;
	jp_rv rv;

	memset(d, 0, sizeof(*d));
	rv = read_tlv_file(c, EF_MY_NUMBER, &buf, &len);
	if (rv == JP_OK) {
		rv = face_parse_my_number(buf, len, d);
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	if (rv == JP_OK)
		rv = read_tlv_file(c, EF_BASIC, &buf, &len);
	if (rv == JP_OK) {
		rv = face_parse_basic(buf, len, d);
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	if (rv != JP_OK)
		face_data_free(d);
	return rv;
}
