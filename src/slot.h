/* jpki-pkcs11: readers and their slots.
 *
 * Every reader gives JP_SLOTS_PER_READER slot ids from base: base+0
 * user authentication, base+1 signature.  A reader seen later gets a new
 * base; a reader that goes away takes its slots with it.  The readers come
 * from the transport's listing (transport.h).
 */
#ifndef JP_SLOT_H
#define JP_SLOT_H

#include "state.h"

/* g.lock held.  Bring the reader list up to date with PC/SC (no APDU). */
void jp_slots_refresh_inlock(void);

/* g.lock held.  The reader behind a slot id, or NULL; *cred is set. */
jp_reader *jp_slot_find_inlock(CK_SLOT_ID id, jpki_cred *cred);

/* Reference counting: a reader that is gone and unreferenced is freed by
 * the next jp_slots_reap() (never under g.lock: freeing clears its card). */
void jp_reader_ref_inlock(jp_reader *r);
void jp_reader_unref_inlock(jp_reader *r);
/* g.lock NOT held.  Free the gone readers nobody uses any more. */
void jp_slots_reap(void);

/* Drop every reader and session: C_Finalize (in_parent), or a child after
 * fork (in_parent false: the parent's connections, threads and locks are
 * not touched, only memory is released). */
void jp_slots_free_all(bool in_parent);

/* r->lock held.  Make r's card fields describe the card in the reader now:
 * forget a card that went (also one the card session saw go), detect a new
 * one (select the applet, read the token information and PIN counters).  Returns CKR_OK when a JPKI card is
 * there, CKR_TOKEN_NOT_PRESENT when no card, CKR_TOKEN_NOT_RECOGNIZED when
 * another card; CKR_DEVICE_REMOVED when the reader is gone. */
CK_RV jp_reader_sync(jp_reader *r);

/* r->lock held.  Forget the card: log out, wipe PINs, free certificates,
 * close the connection; sessions on it become invalid (generation). */
void jp_reader_forget_card(jp_reader *r);

#endif
