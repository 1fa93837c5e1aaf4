/* jpki-pkcs11: the transport, the lowest layer: readers, waiting for them,
 * and connections to the cards in them.
 *
 * Two small vtables.  A jp_readers lists readers and waits for changes; a
 * jp_transport is one connection to one card.  The module has one
 * implementation, PC/SC (transport_pcsc*.c, the only files that include
 * <winscard.h>), chosen in backend.c; tests and fuzz targets install
 * their own with jp_backend_set().  Above this file nothing knows about PC/SC.
 *
 * None of these functions take module locks; they block only where stated.
 */
#ifndef JP_TRANSPORT_H
#define JP_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "jp_rv.h"

/* The largest answer a short APDU can bring: 256 data bytes + SW1 SW2. */
#define JP_MAX_RESPONSE 258

/* How a transaction or a connection leaves the card. */
typedef enum {
	JP_LEAVE,               /* as it is (powered, selections kept) */
	JP_UNPOWER,             /* powered down (and up again for the next
	                           user): the only way that surely forgets a
	                           verified PIN when the card would not answer */
} jp_disposition;

typedef struct jp_transport jp_transport;

struct jp_transport_ops {
	/* Send one command APDU, receive the whole answer (data + SW1 SW2).
	 * *resp_len is the buffer size on entry, the answer length on return.
	 * JP_E_RESET: the card was reset since the last call (the transport has
	 * already reconnected; the command was NOT sent).  JP_E_COMM: the
	 * command may or may not have reached the card. */
	jp_rv (*transmit)(jp_transport *t, const uint8_t *cmd, size_t cmd_len,
	                  uint8_t *resp, size_t *resp_len);
	/* Exclusive use of the card until end(): no other process can send APDUs
	 * in between.  JP_E_RESET as for transmit (reconnected, not begun). */
	jp_rv (*begin)(jp_transport *t);
	/* End the transaction, leaving the card as d says.  JP_OK only when the
	 * disposition was carried out. */
	jp_rv (*end)(jp_transport *t, jp_disposition d);
	/* Drop the connection, leaving the card as d says, and free t. */
	void (*close)(jp_transport *t, jp_disposition d);

	/* PIN-pad readers (PC/SC part 10).  Both optional: NULL is a reader
	 * without a keypad (the tests' fake transports leave them out).
	 *
	 * The reader's feature list, the TLVs it answers to
	 * CM_IOCTL_GET_FEATURE_REQUEST (pinpad.h parses them), learned once
	 * per connection and kept.  *len is the buffer size on entry, the
	 * list's length on return: 0 when the reader has no features (it does
	 * not know the request, as vpcd).  Sends nothing to the card. */
	jp_rv (*features)(jp_transport *t, uint8_t *buf, size_t *len);
	/* One control request to the reader: code (from the feature list)
	 * with in; the reader's answer in out (*out_len: size on entry, length
	 * on return).  A keypad request blocks while the person types, and
	 * its answer ends with the card's status word or the reader's own
	 * (6400 timeout, 6401 cancel, ...).  JP_E_CANCELLED when the reader
	 * reports a cancel or a timeout as an error of the call itself. */
	jp_rv (*control)(jp_transport *t, uint32_t code, const uint8_t *in, size_t in_len,
	                 uint8_t *out, size_t *out_len);
};

struct jp_transport {
	const struct jp_transport_ops *ops;
};

static inline jp_rv jp_transport_transmit(jp_transport *t, const uint8_t *cmd, size_t cmd_len,
                                          uint8_t *resp, size_t *resp_len)
{
	return t->ops->transmit(t, cmd, cmd_len, resp, resp_len);
}
static inline jp_rv jp_transport_begin(jp_transport *t) { return t->ops->begin(t); }
static inline jp_rv jp_transport_end(jp_transport *t, jp_disposition d) { return t->ops->end(t, d); }
static inline void jp_transport_close(jp_transport *t, jp_disposition d) { if (t) t->ops->close(t, d); }
static inline jp_rv jp_transport_features(jp_transport *t, uint8_t *buf, size_t *len)
{
	if (!t->ops->features) {
		*len = 0;
		return JP_OK;
	}
	return t->ops->features(t, buf, len);
}
static inline jp_rv jp_transport_control(jp_transport *t, uint32_t code, const uint8_t *in, size_t in_len,
                                         uint8_t *out, size_t *out_len)
{
	if (!t->ops->control)
		return JP_E_NO_KEYPAD;
	return t->ops->control(t, code, in, in_len, out, out_len);
}

/* ---- readers ----------------------------------------------------------- */

/* What one reader looks like right now. */
typedef struct {
	char *name;             /* malloc'd reader name */
	bool card_present;
	uint32_t events;        /* insert/remove counter: a changed value means a
	                           different card, or the same card re-inserted */
} jp_reader_state;

void jp_reader_states_free(jp_reader_state *s, size_t n);

typedef struct jp_readers jp_readers;

struct jp_readers_ops {
	/* All readers and their state, without blocking and without talking to
	 * any card.  *out is a malloc'd array of *n states.  No reader: JP_OK
	 * with *n = 0.  JP_E_NO_SERVICE when the service went away (the caller
	 * closes this and opens a new one later); JP_E_COMM for a listing that
	 * failed for a moment (the readers are still there). */
	jp_rv (*list)(jp_readers *rd, jp_reader_state **out, size_t *n);
	/* Block until a reader appears or goes, or a card is inserted or
	 * removed, or timeout_ms passes (-1: forever), or cancel() is called
	 * from another thread.  JP_OK on a change, JP_E_COMM on timeout or
	 * cancel, JP_E_NO_SERVICE when the service is gone.  A change is
	 * relative to the last list() or wait() through rd.  One waiter at a
	 * time per jp_readers. */
	jp_rv (*wait)(jp_readers *rd, long timeout_ms);
	/* Wake a wait() in another thread.  Sticky: every later wait returns
	 * JP_E_COMM at once (meant for C_Finalize). */
	void (*cancel)(jp_readers *rd);
	void (*close)(jp_readers *rd);
};

struct jp_readers {
	const struct jp_readers_ops *ops;
};

/* A backend: how readers and connections are made.  PC/SC by default. */
typedef struct {
	jp_rv (*open)(jp_readers **out);        /* JP_E_NO_SERVICE: none now */
	/* Connect (shared) to the card in the named reader.  JP_E_NO_CARD when
	 * the reader is empty or the card mute, JP_E_NO_READER when the reader
	 * is gone, JP_E_NO_SERVICE when the service is.  Needs no jp_readers:
	 * a connection has its own context and outlives the listing one. */
	jp_rv (*connect)(const char *reader, jp_transport **out);
} jp_backend;

/* The module's backend (transport_pcsc*.c). */
extern const jp_backend jp_backend_pcsc;
/* The backend in use (backend.c): PC/SC unless a test or fuzz target
 * installed its own with jp_backend_set (NULL: PC/SC again). */
void jp_backend_set(const jp_backend *b);
/* A listing context of the backend in use; a connection through it. */
jp_rv jp_readers_open(jp_readers **out);
jp_rv jp_connect(const char *reader, jp_transport **out);

static inline jp_rv jp_readers_list(jp_readers *rd, jp_reader_state **out, size_t *n)
{
	return rd->ops->list(rd, out, n);
}
static inline jp_rv jp_readers_wait(jp_readers *rd, long timeout_ms) { return rd->ops->wait(rd, timeout_ms); }
static inline void jp_readers_cancel(jp_readers *rd) { rd->ops->cancel(rd); }
static inline void jp_readers_close(jp_readers *rd) { if (rd) rd->ops->close(rd); }

#endif
