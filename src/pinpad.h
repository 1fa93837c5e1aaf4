/* jpki-pkcs11: PIN-pad readers (PC/SC part 10), as plain bytes.
 *
 * No PC/SC here: the transport sends the control requests; this file knows
 * their layout.  Multi-byte fields of the PIN structures are little-endian
 * (the CCID order pcsc-lite's CCID driver expects); control codes in the
 * feature list are big-endian.
 *
 * Changing a PIN on the keypad.  The card changes a PIN with CHANGE
 * REFERENCE DATA 00 24 01 80 + the new PIN only, after a VERIFY of the same
 * PIN in the same transaction (P1 = 01: the command carries no old PIN;
 * see the card specification).  So a keypad change is two keypad
 * operations inside one transaction: jp_pinpad_build_verify() for the old
 * PIN (FEATURE_VERIFY_PIN_DIRECT), then jp_pinpad_build_change() for the new
 * one (FEATURE_MODIFY_PIN_DIRECT, the reader asking for the new PIN twice and
 * not for the current one).  Had the old PIN gone into the CHANGE itself,
 * the card would refuse it and the person would have typed it for nothing.
 */
#ifndef JP_PINPAD_H
#define JP_PINPAD_H

#include <stddef.h>
#include <stdint.h>

/* Feature tags of PC/SC part 10. */
#define JP_FEATURE_VERIFY_PIN_DIRECT  0x06
#define JP_FEATURE_MODIFY_PIN_DIRECT  0x07
#define JP_FEATURE_IFD_PIN_PROPERTIES 0x0A

/* The control codes a reader offers; 0 = not offered. */
typedef struct {
	uint32_t verify_direct;
	uint32_t modify_direct;
	uint32_t pin_properties;
} jp_pinpad_features;

/* Parses the answer to CM_IOCTL_GET_FEATURE_REQUEST: TLVs of tag (1 byte),
 * length (1 byte), value.  Tags this module does not use are skipped
 * whatever their length; the three above must have length 4 (a big-endian
 * control code).  Returns 0 with *f filled, or -1 with *f all zero when the
 * answer is malformed (a TLV cut short, a used tag with another length):
 * a reader that answers nonsense is treated as one without a keypad. */
int jp_pinpad_parse_features(const uint8_t *buf, size_t len, jp_pinpad_features *f);

/* What FEATURE_IFD_PIN_PROPERTIES tells: the display's lines and
 * characters per line (both 0: no display).  Returns 0, or -1 when the
 * answer is shorter than the 4-byte PIN_PROPERTIES_STRUCTURE. */
int jp_pinpad_parse_properties(const uint8_t *buf, size_t len, int *lcd_lines, int *lcd_chars);

/* Sizes of the structures the builders write. */
#define JP_PINPAD_VERIFY_LEN (19 + 9)
#define JP_PINPAD_CHANGE_LEN (24 + 9)

/* Writes a PIN_VERIFY_STRUCTURE for VERIFY 00 20 00 80 04 with the PIN as
 * 4 ASCII digits (min = max = 4, the OK key ends the entry), timeout in
 * seconds (0: the reader's default).  The select of the PIN's EF is the
 * caller's.  Returns JP_PINPAD_VERIFY_LEN, or 0 when cap is too small. */
size_t jp_pinpad_build_verify(uint8_t timeout, uint8_t *out, size_t cap);

/* Writes a PIN_MODIFY_STRUCTURE for CHANGE REFERENCE DATA 00 24 01 80 04
 * with the new PIN as 4 ASCII digits, typed twice (no current PIN entry:
 * see the top of this file).  Returns JP_PINPAD_CHANGE_LEN, or 0. */
size_t jp_pinpad_build_change(uint8_t timeout, uint8_t *out, size_t cap);

/* For a reader without a display (FEATURE_IFD_PIN_PROPERTIES tells none,
 * or the reader has no such feature): the structure s of length len, as a
 * builder above wrote it, asks for no message (bNumberMessage 0) instead
 * of its prompts.  Returns 0, or -1 when len is neither builder's length. */
int jp_pinpad_no_messages(uint8_t *s, size_t len);

/* What a keypad operation came to, as far as the reader tells.  The
 * card's own status words (9000, 63Cx, 6984, ...) are the card
 * application's to read (jpki.c): here they are all JP_PINPAD_CARD. */
typedef enum {
	JP_PINPAD_CARD,         /* the card answered: *sw is its status word */
	JP_PINPAD_CANCELLED,    /* 6401: Cancel pressed; the card saw nothing */
	JP_PINPAD_TIMEOUT,      /* 6400: nobody typed; the card saw nothing */
	JP_PINPAD_MISMATCH,     /* 6402: the new PIN and its confirmation differ */
	JP_PINPAD_LENGTH,       /* 6403: too few or too many digits typed */
	JP_PINPAD_REFUSED,      /* 6B80: the reader refused the structure; or
	                         * an answer shorter than a status word */
} jp_pinpad_result;

/* Maps the reader's answer (optional data, then SW1 SW2).  *sw, if not
 * NULL, gets the status word (0 for an answer shorter than 2). */
jp_pinpad_result jp_pinpad_result_of(const uint8_t *resp, size_t len, uint16_t *sw);

#endif
