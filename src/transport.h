/* jpki-pkcs11: the transport, a small vtable under the APDU layer.
 *
 * The module has one implementation (PC/SC, transport_pcsc.c); tests and
 * fuzz targets plug in scripted ones.  A transport is one connection to one
 * card.  Nothing above this file knows about PC/SC.
 */
#ifndef JP_TRANSPORT_H
#define JP_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include "jp_rv.h"

/* The largest answer a short APDU can bring: 256 data bytes + SW1 SW2. */
#define JP_MAX_RESPONSE 258

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
	void (*end)(jp_transport *t);
	/* Drop the connection and free t. */
	void (*close)(jp_transport *t);
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
static inline void jp_transport_end(jp_transport *t) { t->ops->end(t); }
static inline void jp_transport_close(jp_transport *t) { if (t) t->ops->close(t); }

#endif
