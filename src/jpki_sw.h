/* jpki-pkcs11: the status words of the card, which every applet on it
 * answers with, and their generic meaning.  For the card-application
 * layer's own files (jpki.c, jpki_pin.c, face.c) only.
 */
#ifndef JP_JPKI_SW_H
#define JP_JPKI_SW_H

#include <stdint.h>
#include "jp_rv.h"

#define SW_OK              0x9000
#define SW_WRONG_LENGTH    0x6700
#define SW_SECURITY        0x6982
#define SW_PIN_BLOCKED     0x6983
#define SW_PIN_BLOCKED2    0x6984     /* what JPKI cards answer */
#define SW_BAD_DATA        0x6A80
#define SW_NOT_FOUND       0x6A82
#define SW_OFFSET_PAST_END 0x6B00
#define SW_MEMORY_FAILURE  0x6581
#define SW_NO_DIAGNOSIS    0x6F00     /* also: some cards' first answer after power-up */
#define SW_TRIES_LEFT(sw)  (((sw) & 0xFFF0) == 0x63C0)

/* The generic meaning of a status word (6A82 JP_E_NOT_FOUND, 6982
 * JP_E_SECURITY, ...; unknown ones JP_E_DEVICE, logged).  Commands handle
 * 63Cx and their own special cases before asking. */
jp_rv jpki_sw_rv(uint16_t sw);

#endif
