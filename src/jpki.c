/* jpki-pkcs11: the JPKI card application (see jpki.h): selecting the
 * applet and its files, the token information, the certificates and the
 * signature.  The PIN commands are in jpki_pin.c.
 *
 * The facts of the JPKI applet live here: the AID, the file IDs, what the
 * files hold; the status words are in jpki_sw.h.  Sources (facts only):
 * OpenSC's JPKI driver, the jpki/myna clients and published surveys of
 * real cards.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jpki.h"
#include "jpki_sw.h"
#include "log.h"

static const uint8_t JPKI_AID[] = { 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 };

/* Any answer but 9000 to its SELECT: 6A82 from a card that knows SELECT;
 * other cards answer 6A86, 6D00, 6E00 or anything: none of them is a JPKI
 * card. */
static const jpki_applet JPKI_APPLET = {
	JPKI_AID, sizeof(JPKI_AID), "JPKI applet", "not a JPKI card", JP_E_NOT_JPKI
};

/* Elementary files of the JPKI applet. */
enum {
	EF_SIGN_CERT    = 0x0001,
	EF_SIGN_CA      = 0x0002,
	EF_TOKEN_INFO   = 0x0006,
	EF_AVAILABILITY = 0x0008,
	EF_AUTH_CERT    = 0x000A,
	EF_AUTH_CA      = 0x000B,
	EF_AUTH_KEY     = 0x0017,
	EF_AUTH_PIN     = 0x0018,
	EF_SIGN_KEY     = 0x001A,
	EF_SIGN_PIN     = 0x001B,
};

/* Per credential: its files. */
static const struct {
	uint16_t cert, ca, key, pin;
} CRED_EF[2] = {
	[JPKI_AUTH] = { EF_AUTH_CERT, EF_AUTH_CA, EF_AUTH_KEY, EF_AUTH_PIN },
	[JPKI_SIGN] = { EF_SIGN_CERT, EF_SIGN_CA, EF_SIGN_KEY, EF_SIGN_PIN },
};

/* EF 0006 is shaped like a CK_TOKEN_INFO: label 32, manufacturer 32,
 * model 16, then the serial number, 16 ASCII characters. */
#define INFO_LABEL_LEN 32
#define INFO_SERIAL_OFFSET (32 + 32 + 16)
#define INFO_READ_LEN (INFO_SERIAL_OFFSET + JPKI_SERIAL_LEN)

/* The label of an Android phone's JPKI applet (スマホ用電子証明書); a card
 * says JPKIAPICCTOKEN2 (JPKIAPICCTOKEN: the older 住基カード). */
static const char LABEL_PHONE[] = "JPKIAPGPSETOKEN";

/* A certificate bigger than this is not one the card could hold: the
 * length field is garbage.  (Real ones are around 1.5-2 KB.) */
#define CERT_MAX 8192

/* READ BINARYs one certificate may cost: a card answering a few bytes per
 * read must not make the module send thousands of APDUs. */
#define JPKI_MAX_READS 64

/* RSA 2048: the only key size of this card generation. */
#define SIG_LEN 256

bool jpki_valid_cred(jpki_cred cred)
{
	return cred == JPKI_AUTH || cred == JPKI_SIGN;
}

void jpki_card_init(jpki_card *c, jp_transport *t)
{
	c->t = t;
	jpki_card_forget(c);
	c->fresh = true;
}

void jpki_card_forget(jpki_card *c)
{
	c->app_selected = false;
	c->face_selected = false;
	c->current_ef = 0;
}

/* Send one APDU.  After a transport failure nothing is known about what is
 * selected (the card may have been reset), so forget it. */
static jp_rv xchg(jpki_card *c, const jp_apdu *a, uint8_t *resp, size_t *resp_len, uint16_t *sw)
{
	jp_rv rv = jp_apdu_exchange(c->t, a, resp, resp_len, sw);
	if (rv != JP_OK)
		jpki_card_forget(c);
	else
		c->fresh = false;
	return rv;
}

jp_rv jpki_command(jpki_card *c, const jp_apdu *a, uint16_t *sw)
{
	uint8_t resp[256];
	size_t n = sizeof(resp);

	return xchg(c, a, resp, &n, sw);
}

jp_rv jpki_select_applet(jpki_card *c, const jpki_applet *app, bool *selected)
{
	jp_apdu a = { 0x00, 0xA4, 0x04, 0x0C, app->aid, app->aid_len, -1, 0 };
	uint16_t sw;
	jp_rv rv;
	bool fresh = c->fresh;

	/* Whatever the answer, the previous selection (and any verified PIN)
	 * is gone on the card. */
	jpki_card_forget(c);
	rv = jpki_command(c, &a, &sw);
	if (rv == JP_OK && sw == SW_NO_DIAGNOSIS && fresh) {
		JP_LOG("SELECT application: 6F00 as the first answer: sent once more");
		rv = jpki_command(c, &a, &sw);
	}
	if (rv != JP_OK)
		return rv;
	if (sw != SW_OK) {
		JP_LOG("SELECT %s: %04X, %s", app->name, sw, app->absent);
		return app->absent_rv;
	}
	*selected = true;
	return JP_OK;
}

jp_rv jpki_select_app(jpki_card *c)
{
	return jpki_select_applet(c, &JPKI_APPLET, &c->app_selected);
}

jp_rv jpki_select_ef_of(jpki_card *c, const jpki_applet *app, bool *selected, uint16_t ef)
{
	uint8_t id[2] = { (uint8_t)(ef >> 8), (uint8_t)ef };
	jp_apdu a = { 0x00, 0xA4, 0x02, 0x0C, id, sizeof(id), -1, 0 };
	uint16_t sw;
	jp_rv rv = *selected ? JP_OK : jpki_select_applet(c, app, selected);

	if (rv != JP_OK || c->current_ef == ef)
		return rv;
	c->current_ef = 0;
	rv = jpki_command(c, &a, &sw);
	if (rv != JP_OK)
		return rv;
	if (sw != SW_OK)
		return jpki_sw_rv(sw);
	c->current_ef = ef;
	return JP_OK;
}

/* Select an EF of the JPKI applet, unless it is already current. */
static jp_rv select_ef(jpki_card *c, uint16_t ef)
{
	return jpki_select_ef_of(c, &JPKI_APPLET, &c->app_selected, ef);
}

jp_rv jpki_select_pin_ef(jpki_card *c, jpki_cred cred)
{
	return select_ef(c, CRED_EF[cred].pin);
}

jp_rv jpki_read_binary(jpki_card *c, size_t offset, size_t want, bool private,
                       uint8_t *buf, size_t *got, uint16_t *sw)
{
	jp_apdu a = { 0x00, 0xB0, (uint8_t)(offset >> 8), (uint8_t)offset, NULL, 0, (int)want,
	              private ? JP_APDU_PRIVATE : 0 };

	if (offset > 0x7FFF || want == 0 || want > 256)
		return JP_E_ARGS;
	*got = want;
	return xchg(c, &a, buf, got, sw);
}

/* The serial number: 16 printable ASCII characters, trailing blanks
 * dropped.  Blank or with any non-printable byte: absent. */
static void parse_serial(const uint8_t *s, size_t n, char out[JPKI_SERIAL_LEN + 1])
{
	size_t i, len = n;

	out[0] = '\0';
	if (n != JPKI_SERIAL_LEN)
		return;
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7E)
			return;
	while (len > 0 && s[len - 1] == ' ')
		len--;
	memcpy(out, s, len);
	out[len] = '\0';
}

/* The label, 32 bytes blank-padded: a phone's, or anything else (a card). */
static jpki_kind parse_kind(const uint8_t *s, size_t n)
{
	size_t len = sizeof(LABEL_PHONE) - 1, i;

	if (n < INFO_LABEL_LEN || memcmp(s, LABEL_PHONE, len) != 0)
		return JPKI_KIND_CARD;
	for (i = len; i < INFO_LABEL_LEN; i++)
		if (s[i] != ' ' && s[i] != '\0')
			return JPKI_KIND_CARD;
	JP_LOG("token information: an Android phone's JPKI applet");
	return JPKI_KIND_PHONE;
}

jp_rv jpki_read_info(jpki_card *c, jpki_info *info)
{
	uint8_t buf[256];
	size_t n;
	uint16_t sw;
	jp_rv rv;

	memset(info, 0, sizeof(*info));

	/* From EF 0006 the label and the serial are needed: one READ BINARY
	 * of the first 96 bytes brings both.  A shorter file is read as far
	 * as it goes. */
	rv = select_ef(c, EF_TOKEN_INFO);
	if (rv == JP_OK) {
		rv = jpki_read_binary(c, 0, INFO_READ_LEN, false, buf, &n, &sw);
		if (rv != JP_OK)
			return rv;
		if (sw == SW_OK) {
			info->kind = parse_kind(buf, n);
			if (n >= INFO_READ_LEN)
				parse_serial(buf + INFO_SERIAL_OFFSET, JPKI_SERIAL_LEN, info->serial);
		} else if (sw != SW_OFFSET_PAST_END) {
			return jpki_sw_rv(sw);
		}
	} else if (rv != JP_E_NOT_FOUND) {
		return rv;
	}
	if (info->serial[0] == '\0')
		JP_LOG("token information: no usable serial number");
	/* A phone keeps its user-authentication certificate behind that PIN
	 * and carries no other applet. */
	info->cert_private[JPKI_SIGN] = true;
	info->cert_private[JPKI_AUTH] = info->kind == JPKI_KIND_PHONE;
	info->may_have_face = info->kind != JPKI_KIND_PHONE;

	/* EF 0008: byte 0 the signature certificate, byte 1 the
	 * user-authentication one.  Missing or short: assume both, and let the
	 * certificate reads find out. */
	info->has_cert[JPKI_AUTH] = info->has_cert[JPKI_SIGN] = true;
	rv = select_ef(c, EF_AVAILABILITY);
	if (rv == JP_E_NOT_FOUND)
		return JP_OK;
	if (rv != JP_OK)
		return rv;
	rv = jpki_read_binary(c, 0, 3, 0, buf, &n, &sw);
	if (rv != JP_OK)
		return rv;
	if (sw == SW_OK && n >= 2) {
		info->has_cert[JPKI_SIGN] = buf[0] != 0;
		info->has_cert[JPKI_AUTH] = buf[1] != 0;
	} else if (sw != SW_OK && sw != SW_OFFSET_PAST_END) {
		return jpki_sw_rv(sw);
	} else {
		JP_LOG("certificate availability: short file, assuming both");
	}
	return JP_OK;
}

static bool all_ff(const uint8_t *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (b[i] != 0xFF)
			return false;
	return true;
}

/* The first READ BINARY asks for a whole chunk (Le 00): it brings the
 * 4-byte header "30 82 LL LL" and the start of the certificate at once,
 * so a certificate of L bytes costs ceil(L / 256) reads. */
jp_rv jpki_read_cert(jpki_card *c, jpki_cred cred, bool ca, uint8_t **der, size_t *len)
{
	return jpki_read_cert_known(c, cred, ca, NULL, 0, der, len, NULL);
}

/* The first chunk is the certificate's start: its length, version, serial
 * number, signature algorithm, issuer and validity.  Equal to the known
 * copy's start, with the same length, it is the same certificate: a
 * renewed one has another serial and validity, another card's another
 * serial. */
static bool same_start(const uint8_t *chunk, size_t n, size_t total, const uint8_t *known, size_t known_len)
{
	size_t cmp = known_len < 256 ? known_len : 256;

	return known && total == known_len && n >= cmp && memcmp(chunk, known, cmp) == 0;
}

jp_rv jpki_read_cert_known(jpki_card *c, jpki_cred cred, bool ca, const uint8_t *known, size_t known_len,
                           uint8_t **der, size_t *len, bool *same)
{
	uint8_t chunk[256], *out = NULL;
	size_t n, total, have;
	uint16_t sw, ef;
	/* End-entity certificates are read as private: the signature one
	 * names the holder, and a phone's user-authentication one is behind
	 * its PIN.  The CA certificates are public. */
	bool private = !ca;
	int reads = 1;
	jp_rv rv;

	*der = NULL;
	*len = 0;
	if (same)
		*same = false;
	if (!jpki_valid_cred(cred))
		return JP_E_ARGS;
	/* never compared for the signature certificate, which is never
	 * cached (the token model decides what is: not a phone's either) */
	if (!same || (cred == JPKI_SIGN && !ca))
		known = NULL;
	ef = ca ? CRED_EF[cred].ca : CRED_EF[cred].cert;

	rv = select_ef(c, ef);
	if (rv == JP_E_NOT_FOUND)
		return JP_OK;                   /* absent on some cards: no certificate */
	if (rv != JP_OK)
		return rv;
	rv = jpki_read_binary(c, 0, 256, private, chunk, &n, &sw);
	if (rv != JP_OK)
		return rv;
	if (sw != SW_OK) {
		/* 6B00 at offset 0 is an empty file: no header, malformed */
		return sw == SW_OFFSET_PAST_END ? JP_E_DEVICE : jpki_sw_rv(sw);
	}
	if (n > 0 && all_ff(chunk, n))
		return JP_OK;                   /* erased file: no certificate */
	if (n < 4 || chunk[0] != 0x30 || chunk[1] != 0x82) {
		JP_LOG("EF %04X: not a certificate", ef);
		return JP_E_DEVICE;
	}
	total = 4 + ((size_t)chunk[2] << 8 | chunk[3]);
	if (total > CERT_MAX) {
		JP_LOG("EF %04X: certificate length %zu is absurd", ef, total);
		return JP_E_DEVICE;
	}
	if (known && same_start(chunk, n, total, known, known_len)) {
		*same = true;
		return JP_OK;
	}
	out = malloc(total);
	if (out == NULL)
		return JP_E_MEMORY;
	have = n < total ? n : total;
	memcpy(out, chunk, have);

	while (have < total) {
		size_t want = total - have < 256 ? total - have : 256;
		if (++reads > JPKI_MAX_READS) {
			JP_LOG("EF %04X: more than %d READ BINARYs for one certificate", ef, JPKI_MAX_READS);
			rv = JP_E_DEVICE;
			goto fail;
		}
		rv = jpki_read_binary(c, have, want, private, chunk, &n, &sw);
		if (rv != JP_OK)
			goto fail;
		if (sw != SW_OK || n == 0) {
			/* the file ends before the certificate does */
			JP_LOG("EF %04X: truncated at %zu of %zu bytes (%04X)", ef, have, total, sw);
			rv = sw == SW_OK || sw == SW_OFFSET_PAST_END ? JP_E_DEVICE : jpki_sw_rv(sw);
			goto fail;
		}
		memcpy(out + have, chunk, n);   /* n <= want: checked by apdu.c */
		have += n;
	}
	*der = out;
	*len = total;
	return JP_OK;
fail:
	free(out);
	return rv;
}

jp_rv jpki_sign(jpki_card *c, jpki_cred cred, const uint8_t *data, size_t data_len,
                uint8_t *sig, size_t *sig_len)
{
	/* CLA 80: the card's proprietary COMPUTE DIGITAL SIGNATURE; P1 00:
	 * the data is signed as given, with PKCS#1 v1.5 type-1 padding. */
	jp_apdu a = { 0x80, 0x2A, 0x00, 0x80, data, data_len, 0, 0 };
	uint8_t resp[256];
	size_t n = sizeof(resp);
	uint16_t sw;
	jp_rv rv;

	if (!jpki_valid_cred(cred) || data == NULL || data_len == 0 ||
	    sig == NULL || sig_len == NULL || *sig_len < SIG_LEN)
		return JP_E_ARGS;
	if (data_len > 255)
		return JP_E_DATA_LEN;   /* no short APDU carries it; no 2048-bit key takes it */
	rv = select_ef(c, CRED_EF[cred].key);
	if (rv != JP_OK)
		return rv;
	rv = xchg(c, &a, resp, &n, &sw);
	if (rv != JP_OK)
		return rv;
	if (sw != SW_OK)
		return SW_TRIES_LEFT(sw) ? JP_E_DEVICE : jpki_sw_rv(sw);
	if (n != SIG_LEN) {
		JP_LOG("signature of %zu bytes, expected %d", n, SIG_LEN);
		return JP_E_DEVICE;
	}
	memcpy(sig, resp, n);
	*sig_len = n;
	return JP_OK;
}

jp_rv jpki_clear_state(jpki_card *c)
{
	/* The card drops every verified PIN when an application is selected,
	 * the JPKI one included. */
	return jpki_select_app(c);
}
