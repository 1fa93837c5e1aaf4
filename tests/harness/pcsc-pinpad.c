/*
 * pcsc-apdu's PIN-pad verbs: the reader's PC/SC part 10 features, and a
 * VERIFY or a PIN change typed on its keypad, built by the module's own
 * src/pinpad.c.
 *
 *   features READER        one line per feature TLV: "verify-direct CODE",
 *                          "modify-direct CODE", "pin-properties CODE
 *                          lcd=LINESxCHARS", others "tag-TT CODE"
 *   verify-direct READER EF
 *                          in one transaction: SELECT the JPKI applet and
 *                          the PIN's EF (4 hex digits), then VERIFY with the
 *                          PIN typed on the keypad; prints "verify sw=XXXX"
 *   change-direct READER EF
 *                          the same, then, if the VERIFY gave 9000, CHANGE
 *                          REFERENCE DATA with the new PIN typed twice;
 *                          prints "verify sw=XXXX" and "change sw=XXXX"
 * Exit 0 when the reader answered (whatever the status word), 3 when it
 * lacks the feature, 2 on a PC/SC error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <reader.h>

#include "pcsc-pinpad.h"
#include "pinpad.h"

static const BYTE SELECT_JPKI[] = {
	0x00, 0xA4, 0x04, 0x0C, 0x0A,
	0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01
};

static int fail(const char *what, LONG rv)
{
	fprintf(stderr, "pcsc-apdu: %s: %s\n", what, pcsc_stringify_error(rv));
	return 2;
}

/* The feature TLVs; a reader that does not know the request has none. */
static LONG get_features(SCARDHANDLE card, BYTE *buf, DWORD *len)
{
	LONG rv = SCardControl(card, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0,
			       buf, *len, len);

	if (rv == SCARD_E_UNSUPPORTED_FEATURE) {
		*len = 0;
		rv = SCARD_S_SUCCESS;
	}
	return rv;
}

int pinpad_features(SCARDCONTEXT ctx, const char *reader)
{
	BYTE buf[256], props[16];
	DWORD len = sizeof(buf), plen, proto, i;
	SCARDHANDLE card;
	LONG rv;

	rv = SCardConnect(ctx, reader, SCARD_SHARE_DIRECT, 0, &card, &proto);
	if (rv != SCARD_S_SUCCESS)
		return fail("SCardConnect", rv);
	rv = get_features(card, buf, &len);
	if (rv != SCARD_S_SUCCESS) {
		SCardDisconnect(card, SCARD_LEAVE_CARD);
		return fail("SCardControl(GET_FEATURE_REQUEST)", rv);
	}
	for (i = 0; i + 6 <= len; i += 2 + buf[i + 1]) {
		unsigned long code = (unsigned long)buf[i + 2] << 24 |
				     (unsigned long)buf[i + 3] << 16 |
				     (unsigned long)buf[i + 4] << 8 | buf[i + 5];
		int lines, chars;

		switch (buf[i]) {
		case FEATURE_VERIFY_PIN_DIRECT:
			printf("verify-direct %08lX\n", code);
			break;
		case FEATURE_MODIFY_PIN_DIRECT:
			printf("modify-direct %08lX\n", code);
			break;
		case FEATURE_IFD_PIN_PROPERTIES:
			plen = sizeof(props);
			rv = SCardControl(card, (DWORD)code, NULL, 0, props,
					  plen, &plen);
			if (rv != SCARD_S_SUCCESS ||
			    jp_pinpad_parse_properties(props, plen, &lines, &chars))
				printf("pin-properties %08lX unreadable\n", code);
			else
				printf("pin-properties %08lX lcd=%dx%d\n", code,
				       lines, chars);
			break;
		default:
			printf("tag-%02X %08lX\n", buf[i], code);
		}
	}
	SCardDisconnect(card, SCARD_LEAVE_CARD);
	return 0;
}

/* Sends an APDU; its status word in *sw. */
static LONG xchg(SCARDHANDLE card, DWORD proto, const BYTE *apdu, DWORD len, unsigned *sw)
{
	BYTE resp[258];
	DWORD rlen = sizeof(resp);
	LONG rv = SCardTransmit(card, proto == SCARD_PROTOCOL_T0 ?
				SCARD_PCI_T0 : SCARD_PCI_T1, apdu, len, NULL,
				resp, &rlen);

	if (rv == SCARD_S_SUCCESS && rlen < 2)
		rv = SCARD_F_COMM_ERROR;
	if (rv == SCARD_S_SUCCESS)
		*sw = (unsigned)resp[rlen - 2] << 8 | resp[rlen - 1];
	return rv;
}

/* A keypad operation: the structure to the control code; prints and
 * returns the status word (0 on a PC/SC error). */
static unsigned keypad(SCARDHANDLE card, DWORD code, const BYTE *s, DWORD len, const char *what)
{
	BYTE resp[258];
	DWORD rlen = sizeof(resp);
	uint16_t sw;
	LONG rv = SCardControl(card, code, s, len, resp, sizeof(resp), &rlen);

	if (rv != SCARD_S_SUCCESS) {
		fail(what, rv);
		return 0;
	}
	jp_pinpad_result_of(resp, rlen, NULL, &sw);
	printf("%s sw=%04X\n", what, sw);
	return sw;
}

static int run_keypad(SCARDCONTEXT ctx, const char *reader, const char *ef, int change)
{
	BYTE feat[256], sel_ef[7] = { 0x00, 0xA4, 0x02, 0x0C, 0x02 };
	BYTE s[64];
	DWORD flen = sizeof(feat), proto;
	jp_pinpad_features f;
	SCARDHANDLE card;
	unsigned sw = 0, id;
	int ret = 2;
	LONG rv;

	if (strlen(ef) != 4 || sscanf(ef, "%4x", &id) != 1) {
		fprintf(stderr, "pcsc-apdu: bad EF %s\n", ef);
		return 2;
	}
	sel_ef[5] = (BYTE)(id >> 8);
	sel_ef[6] = (BYTE)id;
	rv = SCardConnect(ctx, reader, SCARD_SHARE_SHARED,
			  SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &proto);
	if (rv != SCARD_S_SUCCESS)
		return fail("SCardConnect", rv);
	rv = get_features(card, feat, &flen);
	if (rv != SCARD_S_SUCCESS ||
	    jp_pinpad_parse_features(feat, flen, &f) != 0 ||
	    f.verify_direct == 0 || (change && f.modify_direct == 0)) {
		printf("no keypad feature\n");
		SCardDisconnect(card, SCARD_LEAVE_CARD);
		return 3;
	}
	rv = SCardBeginTransaction(card);
	if (rv != SCARD_S_SUCCESS) {
		SCardDisconnect(card, SCARD_LEAVE_CARD);
		return fail("SCardBeginTransaction", rv);
	}
	if ((rv = xchg(card, proto, SELECT_JPKI, sizeof(SELECT_JPKI), &sw)) ||
	    sw != 0x9000 ||
	    (rv = xchg(card, proto, sel_ef, sizeof(sel_ef), &sw)) || sw != 0x9000) {
		if (rv != SCARD_S_SUCCESS)
			fail("SCardTransmit", rv);
		else
			printf("select sw=%04X\n", sw);
		goto end;
	}
	sw = keypad(card, f.verify_direct, s,
		    (DWORD)jp_pinpad_build_verify(30, s, sizeof(s)), "verify");
	if (sw != 0 && change && sw == 0x9000)
		sw = keypad(card, f.modify_direct, s,
			    (DWORD)jp_pinpad_build_change(30, s, sizeof(s)),
			    "change");
	ret = sw != 0 ? 0 : 2;
end:
	/* Leave nothing verified behind, as the module must not. */
	xchg(card, proto, SELECT_JPKI, sizeof(SELECT_JPKI), &sw);
	SCardEndTransaction(card, SCARD_LEAVE_CARD);
	SCardDisconnect(card, SCARD_LEAVE_CARD);
	return ret;
}

int pinpad_verify(SCARDCONTEXT ctx, const char *reader, const char *ef)
{
	return run_keypad(ctx, reader, ef, 0);
}

int pinpad_change(SCARDCONTEXT ctx, const char *reader, const char *ef)
{
	return run_keypad(ctx, reader, ef, 1);
}
