/* jpki-pkcs11: the card session, the one owner of a reader's connection
 * and PC/SC transaction.
 *
 * It alone begins, verifies, holds, clears and ends.  Its rule: a
 * transaction that sent a VERIFY ends cleared.  The clear is the applet
 * SELECT (the card forgets verified PINs on it); when that does not answer
 * 9000 (a lost answer, an odd status word) the transaction ends by powering
 * the card down, since a warm reset may leave a PIN verified.  The same
 * holds when a held transaction is dropped, lapses, or the connection
 * closes.
 *
 * What happened on the way is reported upward as results and flags, never
 * by calling up: jp_card_gone() (the card, reader or service went: the
 * token model forgets the card), jp_card_take_reset() (someone reset the
 * card: logins are gone).
 *
 * Locking: the caller holds the reader's lock for every call (one thread
 * at a time per card).  The only other party is the hold's watchdog thread,
 * which ends a hold that lapsed; the card's own mutex keeps the two apart.
 * The watchdog never takes module locks.
 */
#ifndef JP_CARD_H
#define JP_CARD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "face.h"
#include "jpki.h"
#include "pinpad.h"
#include "transport.h"

/* How long a verified transaction may be held for an operation that
 * follows (every other process on the reader waits meanwhile). */
#define JP_HOLD_MS 3000

typedef struct jp_card {
	char *reader;           /* the reader's name (owned) */
	jp_transport *t;        /* the connection, NULL when none */
	jpki_card app;          /* what is selected, within a transaction */
	bool open;              /* a transaction is open */
	bool dirty;             /* a PIN may be verified: clear before ending */
	bool gone;              /* the card, reader or service went away */
	bool reset;             /* a reset was seen and not yet taken */
	unsigned powerdowns;    /* transactions ended by powering down */

	pthread_mutex_t mu;     /* everything here, against the watchdog */
	pthread_cond_t cv;
	pthread_t watchdog;
	bool watching;          /* a watchdog thread exists (join it) */
	const void *holder;     /* the hold's owner, NULL when not held */
	uint64_t hold_until_ms; /* monotonic */
	bool lapsed;            /* the last hold ended by its time limit */
} jp_card;

/* Set up / tear down.  jp_card_free() ends any transaction (clearing as
 * above), joins the watchdog and disconnects.  jp_card_abandon() is for a
 * child after fork(): it frees memory only, touching neither the parent's
 * connection nor its threads. */
int jp_card_init(jp_card *c, const char *reader);
void jp_card_free(jp_card *c);
void jp_card_abandon(jp_card *c);
/* At process exit: clear a held or verified transaction if the card's
 * lock is free (best effort; see p11_general.c). */
void jp_card_release_at_exit(jp_card *c);

/* Forget the connection (after the card went): ends what is open as best
 * it can and disconnects.  The next begin connects afresh. */
void jp_card_disconnect(jp_card *c);

/* Begin a transaction: connect when needed, release a hold first.  A reset
 * by someone else is seen here, before anything is sent: the flag for
 * jp_card_take_reset() is set and the transaction is begun again.  On an
 * error nothing is open. */
jp_rv jp_card_begin(jp_card *c);

/* End the transaction: clear when a PIN may be verified (applet SELECT;
 * powered down when that fails).  Returns the clear's result: JP_OK, or
 * why the card had to be powered down. */
jp_rv jp_card_end(jp_card *c);

/* Keep the open, verified transaction for owner, at most JP_HOLD_MS; then
 * the watchdog clears and ends it. */
void jp_card_hold(jp_card *c, const void *owner);
/* The transaction held for owner, if it is still held: the caller goes on
 * in it (the card verified) and ends it with jp_card_end().  false when
 * there is none (never held, released, or lapsed). */
bool jp_card_resume(jp_card *c, const void *owner);
/* Is anything held for owner (NULL: for anyone)?  Who holds it? */
bool jp_card_held_by(jp_card *c, const void *owner);
const void *jp_card_holder(jp_card *c);
/* Give up a hold (whoever owns it): clear and end. */
void jp_card_release(jp_card *c);

/* What happened: consumed by the token model after each operation. */
bool jp_card_take_reset(jp_card *c);
static inline bool jp_card_gone(const jp_card *c) { return c->gone; }

/* The card application, inside a transaction (jpki.h says what each does).
 * A VERIFY or CHANGE REFERENCE DATA marks the transaction for clearing
 * before it is sent.  The PIN calls take JPKI_FACE too: the card-face
 * applet's PIN (face.h). */
jp_rv jp_card_select(jp_card *c);
jp_rv jp_card_read_info(jp_card *c, jpki_info *info);
jp_rv jp_card_read_cert(jp_card *c, jpki_cred cred, bool ca, uint8_t **der, size_t *len);
jp_rv jp_card_read_cert_known(jp_card *c, jpki_cred cred, bool ca, const uint8_t *known, size_t known_len,
                             uint8_t **der, size_t *len, bool *same);
jp_rv jp_card_pin_tries(jp_card *c, jpki_cred cred, int *tries);
jp_rv jp_card_verify(jp_card *c, jpki_cred cred, const uint8_t *pin, size_t len, int *tries_left);
jp_rv jp_card_change_pin(jp_card *c, jpki_cred cred, const uint8_t *new_pin, size_t len);
/* The reader's keypad (PC/SC part 10), learned once per connection by the
 * transport: the control codes it offers, all 0 for a reader without one
 * (or with a feature list that makes no sense).  No APDU. */
jp_rv jp_card_keypad(jp_card *c, jp_pinpad_features *f);
/* The same VERIFY and change with the PIN typed on the keypad (jpki.h):
 * JP_E_NO_KEYPAD when the reader lacks the feature.  Marked for clearing
 * before the reader is asked, like the typed ones. */
jp_rv jp_card_verify_keypad(jp_card *c, jpki_cred cred, int *tries_left);
jp_rv jp_card_change_pin_keypad(jp_card *c, jpki_cred cred);
jp_rv jp_card_sign(jp_card *c, jpki_cred cred, const uint8_t *data, size_t len, uint8_t *sig, size_t *sig_len);

/* The card-face applet (face.h), the same way.  Its PIN's VERIFY and
 * change mark the transaction for clearing too: the clearing SELECT of
 * the JPKI applet drops the card-face PIN as well (any application
 * selection does). */
jp_rv jp_card_face_select(jp_card *c);
jp_rv jp_card_face_pin_tries(jp_card *c, int *tries);
jp_rv jp_card_face_verify(jp_card *c, const uint8_t *pin, size_t len, int *tries_left);
jp_rv jp_card_face_change_pin(jp_card *c, const uint8_t *new_pin, size_t len);
jp_rv jp_card_face_read(jp_card *c, face_data *d);

#endif
