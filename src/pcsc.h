/* jpki-pkcs11: PC/SC readers (pcsc-lite).  The only file set that includes
 * <winscard.h>.
 *
 * A jp_pcsc is one PC/SC context for listing readers and reading their
 * state; jp_pcsc_connect() makes a jp_transport for the card in a reader.
 * None of these functions take module locks; they may block only where
 * stated.
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
 * another thread.  JP_OK on a change, JP_E_COMM on timeout or cancel. */
jp_rv jp_pcsc_wait(jp_pcsc *p, long timeout_ms);
void jp_pcsc_cancel(jp_pcsc *p);

/* Connect (shared, T=0 or T=1) to the card in the reader. */
jp_rv jp_pcsc_connect(jp_pcsc *p, const char *reader, jp_transport **out);

#endif
