/* jpki-pkcs11 fuzzing: what the parts of the fuzz backend share (private
 * to fuzz_backend*.c; the harness uses fuzz_backend.h).
 *
 *   fuzz_backend_state.c  the state of one input: the answer stream with
 *                         its fault and event records, the readers, and
 *                         what answers do to the card's security state
 *   fuzz_backend_rules.c  the module's promises, checked: abort() on a
 *                         card left verified, a PIN where none belongs or
 *                         re-sent after a rejection, a malformed command
 *   fuzz_backend.c        the jp_backend over both, and the harness's side
 *
 * Every _inlock function expects fz.mu held.  The hold's watchdog may use a
 * connection from its own thread, so all state is under fz.mu. */
#ifndef FUZZ_BACKEND_STATE_H
#define FUZZ_BACKEND_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_backend.h"

#define NREADERS 2
#define MAX_REJECTED 16
#define PIN_MAX 16

typedef struct {
	bool listed;
	bool card;
	uint32_t events;
	unsigned gen;           /* changes whenever the card leaves */
} fz_reader;

typedef struct {
	uint16_t ef;
	size_t len;
	uint8_t pin[PIN_MAX];
} fz_rejected;

typedef struct {
	jp_transport base;
	int reader;
	unsigned gen;
	bool in_tx;
	bool verified;
	bool must_unpower;      /* an end failed with the card verified */
	uint16_t ef;            /* the EF selected last */
} fz_conn;

/* What an input made the module do (fuzz_backend_end() prints the names).
 * "Verified": the card held a verified PIN at that moment. */
enum {
	FZ_REACHED_VERIFY = 1 << 0,     /* "verify": a VERIFY with a PIN was sent */
	FZ_REACHED_VERIFIED = 1 << 1,   /* "verified": one made the card verified */
	FZ_REACHED_REJECTED = 1 << 2,   /* "rejected": the card rejected a PIN */
	FZ_REACHED_RESIGN = 1 << 3,     /* "resign": a signature call after a rejection */
	FZ_REACHED_CHANGE = 1 << 4,     /* "change": a CHANGE REFERENCE DATA was sent */
	FZ_REACHED_SIGN = 1 << 5,       /* "sign": a signature command was sent */
	FZ_REACHED_SIGNED = 1 << 6,     /* "signed": one was answered 9000 or 61xx */
	FZ_REACHED_CLEARED = 1 << 7,    /* "cleared": verified, then an applet SELECT */
	FZ_REACHED_UNPOWERED = 1 << 8,  /* "unpowered": verified, then an end or close with JP_UNPOWER */
	FZ_REACHED_FAULT = 1 << 9,      /* "fault": verified, then a transmit, begin or end failed */
	FZ_REACHED_PULLED = 1 << 10,    /* "pulled": verified, then the card left */
	FZ_REACHED_COUNT = 11
};

/* All state of one input. */
typedef struct {
	pthread_mutex_t mu;
	const uint8_t *p;
	size_t left;
	fz_reader readers[NREADERS];
	bool list_comm, list_no_service, open_fails;
	int conns, listers;
	fz_call call;
	uint8_t pin[PIN_MAX], new_pin[PIN_MAX];
	size_t pin_len, new_len;
	int verifies, changes;
	fz_rejected rejected[MAX_REJECTED];
	int nrejected;
	bool sign_rejected;     /* a signature call's VERIFY was rejected */
	unsigned reached;       /* FZ_REACHED_* */
} fz_state;

extern fz_state fz;
extern const char *const fz_reader_names[NREADERS];

/* ---- fuzz_backend_state.c ---- */

/* With FUZZ_TRACE: fmt, then the bytes in hex. */
void fz_trace_bytes(const char *fmt, const uint8_t *b, size_t n);
/* The 2-byte record header at the head of the stream, if there is one. */
bool fz_peek_inlock(uint16_t *h);
/* Consume n bytes of the stream (at most what is left). */
void fz_skip_inlock(size_t n);
/* Apply a reader event (fuzz_backend_event()). */
void fz_event_inlock(unsigned ev);
/* The error a failure record's low two bits name: JP_E_COMM, JP_E_RESET,
 * JP_E_NO_CARD or JP_E_NO_READER. */
jp_rv fz_failure(unsigned code);
/* A 0xFDxx record at the head, for a connect, begin or end: its error
 * (consumed), else JP_OK (nothing consumed). */
jp_rv fz_take_failure_inlock(void);
/* The card left (or the reader went) since c was made: the card lost
 * power (c is no longer verified); JP_E_NO_CARD or JP_E_NO_READER. */
jp_rv fz_card_left_inlock(fz_conn *c);
/* What the answer resp to cmd does to the card's state. */
void fz_note_answer_inlock(fz_conn *c, const uint8_t *cmd, size_t len, const uint8_t *resp, size_t n);
/* The default readers, no connections, no PINs, the stream data. */
void fz_reset_inlock(const uint8_t *data, size_t size);

/* ---- fuzz_backend_rules.c ---- */

/* Report a broken promise and abort(). */
void fz_violation(const char *what);
/* cmd is a command with instruction ins and data. */
bool fz_is_pin_command(const uint8_t *cmd, size_t len, uint8_t ins);
/* Remember a PIN the card rejected for the PIN EF ef. */
void fz_reject_inlock(uint16_t ef, const uint8_t *pin, size_t n);
/* Every command: a short APDU; a PIN only where the call allows it. */
void fz_check_command_inlock(fz_conn *c, const uint8_t *cmd, size_t len);
/* Nothing but a close with JP_UNPOWER after an end that failed verified. */
void fz_check_usable_inlock(fz_conn *c, const char *what);
/* A transaction ended with d, and the end reported rv (JP_OK: d was
 * carried out, so JP_UNPOWER cleared the card).  A failed end with the
 * card verified leaves c must_unpower. */
void fz_check_end_inlock(fz_conn *c, jp_disposition d, jp_rv rv);
/* A connection closes with d. */
void fz_check_close_inlock(fz_conn *c, jp_disposition d);

#endif
