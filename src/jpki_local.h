/* jpki-pkcs11: what the files of the card-application layer share (jpki.c,
 * jpki_pin.c, face.c); nothing above the layer includes it.
 *
 * The status words every applet of the card answers with, and the
 * commands an application uses on the applet or file it has selected.
 * The same transaction rules as jpki.h hold.
 */
#ifndef JP_JPKI_LOCAL_H
#define JP_JPKI_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "apdu.h"
#include "jpki.h"

/* Status words. */
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
 * JP_E_SECURITY, ...; unknown ones JP_E_DEVICE). */
jp_rv jpki_sw_rv(uint16_t sw);

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

/* A PIN the PIN commands can carry: 1 to 16 bytes.  The caller checks its
 * format; the card does not. */
bool jpki_pin_ok(const uint8_t *pin, size_t len);
/* The PIN commands on the PIN EF selected now, with the meanings of
 * jpki_pin_tries(), jpki_verify(), jpki_change_pin(), jpki_verify_keypad()
 * and jpki_change_keypad(). */
jp_rv jpki_pin_tries_here(jpki_card *c, int *tries);
jp_rv jpki_verify_here(jpki_card *c, const uint8_t *pin, size_t pin_len, int *tries_left);
jp_rv jpki_change_pin_here(jpki_card *c, const uint8_t *new_pin, size_t new_len);
jp_rv jpki_verify_keypad_here(jpki_card *c, uint32_t code, bool display, int *tries_left);
jp_rv jpki_change_keypad_here(jpki_card *c, uint32_t code, bool display);

#endif
