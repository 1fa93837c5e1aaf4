/*
 * pcsc-apdu: a small PC/SC client for the integration-test harness.
 *
 *   pcsc-apdu readers                      list readers, one per line
 *   pcsc-apdu wait READER present|absent SECONDS
 *                                          wait for the card state
 *                                          (exit 0 reached, 1 timeout)
 *   pcsc-apdu run READER [SCRIPT]          send the APDUs of SCRIPT (or
 *                                          stdin), check the answers
 *   pcsc-apdu features READER              the reader's PIN-pad features
 *   pcsc-apdu verify-direct READER EF      a VERIFY typed on the keypad
 *   pcsc-apdu change-direct READER EF      a PIN change typed on the keypad
 *                                          (see pcsc-pinpad.c)
 *
 * Script lines ("#" starts a comment):
 *   APDU [SW [DATA]]   hex; SW and DATA may use "x" for any nibble; DATA
 *                      "len=N" checks only the length; "-" for SW: any;
 *                      SW "error" or an error name (SCARD_E_NOT_TRANSACTED):
 *                      SCardTransmit must fail (with that error)
 *   reset              reconnect with SCARD_RESET_CARD
 *   reconnect leave|reset|unpower [RESULT]   SCardReconnect with that
 *                      disposition; RESULT: success, error (any) or an
 *                      error name
 *   begin              SCardBeginTransaction
 *   end leave|reset|unpower            SCardEndTransaction
 *   wait-link SECONDS  wait until the driver answers SCardGetAttrib (ATR)
 *                      again (after a broken link)
 *   sleep MS           pause
 *   echo TEXT          print TEXT
 * Every exchange is printed; the exit code is 0 when all answers matched,
 * 1 when one did not, 2 on a PC/SC error.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <winscard.h>

#include "pcsc-pinpad.h"

static SCARDCONTEXT ctx;

static int fail(const char *what, LONG rv)
{
	fprintf(stderr, "pcsc-apdu: %s: %s\n", what, pcsc_stringify_error(rv));
	return 2;
}

static const struct {
	LONG rv;
	const char *name;
} errors[] = {
	{ SCARD_E_NOT_TRANSACTED, "SCARD_E_NOT_TRANSACTED" },
	{ SCARD_W_REMOVED_CARD, "SCARD_W_REMOVED_CARD" },
	{ SCARD_W_RESET_CARD, "SCARD_W_RESET_CARD" },
	{ SCARD_W_UNRESPONSIVE_CARD, "SCARD_W_UNRESPONSIVE_CARD" },
	{ SCARD_W_UNPOWERED_CARD, "SCARD_W_UNPOWERED_CARD" },
	{ SCARD_E_NO_SMARTCARD, "SCARD_E_NO_SMARTCARD" },
	{ SCARD_E_PROTO_MISMATCH, "SCARD_E_PROTO_MISMATCH" },
	{ SCARD_E_READER_UNAVAILABLE, "SCARD_E_READER_UNAVAILABLE" },
	{ SCARD_E_INSUFFICIENT_BUFFER, "SCARD_E_INSUFFICIENT_BUFFER" },
	{ SCARD_E_SHARING_VIOLATION, "SCARD_E_SHARING_VIOLATION" },
	{ SCARD_F_COMM_ERROR, "SCARD_F_COMM_ERROR" },
	{ SCARD_E_COMM_DATA_LOST, "SCARD_E_COMM_DATA_LOST" },
};

static const char *error_name(LONG rv)
{
	size_t i;

	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].rv == rv)
			return errors[i].name;
	return "error";
}

static int disposition(const char *s, DWORD *d)
{
	if (s && strcmp(s, "leave") == 0)
		*d = SCARD_LEAVE_CARD;
	else if (s && strcmp(s, "reset") == 0)
		*d = SCARD_RESET_CARD;
	else if (s && strcmp(s, "unpower") == 0)
		*d = SCARD_UNPOWER_CARD;
	else
		return -1;
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* After vpcd dropped the link, pcscd takes the card's new one at its next
   presence poll; until then the driver cannot answer. pcscd passes the
   attribute to the driver as it is: ask for the driver tag TAG_IFD_ATR
   (ifdhandler.h), which vpcd answers by asking the card for its ATR. */
#define ATTR_IFD_ATR 0x0303

static int wait_link(SCARDHANDLE card, long secs)
{
	unsigned char atr[64];
	DWORD len;
	long left_ms = secs * 1000;

	for (; left_ms >= 0; left_ms -= 50) {
		len = sizeof(atr);
		if (SCardGetAttrib(card, ATTR_IFD_ATR, atr, &len) ==
		    SCARD_S_SUCCESS)
			return 0;
		sleep_ms(50);
	}
	return -1;
}

static int list_readers(void)
{
	char *buf = NULL, *p;
	DWORD len = SCARD_AUTOALLOCATE;
	LONG rv = SCardListReaders(ctx, NULL, (LPSTR)&buf, &len);

	if (rv == SCARD_E_NO_READERS_AVAILABLE)
		return 0;
	if (rv != SCARD_S_SUCCESS)
		return fail("SCardListReaders", rv);
	for (p = buf; *p; p += strlen(p) + 1)
		puts(p);
	SCardFreeMemory(ctx, buf);
	return 0;
}

static int wait_state(const char *reader, const char *want, long secs)
{
	SCARD_READERSTATE st;
	DWORD flag = strcmp(want, "present") == 0 ? SCARD_STATE_PRESENT :
		     SCARD_STATE_EMPTY;
	long left_ms = secs * 1000;
	LONG rv;

	memset(&st, 0, sizeof(st));
	st.szReader = reader;
	st.dwCurrentState = SCARD_STATE_UNAWARE;
	while (left_ms >= 0) {
		rv = SCardGetStatusChange(ctx, 200, &st, 1);
		if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT)
			return fail("SCardGetStatusChange", rv);
		if (st.dwEventState & flag)
			return 0;
		st.dwCurrentState = st.dwEventState & ~SCARD_STATE_CHANGED;
		left_ms -= 200;
	}
	fprintf(stderr, "pcsc-apdu: %s: not %s after %ld s\n", reader, want,
		secs);
	return 1;
}

static int unhex(const char *s, unsigned char *out, size_t cap, size_t *len)
{
	size_t n = 0;
	unsigned int v;

	for (; *s; s += 2) {
		if (!isxdigit((unsigned char)s[0]) ||
		    !isxdigit((unsigned char)s[1]) || n == cap)
			return -1;
		sscanf(s, "%2x", &v);
		out[n++] = (unsigned char)v;
	}
	*len = n;
	return 0;
}

/* Compares hex text with a pattern where x matches any nibble. */
static int match(const char *hex, const char *pattern)
{
	if (strlen(hex) != strlen(pattern))
		return 0;
	for (; *hex; hex++, pattern++)
		if (*pattern != 'x' && *pattern != 'X' &&
		    toupper((unsigned char)*hex) != toupper((unsigned char)*pattern))
			return 0;
	return 1;
}

static void tohex(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", p[i]);
	out[2 * n] = '\0';
}

static int run(const char *reader, FILE *in)
{
	static unsigned char cmd[65544], resp[65538];
	static char line[140000], hex[140000], dhex[140000];
	SCARDHANDLE card;
	DWORD proto, rlen, disp;
	const SCARD_IO_REQUEST *pci;
	LONG rv;
	int bad = 0, lineno = 0;

	rv = SCardConnect(ctx, reader, SCARD_SHARE_SHARED,
			  SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &proto);
	if (rv != SCARD_S_SUCCESS)
		return fail("SCardConnect", rv);
	while (fgets(line, sizeof(line), in)) {
		char *apdu, *sw, *data;
		size_t clen;
		int ok, want_error;

		lineno++;
		line[strcspn(line, "#\r\n")] = '\0';
		apdu = strtok(line, " \t");
		if (!apdu)
			continue;
		if (strcmp(apdu, "echo") == 0) {
			data = strtok(NULL, "");
			printf("== %s\n", data ? data : "");
			continue;
		}
		sw = strtok(NULL, " \t");
		data = strtok(NULL, " \t");
		if (strcmp(apdu, "reset") == 0 || strcmp(apdu, "reconnect") == 0) {
			if (strcmp(apdu, "reset") == 0)
				sw = "reset";
			if (disposition(sw, &disp))
				goto bad_line;
			rv = SCardReconnect(card, SCARD_SHARE_SHARED,
					    SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
					    disp, &proto);
			printf("-- reconnect %s: %s\n", sw, rv == SCARD_S_SUCCESS ?
			       "success" : error_name(rv));
			if (data && (strcmp(data, rv == SCARD_S_SUCCESS ?
					    "success" : error_name(rv)) == 0 ||
				     (strcmp(data, "error") == 0 &&
				      rv != SCARD_S_SUCCESS)))
				continue;
			if (data) {
				printf("FAIL reconnect: expected %s\n", data);
				bad = 1;
			} else if (rv != SCARD_S_SUCCESS) {
				return fail("SCardReconnect", rv);
			}
			continue;
		}
		if (strcmp(apdu, "begin") == 0) {
			rv = SCardBeginTransaction(card);
			printf("-- begin\n");
			if (rv != SCARD_S_SUCCESS)
				return fail("SCardBeginTransaction", rv);
			continue;
		}
		if (strcmp(apdu, "end") == 0) {
			if (disposition(sw, &disp))
				goto bad_line;
			rv = SCardEndTransaction(card, disp);
			printf("-- end %s\n", sw);
			if (rv != SCARD_S_SUCCESS)
				return fail("SCardEndTransaction", rv);
			continue;
		}
		if (strcmp(apdu, "sleep") == 0) {
			if (!sw)
				goto bad_line;
			sleep_ms(atol(sw));
			continue;
		}
		if (strcmp(apdu, "wait-link") == 0) {
			if (!sw)
				goto bad_line;
			printf("-- wait-link\n");
			if (wait_link(card, atol(sw))) {
				fprintf(stderr, "pcsc-apdu: line %d: the link "
					"did not come back\n", lineno);
				return 2;
			}
			continue;
		}
		if (unhex(apdu, cmd, sizeof(cmd), &clen) || clen < 1)
			goto bad_line;
		want_error = sw && (strcmp(sw, "error") == 0 ||
				    strncmp(sw, "SCARD_", 6) == 0);
		pci = proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
		rlen = sizeof(resp);
		rv = SCardTransmit(card, pci, cmd, (DWORD)clen, NULL, resp, &rlen);
		if (want_error) {
			ok = rv != SCARD_S_SUCCESS &&
			     (strcmp(sw, "error") == 0 ||
			      strcmp(sw, error_name(rv)) == 0);
			printf("%s %s -> %s\n", ok ? "ok  " : "FAIL", apdu,
			       rv == SCARD_S_SUCCESS ? "success" : error_name(rv));
			if (!ok) {
				printf("     expected %s\n", sw);
				bad = 1;
			}
			continue;
		}
		if (rv != SCARD_S_SUCCESS)
			return fail("SCardTransmit", rv);
		if (rlen < 2) {
			fprintf(stderr, "pcsc-apdu: line %d: short answer\n", lineno);
			return 2;
		}
		tohex(resp + rlen - 2, 2, hex);
		ok = !sw || strcmp(sw, "-") == 0 || match(hex, sw);
		if (ok && data) {
			tohex(resp, rlen - 2, dhex);
			if (strncmp(data, "len=", 4) == 0)
				ok = strtoul(data + 4, NULL, 10) == rlen - 2;
			else
				ok = match(dhex, data);
		}
		tohex(resp, rlen, hex);
		printf("%s %s -> %s\n", ok ? "ok  " : "FAIL", apdu, hex);
		if (!ok) {
			printf("     expected %s %s\n", sw, data ? data : "");
			bad = 1;
		}
	}
	SCardDisconnect(card, SCARD_LEAVE_CARD);
	return bad;
bad_line:
	fprintf(stderr, "pcsc-apdu: line %d: bad line\n", lineno);
	return 2;
}

int main(int argc, char **argv)
{
	FILE *in = stdin;
	LONG rv;
	int ret = 2;

	if (argc < 2) {
		fprintf(stderr, "usage: pcsc-apdu readers | wait READER "
			"present|absent SECONDS | run READER [SCRIPT] | "
			"features READER | verify-direct|change-direct READER EF\n");
		return 2;
	}
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
	if (rv != SCARD_S_SUCCESS)
		return fail("SCardEstablishContext", rv);
	if (strcmp(argv[1], "readers") == 0 && argc == 2) {
		ret = list_readers();
	} else if (strcmp(argv[1], "wait") == 0 && argc == 5) {
		ret = wait_state(argv[2], argv[3], atol(argv[4]));
	} else if (strcmp(argv[1], "run") == 0 && (argc == 3 || argc == 4)) {
		if (argc == 4 && !(in = fopen(argv[3], "r"))) {
			perror(argv[3]);
		} else {
			ret = run(argv[2], in);
			if (in != stdin)
				fclose(in);
		}
	} else if (strcmp(argv[1], "features") == 0 && argc == 3) {
		ret = pinpad_features(ctx, argv[2]);
	} else if (strcmp(argv[1], "verify-direct") == 0 && argc == 4) {
		ret = pinpad_verify(ctx, argv[2], argv[3]);
	} else if (strcmp(argv[1], "change-direct") == 0 && argc == 4) {
		ret = pinpad_change(ctx, argv[2], argv[3]);
	} else {
		fprintf(stderr, "pcsc-apdu: bad arguments\n");
	}
	SCardReleaseContext(ctx);
	return ret;
}
