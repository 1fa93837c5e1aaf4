/* jpki-pkcs11: the PC/SC backend (see transport.h): connections to cards,
 * the backend itself, and PC/SC's results in the transport's terms.  With
 * transport_pcsc_readers.c, the only files that include <winscard.h>.
 *
 * Every connection has a PC/SC context of its own, so a transmit never
 * waits behind a listing, a wait or another reader's transmit.  A
 * connection made in one process is freed in a child after fork() without
 * PC/SC calls.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "transport_pcsc.h"
#include <reader.h>             /* after winscard.h: part 10 control codes */

jp_rv jp_pcsc_map(LONG r)
{
	switch (r) {
	case SCARD_S_SUCCESS: return JP_OK;
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
	case SCARD_E_INVALID_HANDLE: return JP_E_NO_SERVICE;
	case SCARD_E_NO_SMARTCARD:
	case SCARD_W_REMOVED_CARD: return JP_E_NO_CARD;
	case SCARD_E_READER_UNAVAILABLE:
	case SCARD_E_UNKNOWN_READER: return JP_E_NO_READER;
	case SCARD_E_NO_MEMORY: return JP_E_MEMORY;
	case SCARD_W_RESET_CARD: return JP_E_RESET;
	default: return JP_E_COMM;
	}
}

jp_rv jp_pcsc_err(const char *what, LONG r)
{
	JP_LOG("%s: %s (0x%08lX)", what, pcsc_stringify_error(r), (unsigned long)r);
	return jp_pcsc_map(r);
}

/* ---- one connection ---------------------------------------------------- */

typedef struct {
	jp_transport base;
	SCARDCONTEXT ctx;
	SCARDHANDLE h;
	DWORD proto;
	pid_t pid;
	bool have_features;     /* the reader's feature list was asked */
	uint8_t features[256];
	size_t n_features;
} pcsc_transport;

/* The card was reset under us (another process, or a power glitch):
 * reconnect without touching the card further, then report the reset so
 * the layers above forget every verified PIN and selection. */
static jp_rv after_reset(pcsc_transport *pt)
{
	LONG r = SCardReconnect(pt->h, SCARD_SHARE_SHARED,
	                        SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
	                        SCARD_LEAVE_CARD, &pt->proto);
	if (r != SCARD_S_SUCCESS)
		return jp_pcsc_err("SCardReconnect", r);
	JP_LOG("card was reset: reconnected");
	return JP_E_RESET;
}

static jp_rv pcsc_transmit(jp_transport *t, const uint8_t *cmd, size_t cmd_len,
                           uint8_t *resp, size_t *resp_len)
{
	pcsc_transport *pt = (pcsc_transport *)t;
	const SCARD_IO_REQUEST *pci = pt->proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
	DWORD rlen = (DWORD)*resp_len;
	LONG r;

	if (pt->pid != getpid())
		return JP_E_NO_SERVICE;
	r = SCardTransmit(pt->h, pci, cmd, (DWORD)cmd_len, NULL, resp, &rlen);
	if (r == SCARD_W_RESET_CARD)
		return after_reset(pt);
	if (r != SCARD_S_SUCCESS)
		return jp_pcsc_err("SCardTransmit", r);
	*resp_len = rlen;
	return JP_OK;
}

static jp_rv pcsc_begin(jp_transport *t)
{
	pcsc_transport *pt = (pcsc_transport *)t;
	LONG r;

	if (pt->pid != getpid())
		return JP_E_NO_SERVICE;
	r = SCardBeginTransaction(pt->h);
	if (r == SCARD_W_RESET_CARD)
		return after_reset(pt);
	if (r != SCARD_S_SUCCESS)
		return jp_pcsc_err("SCardBeginTransaction", r);
	return JP_OK;
}

static DWORD disposition(jp_disposition d)
{
	return d == JP_UNPOWER ? SCARD_UNPOWER_CARD : SCARD_LEAVE_CARD;
}

/* Is the card still in the reader?  Asked before powering it down: a
 * power cycle sent to a reader whose card was just pulled can leave pcscd
 * reporting it empty when a card comes back.  A failed exchange is seen
 * here before the reader's presence poll may have noticed the pull, so a
 * card that seems present is asked about once more, a poll later. */
#define PRESENCE_POLL_MS 500

static bool card_still_there(pcsc_transport *pt)
{
	DWORD state = 0, proto = 0, atr_len = MAX_ATR_SIZE, name_len = 0;
	BYTE atr[MAX_ATR_SIZE];
	struct timespec ts = { 0, PRESENCE_POLL_MS * 1000000L };
	LONG r;
	int i;

	for (i = 0; i < 2; i++) {
		if (i)
			nanosleep(&ts, NULL);
		atr_len = sizeof(atr);
		name_len = 0;
		r = SCardStatus(pt->h, NULL, &name_len, &state, &proto, atr, &atr_len);
		if (r == SCARD_W_REMOVED_CARD || r == SCARD_E_NO_SMARTCARD || r == SCARD_E_READER_UNAVAILABLE ||
		    (r == SCARD_S_SUCCESS && (state & SCARD_ABSENT)))
			return false;
	}
	return true;
}

static jp_rv pcsc_end(jp_transport *t, jp_disposition d)
{
	pcsc_transport *pt = (pcsc_transport *)t;
	LONG r;

	if (pt->pid != getpid())
		return JP_E_NO_SERVICE;
	if (d == JP_UNPOWER && !card_still_there(pt)) {
		JP_LOG("the card is gone: nothing to power down");
		SCardEndTransaction(pt->h, SCARD_LEAVE_CARD);
		return JP_E_NO_CARD;
	}
	r = SCardEndTransaction(pt->h, disposition(d));
	if (r != SCARD_S_SUCCESS)
		return jp_pcsc_err("SCardEndTransaction", r);
	if (d == JP_UNPOWER)
		JP_LOG("transaction ended with the card powered down");
	return JP_OK;
}

static void pcsc_close(jp_transport *t, jp_disposition d)
{
	pcsc_transport *pt = (pcsc_transport *)t;
	LONG r;

	if (pt->pid == getpid()) {
		if (d == JP_UNPOWER && !card_still_there(pt))
			d = JP_LEAVE;
		r = SCardDisconnect(pt->h, disposition(d));
		if (r != SCARD_S_SUCCESS)
			jp_pcsc_err("SCardDisconnect", r);
		SCardReleaseContext(pt->ctx);
	}
	free(pt);
}

/* The reader's part 10 features, asked once per connection.  A reader
 * that does not know the request (vpcd answers
 * SCARD_E_UNSUPPORTED_FEATURE) has none. */
static jp_rv pcsc_features(jp_transport *t, uint8_t *buf, size_t *len)
{
	pcsc_transport *pt = (pcsc_transport *)t;
	DWORD n = 0;
	LONG r;

	if (pt->pid != getpid())
		return JP_E_NO_SERVICE;
	if (!pt->have_features) {
		r = SCardControl(pt->h, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0, pt->features,
		                 sizeof(pt->features), &n);
		if (r == SCARD_S_SUCCESS) {
			pt->n_features = n;
		} else if (r == SCARD_E_UNSUPPORTED_FEATURE || r == SCARD_E_NOT_TRANSACTED ||
		           r == SCARD_E_INVALID_PARAMETER) {
			pt->n_features = 0;
		} else {
			return jp_pcsc_err("SCardControl(GET_FEATURE_REQUEST)", r);
		}
		pt->have_features = true;
		JP_LOG("reader feature list: %zu bytes", pt->n_features);
	}
	if (pt->n_features > *len)
		return JP_E_ARGS;
	memcpy(buf, pt->features, pt->n_features);
	*len = pt->n_features;
	return JP_OK;
}

static jp_rv pcsc_control(jp_transport *t, uint32_t code, const uint8_t *in, size_t in_len,
                          uint8_t *out, size_t *out_len)
{
	pcsc_transport *pt = (pcsc_transport *)t;
	DWORD n = 0;
	LONG r;

	if (pt->pid != getpid())
		return JP_E_NO_SERVICE;
	r = SCardControl(pt->h, code, in, (DWORD)in_len, out, (DWORD)*out_len, &n);
	if (r == SCARD_W_RESET_CARD)
		return after_reset(pt);
	if (r == SCARD_E_CANCELLED || r == SCARD_E_TIMEOUT) {
		/* how some drivers report the keypad's cancel or timeout */
		JP_LOG("SCardControl(%08lX): %s", (unsigned long)code, pcsc_stringify_error(r));
		return JP_E_CANCELLED;
	}
	if (r != SCARD_S_SUCCESS)
		return jp_pcsc_err("SCardControl", r);
	*out_len = n;
	return JP_OK;
}

static const struct jp_transport_ops pcsc_ops = {
	.transmit = pcsc_transmit,
	.begin = pcsc_begin,
	.end = pcsc_end,
	.close = pcsc_close,
	.features = pcsc_features,
	.control = pcsc_control,
};

static jp_rv pcsc_connect(const char *reader, jp_transport **out)
{
	pcsc_transport *pt;
	LONG r;
	jp_rv rv;

	*out = NULL;
	pt = calloc(1, sizeof(*pt));
	if (pt == NULL)
		return JP_E_MEMORY;
	pt->base.ops = &pcsc_ops;
	pt->pid = getpid();
	r = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &pt->ctx);
	if (r != SCARD_S_SUCCESS) {
		free(pt);
		return jp_pcsc_err("SCardEstablishContext", r);
	}
	r = SCardConnect(pt->ctx, reader, SCARD_SHARE_SHARED,
	                 SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &pt->h, &pt->proto);
	if (r != SCARD_S_SUCCESS) {
		rv = jp_pcsc_err("SCardConnect", r);
		/* a mute or unpowered card is no card we can use */
		if (r == SCARD_W_UNRESPONSIVE_CARD || r == SCARD_W_UNPOWERED_CARD ||
		    r == SCARD_W_UNSUPPORTED_CARD)
			rv = JP_E_NO_CARD;
		SCardReleaseContext(pt->ctx);
		free(pt);
		return rv;
	}
	JP_LOG("connected to \"%s\" (T=%d)", reader, pt->proto == SCARD_PROTOCOL_T0 ? 0 : 1);
	*out = &pt->base;
	return JP_OK;
}

/* ---- the backend ------------------------------------------------------- */

const jp_backend jp_backend_pcsc = { .open = jp_pcsc_open_readers, .connect = pcsc_connect };
