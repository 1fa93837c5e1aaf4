/* jpki-pkcs11: card operations of a token.
 *
 * Clearing the security state: after any VERIFY the JPKI applet is selected
 * again before the PC/SC transaction ends.  The card drops every verified
 * PIN on an applet SELECT; it is one short APDU, cheaper than ending the
 * transaction with SCARD_RESET_CARD (a reset of the card), and it leaves the
 * applet selected.  A process that never logged in therefore never finds
 * the card verified.
 *
 * A signature with the always-authenticate key is C_SignInit, then
 * C_Login(CKU_CONTEXT_SPECIFIC), then C_Sign.  The context login verifies
 * the PIN (so a wrong PIN is reported where PKCS#11 expects it) and keeps
 * the transaction open, the card verified, until C_Sign signs and clears:
 * one VERIFY and one transaction per signature, and no other process can
 * use the card in between.  Whatever else needs the card first releases
 * the hold (clear, end); C_Sign then verifies again with the PIN the
 * operation kept.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "log.h"
#include "slot.h"
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
	case JP_E_RESET:
	case JP_E_COMM:
	case JP_E_NOT_FOUND:
	case JP_E_DEVICE:
	default: return CKR_DEVICE_ERROR;
	}
}

void jp_token_clear(jp_token *t)
{
	jpki_cred cred = t->cred;

	OPENSSL_cleanse(t->pin, sizeof(t->pin));
	jp_cert_clear(&t->cert);
	jp_cert_clear(&t->ca);
	memset(t, 0, sizeof(*t));
	t->cred = cred;
	t->tries = JP_TRIES_UNKNOWN;
}

void jp_token_logout(jp_token *t)
{
	OPENSSL_cleanse(t->pin, sizeof(t->pin));
	t->pin_len = 0;
	t->logged_in = false;
}

static void logout_all(jp_reader *r)
{
	jp_token_logout(&r->tokens[JPKI_AUTH]);
	jp_token_logout(&r->tokens[JPKI_SIGN]);
}

/* Begin a transaction on the card.  A reset by someone else is seen here,
 * before anything is sent: it logs both tokens out and the transaction is
 * begun again on the reconnected card. */
static jp_rv card_begin(jp_reader *r, jpki_card *c)
{
	jp_rv rv;
	int i;

	jp_reader_release_hold(r);
	if (!r->t) {
		jp_mutex_lock(g.lock);
		rv = g.pcsc ? jp_pcsc_connect(g.pcsc, r->name, &r->t) : JP_E_NO_SERVICE;
		jp_mutex_unlock(g.lock);
		if (rv != JP_OK) {
			r->t = NULL;
			return rv;
		}
	}
	for (i = 0; i < 2; i++) {
		rv = jp_transport_begin(r->t);
		if (rv != JP_E_RESET)
			break;
		JP_LOG("card in %s was reset: logged out", r->name);
		logout_all(r);
	}
	if (rv == JP_OK)
		jpki_card_init(c, r->t);
	return rv;
}

/* After a failed card operation: a card or reader that went away is
 * forgotten at once; the result in PKCS#11 terms. */
static CK_RV card_failed(jp_reader *r, jp_rv rv)
{
	JP_LOG("card operation failed: %s", jp_rv_name(rv));
	if (rv == JP_E_NO_CARD || rv == JP_E_NO_READER || rv == JP_E_NO_SERVICE)
		jp_reader_forget_card(r);
	else if (rv == JP_E_RESET)
		logout_all(r);
	return jp_ckr(rv);
}

/* A token serial: 16 hex digits of SHA-256 over the card's own serial (or,
 * for a card without one, its user-authentication certificate) and the
 * credential, so the two tokens of one card differ and the same card gives
 * the same serials everywhere. */
static void make_serial(jp_token *t, const uint8_t *id, size_t id_len)
{
	static const char hex[] = "0123456789ABCDEF";
	uint8_t md[32], tag[8] = { 'J', 'P', 'K', 'I', 'T', 'O', 'K', (uint8_t)('0' + t->cred) };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;
	int i;

	memset(md, 0, sizeof(md));
	if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) && EVP_DigestUpdate(ctx, tag, sizeof(tag)) &&
	    EVP_DigestUpdate(ctx, id, id_len))
		EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < 8; i++) {
		t->serial[2 * i] = hex[md[i] >> 4];
		t->serial[2 * i + 1] = hex[md[i] & 15];
	}
	t->serial[16] = '\0';
}

static jp_rv read_cert_inside(jpki_card *c, jp_token *t, bool ca)
{
	jp_cert *dst = ca ? &t->ca : &t->cert;
	uint8_t *der = NULL;
	size_t len = 0;
	jp_rv rv;

	rv = jpki_read_cert(c, t->cred, ca, &der, &len);
	if (rv != JP_OK)
		return rv;
	if (der && jp_cert_parse(dst, der, len) != CKR_OK) {
		JP_LOG("%s certificate %d is not a usable X.509 certificate", ca ? "CA" : "end-entity", t->cred);
		free(der);
		return JP_E_DEVICE;
	}
	free(der);
	if (ca) {
		t->ca_tried = true;
		t->have_ca = dst->der.p != NULL;
	} else {
		t->cert_tried = true;
		t->have_cert = dst->der.p != NULL;
	}
	return JP_OK;
}

static jp_rv read_tries_inside(jpki_card *c, jp_token *t)
{
	int tries = 0;
	jp_rv rv = jpki_pin_tries(c, t->cred, &tries);

	if (rv != JP_OK)
		return rv;
	/* 9000 on an empty VERIFY: the PIN is verified right now, so nothing
	 * has been spent since the last success. */
	t->tries = tries < 0 ? jp_pin_max_tries(t->cred) : tries;
	t->tries_at = now();
	return JP_OK;
}

CK_RV jp_token_detect(jp_reader *r)
{
	jp_token *auth = &r->tokens[JPKI_AUTH], *sign = &r->tokens[JPKI_SIGN];
	jpki_card c;
	jp_rv rv;

	rv = card_begin(r, &c);
	if (rv != JP_OK)
		return card_failed(r, rv);
	rv = jpki_select_app(&c);
	if (rv == JP_E_NOT_JPKI) {
		jp_transport_end(r->t);
		JP_LOG("card in %s is not a JPKI card", r->name);
		return CKR_TOKEN_NOT_RECOGNIZED;
	}
	if (rv == JP_OK)
		rv = jpki_read_info(&c, &r->info);
	if (rv != JP_OK)
		goto fail;
	auth->has_cert = r->info.has_cert[JPKI_AUTH];
	sign->has_cert = r->info.has_cert[JPKI_SIGN];
	if (auth->has_cert && (rv = read_tries_inside(&c, auth)) != JP_OK)
		goto fail;
	/* a module file that hides the signature token never asks about it */
	if (sign->has_cert && (g.tokens & 1u << JPKI_SIGN) && (rv = read_tries_inside(&c, sign)) != JP_OK)
		goto fail;
	if (r->info.serial[0] == '\0' && auth->has_cert && (rv = read_cert_inside(&c, auth, false)) != JP_OK)
		goto fail;
	jp_transport_end(r->t);

	/* A face-authentication card has no signature certificate and an
	 * authentication PIN that was never set (zero tries); an under-15 card
	 * whose PIN got locked looks the same and can never log in from a PC
	 * either.  A signature token without a certificate has no PIN to use. */
	sign->pin_usable = sign->has_cert;
	auth->pin_usable = auth->has_cert && !(!sign->has_cert && auth->tries == 0);

	if (r->info.serial[0]) {
		make_serial(auth, (const uint8_t *)r->info.serial, strlen(r->info.serial));
		make_serial(sign, (const uint8_t *)r->info.serial, strlen(r->info.serial));
	} else {
		make_serial(auth, auth->cert.der.p, auth->cert.der.len);
		make_serial(sign, auth->cert.der.p, auth->cert.der.len);
	}
	JP_LOG("JPKI card in %s: auth cert %d pin %d tries %d; sign cert %d pin %d tries %d", r->name,
	       auth->has_cert, auth->pin_usable, auth->tries, sign->has_cert, sign->pin_usable, sign->tries);
	return CKR_OK;
fail:
	jp_transport_end(r->t);
	return card_failed(r, rv);
}

CK_RV jp_token_refresh_tries(jp_reader *r, jp_token *t)
{
	jpki_card c;
	jp_rv rv;

	if (!t->pin_usable || now() - t->tries_at < 1.0)
		return CKR_OK;
	rv = card_begin(r, &c);
	if (rv != JP_OK)
		return card_failed(r, rv);
	rv = jpki_select_app(&c);
	if (rv == JP_OK)
		rv = read_tries_inside(&c, t);
	jp_transport_end(r->t);
	if (rv != JP_OK)
		return card_failed(r, rv);
	return CKR_OK;
}

CK_RV jp_token_load(jp_reader *r, jp_token *t, bool cert, bool ca)
{
	bool want_cert = cert && t->cred == JPKI_AUTH && t->has_cert && !t->cert_tried;
	bool want_ca = ca && t->has_cert && !t->ca_tried;
	jpki_card c;
	jp_rv rv;

	if (!want_cert && !want_ca)
		return CKR_OK;
	rv = card_begin(r, &c);
	if (rv != JP_OK)
		return card_failed(r, rv);
	rv = jpki_select_app(&c);
	if (rv == JP_OK && want_cert)
		rv = read_cert_inside(&c, t, false);
	if (rv == JP_OK && want_ca)
		rv = read_cert_inside(&c, t, true);
	jp_transport_end(r->t);
	return rv == JP_OK ? CKR_OK : card_failed(r, rv);
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

void jp_token_info(jp_reader *r, jp_token *t, CK_TOKEN_INFO *info)
{
	int max = jp_pin_max_tries(t->cred);

	(void)r;
	memset(info, 0, sizeof(*info));
	jp_pad(info->label, sizeof(info->label),
	     t->cred == JPKI_AUTH ? "JPKI User Authentication" : "JPKI Digital Signature");
	jp_pad(info->manufacturerID, sizeof(info->manufacturerID), "J-LIS");
	jp_pad(info->model, sizeof(info->model), "JPKI");
	memcpy(info->serialNumber, t->serial, 16);
	info->flags = CKF_WRITE_PROTECTED | CKF_TOKEN_INITIALIZED;
	if (t->pin_usable) {
		info->flags |= CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED;
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
 * format is right, and the PIN is not known to be locked. */
static CK_RV pin_precheck(jp_token *t, const CK_UTF8CHAR *pin, CK_ULONG len)
{
	CK_RV rv;

	if (!t->pin_usable)
		return CKR_USER_PIN_NOT_INITIALIZED;
	if ((rv = jp_pin_check(t->cred, pin, len, 0)) != CKR_OK)
		return rv;
	if (t->tries == 0)
		return CKR_PIN_LOCKED;
	return CKR_OK;
}

/* VERIFY inside a transaction, keeping the token's counter in step. */
static jp_rv verify_inside(jp_reader *r, jpki_card *c, jp_token *t, const uint8_t *pin, size_t len)
{
	int left = JP_TRIES_UNKNOWN;
	jp_rv rv = jpki_verify(c, t->cred, pin, len, &left);

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

/* Clear the card's security state and end the transaction.  Called on
 * every path once a VERIFY may have been sent. */
static jp_rv clear_and_end(jp_reader *r, jpki_card *c)
{
	jp_rv rv = jpki_clear_state(c);

	jp_transport_end(r->t);
	return rv;
}

/* A transaction with the PIN verified: the checks of pin_precheck(), then
 * begin, the applet, VERIFY.  On CKR_OK the transaction is open and the
 * card verified: the caller ends with clear_and_end().  Otherwise the
 * transaction is over (cleared when a VERIFY may have been sent). */
static CK_RV open_verified(jp_reader *r, jp_token *t, const CK_UTF8CHAR *pin, CK_ULONG len, jpki_card *c)
{
	jp_rv rv;
	CK_RV ck;

	if ((ck = pin_precheck(t, pin, len)) != CKR_OK)
		return ck;
	rv = card_begin(r, c);
	if (rv != JP_OK)
		return card_failed(r, rv);
	rv = jpki_select_app(c);
	if (rv != JP_OK) {
		jp_transport_end(r->t);
		return card_failed(r, rv);
	}
	rv = verify_inside(r, c, t, pin, len);
	if (rv != JP_OK) {
		clear_and_end(r, c);
		return card_failed(r, rv);
	}
	return CKR_OK;
}

/* End a transaction opened by open_verified(), after the work rv. */
static CK_RV close_verified(jp_reader *r, jpki_card *c, jp_rv rv)
{
	jp_rv rv2 = clear_and_end(r, c);

	if (rv == JP_OK)
		rv = rv2;
	return rv == JP_OK ? CKR_OK : card_failed(r, rv);
}

CK_RV jp_token_login(jp_reader *r, jp_token *t, const CK_UTF8CHAR *pin, CK_ULONG len)
{
	jp_rv rv = JP_OK;
	jpki_card c;
	CK_RV ck;

	if ((ck = open_verified(r, t, pin, len, &c)) != CKR_OK)
		return ck;
	/* The signature certificate can be read only now; everything else
	 * waits until someone asks for it. */
	if (t->cred == JPKI_SIGN && !t->cert_tried)
		rv = read_cert_inside(&c, t, false);
	if ((ck = close_verified(r, &c, rv)) != CKR_OK)
		return ck;
	t->logged_in = true;
	/* The PIN is kept only where a later signature must verify it again
	 * without asking: the authentication key, and the signature key when
	 * the always-authenticate switch is off. */
	if (t->cred == JPKI_AUTH || !g.always_auth) {
		memcpy(t->pin, pin, len);
		t->pin_len = len;
	}
	return CKR_OK;
}

CK_RV jp_token_check_pin(jp_reader *r, jp_token *t, const CK_UTF8CHAR *pin, CK_ULONG len, jp_session *s)
{
	jpki_card c;
	CK_RV ck;

	if ((ck = open_verified(r, t, pin, len, &c)) != CKR_OK)
		return ck;
	if (!s)
		return close_verified(r, &c, JP_OK);
	r->hold = s;
	r->hold_card = c;
	return CKR_OK;
}

void jp_reader_release_hold(jp_reader *r)
{
	if (!r->hold)
		return;
	JP_LOG("releasing the card held for a signature");
	r->hold = NULL;
	clear_and_end(r, &r->hold_card);
}

CK_RV jp_token_sign(jp_reader *r, jp_token *t, jp_session *s, const uint8_t *pin, size_t pin_len,
                    const uint8_t *data, size_t len, uint8_t *sig, size_t *sig_len)
{
	bool kept = pin == NULL;
	jpki_card c;
	jp_rv rv, rv2;

	if (s && r->hold == s) {
		/* verified by the context login, inside the same transaction */
		c = r->hold_card;
		r->hold = NULL;
		rv = jpki_sign(&c, t->cred, data, len, sig, sig_len);
		rv2 = clear_and_end(r, &c);
		if (rv == JP_OK)
			rv = rv2;
		return rv == JP_OK ? CKR_OK : card_failed(r, rv);
	}
	if (kept) {
		pin = t->pin;
		pin_len = t->pin_len;
	}
	if (!t->logged_in || pin_len == 0)
		return CKR_USER_NOT_LOGGED_IN;
	rv = card_begin(r, &c);
	if (rv != JP_OK)
		return card_failed(r, rv);
	if (!t->logged_in) {    /* the card was reset since login */
		jp_transport_end(r->t);
		return CKR_USER_NOT_LOGGED_IN;
	}
	rv = jpki_select_app(&c);
	if (rv != JP_OK) {
		jp_transport_end(r->t);
		return card_failed(r, rv);
	}
	rv = verify_inside(r, &c, t, pin, pin_len);
	if (rv != JP_OK) {
		/* A PIN that verified before and fails now is dropped at once and
		 * never tried again: the user logs in afresh. */
		clear_and_end(r, &c);
		JP_LOG("re-verification failed (%s): logged out", jp_rv_name(rv));
		jp_token_logout(t);
		if (rv == JP_E_NO_CARD || rv == JP_E_NO_READER || rv == JP_E_NO_SERVICE)
			return card_failed(r, rv);
		return CKR_USER_NOT_LOGGED_IN;
	}
	rv = jpki_sign(&c, t->cred, data, len, sig, sig_len);
	rv2 = clear_and_end(r, &c);
	if (rv == JP_OK)
		rv = rv2;
	return rv == JP_OK ? CKR_OK : card_failed(r, rv);
}

CK_RV jp_token_set_pin(jp_reader *r, jp_token *t, const CK_UTF8CHAR *old_pin, CK_ULONG old_len,
                       const CK_UTF8CHAR *new_pin, CK_ULONG new_len)
{
	jpki_card c;
	CK_RV ck;

	/* both PINs' formats first: a bad new PIN must not cost a VERIFY */
	if ((ck = pin_precheck(t, old_pin, old_len)) != CKR_OK ||
	    (ck = jp_pin_check(t->cred, new_pin, new_len, 1)) != CKR_OK)
		return ck;
	if ((ck = open_verified(r, t, old_pin, old_len, &c)) != CKR_OK)
		return ck;
	if ((ck = close_verified(r, &c, jpki_change_pin(&c, t->cred, new_pin, new_len))) != CKR_OK)
		return ck;
	if (t->pin_len) {
		OPENSSL_cleanse(t->pin, sizeof(t->pin));
		memcpy(t->pin, new_pin, new_len);
		t->pin_len = new_len;
	}
	return CKR_OK;
}
