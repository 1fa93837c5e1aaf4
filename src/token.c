/* jpki-pkcs11: card operations of a token.
 *
 * Transactions, clearing and holds belong to the card session (card.c):
 * every operation here is one transaction begun and ended there, and one
 * that verified a PIN ends cleared (or with the card powered down).
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "conf.h"
#include "log.h"
#include "sha256.h"
#include "token.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

CK_RV jp_ckr(jp_rv rv)
{
	switch (rv) {
	case JP_OK: return CKR_OK;
	case JP_E_MEMORY: return CKR_HOST_MEMORY;
	case JP_E_ARGS: return CKR_GENERAL_ERROR;
	case JP_E_NO_SERVICE:
	case JP_E_NO_READER:
	case JP_E_NO_CARD: return CKR_DEVICE_REMOVED;
	case JP_E_NOT_JPKI: return CKR_TOKEN_NOT_RECOGNIZED;
	case JP_E_SECURITY: return CKR_USER_NOT_LOGGED_IN;
	case JP_E_PIN_INCORRECT: return CKR_PIN_INCORRECT;
	case JP_E_PIN_LOCKED: return CKR_PIN_LOCKED;
	case JP_E_DATA_LEN: return CKR_DATA_LEN_RANGE;
	case JP_E_BAD_DATA: return CKR_PIN_INVALID;
	case JP_E_DEVICE_MEMORY: return CKR_DEVICE_MEMORY;
	case JP_E_CANCELLED: return CKR_FUNCTION_CANCELED;
	case JP_E_PIN_LEN: return CKR_PIN_LEN_RANGE;
	case JP_E_PIN_MISMATCH: return CKR_PIN_INVALID;
	case JP_E_NO_KEYPAD: return CKR_FUNCTION_FAILED;
	case JP_E_RESET:
	case JP_E_COMM:
	case JP_E_NOT_FOUND:
	case JP_E_DEVICE:
	default: return CKR_DEVICE_ERROR;
	}
}

void jp_token_logout(jp_token *t)
{
	jp_secret_free(t->pin);
	t->pin = NULL;
	t->logged_in = false;
	t->keypad = false;
	face_data_free(&t->face);      /* wiped: read again at the next login */
}

void jp_token_clear(jp_token *t)
{
	jpki_cred cred = t->cred;

	jp_token_logout(t);
	jp_cert_clear(&t->cert);
	jp_cert_clear(&t->ca);
	memset(t, 0, sizeof(*t));
	t->cred = cred;
	t->tries = JP_TRIES_UNKNOWN;
}

/* After every card operation: a reset by someone else logged both tokens
 * out (the card forgot, or may have forgotten, the PIN: either way this
 * process no longer knows it verified). */
static void take_events(jp_card_tokens *ct)
{
	if (jp_card_take_reset(&ct->card)) {
		JP_LOG("card in %s was reset: logged out", ct->card.reader);
		jp_token_logout(&ct->tokens[JPKI_AUTH]);
		jp_token_logout(&ct->tokens[JPKI_SIGN]);
		jp_token_logout(&ct->tokens[JPKI_FACE]);
	}
}

/* Begin a transaction and select the applet. */
static jp_rv begin_selected(jp_card_tokens *ct)
{
	jp_rv rv = jp_card_begin(&ct->card);

	take_events(ct);
	if (rv != JP_OK)
		return rv;
	rv = jp_card_select(&ct->card);
	if (rv != JP_OK)
		jp_card_end(&ct->card);
	return rv;
}

/* Begin a transaction for the token: the card-face token's calls select
 * their own applet (a JPKI SELECT first would be an APDU for nothing). */
static jp_rv begin_for(jp_card_tokens *ct, const jp_token *t)
{
	jp_rv rv;

	if (t->cred != JPKI_FACE)
		return begin_selected(ct);
	rv = jp_card_begin(&ct->card);
	take_events(ct);
	return rv;
}

/* End the transaction; the result is the work's (rv).  A clear that
 * failed does not undo work that was done (a signature made is a signature
 * made): the card session has powered the card down instead. */
static jp_rv end(jp_card_tokens *ct, jp_rv rv)
{
	jp_card_end(&ct->card);
	take_events(ct);
	if (rv != JP_OK)
		JP_LOG("card operation failed: %s", jp_rv_name(rv));
	return rv;
}

/* A token serial: 16 hex digits of SHA-256 over the card's own serial (or,
 * for a card without one, its user-authentication certificate) and the
 * credential, so the two tokens of one card differ and the same card gives
 * the same serials everywhere. */
static void make_serial(jp_token *t, const uint8_t *id, size_t id_len)
{
	static const char hex[] = "0123456789ABCDEF";
	uint8_t md[JP_SHA256_LEN], tag[8] = { 'J', 'P', 'K', 'I', 'T', 'O', 'K', (uint8_t)('0' + t->cred) };
	jp_sha256_ctx ctx;
	int i;

	jp_sha256_init(&ctx);
	jp_sha256_update(&ctx, tag, sizeof(tag));
	jp_sha256_update(&ctx, id, id_len);
	jp_sha256_final(&ctx, md);
	for (i = 0; i < 8; i++) {
		t->serial[2 * i] = hex[md[i] >> 4];
		t->serial[2 * i + 1] = hex[md[i] & 15];
	}
	t->serial[16] = '\0';
}

/* The cache's name for a public certificate; false for the signature
 * certificate, which is never cached. */
static bool cache_item(jpki_cred cred, bool ca, jp_cache_item *item)
{
	if (cred == JPKI_AUTH)
		*item = ca ? JP_CACHE_AUTH_CA : JP_CACHE_AUTH_CERT;
	else if (ca)
		*item = JP_CACHE_SIGN_CA;
	return cred == JPKI_AUTH || ca;
}

/* Read a certificate, through the cache when it is a public one of a card
 * with a serial: a cached copy costs one READ BINARY to check against the
 * card (jpki.h); a copy that fails the check, or none, means the card is
 * read in full and the cache written. */
static jp_rv read_cert_inside(jp_card_tokens *ct, jp_token *t, bool ca)
{
	const jp_cache *cache = jp_conf_cache();
	jp_cert *dst = ca ? &t->ca : &t->cert;
	uint8_t *der = NULL, *known = NULL;
	size_t len = 0, known_len = 0;
	jp_cache_item item = JP_CACHE_AUTH_CERT;
	bool cacheable = jp_cache_on(cache) && ct->info.serial[0] && cache_item(t->cred, ca, &item), same = false;
	jp_rv rv;

	if (cacheable)
		jp_cache_get(cache, ct->info.serial, item, &known, &known_len);
	rv = jp_card_read_cert_known(&ct->card, t->cred, ca, known, known_len, &der, &len, &same);
	if (rv != JP_OK)
		goto out;
	if (same) {
		JP_LOG("%s certificate %d: the cached copy matches the card", ca ? "CA" : "end-entity", t->cred);
		der = known;
		len = known_len;
		known = NULL;
	}
	if (der && jp_cert_parse(dst, der, len) != CKR_OK) {
		JP_LOG("%s certificate %d is not a usable X.509 certificate", ca ? "CA" : "end-entity", t->cred);
		rv = JP_E_DEVICE;
		goto out;
	}
	if (der && cacheable && !same)
		jp_cache_put(cache, ct->info.serial, item, der, len);
	if (ca) {
		t->ca_tried = true;
		t->have_ca = dst->der.p != NULL;
	} else {
		t->cert_tried = true;
		t->have_cert = dst->der.p != NULL;
	}
out:
	free(der);
	free(known);
	return rv;
}

static jp_rv read_tries_inside(jp_card_tokens *ct, jp_token *t)
{
	int tries = 0;
	jp_rv rv = jp_card_pin_tries(&ct->card, t->cred, &tries);

	if (rv != JP_OK)
		return rv;
	/* 9000 on an empty VERIFY: the PIN is verified right now, so nothing
	 * has been spent since the last success. */
	t->tries = tries < 0 ? jp_pin_max_tries(t->cred) : tries;
	t->tries_at = now();
	return JP_OK;
}

/* Inside the detect's transaction: does the reader type PINs?  The
 * transport asks the reader once per connection; no APDU.  A reader that
 * cannot tell has no keypad. */
static void learn_keypad(jp_card_tokens *ct)
{
	jp_pinpad_features f;
	jp_rv rv;

	ct->keypad_verify = ct->keypad_modify = false;
	if (!jp_conf_pinpad())
		return;
	rv = jp_card_keypad(&ct->card, &f);
	if (rv != JP_OK) {
		JP_LOG("reader features unknown (%s): no keypad", jp_rv_name(rv));
		return;
	}
	ct->keypad_verify = f.verify_direct != 0;
	ct->keypad_modify = f.verify_direct != 0 && f.modify_direct != 0;
	if (ct->keypad_verify)
		JP_LOG("%s has a PIN pad%s", ct->card.reader, ct->keypad_modify ? " (PIN change too)" : "");
}

CK_RV jp_token_detect(jp_card_tokens *ct)
{
	jp_token *auth = &ct->tokens[JPKI_AUTH], *sign = &ct->tokens[JPKI_SIGN], *face = &ct->tokens[JPKI_FACE];
	jp_rv rv;

	rv = begin_selected(ct);
	if (rv == JP_E_NOT_JPKI) {
		JP_LOG("card in %s is not a JPKI card", ct->card.reader);
		return CKR_TOKEN_NOT_RECOGNIZED;
	}
	if (rv != JP_OK)
		return jp_ckr(rv);
	learn_keypad(ct);
	auth->tries = sign->tries = JP_TRIES_UNKNOWN;
	auth->tries_at = sign->tries_at = 0;
	rv = jp_card_read_info(&ct->card, &ct->info);
	if (rv == JP_OK) {
		auth->has_cert = ct->info.has_cert[JPKI_AUTH];
		sign->has_cert = ct->info.has_cert[JPKI_SIGN];
		auth->cert_private = ct->info.cert_private[JPKI_AUTH];
		sign->cert_private = ct->info.cert_private[JPKI_SIGN];
		/* looked for when the card-face token is first used */
		face->has_cert = ct->info.may_have_face;
		face->probed = !ct->info.may_have_face;
	}
	/* PIN counters are read when a token's flags are asked for
	 * (jp_token_refresh_tries), not here; but a card without a signature
	 * certificate needs the authentication counter to tell whether its PIN
	 * can be used at all (below). */
	if (rv == JP_OK && auth->has_cert && !sign->has_cert)
		rv = read_tries_inside(ct, auth);
	if (rv == JP_OK && ct->info.serial[0] == '\0' && auth->has_cert && !jp_token_cert_private(auth))
		rv = read_cert_inside(ct, auth, false);
	if ((rv = end(ct, rv)) != JP_OK)
		return jp_ckr(rv);

	/* A face-authentication card has no signature certificate and an
	 * authentication PIN that was never set (zero tries); an under-15 card
	 * whose PIN got locked looks the same and can never log in from a PC
	 * either.  A signature token without a certificate has no PIN to use. */
	sign->pin_usable = sign->has_cert;
	auth->pin_usable = auth->has_cert && !(!sign->has_cert && auth->tries == 0);

	if (ct->info.serial[0]) {
		make_serial(auth, (const uint8_t *)ct->info.serial, strlen(ct->info.serial));
		make_serial(sign, (const uint8_t *)ct->info.serial, strlen(ct->info.serial));
		make_serial(face, (const uint8_t *)ct->info.serial, strlen(ct->info.serial));
	} else {
		make_serial(auth, auth->cert.der.p, auth->cert.der.len);
		make_serial(sign, auth->cert.der.p, auth->cert.der.len);
		make_serial(face, auth->cert.der.p, auth->cert.der.len);
	}
	JP_LOG("JPKI card in %s: auth cert %d pin %d tries %d; sign cert %d pin %d tries %d", ct->card.reader,
	       auth->has_cert, auth->pin_usable, auth->tries, sign->has_cert, sign->pin_usable, sign->tries);
	return CKR_OK;
}

CK_RV jp_token_refresh_tries(jp_card_tokens *ct, jp_token *t)
{
	jp_rv rv;

	if (!t->pin_usable || now() - t->tries_at < 1.0)
		return CKR_OK;
	rv = begin_for(ct, t);
	if (rv == JP_OK)
		rv = end(ct, read_tries_inside(ct, t));
	return jp_ckr(rv);
}

CK_RV jp_token_probe(jp_card_tokens *ct, jp_token *t)
{
	const jp_token *auth = &ct->tokens[JPKI_AUTH], *sign = &ct->tokens[JPKI_SIGN];
	jp_rv rv;

	if (t->cred != JPKI_FACE || t->probed)
		return jp_token_present(t) ? CKR_OK : CKR_TOKEN_NOT_PRESENT;
	rv = begin_for(ct, t);
	if (rv != JP_OK)
		return jp_ckr(rv);
	rv = end(ct, read_tries_inside(ct, t));
	if (rv == JP_E_NOT_FOUND) {
		JP_LOG("card in %s has no card-face applet", ct->card.reader);
		t->has_cert = false;
		rv = JP_OK;
	} else if (rv != JP_OK) {
		return jp_ckr(rv);
	}
	t->probed = true;
	/* A face-authentication card never had a PIN set: none of its
	 * counters shows a try, and it has no signature certificate. */
	t->pin_usable = t->has_cert && !(t->tries == 0 && auth->tries == 0 && !sign->has_cert);
	JP_LOG("card-face applet in %s: present %d pin %d tries %d", ct->card.reader, t->has_cert, t->pin_usable,
	       t->tries);
	return t->has_cert ? CKR_OK : CKR_TOKEN_NOT_PRESENT;
}

CK_RV jp_token_load(jp_card_tokens *ct, jp_token *t, bool cert, bool ca)
{
	bool want_cert = cert && !jp_token_cert_private(t) && t->has_cert && !t->cert_tried;
	bool want_ca = ca && t->has_cert && !t->ca_tried;
	jp_rv rv;

	if (t->cred == JPKI_FACE || (!want_cert && !want_ca))
		return CKR_OK;
	rv = begin_selected(ct);
	if (rv != JP_OK)
		return jp_ckr(rv);
	if (want_cert)
		rv = read_cert_inside(ct, t, false);
	if (rv == JP_OK && want_ca)
		rv = read_cert_inside(ct, t, true);
	return jp_ckr(end(ct, rv));
}

void jp_pad(CK_UTF8CHAR *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	memset(dst, ' ', n);
	memcpy(dst, src, len < n ? len : n);
}

CK_ULONG jp_token_key_bits(const jp_token *t)
{
	return t->have_cert && t->cert.bits ? t->cert.bits : 2048;
}

void jp_token_info(jp_card_tokens *ct, jp_token *t, CK_TOKEN_INFO *info)
{
	int max = jp_pin_max_tries(t->cred);
	static const char *const labels[JPKI_CREDS] = {
		"JPKI User Authentication", "JPKI Digital Signature", "JPKI Card Face Data",
	};

	memset(info, 0, sizeof(*info));
	jp_pad(info->label, sizeof(info->label), labels[t->cred]);
	jp_pad(info->manufacturerID, sizeof(info->manufacturerID), "J-LIS");
	jp_pad(info->model, sizeof(info->model), ct->info.kind == JPKI_KIND_PHONE ? "JPKI Smartphone" : "JPKI");
	memcpy(info->serialNumber, t->serial, 16);
	info->flags = CKF_WRITE_PROTECTED | CKF_TOKEN_INITIALIZED;
	if (t->pin_usable) {
		info->flags |= CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED;
		if (jp_token_protected_path(ct, t))
			info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
		if (t->tries == 0)
			info->flags |= CKF_USER_PIN_LOCKED;
		else if (t->tries > 0 && t->tries < max)
			info->flags |= CKF_USER_PIN_COUNT_LOW | (t->tries == 1 ? CKF_USER_PIN_FINAL_TRY : 0);
	}
	info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
	info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
	jp_pin_limits(t->cred, &info->ulMinPinLen, &info->ulMaxPinLen);
	info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	info->hardwareVersion.major = 1;
	info->firmwareVersion.major = 1;
	jp_pad(info->utcTime, sizeof(info->utcTime), "");
}

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
		t->tries_at = now();
	return rv;
}

/* A transaction with the PIN (already checked) verified.  On JP_OK the
 * transaction is open and the card verified: the caller ends it with
 * end().  Otherwise the transaction is over (cleared).  A transaction
 * still held for owner (a session of this token: its C_Login's hold) is
 * used instead of a new one: the PIN is verified again in it, which spares
 * the clear, the applet SELECT and the PIN EF's SELECT. */
static jp_rv open_verified(jp_card_tokens *ct, jp_token *t, const void *owner, const uint8_t *pin, size_t len)
{
	jp_rv rv = JP_OK;

	if (!owner || !jp_card_resume(&ct->card, owner)) {
		rv = begin_for(ct, t);
		if (rv != JP_OK)
			return rv;
		/* A counter never read in this process (they are read when asked
		 * for) is read first, in the same transaction, for one APDU: a
		 * locked PIN is never sent. */
		if (t->tries == JP_TRIES_UNKNOWN && (rv = read_tries_inside(ct, t)) == JP_OK && t->tries == 0)
			rv = JP_E_PIN_LOCKED;
		if (rv != JP_OK)
			return end(ct, rv);
	}
	rv = verify_inside(ct, t, pin, len);
	if (rv != JP_OK)
		return end(ct, rv);
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
		return read_cert_inside(ct, t, false);
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
			rv = end(ct, rv);
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

bool jp_token_protected_path(const jp_card_tokens *ct, const jp_token *t)
{
	/* the signature PIN has letters, which no keypad types; the
	 * user-authentication and card-face PINs are 4 digits */
	return t->cred != JPKI_SIGN && t->pin_usable && ct->keypad_verify;
}

/* Checks before the keypad is asked: the token types its PIN there, and
 * the PIN is not known to be locked. */
static CK_RV keypad_precheck(jp_card_tokens *ct, jp_token *t)
{
	if (!t->pin_usable)
		return CKR_USER_PIN_NOT_INITIALIZED;
	if (!jp_token_protected_path(ct, t))
		return CKR_ARGUMENTS_BAD;
	if (t->tries == 0)
		return CKR_PIN_LOCKED;
	return CKR_OK;
}

CK_RV jp_token_login_keypad(jp_card_tokens *ct, jp_token *t)
{
	jp_rv rv;
	CK_RV ck;

	if ((ck = keypad_precheck(ct, t)) != CKR_OK)
		return ck;
	/* The module never learns the PIN: nothing is kept.  A signature
	 * later asks the keypad again (jp_token_sign). */
	rv = open_verified(ct, t, NULL, NULL, 0);
	if (rv == JP_OK) {
		rv = read_protected(ct, t);
		rv = end(ct, rv);
	}
	if ((ck = jp_ckr(rv)) != CKR_OK)
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
		ck = jp_ckr(end(ct, JP_OK));
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
		return jp_ckr(end(ct, rv));
	}
	if (!pin)
		pin = t->pin;
	if (pin && pin->len == 0)
		pin = NULL;
	/* no PIN to verify with: after a keypad login, the keypad asks */
	if (!t->logged_in || (!pin && !t->keypad))
		return CKR_USER_NOT_LOGGED_IN;
	rv = begin_selected(ct);
	if (rv != JP_OK)
		return jp_ckr(rv);
	if (!t->logged_in) {    /* the card was reset since login */
		end(ct, JP_OK);
		return CKR_USER_NOT_LOGGED_IN;
	}
	rv = verify_inside(ct, t, pin ? pin->pin : NULL, pin ? pin->len : 0);
	if (rv == JP_E_CANCELLED || rv == JP_E_PIN_LEN) {
		/* the person did not type a PIN the card saw: nothing was
		 * spent, the login stays */
		end(ct, rv);
		return CKR_FUNCTION_CANCELED;
	}
	if (rv != JP_OK) {
		/* A PIN that verified before and fails now is dropped at once and
		 * never tried again: the user logs in afresh.  The result names
		 * the cause: a wrong or locked PIN means the login is gone, a
		 * failing or vanished card is a device error. */
		rv = end(ct, rv);
		JP_LOG("re-verification failed (%s): logged out", jp_rv_name(rv));
		jp_token_logout(t);
		if (rv == JP_E_PIN_INCORRECT || rv == JP_E_PIN_LOCKED || rv == JP_E_SECURITY || rv == JP_E_RESET)
			return CKR_USER_NOT_LOGGED_IN;
		return jp_ckr(rv);
	}
	rv = jp_card_sign(&ct->card, t->cred, data, len, sig, sig_len);
	return jp_ckr(end(ct, rv));
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
		rv = end(ct, jp_card_change_pin(&ct->card, t->cred, new_buf, new_n));
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
	jp_rv rv;
	CK_RV ck;

	if ((ck = keypad_precheck(ct, t)) != CKR_OK)
		return ck;
	if (!ct->keypad_modify)
		return CKR_ARGUMENTS_BAD;
	/* The current PIN on the keypad, then the new one twice: one
	 * transaction (pinpad.h tells why two keypad requests). */
	rv = open_verified(ct, t, NULL, NULL, 0);
	if (rv == JP_OK)
		rv = end(ct, jp_card_change_pin_keypad(&ct->card, t->cred));
	if ((ck = jp_ckr(rv)) != CKR_OK)
		return ck;
	if (t->pin) {
		/* the PIN kept since a typed login is not the card's any more */
		jp_secret_free(t->pin);
		t->pin = NULL;
		t->keypad = t->logged_in;
	}
	return CKR_OK;
}
