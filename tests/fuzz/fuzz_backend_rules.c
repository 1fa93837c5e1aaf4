/* jpki-pkcs11 fuzzing: the fuzz backend's safety rules (see fuzz_backend.h
 * for the list): the PINs each C_* call may send, the commands' form, and
 * the card never left verified.  Each broken rule is an abort(). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_backend_state.h"

void fz_violation(const char *what)
{
	fprintf(stderr, "fuzz backend: %s\n", what);
	abort();
}

/* ---- PIN accounting ------------------------------------------------------ */

static void upper(uint8_t *dst, size_t *dst_len, const uint8_t *src, size_t n)
{
	size_t i;

	if (n > PIN_MAX)
		n = PIN_MAX;
	for (i = 0; i < n; i++)
		dst[i] = src[i] >= 'a' && src[i] <= 'z' ? (uint8_t)(src[i] - 'a' + 'A') : src[i];
	*dst_len = n;
}

static void unreject_inlock(const uint8_t *pin, size_t n)
{
	int i;

	for (i = 0; i < fz.nrejected;) {
		if (fz.rejected[i].len == n && memcmp(fz.rejected[i].pin, pin, n) == 0)
			fz.rejected[i] = fz.rejected[--fz.nrejected];
		else
			i++;
	}
}

static bool is_rejected_inlock(uint16_t ef, const uint8_t *pin, size_t n)
{
	int i;

	for (i = 0; i < fz.nrejected; i++)
		if (fz.rejected[i].ef == ef && fz.rejected[i].len == n && memcmp(fz.rejected[i].pin, pin, n) == 0)
			return true;
	return false;
}

void fz_reject_inlock(uint16_t ef, const uint8_t *pin, size_t n)
{
	fz_rejected *e;

	if (n > PIN_MAX || is_rejected_inlock(ef, pin, n) || fz.nrejected == MAX_REJECTED)
		return;
	e = &fz.rejected[fz.nrejected++];
	e->ef = ef;
	e->len = n;
	memcpy(e->pin, pin, n);
}

void fuzz_backend_call(fz_call kind, const uint8_t *pin, size_t pin_len, const uint8_t *new_pin, size_t new_len)
{
	pthread_mutex_lock(&fz.mu);
	fz.call = kind;
	fz.verifies = fz.changes = 0;
	fz.pin_len = fz.new_len = 0;
	if (pin)
		upper(fz.pin, &fz.pin_len, pin, pin_len);
	if (new_pin)
		upper(fz.new_pin, &fz.new_len, new_pin, new_len);
	/* the caller gives these PINs afresh: the module may send them */
	if (kind == FZ_CALL_LOGIN || kind == FZ_CALL_SET_PIN) {
		unreject_inlock(fz.pin, fz.pin_len);
		unreject_inlock(fz.new_pin, fz.new_len);
	}
	if (kind == FZ_CALL_SIGN && fz.sign_rejected)
		fz.reached |= FZ_REACHED_RESIGN;
	pthread_mutex_unlock(&fz.mu);
}

/* ---- commands ------------------------------------------------------------ */

bool fz_is_pin_command(const uint8_t *cmd, size_t len, uint8_t ins)
{
	return len > 5 && cmd[0] == 0x00 && cmd[1] == ins;
}

void fz_check_command_inlock(fz_conn *c, const uint8_t *cmd, size_t len)
{
	if (len < 4 || len > 4 + 1 + 255 + 1)
		fz_violation("not a short APDU (length)");
	if (len > 5 && cmd[4] == 0x00)
		fz_violation("extended length or Lc = 0");
	if (len > 5 && len != 5u + cmd[4] && len != 6u + cmd[4])
		fz_violation("Lc does not match the data");
	if (cmd[0] == 0x00 && (cmd[1] == 0x20 || cmd[1] == 0x24) && len == 5)
		fz_violation("an empty PIN sent with Lc");
	if (fz_is_pin_command(cmd, len, 0x20)) {
		const uint8_t *pin = cmd + 5;
		size_t n = cmd[4];

		if (fz.call == FZ_CALL_NO_PIN)
			fz_violation("VERIFY with a PIN in a call that has none");
		if (++fz.verifies > 1)
			fz_violation("VERIFY with a PIN sent twice in one call");
		if ((fz.call == FZ_CALL_LOGIN || fz.call == FZ_CALL_SET_PIN) &&
		    (n != fz.pin_len || memcmp(pin, fz.pin, n) != 0))
			fz_violation("VERIFY with another PIN than the caller's");
		if (fz.call == FZ_CALL_SIGN && is_rejected_inlock(c->ef, pin, n))
			fz_violation("a PIN the card rejected was sent again without a new login");
		fz.reached |= FZ_REACHED_VERIFY;
	}
	if (fz_is_pin_command(cmd, len, 0x24)) {
		if (fz.call != FZ_CALL_SET_PIN)
			fz_violation("CHANGE REFERENCE DATA outside C_SetPIN");
		if (++fz.changes > 1 || fz.verifies != 1)
			fz_violation("CHANGE REFERENCE DATA twice, or without one VERIFY before");
		if (cmd[4] != fz.new_len || memcmp(cmd + 5, fz.new_pin, fz.new_len) != 0)
			fz_violation("CHANGE REFERENCE DATA with another PIN than the caller's");
		fz.reached |= FZ_REACHED_CHANGE;
	}
	if (cmd[1] == 0x2A)
		fz.reached |= FZ_REACHED_SIGN;
}

/* ---- the card never left verified ------------------------------------------ */

void fz_check_usable_inlock(fz_conn *c, const char *what)
{
	if (c->must_unpower) {
		fprintf(stderr, "fuzz backend: %s after an end that failed with the card verified\n", what);
		fz_violation("the connection must be closed with JP_UNPOWER");
	}
}

void fz_check_end_inlock(fz_conn *c, jp_disposition d, jp_rv rv)
{
	if (c->verified && rv != JP_OK)
		fz.reached |= FZ_REACHED_FAULT;
	else if (c->verified && d == JP_UNPOWER)
		fz.reached |= FZ_REACHED_UNPOWERED;
	if (rv == JP_OK) {
		if (d == JP_UNPOWER)
			c->verified = false;
		else if (c->verified)
			fz_violation("a transaction ended with the card verified");
	} else if (c->verified) {
		/* not carried out: the card is still verified */
		if (d == JP_LEAVE)
			fz_violation("a transaction ended with the card verified");
		c->must_unpower = true;
	}
}

void fz_check_close_inlock(fz_conn *c, jp_disposition d)
{
	if (c->verified && d != JP_UNPOWER)
		fz_violation("a connection closed with the card verified");
	if (c->verified)
		fz.reached |= FZ_REACHED_UNPOWERED;
}
