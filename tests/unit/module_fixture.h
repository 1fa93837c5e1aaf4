/* jpki-pkcs11 tests: the fixture of the module-level tests, the C_* entry
 * points over one scripted reader with a card (script_transport.h made
 * the backend), and the steps those tests share.
 */
#ifndef MODULE_FIXTURE_H
#define MODULE_FIXTURE_H

#include <stdbool.h>
#include "card_fixture.h"       /* the card's commands: SEL_APP, SEL(ef), OK */
#include "p11.h"
#include "slot.h"

/* The script every connection of the module reaches. */
extern jp_transport *scr;

/* Handles are slot * 8 + kind + 1; the private key is kind 3. */
#define PRIV_KEY(slot) ((CK_OBJECT_HANDLE)(slot) * 8 + 3 + 1)

/* cmocka setup and teardown: a fresh script as the backend, the module
 * initialized; then finalized, the script checked played to its end and
 * freed.  A test and its teardown get a minute: a hang (a lock left held
 * by a failed assertion) ends the program with a message. */
int module_setup(void **state);
int module_teardown(void **state);
#define MODULE_TEST(fn) cmocka_unit_test_setup_teardown(fn, module_setup, module_teardown)

/* List the slots with a token, expecting what the module reads of a new
 * card; returns the first (the authentication token; the signature token
 * is the next, the card-face token the one after). */
CK_SLOT_ID module_first_slot(void);
/* The scripted reader (after module_first_slot). */
jp_reader *module_reader(void);
/* A read-write session on slot. */
CK_SESSION_HANDLE module_open_rw(CK_SLOT_ID slot);

/* What a login to the authentication token with PIN "1234" sends: the
 * applet, the PIN's file, its counter when not read yet in this process
 * (counter_first; 3 tries left), the VERIFY. */
void module_expect_auth_verify(bool counter_first);
/* That login on session h, which holds the card for what follows. */
void module_login_auth(CK_SESSION_HANDLE h, bool counter_first);

#endif
