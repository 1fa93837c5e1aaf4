/* jpki-pkcs11: ISO 7816-4 short APDUs (see apdu.h). */
#include "config.h"

#include <string.h>
#include <openssl/crypto.h>

#include "apdu.h"
#include "log.h"

/* Upper bound on GET RESPONSE rounds: a card that keeps answering 61xx
 * is broken, and we must not loop forever on it. */
#define MAX_GET_RESPONSE 8

size_t jp_apdu_encode(const jp_apdu *a, uint8_t *buf, size_t buf_len)
{
	size_t n = 0, dlen = a->data != NULL ? a->data_len : 0;

	if (dlen > 255 || a->le < -1 || a->le > 256)
		return 0;
	if (a->data == NULL && a->data_len != 0)
		return 0;
	if (buf_len < 4 + (dlen ? 1 + dlen : 0) + (a->le >= 0 ? 1 : 0))
		return 0;
	buf[n++] = a->cla;
	buf[n++] = a->ins;
	buf[n++] = a->p1;
	buf[n++] = a->p2;
	if (dlen > 0) {                         /* cases 3 and 4 */
		buf[n++] = (uint8_t)dlen;
		memcpy(buf + n, a->data, dlen);
		n += dlen;
	}
	if (a->le >= 0)                         /* cases 2 and 4; 256 -> 00 */
		buf[n++] = (uint8_t)(a->le & 0xFF);
	return n;
}

/* Most data bytes the command asked for: Le 00 means 256. */
static size_t le_max(int le)
{
	return le == 0 ? 256 : (size_t)le;
}

static jp_rv transmit_traced(jp_transport *t, const uint8_t *cmd, size_t cmd_len,
                             int sensitive, uint8_t *ans, size_t *ans_len)
{
	jp_rv rv;

	jp_log_apdu("->", cmd, cmd_len, sensitive & JP_APDU_PIN);
	*ans_len = JP_MAX_RESPONSE;
	rv = jp_transport_transmit(t, cmd, cmd_len, ans, ans_len);
	if (rv != JP_OK) {
		JP_LOG("transmit: %s", jp_rv_name(rv));
		return rv;
	}
	jp_log_apdu("<-", ans, *ans_len, sensitive & JP_APDU_PRIVATE);
	if (*ans_len < 2 || *ans_len > JP_MAX_RESPONSE) {
		JP_LOG("answer of %zu bytes: malformed", *ans_len);
		return JP_E_DEVICE;
	}
	return JP_OK;
}

static jp_rv exchange(jp_transport *t, const jp_apdu *a, uint8_t *cmd, uint8_t *ans,
                      uint8_t *resp, size_t *resp_len, uint16_t *sw);

jp_rv jp_apdu_exchange(jp_transport *t, const jp_apdu *a,
                       uint8_t *resp, size_t *resp_len, uint16_t *sw)
{
	uint8_t cmd[4 + 1 + 255 + 1], ans[JP_MAX_RESPONSE];
	jp_rv rv = exchange(t, a, cmd, ans, resp, resp_len, sw);

	/* The command may have carried a PIN, the answer private data. */
	OPENSSL_cleanse(cmd, sizeof(cmd));
	OPENSSL_cleanse(ans, sizeof(ans));
	return rv;
}

static jp_rv exchange(jp_transport *t, const jp_apdu *a, uint8_t *cmd, uint8_t *ans,
                      uint8_t *resp, size_t *resp_len, uint16_t *sw)
{
	size_t cmd_len, ans_len, got = 0, cap = resp != NULL && resp_len != NULL ? *resp_len : 0;
	size_t want = a->le >= 0 ? le_max(a->le) : cap;
	int rounds = 0;
	jp_rv rv;

	cmd_len = jp_apdu_encode(a, cmd, 4 + 1 + 255 + 1);
	if (cmd_len == 0)
		return JP_E_ARGS;
	rv = transmit_traced(t, cmd, cmd_len, a->sensitive, ans, &ans_len);
	if (rv != JP_OK)
		return rv;

	/* 6Cxx: wrong Le, xx is the right one.  Resend once with it, only for
	 * a command that has an Le at all and never for one carrying a PIN (no
	 * VERIFY is ever repeated). */
	if (ans_len == 2 && ans[0] == 0x6C && a->le >= 0 && !(a->sensitive & JP_APDU_PIN)) {
		cmd[cmd_len - 1] = ans[1];
		want = le_max(ans[1]);
		rv = transmit_traced(t, cmd, cmd_len, a->sensitive, ans, &ans_len);
		if (rv != JP_OK)
			return rv;
	}

	for (;;) {
		size_t dlen = ans_len - 2;
		uint8_t sw1 = ans[ans_len - 2], sw2 = ans[ans_len - 1];

		if (got + dlen > cap) {
			JP_LOG("answer longer than the %zu bytes expected", cap);
			return JP_E_DEVICE;
		}
		if (dlen > 0)
			memcpy(resp + got, ans, dlen);
		got += dlen;
		if (sw1 != 0x61) {
			*sw = (uint16_t)(sw1 << 8 | sw2);
			break;
		}
		/* 61xx: xx more bytes wait for a GET RESPONSE (T=0, or a card
		 * that chains its answer). */
		if (++rounds > MAX_GET_RESPONSE) {
			JP_LOG("too many GET RESPONSE rounds");
			return JP_E_DEVICE;
		}
		{
			uint8_t gr[5] = { 0x00, 0xC0, 0x00, 0x00, sw2 };
			rv = transmit_traced(t, gr, sizeof(gr), a->sensitive & JP_APDU_PRIVATE, ans, &ans_len);
			if (rv != JP_OK)
				return rv;
		}
	}

	/* More data than the command asked for is not an answer to it. */
	if (a->le >= 0 && got > want) {
		JP_LOG("answer of %zu bytes to Le %zu", got, want);
		return JP_E_DEVICE;
	}
	if (resp_len != NULL)
		*resp_len = got;
	return JP_OK;
}
