/* jpki-pkcs11: a card's tokens as the card shows them: detection, the
 * card-face applet's probe, certificates, PIN counters, the token
 * information; and the transaction that each card operation of a token
 * is, for token_pin.c (PINs and signatures) too.
 *
 * Transactions, clearing and holds belong to the card session (card.c):
 * every operation of the token layer is one transaction begun and ended
 * there, and one that verified a PIN ends cleared (or with the card
 * powered down).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "log.h"
#include "sha256.h"
#include "token.h"

double jp_token_now(void)
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
jp_rv jp_token_begin_selected(jp_card_tokens *ct)
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
jp_rv jp_token_begin_for(jp_card_tokens *ct, const jp_token *t)
{
	jp_rv rv;

	if (t->cred != JPKI_FACE)
		return jp_token_begin_selected(ct);
	rv = jp_card_begin(&ct->card);
	take_events(ct);
	return rv;
}

/* End the transaction; the result is the work's (rv).  A clear that
 * failed does not undo work that was done (a signature made is a signature
 * made): the card session has powered the card down instead. */
jp_rv jp_token_end(jp_card_tokens *ct, jp_rv rv)
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
jp_rv jp_token_read_cert(jp_card_tokens *ct, jp_token *t, bool ca)
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

jp_rv jp_token_read_tries(jp_card_tokens *ct, jp_token *t)
{
	int tries = 0;
	jp_rv rv = jp_card_pin_tries(&ct->card, t->cred, &tries);

	if (rv != JP_OK)
		return rv;
	/* 9000 on an empty VERIFY: the PIN is verified right now, so nothing
	 * has been spent since the last success. */
	t->tries = tries < 0 ? jp_pin_max_tries(t->cred) : tries;
	t->tries_at = jp_token_now();
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

	rv = jp_token_begin_selected(ct);
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
		rv = jp_token_read_tries(ct, auth);
	if (rv == JP_OK && ct->info.serial[0] == '\0' && auth->has_cert && !jp_token_cert_private(auth))
		rv = jp_token_read_cert(ct, auth, false);
	if ((rv = jp_token_end(ct, rv)) != JP_OK)
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

	if (!t->pin_usable || jp_token_now() - t->tries_at < 1.0)
		return CKR_OK;
	rv = jp_token_begin_for(ct, t);
	if (rv == JP_OK)
		rv = jp_token_end(ct, jp_token_read_tries(ct, t));
	return jp_ckr(rv);
}

CK_RV jp_token_probe(jp_card_tokens *ct, jp_token *t)
{
	const jp_token *auth = &ct->tokens[JPKI_AUTH], *sign = &ct->tokens[JPKI_SIGN];
	jp_rv rv;

	if (t->cred != JPKI_FACE || t->probed)
		return jp_token_present(t) ? CKR_OK : CKR_TOKEN_NOT_PRESENT;
	rv = jp_token_begin_for(ct, t);
	if (rv != JP_OK)
		return jp_ckr(rv);
	rv = jp_token_end(ct, jp_token_read_tries(ct, t));
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
	rv = jp_token_begin_selected(ct);
	if (rv != JP_OK)
		return jp_ckr(rv);
	if (want_cert)
		rv = jp_token_read_cert(ct, t, false);
	if (rv == JP_OK && want_ca)
		rv = jp_token_read_cert(ct, t, true);
	return jp_ckr(jp_token_end(ct, rv));
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

bool jp_token_protected_path(const jp_card_tokens *ct, const jp_token *t)
{
	/* the signature PIN has letters, which no keypad types; the
	 * user-authentication and card-face PINs are 4 digits */
	return t->cred != JPKI_SIGN && t->pin_usable && ct->keypad_verify;
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
