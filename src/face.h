/* jpki-pkcs11: the card-face data assistance application (券面事項入力補助AP).
 *
 * The My Number and the four basic facts (name, address, date of birth,
 * sex), readable after the card-face PIN (4 digits, 3 tries, its own
 * counter).  Every card fact about this applet lives in face.c; the
 * functions take the same jpki_card as jpki.h (one selection state per
 * transaction: selecting this applet deselects the JPKI one and the other
 * way round, and either selection clears every verified PIN).
 *
 * This is the most protected personal data in Japan: the EFs are read
 * with JP_APDU_PRIVATE (the debug log shows lengths and status words
 * only), every buffer that held it is wiped with OPENSSL_cleanse, and
 * nothing here logs a value.
 */
#ifndef JP_FACE_H
#define JP_FACE_H

#include <stddef.h>
#include <stdint.h>
#include "jpki.h"

/* The five facts, in the order the token shows them. */
typedef enum {
	FACE_MY_NUMBER = 0,     /* 12 ASCII digits */
	FACE_NAME,              /* UTF-8 text, as the card holds it */
	FACE_ADDRESS,
	FACE_BIRTH,
	FACE_SEX,
	FACE_FIELDS
} face_field;

typedef struct {
	uint8_t *v[FACE_FIELDS];        /* malloc'd, wiped by face_data_free() */
	size_t len[FACE_FIELDS];
} face_data;

/* Wipe (OPENSSL_cleanse) and free every value; the struct is zeroed. */
void face_data_free(face_data *d);

/* SELECT the card-face applet (deselects JPKI, clears verified PINs).
 * JP_E_NOT_FOUND when the card does not have it (6A82, or any other
 * refusal).  Same 6F00 rule as jpki_select_app(). */
jp_rv face_select_app(jpki_card *c);

/* The card-face PIN (EF 0011): as jpki_pin_tries(), jpki_verify() and
 * jpki_change_pin(), the applet selected first when it is not.  The
 * caller checks the format (4 digits) first. */
jp_rv face_pin_tries(jpki_card *c, int *tries);
jp_rv face_verify(jpki_card *c, const uint8_t *pin, size_t pin_len, int *tries_left);
jp_rv face_change_pin(jpki_card *c, const uint8_t *new_pin, size_t new_len);
/* The same two with the PIN typed on a PIN-pad reader's keypad (4 digits:
 * the card-face PIN is typed there like the user-authentication one; see
 * jpki_verify_keypad, jpki_change_keypad for the results). */
jp_rv face_verify_keypad(jpki_card *c, uint32_t code, bool display, int *tries_left);
jp_rv face_change_keypad(jpki_card *c, uint32_t code, bool display);

/* Read and parse EF 0001 (the My Number) and EF 0002 (the four facts);
 * the card-face PIN must be verified in this transaction (JP_E_SECURITY
 * otherwise).  A malformed file is JP_E_DEVICE.  On error *d is empty.
 * Costs 2 SELECT EF + 1 READ BINARY each for files up to 256 bytes (+1
 * SELECT of the applet when not selected). */
jp_rv face_read(jpki_card *c, face_data *d);

/* The parsers, over a file's bytes (trailing padding allowed): EF 0001,
 * FF10 holding 12 digits; EF 0002, FF20 holding DF22 name, DF23 address,
 * DF24 birth date, DF25 sex (each once; other DFxx skipped).  JP_OK and
 * the fields filled, or JP_E_DEVICE (nothing filled), or JP_E_MEMORY. */
jp_rv face_parse_my_number(const uint8_t *buf, size_t len, face_data *d);
jp_rv face_parse_basic(const uint8_t *buf, size_t len, face_data *d);

#endif
