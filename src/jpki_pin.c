/* jpki-pkcs11: the PINs of the card's applications (see jpki.h and
 * jpki_pin.h): the retry counters, VERIFY and CHANGE REFERENCE DATA, typed
 * by the module or on the reader's keypad, and what the card's answers to
 * them mean.
 *
 * A command carrying a PIN is sent exactly once; the PIN bytes never reach
 * the log (JP_APDU_PIN).
 */
#include "config.h"

#include "jpki_pin.h"
#include "jpki_sw.h"
#include "log.h"
#include "pinpad.h"

/* How long the reader waits for the person at its keypad, in seconds. */
#define KEYPAD_TIMEOUT_S 30

bool jpki_pin_ok(const uint8_t *pin, size_t len)
{
	return pin != NULL && len > 0 && len <= 16;
}

jp_rv jpki_pin_tries(jpki_card *c, jpki_cred cred, int *tries)
{
	jp_rv rv;

	if (!jpki_valid_cred(cred))
		return JP_E_ARGS;
	rv = jpki_select_pin_ef(c, cred);
	return rv != JP_OK ? rv : jpki_pin_tries_here(c, tries);
}

jp_rv jpki_pin_tries_here(jpki_card *c, int *tries)
{
	/* VERIFY with no data field (case 1): the card tells the counter and
	 * spends nothing. */
	jp_apdu a = { 0x00, 0x20, 0x00, 0x80, NULL, 0, -1, 0 };
	uint16_t sw;
	jp_rv rv;

	rv = jpki_command(c, &a, &sw);
	if (rv != JP_OK)
		return rv;
	if (SW_TRIES_LEFT(sw)) {
		*tries = sw & 0x0F;
		return JP_OK;
	}
	switch (sw) {
	case SW_OK:                     /* verified right now */
		*tries = -1;
		return JP_OK;
	case SW_PIN_BLOCKED:
	case SW_PIN_BLOCKED2:
		*tries = 0;
		return JP_OK;
	default:
		return jpki_sw_rv(sw);
	}
}

/* What the card's answer to a VERIFY with a PIN means. */
static jp_rv verify_answer(uint16_t sw, int *tries_left)
{
	jp_rv rv;

	if (SW_TRIES_LEFT(sw)) {
		/* Wrong.  At 63C0 this very try locked the PIN: the answer to
		 * this call is still "incorrect", with 0 tries left; the next
		 * look at the counter shows it locked. */
		if (tries_left != NULL)
			*tries_left = sw & 0x0F;
		JP_LOG("VERIFY: wrong PIN, %d tries left", sw & 0x0F);
		return JP_E_PIN_INCORRECT;
	}
	rv = jpki_sw_rv(sw);
	if (tries_left != NULL) {
		if (rv == JP_OK)
			*tries_left = -1;
		else if (rv == JP_E_PIN_LOCKED)
			*tries_left = 0;
	}
	return rv;
}

/* What the card's answer to a CHANGE REFERENCE DATA means. */
static jp_rv change_answer(uint16_t sw)
{
	if (SW_TRIES_LEFT(sw))
		return JP_E_DEVICE;     /* CHANGE REFERENCE DATA compares nothing */
	return jpki_sw_rv(sw);
}

/* A command carrying a PIN (instruction ins, P1 p1) on the PIN EF selected
 * now.  Sent exactly once: a transport error is returned as is, since
 * whether the card compared the PIN is unknown and trying again could
 * spend a second try. */
static jp_rv send_pin(jpki_card *c, uint8_t ins, uint8_t p1, const uint8_t *pin, size_t pin_len, uint16_t *sw)
{
	jp_apdu a = { 0x00, ins, p1, 0x80, pin, pin_len, -1, JP_APDU_PIN };

	/* An empty VERIFY is a question, not a login: never send it here. */
	if (!jpki_pin_ok(pin, pin_len))
		return JP_E_ARGS;
	return jpki_command(c, &a, sw);
}

jp_rv jpki_verify(jpki_card *c, jpki_cred cred, const uint8_t *pin, size_t pin_len, int *tries_left)
{
	jp_rv rv;

	if (!jpki_valid_cred(cred) || !jpki_pin_ok(pin, pin_len))
		return JP_E_ARGS;
	rv = jpki_select_pin_ef(c, cred);
	return rv != JP_OK ? rv : jpki_verify_here(c, pin, pin_len, tries_left);
}

jp_rv jpki_verify_here(jpki_card *c, const uint8_t *pin, size_t pin_len, int *tries_left)
{
	uint16_t sw;
	jp_rv rv = send_pin(c, 0x20, 0x00, pin, pin_len, &sw);

	return rv != JP_OK ? rv : verify_answer(sw, tries_left);
}

jp_rv jpki_change_pin(jpki_card *c, jpki_cred cred, const uint8_t *new_pin, size_t new_len)
{
	jp_rv rv;

	if (!jpki_valid_cred(cred) || !jpki_pin_ok(new_pin, new_len))
		return JP_E_ARGS;
	rv = jpki_select_pin_ef(c, cred);
	return rv != JP_OK ? rv : jpki_change_pin_here(c, new_pin, new_len);
}

jp_rv jpki_change_pin_here(jpki_card *c, const uint8_t *new_pin, size_t new_len)
{
	uint16_t sw;
	jp_rv rv = send_pin(c, 0x24, 0x01, new_pin, new_len, &sw);

	return rv != JP_OK ? rv : change_answer(sw);
}

/* ---- the reader's keypad ------------------------------------------------- */

/* Hand the reader the keypad request s (len bytes, 0: it could not be
 * built), without its prompts when the reader has no display.  The
 * reader's answer: its own status words (the card saw nothing), or JP_OK
 * with the card's status word in *sw.  Sent once, as a typed PIN is. */
static jp_rv keypad_run(jpki_card *c, const char *what, uint32_t code, bool display,
                        uint8_t *s, size_t len, uint16_t *sw)
{
	uint8_t resp[JP_MAX_RESPONSE];
	size_t n = sizeof(resp);
	jp_rv rv;

	*sw = 0;
	if (code == 0 || len == 0 || (!display && jp_pinpad_no_messages(s, len) != 0))
		return JP_E_ARGS;
	JP_LOG("%s: PIN typed on the reader's keypad (control %08lX)", what, (unsigned long)code);
	rv = jp_transport_control(c->t, code, s, len, resp, &n);
	if (rv != JP_OK) {
		JP_LOG("%s: %s", what, jp_rv_name(rv));
		/* a cancel the reader reported as an error: nothing was sent */
		if (rv != JP_E_CANCELLED)
			jpki_card_forget(c);
		return rv;
	}
	c->fresh = false;
	switch (jp_pinpad_result_of(resp, n, sw)) {
	case JP_PINPAD_CARD:
		JP_LOG("%s: card answered %04X", what, *sw);
		return JP_OK;
	case JP_PINPAD_CANCELLED:
		JP_LOG("%s: Cancel pressed on the keypad (6401)", what);
		return JP_E_CANCELLED;
	case JP_PINPAD_TIMEOUT:
		JP_LOG("%s: nothing typed in time (6400)", what);
		return JP_E_CANCELLED;
	case JP_PINPAD_LENGTH:
		JP_LOG("%s: the reader refused the digits typed (6403)", what);
		return JP_E_PIN_LEN;
	case JP_PINPAD_MISMATCH:
		JP_LOG("%s: the new PIN and its confirmation differ (6402)", what);
		return JP_E_PIN_MISMATCH;
	case JP_PINPAD_REFUSED:
	default:
		JP_LOG("%s: the reader refused the request (%04X)", what, *sw);
		return JP_E_DEVICE;
	}
}

/* The keypad types 4 digits: of this applet's PINs, only the
 * user-authentication one. */
static bool keypad_cred(jpki_cred cred)
{
	return cred == JPKI_AUTH;
}

jp_rv jpki_verify_keypad(jpki_card *c, jpki_cred cred, uint32_t code, bool display, int *tries_left)
{
	jp_rv rv;

	if (!keypad_cred(cred))
		return JP_E_ARGS;
	rv = jpki_select_pin_ef(c, cred);
	return rv != JP_OK ? rv : jpki_verify_keypad_here(c, code, display, tries_left);
}

jp_rv jpki_verify_keypad_here(jpki_card *c, uint32_t code, bool display, int *tries_left)
{
	uint8_t s[JP_PINPAD_VERIFY_LEN];
	size_t len = jp_pinpad_build_verify(KEYPAD_TIMEOUT_S, s, sizeof(s));
	uint16_t sw;
	jp_rv rv = keypad_run(c, "keypad VERIFY", code, display, s, len, &sw);

	return rv != JP_OK ? rv : verify_answer(sw, tries_left);
}

jp_rv jpki_change_keypad(jpki_card *c, jpki_cred cred, uint32_t code, bool display)
{
	jp_rv rv;

	if (!keypad_cred(cred))
		return JP_E_ARGS;
	rv = jpki_select_pin_ef(c, cred);
	return rv != JP_OK ? rv : jpki_change_keypad_here(c, code, display);
}

jp_rv jpki_change_keypad_here(jpki_card *c, uint32_t code, bool display)
{
	uint8_t s[JP_PINPAD_CHANGE_LEN];
	size_t len = jp_pinpad_build_change(KEYPAD_TIMEOUT_S, s, sizeof(s));
	uint16_t sw;
	jp_rv rv = keypad_run(c, "keypad CHANGE REFERENCE DATA", code, display, s, len, &sw);

	return rv != JP_OK ? rv : change_answer(sw);
}
