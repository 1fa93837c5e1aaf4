/* jpki-pkcs11: readers and their slots.
 *
 * Every reader gives JP_SLOTS_PER_READER slot ids from base: base+0
 * user authentication, base+1 signature, base+2 card-face data.  A reader seen later gets a new
 * base; a reader that goes away takes its slots with it.  The readers come
 * from the transport's listing (transport.h).
 */
#ifndef JP_SLOT_H
#define JP_SLOT_H

#include <stdbool.h>
#include <stdint.h>
#include <jpki/pkcs11.h>

#include "card.h"
#include "jpki.h"
#include "lock.h"
#include "token.h"

/* Slots per reader: user authentication, signature, card-face data (and
 * one spare). */
#define JP_SLOTS_PER_READER 4

typedef struct jp_reader jp_reader;

struct jp_reader {
	/* under the global lock */
	unsigned refs;
	bool gone;
	bool present;
	uint32_t events;
	bool token_present;     /* published copy of card_jpki for slot calls */
	bool face_absent;       /* published: the card has no card-face applet */
	CK_SLOT_ID base;        /* slot id of the first slot */
	char *name;
	uint32_t reported_events; /* for C_WaitForSlotEvent */
	bool reported_present;
	unsigned pending_events;  /* bit per slot still to report */

	/* under lock */
	jp_mutex lock;
	jp_card_tokens ct;      /* the card and its tokens (token.h) */
	bool card_known;        /* card_* fields describe the card of card_events */
	uint32_t card_events;
	bool card_jpki;
	uint64_t generation;    /* bumped whenever the card goes (under both
	                           locks: either one reads it) */
};

/* The reader table lives in slot.c; the functions named *_inlock expect the
 * global lock (lock.h) held. */

/* the global lock held.  Bring the reader list up to date with PC/SC (no APDU). */
void jp_slots_refresh_inlock(void);

/* the global lock held.  The reader behind a slot id, or NULL; *cred is set. */
jp_reader *jp_slot_find_inlock(CK_SLOT_ID id, jpki_cred *cred);

/* Reference counting: a reader that is gone and unreferenced is freed by
 * the next jp_slots_reap() (never under the global lock: freeing clears its card). */
void jp_reader_ref_inlock(jp_reader *r);
void jp_reader_unref_inlock(jp_reader *r);
/* the global lock NOT held.  Free the gone readers nobody uses any more. */
void jp_slots_reap(void);

/* Drop every reader: C_Finalize (in_parent), or a child after fork
 * (in_parent false: the parent's connections, threads and locks are not
 * touched, only memory is released).  The sessions must be gone first. */
void jp_slots_free_all(bool in_parent);

/* The global lock held.  Slot ids with (present: a token) in them, the
 * PKCS#11 way: *n is the room on entry (ignored when out is NULL), the
 * count on return; CKR_BUFFER_TOO_SMALL when out is too small. */
CK_RV jp_slots_list_inlock(bool present, CK_SLOT_ID *out, CK_ULONG *n);
/* The global lock held, dropped and taken again: sync every reader's card
 * (detect new cards; no APDU for a card already known). */
void jp_slots_sync_all_inlock(void);

/* Slot events.  The global lock held.  Remember the readers as they are
 * (at C_Initialize: cards already in are no events). */
void jp_slots_mark_reported_inlock(void);
/* A slot whose state changed since it was last reported. */
bool jp_slots_next_event_inlock(CK_SLOT_ID *slot);
/* Wait for an event (the global lock held on entry and return, dropped
 * while waiting).  CKR_OK with *slot, CKR_NO_EVENT with CKF_DONT_BLOCK,
 * CKR_CRYPTOKI_NOT_INITIALIZED once jp_slots_cancel_waits() was called. */
CK_RV jp_slots_wait_event_inlock(CK_FLAGS flags, CK_SLOT_ID *slot);
/* The global lock held.  Wake every waiter for good (C_Finalize). */
void jp_slots_cancel_waits_inlock(void);
/* C_Finalize, after every call left: close the listing contexts. */
void jp_slots_close_service(void);
/* Process exit: clear held or verified cards (best effort, no locks). */
void jp_slots_release_at_exit(void);

/* r->lock held.  Make r's card fields describe the card in the reader now:
 * forget a card that went (also one the card session saw go), detect a new
 * one (select the applet, read the token information and PIN counters).  Returns CKR_OK when a JPKI card is
 * there, CKR_TOKEN_NOT_PRESENT when no card, CKR_TOKEN_NOT_RECOGNIZED when
 * another card; CKR_DEVICE_REMOVED when the reader is gone. */
CK_RV jp_reader_sync(jp_reader *r);

/* r->lock held.  jp_reader_sync(), then for the card-face token look for
 * its applet the first time (token.h, jp_token_probe): CKR_TOKEN_NOT_PRESENT
 * when the card has none. */
CK_RV jp_reader_sync_token(jp_reader *r, jpki_cred cred);

/* r->lock held.  Forget the card: log out, wipe PINs, free certificates,
 * close the connection; the sessions on it become stale (generation). */
void jp_reader_forget_card(jp_reader *r);

#endif
