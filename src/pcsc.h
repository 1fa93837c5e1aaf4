/* jpki-pkcs11: PC/SC readers (pcsc-lite).  The only file set that includes
 * <winscard.h>.
 *
 * A jp_pcsc is one PC/SC context for listing readers and reading their
 * state; jp_pcsc_connect() makes a jp_transport for the card in a reader.
 * None of these functions take module locks; they may block only where
 * stated.
 *
 * Contexts: listing uses the jp_pcsc's context, jp_pcsc_wait() a second
 * one of its own, and every transport from jp_pcsc_connect() a third of
 * its own, so a blocked wait never holds up a listing or a transmit, and
 * transmits to different readers do not queue behind each other.
 * A transport stays valid after its jp_pcsc is closed.
 *
 * Fork: pcsc-lite contexts must not be used in a child.  Every object
 * remembers the pid that made it; in another process the functions return
 * JP_E_NO_SERVICE (end does nothing) and close/free only release memory,
 * making no PC/SC call that could disturb the parent's connection.
 */
#ifndef JP_PCSC_H
#define JP_PCSC_H

#include <stdbool.h>
#include <stdint.h>
#include "transport.h"

typedef struct jp_pcsc jp_pcsc;

/* What one reader looks like right now. */
typedef struct {
	char *name;             /* malloc'd reader name */
	bool card_present;
	uint32_t events;        /* pcsc-lite's insert/remove counter (upper
	                           16 bits of dwEventState): a changed value means
	                           a different card, or the same card re-inserted */
} jp_reader_state;

/* Establish a context.  JP_E_NO_SERVICE when pcscd does not run. */
jp_rv jp_pcsc_open(jp_pcsc **out);
void jp_pcsc_close(jp_pcsc *p);

/* All readers and their state, without blocking and without talking to any
 * card.  *out is a malloc'd array of *n states (free with
 * jp_reader_states_free).  No reader: JP_OK with *n = 0.  JP_E_NO_SERVICE
 * when pcscd went away (the caller closes the context and tries a new one
 * later). */
jp_rv jp_pcsc_readers(jp_pcsc *p, jp_reader_state **out, size_t *n);
void jp_reader_states_free(jp_reader_state *s, size_t n);

/* Block until a reader appears or goes, or a card is inserted or removed,
 * or timeout_ms passes (-1: forever), or jp_pcsc_cancel() is called from
 * another thread.  JP_OK on a change, JP_E_COMM on timeout or cancel,
 * JP_E_NO_SERVICE when pcscd is gone.
 * "A change" is relative to the last look through this jp_pcsc: the last
 * jp_pcsc_readers() or jp_pcsc_wait(), so an event between a listing and
 * the wait that follows returns at once instead of being lost.  The very
 * first look (no listing before) learns the state and then waits.
 * At most one thread waits on a jp_pcsc at a time. */
jp_rv jp_pcsc_wait(jp_pcsc *p, long timeout_ms);
/* Wake a jp_pcsc_wait() in another thread (SCardCancel).  Sticky: every
 * later wait on this jp_pcsc returns JP_E_COMM at once, so a cancel that
 * races with the start of a wait is never lost; this is meant for
 * C_Finalize.  Close the jp_pcsc only after the waiter has returned. */
void jp_pcsc_cancel(jp_pcsc *p);

/* Connect (shared, T=0 or T=1) to the card in the reader.
 * JP_E_NO_CARD when the reader is empty or the card is mute,
 * JP_E_NO_READER when the reader is gone.
 * The transport maps SCARD_W_RESET_CARD to a reconnect (leave card) and
 * JP_E_RESET, a removed card to JP_E_NO_CARD, a vanished reader to
 * JP_E_NO_READER, a dead pcscd to JP_E_NO_SERVICE, anything else to
 * JP_E_COMM.  end() is SCardEndTransaction(SCARD_LEAVE_CARD); close()
 * disconnects leaving the card as it is. */
jp_rv jp_pcsc_connect(jp_pcsc *p, const char *reader, jp_transport **out);

#endif
