/* jpki-pkcs11: the module's one state struct, and the structs it holds.
 *
 * Locks.  g.lock (the global lock) guards the reader list, every reader's
 * listed view (present, events, refs, gone, token_present), the session
 * table and the listing context.  Each reader's own lock guards its card
 * session, its tokens and the operations of the sessions on it; card I/O
 * happens under the reader lock only, never under g.lock.  Order: a reader
 * lock may be held while taking g.lock for a moment; g.lock is never held
 * while waiting for a reader lock or for the card.
 *
 * Calls in flight: every entry point counts itself in g.calls (atomically)
 * before it touches anything, and C_Finalize waits until it is the only
 * one left before it frees anything.
 */
#ifndef JP_STATE_H
#define JP_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <openssl/evp.h>
#include <jpki/pkcs11.h>

#include "card.h"
#include "cert.h"
#include "jpki.h"
#include "lock.h"
#include "mech.h"
#include "pin.h"
#include "secret.h"

/* Slots per reader: user authentication, signature, (card-face data). */
#define JP_SLOTS_PER_READER 4
#define JP_TRIES_UNKNOWN (-2)

typedef struct {
	jpki_cred cred;
	bool has_cert;          /* the card says the credential exists */
	bool pin_usable;        /* a login-capable PIN (see token.c) */
	int tries;              /* JP_TRIES_UNKNOWN, or 0..max */
	double tries_at;        /* when tries was read (monotonic seconds) */
	bool logged_in;
	jp_secret *pin;         /* kept for re-verification, freed on logout */
	bool cert_tried, ca_tried;
	bool have_cert, have_ca;
	jp_cert cert, ca;
	char serial[17];
} jp_token;

typedef struct jp_reader {
	/* under g.lock */
	unsigned refs;
	bool gone;
	bool present;
	uint32_t events;
	bool token_present;     /* published copy of card_jpki for slot calls */
	CK_SLOT_ID base;        /* slot id of the first slot */
	char *name;
	uint32_t reported_events; /* for C_WaitForSlotEvent */
	bool reported_present;
	unsigned pending_events;  /* bit per slot still to report */

	/* under lock */
	jp_mutex lock;
	jp_card card;           /* the connection and its transactions */
	bool card_known;        /* card_* fields describe the card of card_events */
	uint32_t card_events;
	bool card_jpki;
	uint64_t generation;    /* bumped whenever the card goes */
	jpki_info info;
	jp_token tokens[2];
} jp_reader;

typedef struct {
	bool active;
	const jp_mech *mech;
	bool multipart;
	EVP_MD_CTX *md;
	uint8_t data[256];      /* CKM_RSA_PKCS: the data so far */
	size_t data_len;
	bool context_login;     /* C_Login(CKU_CONTEXT_SPECIFIC) was given */
	jp_secret *pin;         /* its PIN, until the signature; NULL when a
	                           C_SetPIN since made it stale */
	EVP_PKEY *pkey;         /* verify: the public key */
} jp_op;

typedef struct jp_session {
	CK_SESSION_HANDLE handle;
	jp_reader *reader;      /* counted reference */
	jpki_cred cred;
	CK_SLOT_ID slot;
	CK_FLAGS flags;
	uint64_t generation;
	unsigned busy;          /* threads inside a call on it (g.lock) */
	bool closed;            /* out of the table; freed when not busy */
	/* under the reader's lock */
	CK_OBJECT_HANDLE *found;
	size_t found_n, found_pos;
	bool finding;
	jp_op sign, verify;
} jp_session;

typedef struct {
	pid_t pid;
	int calls;              /* entry points in flight (atomic) */
	jp_mutex lock;
	jp_readers *lister;     /* for listing; NULL while the service is away */
	jp_readers *waiter;     /* for C_WaitForSlotEvent, cancelled by C_Finalize */
	int waiting;            /* threads inside C_WaitForSlotEvent */
	bool finalizing;
	jp_reader **readers;
	size_t nreaders;
	jp_reader **dead;       /* gone and unused: for jp_slots_reap() */
	size_t ndead;
	CK_SLOT_ID next_base;
	jp_session **sessions;
	size_t nsessions;
	CK_SESSION_HANDLE next_session;
	bool always_auth;       /* CKA_ALWAYS_AUTHENTICATE on the signature key */
	unsigned tokens;        /* bit (1 << cred) per credential whose slot is shown */
} jp_state;

extern jp_state g;

#endif
