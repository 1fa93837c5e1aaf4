/* jpki-pkcs11: the PIN commands on the PIN EF selected now, for the
 * card's applications (face.c uses them on the card-face PIN).  The
 * PIN commands of the JPKI applet itself are in jpki.h; all are in
 * jpki_pin.c.
 */
#ifndef JP_JPKI_PIN_H
#define JP_JPKI_PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "jpki.h"

/* A PIN the PIN commands can carry: 1 to 16 bytes.  The caller checks its
 * format; the card does not. */
bool jpki_pin_ok(const uint8_t *pin, size_t len);

/* With the meanings of jpki_pin_tries(), jpki_verify(), jpki_change_pin(),
 * jpki_verify_keypad() and jpki_change_keypad(). */
jp_rv jpki_pin_tries_here(jpki_card *c, int *tries);
jp_rv jpki_verify_here(jpki_card *c, const uint8_t *pin, size_t pin_len, int *tries_left);
jp_rv jpki_change_pin_here(jpki_card *c, const uint8_t *new_pin, size_t new_len);
jp_rv jpki_verify_keypad_here(jpki_card *c, uint32_t code, bool display, int *tries_left);
jp_rv jpki_change_keypad_here(jpki_card *c, uint32_t code, bool display);

#endif
