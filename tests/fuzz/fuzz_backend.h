/* jpki-pkcs11 fuzzing: a whole backend (readers and connections) whose
 * every card answer and reader change is taken from fuzz input, and which
 * checks the module's promises about the card's security state.
 *
 * Input format (the answer stream), records one after another, each
 * starting with a 2-byte big-endian header H:
 *   H < 0xF000   an answer of H bytes (data + SW1 SW2) to the next command
 *   H = 0xFFxx   the next transmit fails: JP_E_COMM, JP_E_RESET,
 *                JP_E_NO_CARD or JP_E_NO_READER (xx & 3)
 *   H = 0xFExx   a reader event (fuzz_backend_event(xx)), applied when it
 *                comes up: by a reader listing, or by a transmit before it
 *                reads its answer
 *   H = 0xFDxx   the next connect, begin or end fails (xx & 3: JP_E_COMM,
 *                JP_E_RESET, JP_E_NO_CARD, JP_E_NO_READER); a transmit
 *                takes it as 0xFFxx
 * When the stream runs out every transmit fails with JP_E_NO_CARD.
 *
 * The readers: "Fuzz Reader 0" (listed, a card in it) and "Fuzz Reader 1"
 * (not listed until an event brings it).
 *
 * The card's security state, per connection: a VERIFY with a PIN answered
 * 9000 or 61xx, or lost (JP_E_COMM), makes the card verified; an applet
 * SELECT answered 9000, a transaction ended or a connection closed with
 * JP_UNPOWER, or the card leaving the reader clears it (an applet SELECT
 * answered 61xx counts as 9000: the card did it).  A warm reset does
 * not (the card specification, "Security state").  abort() when:
 *   - a transaction ends (JP_LEAVE) or a connection closes (JP_LEAVE) with
 *     the card verified; an end that failed with the card verified must be
 *     followed by a close with JP_UNPOWER and nothing else;
 *   - a command is not a short APDU, or is sent outside a transaction, or
 *     a transaction is begun twice;
 *   - a PIN reaches the card in a call that has none, twice in one call,
 *     differs from the caller's, or is one the card rejected since the
 *     caller last gave it (the module never re-tries a rejected PIN);
 *   - a connection or a listing object is still open at fuzz_backend_end().
 */
#ifndef FUZZ_BACKEND_H
#define FUZZ_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include "transport.h"

/* What the next C_* call may send to the card. */
typedef enum {
	FZ_CALL_NO_PIN,         /* no VERIFY with data, no CHANGE REFERENCE DATA */
	FZ_CALL_LOGIN,          /* at most one VERIFY, with the given PIN */
	FZ_CALL_SIGN,           /* at most one VERIFY, with a PIN given before */
	FZ_CALL_SET_PIN,        /* one VERIFY (old PIN) and one CHANGE (new) */
} fz_call;

/* Install the backend over an answer stream (cleared state, default
 * readers).  Not reentrant: one fuzz input at a time. */
void fuzz_backend_begin(const uint8_t *data, size_t size);
/* After C_Finalize: every connection and listing object must be closed.
 * With FUZZ_TRACE, prints what the input reached, as evidence that a seed
 * reaches the paths it is named for: "fuzz: reached:" and the names of
 * fuzz_backend_state.h's FZ_REACHED_* (tests/fuzz/module-corpus.sh checks
 * the corpus with them). */
void fuzz_backend_end(void);
/* Announce the next C_* call.  pin/new_pin: as the caller passes them. */
void fuzz_backend_call(fz_call kind, const uint8_t *pin, size_t pin_len, const uint8_t *new_pin,
                       size_t new_len);
/* A reader event, bits 0-2: 0 card inserted, 1 card removed, 2 card
 * swapped, 3 the next listing fails (JP_E_COMM), 4 the next listing fails
 * (JP_E_NO_SERVICE) and so does the next open, 5 reader removed, 6 reader
 * attached with a card, 7 reader attached empty; bit 3: which reader. */
void fuzz_backend_event(unsigned ev);
/* Answer-stream bytes left unread. */
size_t fuzz_backend_left(void);
/* FUZZ_TRACE set in the environment. */
extern int fuzz_trace;

#endif
