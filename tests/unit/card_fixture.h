/* jpki-pkcs11 tests: the fixture of the card-application tests, a
 * jpki_card over a scripted transport (script_transport.h), and the
 * commands they expect most often.
 */
#ifndef CARD_FIXTURE_H
#define CARD_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include "jpki.h"
#include "script_transport.h"

#define SEL_APP   "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"
#define SEL(ef)   "00 A4 02 0C 02 " ef
#define OK        "90 00"
#define VERIFY_Q  "00 20 00 80"
#define SEL_FACE  "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"

typedef struct {
	jp_transport *t;
	jpki_card c;
} card_fixture;

/* cmocka setup and teardown: *state is a card_fixture with an empty
 * script and a card fresh from jpki_card_init(). */
int card_setup(void **state);
int card_teardown(void **state);
#define CARD_TEST(fn) cmocka_unit_test_setup_teardown(fn, card_setup, card_teardown)

/* An applet's SELECT (sel) refused: for each of the n status words in
 * sws, select_app() returns want and *selected stays false; then a
 * transport error on the SELECT is returned as it is.  Every command is
 * checked against the script. */
void card_assert_select_refused(card_fixture *f, const char *sel, jp_rv (*select_app)(jpki_card *c),
                                const char *const *sws, size_t n, jp_rv want, const bool *selected);

#endif
