/* jpki-pkcs11: a token's PIN: login (typed or on the reader's keypad), the
 * context login and the hold it keeps, signatures, PIN changes.
 *
 * A signature with the always-authenticate key is C_SignInit, then
 * C_Login(CKU_CONTEXT_SPECIFIC), then C_Sign.  The context login verifies
 * the PIN (so a wrong PIN is reported where PKCS#11 expects it) and keeps
 * the transaction open, the card verified, until C_Sign signs and clears:
 * one VERIFY and one transaction per signature, and no other process can
 * use the card in between.  The hold lasts JP_HOLD_MS at most; whatever
 * else needs the card first releases it (clear, end); C_Sign then verifies
 * again with the PIN the operation kept, unless a C_SetPIN made it stale.
 */
#include "config.h"

#include <openssl/crypto.h>

#include "conf.h"
#include "log.h"
#include "token.h"

/* Checks shared by everything that sends a PIN: the token has one, the
 * format is right (out: the PIN as the card compares it), and the PIN is
 * not known to be locked. */
static CK_RV pin_precheck(jp_token *t, const CK_UTF8CHAR *pin, CK_ULONG len, uint8_t *out, size_t *out_len)
{
	CK_RV rv;

	if (!t->pin_usable)
		return CKR_USER_PIN_NOT_INITIALIZED;
	if ((rv = jp_pin_prepare(t->cred, pin, len, out, out_len)) != CKR_OK)
		return rv;
	if (t->tries == 0)
		return CKR_PIN_LOCKED;
	return CKR_OK;
}

/* VERIFY inside a transaction, keeping the token's counter in step; pin
 * NULL: typed on the keypad (an entry the card never saw changes
 * nothing). */
static jp_rv verify_inside(jp_card_tokens *ct, jp_token *t, const uint8_t *pin, size_t len)
{
	int left = JP_TRIES_UNKNOWN;
	jp_rv rv = pin ? jp_card_verify(&ct->card, t->cred, pin, len, &left)
	               : jp_card_verify_keypad(&ct->card, t->cred, &left);

	if (rv == JP_OK)
		t->tries = jp_pin_max_tries(t->cred);
	else if (rv == JP_E_PIN_INCORRECT)
		t->tries = left;
	else if (rv == JP_E_PIN_LOCKED)
		t->tries = 0;
	if (rv == JP_OK || rv == JP_E_PIN_INCORRECT || rv == JP_E_PIN_LOCKED)
		t->tries_at = jp_token_now();
	return rv;
}

/* A transaction with the PIN (already checked) verified.  On JP_OK the
 * transaction is open and the card verified: the caller ends it with
 * jp_token_end().  Otherwise the transaction is over (cleared).  A transaction
 * still held for owner (a session of this token: its C_Login's hold) is
 * used instead of a new one: the PIN is verified again in it, which spares
 * the clear, the applet SELECT and the PIN EF's SELECT. */
static jp_rv open_verified(jp_card_tokens *ct, jp_token *t, const void *owner, const uint8_t *pin, size_t len)
{
	jp_rv rv = JP_OK;

	if (!owner || !jp_card_resume(&ct->card, owner)) {
		rv = jp_token_begin_for(ct, t);
		if (rv != JP_OK)
			return rv;
		/* A counter never read in this process (they are read when asked
		 * for) is read first, in the same transaction, for one APDU: a
		 * locked PIN is never sent. */
		if (t->tries == JP_TRIES_UNKNOWN && (rv = jp_token_read_tries(ct, t)) == JP_OK && t->tries == 0)
			rv = JP_E_PIN_LOCKED;
		if (rv != JP_OK)
			return jp_token_end(ct, rv);
	}
	rv = verify_inside(ct, t, pin, len);
	if (rv != JP_OK)
		return jp_token_end(ct, rv);
	return JP_OK;
}

/* Inside a transaction with the token's PIN verified: read what only the
 * PIN opens.  A private certificate (the signature one; a phone's
 * user-authentication one) can be read only now, and so can the card-face
 * data; everything else waits until someone asks. */
static jp_rv read_protected(jp_card_tokens *ct, jp_token *t)
{
	if (t->cred == JPKI_FACE)
		return jp_card_face_read(&ct->card, &t->face);
	if (jp_token_cert_private(t) && t->has_cert && !t->cert_tried)
		return jp_token_read_cert(ct, t, false);
	return JP_OK;
}

CK_RV jp_token_login(jp_card_tokens *ct, jp_token *t, const CK_UTF8CHAR *pin, CK_ULONG len, const void *owner)
{
	uint8_t buf[JP_PIN_MAX];
	size_t n = 0;
	jp_secret *kept = NULL;
	jp_rv rv;
	CK_RV ck;

	if ((ck = pin_precheck(t, pin, len, buf, &n)) != CKR_OK)
		goto out;
	/* The PIN is kept only where a later signature must verify it again
	 * without asking: the authentication key, and the signature key when
	 * the always-authenticate switch is off. */
	if ((t->cred == JPKI_AUTH || (t->cred == JPKI_SIGN && !jp_conf_always_auth())) &&
	    !(kept = jp_secret_new())) {
		ck = CKR_HOST_MEMORY;
		goto out;
	}
	rv = open_verified(ct, t, NULL, buf, n);
	if (rv == JP_OK) {
		rv = read_protected(ct, t);
		/* Kept for the operation that normally follows at once (a
		 * signature, or the context login before it), within the
		 * hold's bound; anything else that needs the card ends it. */
		if (rv == JP_OK && owner && t->cred != JPKI_FACE)  /* it has no key */
			jp_card_hold(&ct->card, owner);
		else
			rv = jp_token_end(ct, rv);
	}
	if ((ck = jp_ckr(rv)) != CKR_OK)
		goto out;
	t->logged_in = true;
	if (kept) {
		jp_secret_set(kept, buf, n);
		t->pin = kept;
		kept = NULL;
	}
out:
	jp_secret_free(kept);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ck;
}

/* A transaction with the PIN typed on the keypad and verified, after the
 * checks before the keypad is asked: the token types its PIN there (and,
 * for a change, the reader changes PINs too), and the PIN is not known to
 * be locked.  On CKR_OK the transaction is open: the caller ends it with
 * jp_token_end().  Otherwise it is over, or was never begun. */
static CK_RV open_keypad_verified(jp_card_tokens *ct, jp_token *t, bool change)
{
	if (!t->pin_usable)
		return CKR_USER_PIN_NOT_INITIALIZED;
	if (!jp_token_protected_path(ct, t))
		return CKR_ARGUMENTS_BAD;
	if (t->tries == 0)
		return CKR_PIN_LOCKED;
	if (change && !ct->keypad_modify)
		return CKR_ARGUMENTS_BAD;
	return jp_ckr(open_verified(ct, t, NULL, NULL, 0));
}

CK_RV jp_token_login_keypad(jp_card_tokens *ct, jp_token *t)
{
	CK_RV ck;

	/* The module never learns the PIN: nothing is kept.  A signature
	 * later asks the keypad again (jp_token_sign). */
	if ((ck = open_keypad_verified(ct, t, false)) != CKR_OK)
		return ck;
	if ((ck = jp_ckr(jp_token_end(ct, read_protected(ct, t)))) != CKR_OK)
		return ck;
	t->logged_in = true;
	t->keypad = true;
	return CKR_OK;
}

CK_RV jp_token_check_pin(jp_card_tokens *ct, jp_token *t, const CK_UTF8CHAR *pin, CK_ULONG len, const void *owner,
                         jp_secret *keep)
{
	uint8_t buf[JP_PIN_MAX];
	size_t n = 0;
	jp_rv rv;
	CK_RV ck;

	if ((ck = pin_precheck(t, pin, len, buf, &n)) != CKR_OK)
		goto out;
	rv = open_verified(ct, t, owner, buf, n);
	if ((ck = jp_ckr(rv)) != CKR_OK)
		goto out;
	if (keep)
		jp_secret_set(keep, buf, n);
	if (owner)
		jp_card_hold(&ct->card, owner);
	else
		ck = jp_ckr(jp_token_end(ct, JP_OK));
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return ck;
}

void jp_token_release_hold(jp_card_tokens *ct)
{
	jp_card_release(&ct->card);
}

CK_RV jp_token_sign(jp_card_tokens *ct, jp_token *t, const void *owner, const jp_secret *pin,
                    const uint8_t *data, size_t len, uint8_t *sig, size_t *sig_len)
{
	jp_rv rv;

	if (owner && jp_card_resume(&ct->card, owner)) {
		/* verified by the login or context login just done, inside the
		 * same transaction */
		rv = jp_card_sign(&ct->card, t->cred, data, len, sig, sig_len);
		return jp_ckr(jp_token_end(ct, rv));
	}
	if (!pin)
		pin = t->pin;
	if (pin && pin->len == 0)
		pin = NULL;
	/* no PIN to verify with: after a keypad login, the keypad asks */
	if (!t->logged_in || (!pin && !t->keypad))
		return CKR_USER_NOT_LOGGED_IN;
	rv = jp_token_begin_selected(ct);
	if (rv != JP_OK)
		return jp_ckr(rv);
	if (!t->logged_in) {    /* the card was reset since login */
		jp_token_end(ct, JP_OK);
		return CKR_USER_NOT_LOGGED_IN;
	}
	rv = verify_inside(ct, t, pin ? pin->pin : NULL, pin ? pin->len : 0);
	if (rv == JP_E_CANCELLED || rv == JP_E_PIN_LEN) {
		/* the person did not type a PIN the card saw: nothing was
		 * spent, the login stays */
		jp_token_end(ct, rv);
		return CKR_FUNCTION_CANCELED;
	}
	if (rv != JP_OK) {
		/* A PIN that verified before and fails now is dropped at once and
		 * never tried again: the user logs in afresh.  The result names
		 * the cause: a wrong or locked PIN means the login is gone, a
		 * failing or vanished card is a device error. */
		rv = jp_token_end(ct, rv);
		JP_LOG("re-verification failed (%s): logged out", jp_rv_name(rv));
		jp_token_logout(t);
		if (rv == JP_E_PIN_INCORRECT || rv == JP_E_PIN_LOCKED || rv == JP_E_SECURITY || rv == JP_E_RESET)
			return CKR_USER_NOT_LOGGED_IN;
		return jp_ckr(rv);
	}
	rv = jp_card_sign(&ct->card, t->cred, data, len, sig, sig_len);
	return jp_ckr(jp_token_end(ct, rv));
}

CK_RV jp_token_set_pin(jp_card_tokens *ct, jp_token *t, const CK_UTF8CHAR *old_pin, CK_ULONG old_len,
                       const CK_UTF8CHAR *new_pin, CK_ULONG new_len)
{
	uint8_t old_buf[JP_PIN_MAX], new_buf[JP_PIN_MAX];
	size_t old_n = 0, new_n = 0;
	jp_rv rv;
	CK_RV ck;

	/* both PINs' formats first: a bad new PIN must not cost a VERIFY */
	if ((ck = pin_precheck(t, old_pin, old_len, old_buf, &old_n)) != CKR_OK ||
	    (ck = jp_pin_prepare(t->cred, new_pin, new_len, new_buf, &new_n)) != CKR_OK)
		goto out;
	rv = open_verified(ct, t, NULL, old_buf, old_n);
	if (rv == JP_OK)
		rv = jp_token_end(ct, jp_card_change_pin(&ct->card, t->cred, new_buf, new_n));
	if ((ck = jp_ckr(rv)) != CKR_OK)
		goto out;
	if (t->pin)
		jp_secret_set(t->pin, new_buf, new_n);
out:
	OPENSSL_cleanse(old_buf, sizeof(old_buf));
	OPENSSL_cleanse(new_buf, sizeof(new_buf));
	return ck;
}

CK_RV jp_token_set_pin_keypad(jp_card_tokens *ct, jp_token *t)
{
	CK_RV ck;

	/* The current PIN on the keypad, then the new one twice: one
	 * transaction (pinpad.h tells why two keypad requests). */
	if ((ck = open_keypad_verified(ct, t, true)) != CKR_OK)
		return ck;
	if ((ck = jp_ckr(jp_token_end(ct, jp_card_change_pin_keypad(&ct->card, t->cred)))) != CKR_OK)
		return ck;
	if (t->pin) {
		/* the PIN kept since a typed login is not the card's any more */
		jp_secret_free(t->pin);
		t->pin = NULL;
		t->keypad = t->logged_in;
	}
	return CKR_OK;
}
