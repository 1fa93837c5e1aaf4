/* jpki-pkcs11: the JPKI card application.
 *
 * Every card fact (AIDs, file IDs, status words, PIN rules of the card)
 * lives in this layer: jpki.c (the applet, its files, the signature),
 * jpki_pin.c (the PIN commands), jpki_sw.c (the status words), face.c
 * (the card-face applet).  The functions here take a transport the caller
 * has already begun a transaction on (jp_transport_begin) and keep track
 * of what is selected within that transaction in a jpki_card; call
 * jpki_card_forget() after every jp_transport_begin(), since another
 * process may have used the card in between.
 *
 * No function here ever repeats a VERIFY, and none sends a VERIFY with data
 * except jpki_verify() and jpki_change_pin(), or has the reader's keypad
 * send one except jpki_verify_keypad() and jpki_change_keypad().
 */
#ifndef JP_JPKI_H
#define JP_JPKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "apdu.h"
#include "transport.h"

/* The two credentials of the JPKI applet, and the card-face data of the
 * card-face applet (face.h; the jpki_* functions refuse it with
 * JP_E_ARGS, the card session sends it to face.c). */
typedef enum {
	JPKI_AUTH = 0,          /* 利用者証明用: 4-digit PIN, 3 tries */
	JPKI_SIGN = 1,          /* 署名用: 6–16 of A–Z0–9, 5 tries */
	JPKI_FACE = 2,          /* 券面事項入力補助: 4-digit PIN, 3 tries */
} jpki_cred;

#define JPKI_CREDS 3

#define JPKI_SERIAL_LEN 16

typedef struct {
	jp_transport *t;
	bool app_selected;      /* JPKI applet selected in this transaction */
	bool face_selected;     /* card-face applet selected instead (face.h) */
	uint16_t current_ef;    /* 0: none known */
	bool fresh;             /* nothing answered yet in this transaction: the
	                           card may just have been powered up */
} jpki_card;

/* What holds the JPKI applet: the token model shows the kind (the model
 * string) and follows the capabilities in jpki_info, never card facts. */
typedef enum {
	JPKI_KIND_CARD = 0,     /* a My Number Card (or an unknown label) */
	JPKI_KIND_PHONE,        /* an Android phone's smartphone certificates */
} jpki_kind;

/* What the card says about itself, readable without a PIN. */
typedef struct {
	char serial[JPKI_SERIAL_LEN + 1];   /* from EF 0006; "" if absent/blank */
	bool has_cert[2];                   /* from EF 0008, indexed by jpki_cred */
	jpki_kind kind;                     /* from EF 0006's label */
	bool cert_private[2];               /* the credential's certificate is
	                                       readable only after its PIN */
	bool may_have_face;                 /* the card-face applet may be there
	                                       (face.h finds out); false: never */
} jpki_info;

/* At the start of every transaction. */
void jpki_card_init(jpki_card *c, jp_transport *t);
/* Forget what was selected (after begin, or after a reset). */
void jpki_card_forget(jpki_card *c);

/* SELECT the JPKI applet.  Also clears every verified PIN on the card: this
 * is how the module leaves no security state behind.  JP_E_NOT_JPKI when
 * the card does not know the applet.  A card may answer 6F00 to the first
 * command after it is powered up: a SELECT answered so as the first
 * command of a transaction is sent once more (the only command ever sent
 * again). */
jp_rv jpki_select_app(jpki_card *c);

/* Clear every verified PIN: SELECT the JPKI applet again, always sent,
 * whatever is selected now.  The cheapest way the card honours (one short
 * APDU, no reset); the applet stays selected. */
jp_rv jpki_clear_state(jpki_card *c);

/* Token information and certificate availability.  A missing EF 0006, or
 * a serial that is blank or not printable ASCII, gives an empty serial
 * (trailing blanks are dropped); a missing or short EF 0008 counts both
 * certificates as present (they are then looked for when read).  EF 0006's
 * label tells a phone (JPKIAPGPSETOKEN) from a card: a phone's
 * user-authentication certificate is private and it has no card-face
 * applet; any other label, or none, is a card.  Label and serial come in
 * one READ BINARY.  Costs 4 APDUs (+1 SELECT of the applet when not
 * selected). */
jp_rv jpki_read_info(jpki_card *c, jpki_info *info);

/* Read a certificate: the credential's own (ca = false) or its CA's.
 * JP_OK with *der = NULL, *len = 0 when the EF holds no certificate (only
 * FF, or absent).  JP_E_SECURITY for the signature certificate before the
 * signature PIN is verified.  A malformed header or a truncated file is
 * JP_E_DEVICE (so is a length above 8 KB, or a card that needs more than
 * JPKI_MAX_READS READ BINARYs for it).  *der is malloc'd; the caller frees
 * it.  Costs a SELECT EF plus ceil(len / 256) READ BINARYs: the first read
 * asks for 256 bytes, header included.  The signature certificate's
 * answers are private (name, address, birth date, sex): the debug log
 * shows their lengths only. */
jp_rv jpki_read_cert(jpki_card *c, jpki_cred cred, bool ca, uint8_t **der, size_t *len);

/* The same, given a copy from elsewhere (known, known_len: a cache) to
 * check against the card.  When the card's first chunk (the one READ
 * BINARY of 256 bytes every read starts with) equals the copy's first 256
 * bytes and gives the same length, *same = true, *der = NULL, and nothing
 * more is read: a SELECT EF and one READ BINARY.  Those bytes hold the
 * certificate's serial number and validity, so a renewed certificate or
 * another card's never passes.  Otherwise the read goes on from that chunk
 * as jpki_read_cert() does (no APDU is wasted).  Never used for the
 * signature certificate (known is ignored there). */
jp_rv jpki_read_cert_known(jpki_card *c, jpki_cred cred, bool ca, const uint8_t *known, size_t known_len,
                           uint8_t **der, size_t *len, bool *same);

/* Tries left on the credential's PIN, read with an empty VERIFY, which
 * spends no try.  *tries = -1 when the card answers 9000 (the PIN is
 * verified right now); 0 when blocked. */
jp_rv jpki_pin_tries(jpki_card *c, jpki_cred cred, int *tries);

/* VERIFY the PIN (ASCII bytes, 1..16).  JP_OK (*tries_left = -1);
 * JP_E_PIN_INCORRECT with *tries_left set, also when this wrong try was the
 * last one (63C0: *tries_left = 0, the PIN is locked from now on, and the
 * next jpki_pin_tries() says 0); JP_E_PIN_LOCKED (*tries_left = 0) when the
 * PIN was already blocked and nothing was compared.  tries_left may be
 * NULL.  Sent exactly once: a transport error is returned as is, never
 * retried.  The PIN bytes never reach the log.
 * The caller checks the format first: the card does not. */
jp_rv jpki_verify(jpki_card *c, jpki_cred cred, const uint8_t *pin, size_t pin_len, int *tries_left);

/* CHANGE REFERENCE DATA to new_pin; the PIN must have been verified in this
 * transaction.  JP_E_BAD_DATA when the card refuses the format,
 * JP_E_SECURITY when not verified. */
jp_rv jpki_change_pin(jpki_card *c, jpki_cred cred, const uint8_t *new_pin, size_t new_len);

/* VERIFY with the PIN typed on the reader's keypad (PC/SC part 10
 * FEATURE_VERIFY_PIN_DIRECT, control code `code`): select the PIN's EF,
 * then hand the reader a PIN_VERIFY_STRUCTURE for 4 ASCII digits (with its
 * prompt when the reader has a display, else none).  Only
 * the user-authentication PIN: the signature PIN has letters.  The card's
 * answer means what it means for jpki_verify(); the reader's own answers,
 * after which the card saw nothing and no try is spent: JP_E_CANCELLED
 * (Cancel pressed, or nobody typed in time), JP_E_PIN_LEN (not 4 digits).
 * The module never sees the PIN. */
jp_rv jpki_verify_keypad(jpki_card *c, jpki_cred cred, uint32_t code, bool display, int *tries_left);

/* CHANGE REFERENCE DATA with the new PIN typed twice on the keypad
 * (FEATURE_MODIFY_PIN_DIRECT, control code `code`), after
 * jpki_verify_keypad() of the same PIN in this transaction (pinpad.h tells
 * why).  JP_E_PIN_MISMATCH when the two entries differ, JP_E_CANCELLED,
 * JP_E_PIN_LEN as above; the card's answers as for jpki_change_pin(). */
jp_rv jpki_change_keypad(jpki_card *c, jpki_cred cred, uint32_t code, bool display);

/* COMPUTE DIGITAL SIGNATURE over data (normally a DigestInfo) with the
 * credential's key; the card pads (PKCS#1 v1.5 type 1).  sig must hold 256
 * bytes; *sig_len is its size on entry, the signature length on return.
 * JP_E_SECURITY when the PIN is not verified, JP_E_DATA_LEN when the data
 * is too long (the card's 6700, or more than 255 bytes).  An answer that is
 * not exactly 256 bytes (RSA 2048) is JP_E_DEVICE. */
jp_rv jpki_sign(jpki_card *c, jpki_cred cred, const uint8_t *data, size_t data_len,
                uint8_t *sig, size_t *sig_len);

/* ---- for the layer's own files (jpki_pin.c, face.c) --------------------- */

/* JPKI_AUTH or JPKI_SIGN: a credential of the JPKI applet. */
bool jpki_valid_cred(jpki_cred cred);

/* Send a command whose answer carries nothing the caller needs: *sw only.
 * After a transport failure nothing is known about what is selected (the
 * card may have been reset): the selection state is forgotten. */
jp_rv jpki_command(jpki_card *c, const jp_apdu *a, uint16_t *sw);

/* An application of the card, as its SELECT finds it. */
typedef struct {
	const uint8_t *aid;
	size_t aid_len;
	const char *name;       /* in the log: "SELECT <name>: <SW>, <absent>" */
	const char *absent;     /* what an answer other than 9000 means, */
	jp_rv absent_rv;        /* and what it returns */
} jpki_applet;

/* SELECT the application by its AID, with the 6F00 rule of
 * jpki_select_app(); the selection state is forgotten first (the card
 * drops it, and every verified PIN, whatever the answer).  On 9000
 * *selected (a flag of c) is set. */
jp_rv jpki_select_applet(jpki_card *c, const jpki_applet *app, bool *selected);
/* SELECT EF ef of the application, unless it is current; the application
 * first (jpki_select_applet()) unless *selected. */
jp_rv jpki_select_ef_of(jpki_card *c, const jpki_applet *app, bool *selected, uint16_t ef);
/* SELECT the PIN EF of a valid credential of the JPKI applet, the applet
 * first when it is not selected. */
jp_rv jpki_select_pin_ef(jpki_card *c, jpki_cred cred);
/* READ BINARY of the current EF: up to want (1..256) bytes at offset;
 * private: the answer stays out of the debug log. */
jp_rv jpki_read_binary(jpki_card *c, size_t offset, size_t want, bool private,
                       uint8_t *buf, size_t *got, uint16_t *sw);

#endif
