/* jpki-pkcs11: the card session (see card.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card.h"
#include "log.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool is_gone(jp_rv rv)
{
	return rv == JP_E_NO_CARD || rv == JP_E_NO_READER || rv == JP_E_NO_SERVICE;
}

/* Every result from below passes here: a card that went is remembered. */
static jp_rv track(jp_card *c, jp_rv rv)
{
	if (is_gone(rv))
		c->gone = true;
	else if (rv == JP_E_RESET)
		c->reset = true;
	return rv;
}

int jp_card_init(jp_card *c, const char *reader)
{
	pthread_condattr_t ca;

	memset(c, 0, sizeof(*c));
	if (!(c->reader = strdup(reader)))
		return -1;
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	return 0;
}

/* ---- ending ------------------------------------------------------------ */

/* Close the connection leaving the card powered down: the last resort when
 * a transaction could not be ended cleanly with a verified PIN. */
static void close_unpowered_inlock(jp_card *c)
{
	JP_LOG("disconnecting with the card powered down");
	jp_transport_close(c->t, JP_UNPOWER);
	c->t = NULL;
}

/* mu held.  End the open transaction, clearing first when a PIN may be
 * verified. */
static jp_rv end_inlock(jp_card *c)
{
	jp_rv rv = JP_OK, erv;

	if (!c->open)
		return JP_OK;
	c->open = false;
	c->holder = NULL;
	pthread_cond_broadcast(&c->cv);
	if (!c->t) {
		c->dirty = false;
		return JP_OK;
	}
	if (!c->dirty) {
		erv = jp_transport_end(c->t, JP_LEAVE);
		if (erv != JP_OK)
			track(c, erv);
		return JP_OK;
	}
	c->dirty = false;
	if (!c->gone) {
		rv = track(c, jpki_clear_state(&c->app));
		if (rv == JP_OK) {
			erv = jp_transport_end(c->t, JP_LEAVE);
			if (erv != JP_OK)
				track(c, erv);
			return JP_OK;
		}
		JP_LOG("clearing the card failed (%s): powering it down", jp_rv_name(rv));
	} else {
		rv = JP_E_NO_CARD;
	}
	/* The card may still hold a verified PIN: power it down.  If even that
	 * cannot be done on the transaction, drop the connection with it. */
	c->powerdowns++;
	jpki_card_forget(&c->app);
	erv = jp_transport_end(c->t, JP_UNPOWER);
	if (erv != JP_OK) {
		track(c, erv);
		/* Whatever the failure, the connection closes asking for the
		 * card to be powered down: the transport leaves a card that went
		 * (it lost its power with it) alone. */
		close_unpowered_inlock(c);
	}
	return rv;
}

jp_rv jp_card_end(jp_card *c)
{
	jp_rv rv;

	pthread_mutex_lock(&c->mu);
	rv = end_inlock(c);
	pthread_mutex_unlock(&c->mu);
	return rv;
}

/* ---- the hold and its watchdog ------------------------------------------ */

static void *watchdog_main(void *arg)
{
	jp_card *c = arg;
	struct timespec ts;

	pthread_mutex_lock(&c->mu);
	while (c->holder) {
		uint64_t now = now_ms();

		if (now >= c->hold_until_ms) {
			JP_LOG("held card released after %d ms unused", JP_HOLD_MS);
			c->lapsed = true;
			end_inlock(c);
			break;
		}
		ts.tv_sec = (time_t)(c->hold_until_ms / 1000);
		ts.tv_nsec = (long)(c->hold_until_ms % 1000) * 1000000;
		pthread_cond_timedwait(&c->cv, &c->mu, &ts);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* mu NOT held.  Wait for a watchdog that has nothing left to watch. */
static void reap_watchdog(jp_card *c)
{
	bool join;

	pthread_mutex_lock(&c->mu);
	join = c->watching;
	c->watching = false;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	if (join)
		pthread_join(c->watchdog, NULL);
}

void jp_card_hold(jp_card *c, const void *owner)
{
	bool start;

	reap_watchdog(c);
	pthread_mutex_lock(&c->mu);
	if (!c->open) {
		pthread_mutex_unlock(&c->mu);
		return;
	}
	c->holder = owner;
	c->lapsed = false;
	c->hold_until_ms = now_ms() + JP_HOLD_MS;
	start = pthread_create(&c->watchdog, NULL, watchdog_main, c) == 0;
	c->watching = start;
	if (!start) {
		/* No thread, no time limit: do not hold at all. */
		JP_LOG("cannot start the hold's watchdog: releasing at once");
		end_inlock(c);
	}
	pthread_mutex_unlock(&c->mu);
}

bool jp_card_resume(jp_card *c, const void *owner)
{
	bool ok;

	pthread_mutex_lock(&c->mu);
	ok = c->open && c->holder && c->holder == owner;
	if (ok) {
		c->holder = NULL;       /* the watchdog leaves; the caller ends */
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	if (ok)
		reap_watchdog(c);
	return ok;
}

bool jp_card_held_by(jp_card *c, const void *owner)
{
	bool held;

	pthread_mutex_lock(&c->mu);
	held = c->open && c->holder && (owner == NULL || c->holder == owner);
	pthread_mutex_unlock(&c->mu);
	return held;
}

void jp_card_release(jp_card *c)
{
	pthread_mutex_lock(&c->mu);
	if (c->holder) {
		JP_LOG("releasing the card held for an operation");
		end_inlock(c);
	}
	pthread_mutex_unlock(&c->mu);
	reap_watchdog(c);
}

/* ---- beginning ---------------------------------------------------------- */

jp_rv jp_card_begin(jp_card *c)
{
	jp_rv rv = JP_OK;
	int i;

	jp_card_release(c);
	pthread_mutex_lock(&c->mu);
	if (c->open) {
		/* a transaction left open by a failed caller: end it properly */
		end_inlock(c);
	}
	if (!c->t) {
		rv = track(c, jp_connect(c->reader, &c->t));
		if (rv != JP_OK) {
			c->t = NULL;
			goto out;
		}
		c->gone = false;
	}
	for (i = 0; i < 2; i++) {
		rv = track(c, jp_transport_begin(c->t));
		if (rv != JP_E_RESET)
			break;
		JP_LOG("card in %s was reset by someone", c->reader);
	}
	if (rv == JP_OK) {
		c->open = true;
		c->dirty = false;
		jpki_card_init(&c->app, c->t);
	}
out:
	pthread_mutex_unlock(&c->mu);
	return rv;
}

bool jp_card_take_reset(jp_card *c)
{
	bool r = c->reset;

	c->reset = false;
	return r;
}

/* ---- closing ------------------------------------------------------------ */

void jp_card_disconnect(jp_card *c)
{
	jp_card_release(c);
	pthread_mutex_lock(&c->mu);
	end_inlock(c);
	if (c->t)
		jp_transport_close(c->t, JP_LEAVE);
	c->t = NULL;
	c->open = false;
	pthread_mutex_unlock(&c->mu);
}

void jp_card_free(jp_card *c)
{
	if (!c->reader)
		return;
	jp_card_disconnect(c);
	reap_watchdog(c);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c->reader);
	memset(c, 0, sizeof(*c));
}

void jp_card_release_at_exit(jp_card *c)
{
	bool join;

	if (!c->reader || pthread_mutex_trylock(&c->mu) != 0)
		return;
	if (c->open && c->dirty)
		end_inlock(c);
	/* the hold is over: its watchdog leaves at once, and is waited for */
	join = c->watching && !c->holder;
	c->watching = c->watching && !join;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	if (join)
		pthread_join(c->watchdog, NULL);
}

const void *jp_card_holder(jp_card *c)
{
	const void *h;

	pthread_mutex_lock(&c->mu);
	h = c->open ? c->holder : NULL;
	pthread_mutex_unlock(&c->mu);
	return h;
}

void jp_card_abandon(jp_card *c)
{
	/* In a child after fork(): the transport frees itself without PC/SC
	 * calls there, and the parent's watchdog thread does not exist here. */
	if (c->t)
		jp_transport_close(c->t, JP_LEAVE);
	free(c->reader);
	memset(c, 0, sizeof(*c));
}

/* ---- the card application ------------------------------------------------ */

/* Each call runs inside a transaction begun by jp_card_begin(). */
#define INSIDE(c, pin, call)                                                   \
	do {                                                                   \
		jp_rv rv_ = JP_E_ARGS;                                         \
		pthread_mutex_lock(&(c)->mu);                                  \
		if ((c)->open) {                                               \
			(c)->dirty = (c)->dirty || (pin);                      \
			rv_ = track((c), (call));                              \
		}                                                              \
		pthread_mutex_unlock(&(c)->mu);                                \
		return rv_;                                                    \
	} while (0)

jp_rv jp_card_select(jp_card *c)
{
	INSIDE(c, false, jpki_select_app(&c->app));
}

jp_rv jp_card_read_info(jp_card *c, jpki_info *info)
{
	INSIDE(c, false, jpki_read_info(&c->app, info));
}

jp_rv jp_card_read_cert(jp_card *c, jpki_cred cred, bool ca, uint8_t **der, size_t *len)
{
	INSIDE(c, false, jpki_read_cert(&c->app, cred, ca, der, len));
}

jp_rv jp_card_read_cert_known(jp_card *c, jpki_cred cred, bool ca, const uint8_t *known, size_t known_len,
                             uint8_t **der, size_t *len, bool *same)
{
	INSIDE(c, false, jpki_read_cert_known(&c->app, cred, ca, known, known_len, der, len, same));
}

jp_rv jp_card_pin_tries(jp_card *c, jpki_cred cred, int *tries)
{
	if (cred == JPKI_FACE)
		return jp_card_face_pin_tries(c, tries);
	INSIDE(c, false, jpki_pin_tries(&c->app, cred, tries));
}

jp_rv jp_card_verify(jp_card *c, jpki_cred cred, const uint8_t *pin, size_t len, int *tries_left)
{
	if (cred == JPKI_FACE)
		return jp_card_face_verify(c, pin, len, tries_left);
	INSIDE(c, true, jpki_verify(&c->app, cred, pin, len, tries_left));
}

jp_rv jp_card_change_pin(jp_card *c, jpki_cred cred, const uint8_t *new_pin, size_t len)
{
	if (cred == JPKI_FACE)
		return jp_card_face_change_pin(c, new_pin, len);
	INSIDE(c, true, jpki_change_pin(&c->app, cred, new_pin, len));
}

/* mu held, inside a transaction. */
static jp_rv keypad_inlock(jp_card *c, jp_pinpad_features *f)
{
	uint8_t buf[256];
	size_t n = sizeof(buf);
	jp_rv rv;

	memset(f, 0, sizeof(*f));
	rv = jp_transport_features(c->t, buf, &n);
	if (rv != JP_OK)
		return rv;
	if (jp_pinpad_parse_features(buf, n, f) != 0)
		JP_LOG("the reader's feature list is malformed: no keypad");
	return JP_OK;
}

/* mu held.  Does the reader have a display to prompt on?  Its
 * FEATURE_IFD_PIN_PROPERTIES tells; a reader without it, or whose answer
 * makes no sense, has none. */
static bool display_inlock(jp_card *c, const jp_pinpad_features *f)
{
	uint8_t buf[16];
	size_t n = sizeof(buf);
	int lines = 0, chars = 0;

	if (!f->pin_properties || jp_transport_control(c->t, f->pin_properties, NULL, 0, buf, &n) != JP_OK ||
	    jp_pinpad_parse_properties(buf, n, &lines, &chars) != 0)
		return false;
	return lines > 0 && chars > 0;
}

static jp_rv verify_keypad_inlock(jp_card *c, jpki_cred cred, int *tries_left)
{
	jp_pinpad_features f;
	jp_rv rv = keypad_inlock(c, &f);

	if (rv != JP_OK)
		return rv;
	if (!f.verify_direct)
		return JP_E_NO_KEYPAD;
	if (cred == JPKI_FACE)
		return face_verify_keypad(&c->app, f.verify_direct, display_inlock(c, &f), tries_left);
	return jpki_verify_keypad(&c->app, cred, f.verify_direct, display_inlock(c, &f), tries_left);
}

static jp_rv change_keypad_inlock(jp_card *c, jpki_cred cred)
{
	jp_pinpad_features f;
	jp_rv rv = keypad_inlock(c, &f);

	if (rv != JP_OK)
		return rv;
	if (!f.modify_direct)
		return JP_E_NO_KEYPAD;
	if (cred == JPKI_FACE)
		return face_change_keypad(&c->app, f.modify_direct, display_inlock(c, &f));
	return jpki_change_keypad(&c->app, cred, f.modify_direct, display_inlock(c, &f));
}

jp_rv jp_card_keypad(jp_card *c, jp_pinpad_features *f)
{
	memset(f, 0, sizeof(*f));
	INSIDE(c, false, keypad_inlock(c, f));
}

jp_rv jp_card_verify_keypad(jp_card *c, jpki_cred cred, int *tries_left)
{
	INSIDE(c, true, verify_keypad_inlock(c, cred, tries_left));
}

jp_rv jp_card_change_pin_keypad(jp_card *c, jpki_cred cred)
{
	INSIDE(c, true, change_keypad_inlock(c, cred));
}

jp_rv jp_card_sign(jp_card *c, jpki_cred cred, const uint8_t *data, size_t len, uint8_t *sig, size_t *sig_len)
{
	INSIDE(c, false, jpki_sign(&c->app, cred, data, len, sig, sig_len));
}

jp_rv jp_card_face_select(jp_card *c)
{
	INSIDE(c, false, face_select_app(&c->app));
}

jp_rv jp_card_face_pin_tries(jp_card *c, int *tries)
{
	INSIDE(c, false, face_pin_tries(&c->app, tries));
}

jp_rv jp_card_face_verify(jp_card *c, const uint8_t *pin, size_t len, int *tries_left)
{
	INSIDE(c, true, face_verify(&c->app, pin, len, tries_left));
}

jp_rv jp_card_face_change_pin(jp_card *c, const uint8_t *new_pin, size_t len)
{
	INSIDE(c, true, face_change_pin(&c->app, new_pin, len));
}

jp_rv jp_card_face_read(jp_card *c, face_data *d)
{
	INSIDE(c, false, face_read(&c->app, d));
}
