/* jpki-pkcs11: a JPKI credential as a PKCS#11 token, and every card
 * operation the PKCS#11 side needs (token.c: detection, certificates,
 * token information; token_pin.c: PINs and signatures).  All functions
 * here expect the lock of the reader the card is in held (never the
 * global lock) and the card synced by the slot layer; each card operation
 * is one transaction of the card session (card.h), which clears the
 * card's security state before a transaction that verified ends.  A card
 * that went away is not forgotten here: the caller sees
 * jp_card_gone(&ct->card) and forgets it. */
#ifndef JP_TOKEN_H
#define JP_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jpki/pkcs11.h>

#include "card.h"
#include "cert.h"
#include "face.h"
#include "jpki.h"
#include "pin.h"
#include "secret.h"

#define JP_TRIES_UNKNOWN (-2)

/* One credential of the card as a token.  Under its reader's lock. */
typedef struct {
	jpki_cred cred;
	bool has_cert;          /* the card says the credential exists (the
	                           card-face token: the applet may be there) */
	bool cert_private;      /* the certificate is read only after the PIN */
	bool probed;            /* card-face token: the applet was looked for */
	bool pin_usable;        /* a login-capable PIN (see token.c) */
	int tries;              /* JP_TRIES_UNKNOWN, or 0..max */
	double tries_at;        /* when tries was read (monotonic seconds) */
	bool logged_in;
	bool keypad;            /* logged in on the reader's keypad: no PIN is
	                           kept, a signature asks the keypad again */
	jp_secret *pin;         /* kept for re-verification, freed on logout */
	bool cert_tried, ca_tried;
	bool have_cert, have_ca;
	jp_cert cert, ca;
	face_data face;         /* card-face token: read at login, wiped at logout */
	char serial[17];
} jp_token;

/* The card in one reader, as the token layer knows it: the connection,
 * what the applet told at detection, what the reader's keypad can do, and
 * the card's tokens.  The reader embeds it (its lock guards it); the
 * connection's reader name names it in logs. */
typedef struct {
	jp_card card;           /* the connection and its transactions */
	jpki_info info;
	bool keypad_verify;     /* the reader types PINs (PC/SC part 10), */
	bool keypad_modify;     /* and changes them; both false with
	                           JPKI_PKCS11_PINPAD=0 (learned at detect) */
	jp_token tokens[JPKI_CREDS];
} jp_card_tokens;

/* Map a lower-layer result to PKCS#11. */
CK_RV jp_ckr(jp_rv rv);

/* Free the PIN, free certificates, reset every field but cred. */
void jp_token_clear(jp_token *t);

/* Connect to the card, select the applet, read token information and
 * certificate availability (one transaction).  PIN counters wait until a
 * token's flags are asked for (jp_token_refresh_tries), except the
 * authentication one of a card without a signature certificate, which
 * tells whether that PIN can be used at all.
 * CKR_TOKEN_NOT_RECOGNIZED for a card without the JPKI applet. */
CK_RV jp_token_detect(jp_card_tokens *ct);

/* Read the PIN counter unless it was read within the last second (never
 * read yet: read now). */
CK_RV jp_token_refresh_tries(jp_card_tokens *ct, jp_token *t);

/* The card-face token: look for its applet and read its PIN counter, once
 * per card (the first time the token is used, never at detection: the
 * JPKI tokens pay nothing for it).  CKR_TOKEN_NOT_PRESENT when the card
 * has no card-face applet (a phone never has one: no APDU then).  CKR_OK
 * at once for the other tokens. */
CK_RV jp_token_probe(jp_card_tokens *ct, jp_token *t);

/* The token is there: always for the JPKI tokens of a JPKI card; for the
 * card-face token, unless its applet is known to be absent. */
static inline bool jp_token_present(const jp_token *t)
{
	return t->cred != JPKI_FACE || t->has_cert;
}

/* Read what can be read without a PIN and is wanted: the credential's
 * certificate (user authentication only) and the CA certificate.  No APDU
 * for what was read already; a cached copy (cache.h) costs the SELECT and
 * one READ BINARY that check it against the card. */
CK_RV jp_token_load(jp_card_tokens *ct, jp_token *t, bool cert, bool ca);

void jp_token_info(jp_card_tokens *ct, jp_token *t, CK_TOKEN_INFO *info);

/* The key size: from the certificate once read, else the JPKI 2048. */
CK_ULONG jp_token_key_bits(const jp_token *t);

/* Copy src into a PKCS#11 fixed-width text field, blank-padded. */
void jp_pad(CK_UTF8CHAR *dst, size_t n, const char *src);

/* C_Login(CKU_USER): format check, VERIFY, and while the PIN is verified
 * read what it protects: a private certificate (the signature one; on a
 * phone the user-authentication one too), or the card-face data.  With an
 * owner (the session logging in), the verified transaction is then held
 * for it (card.h, at most JP_HOLD_MS) so that its signature, or the
 * context login before it, needs no second VERIFY; anything else that
 * needs the card first ends the hold (clear, end). */
CK_RV jp_token_login(jp_card_tokens *ct, jp_token *t, const CK_UTF8CHAR *pin, CK_ULONG len, const void *owner);
/* The token's PIN is typed on the reader's keypad: a PIN-pad reader
 * (and JPKI_PKCS11_PINPAD not 0), a 4-digit PIN that exists.  Its token
 * shows CKF_PROTECTED_AUTHENTICATION_PATH. */
bool jp_token_protected_path(const jp_card_tokens *ct, const jp_token *t);
/* C_Login(CKU_USER) with a NULL PIN: the person types it on the keypad;
 * one VERIFY in one transaction, cleared before it ends.  A cancel or a
 * timeout is CKR_FUNCTION_CANCELED, and spends no try. */
CK_RV jp_token_login_keypad(jp_card_tokens *ct, jp_token *t);
/* Log out, free the kept PIN and wipe the card-face data. */
void jp_token_logout(jp_token *t);

/* C_Login(CKU_CONTEXT_SPECIFIC): format check and one VERIFY (inside the
 * transaction owner's C_Login still holds, if it does); keep (when
 * not NULL) receives the PIN as the card compares it.  With an owner, the
 * verified transaction is held for it (card.h, at most JP_HOLD_MS) until
 * its signature (jp_token_sign with the same owner) or until anything else
 * needs the card. */
CK_RV jp_token_check_pin(jp_card_tokens *ct, jp_token *t, const CK_UTF8CHAR *pin, CK_ULONG len, const void *owner,
                         jp_secret *keep);

/* Clear the card and end a transaction held for an operation, if any. */
void jp_token_release_hold(jp_card_tokens *ct);

/* Sign data (a DigestInfo, or what CKM_RSA_PKCS was given).  When owner
 * still holds the card (context-specific login just done), the held
 * transaction is used; otherwise the PIN is verified first: pin, or the
 * PIN kept since login when pin is NULL, or after a keypad login the PIN
 * typed on the keypad again, in this transaction.  A PIN that fails then
 * is dropped (logged out): CKR_USER_NOT_LOGGED_IN for a wrong PIN, the
 * device's error when the card failed or went.  A keypad entry the card
 * never saw (cancel, timeout, wrong length) is CKR_FUNCTION_CANCELED and
 * keeps the login. */
CK_RV jp_token_sign(jp_card_tokens *ct, jp_token *t, const void *owner, const jp_secret *pin,
                    const uint8_t *data, size_t len, uint8_t *sig, size_t *sig_len);

CK_RV jp_token_set_pin(jp_card_tokens *ct, jp_token *t, const CK_UTF8CHAR *old_pin, CK_ULONG old_len,
                       const CK_UTF8CHAR *new_pin, CK_ULONG new_len);
/* C_SetPIN with NULL PINs: the current PIN, then the new one twice, typed
 * on the keypad, in one transaction (needs FEATURE_MODIFY_PIN_DIRECT:
 * CKR_ARGUMENTS_BAD without).  A PIN kept since a typed login is stale
 * then: wiped, later signatures ask the keypad. */
CK_RV jp_token_set_pin_keypad(jp_card_tokens *ct, jp_token *t);

/* The certificate is read only after the PIN: the signature one always,
 * the user-authentication one on a phone (the card layer says so). */
static inline bool jp_token_cert_private(const jp_token *t)
{
	return t->cred == JPKI_SIGN || t->cert_private;
}

/* The token shows the credential's private key and can log in. */
static inline bool jp_token_has_key(const jp_token *t) { return t->pin_usable && t->cred != JPKI_FACE; }

/* The token layer's own steps (token.c), for token_pin.c; not for the
 * layers above.  Each card operation is one transaction: begun with the
 * JPKI applet selected (jp_token_begin_selected), or as the token needs
 * (jp_token_begin_for: the card-face token selects its own applet); after
 * a failed begin none is open.  jp_token_end ends it and returns the
 * work's result rv, logged when it failed.  A reset someone else made,
 * seen at either end, logs every token of the card out.  The reads run
 * inside a transaction. */
jp_rv jp_token_begin_selected(jp_card_tokens *ct);
jp_rv jp_token_begin_for(jp_card_tokens *ct, const jp_token *t);
jp_rv jp_token_end(jp_card_tokens *ct, jp_rv rv);
/* The token's certificate, or (ca) its CA certificate, a public one
 * through the cache (cache.h). */
jp_rv jp_token_read_cert(jp_card_tokens *ct, jp_token *t, bool ca);
/* The PIN counter into t->tries, stamped with jp_token_now(). */
jp_rv jp_token_read_tries(jp_card_tokens *ct, jp_token *t);
/* Monotonic seconds: the age of a PIN counter. */
double jp_token_now(void);

#endif
