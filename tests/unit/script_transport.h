/* jpki-pkcs11 tests: a scripted transport.
 *
 * A test lists the commands it expects, in order, each with the answer the
 * "card" gives (or a transport error).  Any other command fails the test
 * at once with both APDUs printed; script_assert_done() fails it when
 * expected commands were never sent.  Commands and answers are written as
 * hex strings, spaces allowed: "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01".
 */
#ifndef SCRIPT_TRANSPORT_H
#define SCRIPT_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "transport.h"

jp_transport *script_new(void);
/* Expect cmd; answer resp (data and status word, in hex). */
void script_expect(jp_transport *t, const char *cmd_hex, const char *resp_hex);
/* Expect cmd; answer data[0..len) followed by sw. */
void script_expect_data(jp_transport *t, const char *cmd_hex,
                        const uint8_t *data, size_t len, uint16_t sw);
/* Expect cmd; the transport fails with rv (the command is counted). */
void script_expect_error(jp_transport *t, const char *cmd_hex, jp_rv rv);
/* Commands transmitted so far. */
size_t script_count(jp_transport *t);
/* Fail the test if some expected command was not sent. */
void script_assert_done(jp_transport *t);
/* How many times begin/end were called. */
size_t script_begins(jp_transport *t);
size_t script_ends(jp_transport *t);

/* How many transactions or connections ended with the card powered down;
 * how many times the connection was closed. */
size_t script_unpowered(jp_transport *t);
size_t script_closes(jp_transport *t);
/* The next `times` begins return what fn says (e.g. JP_E_RESET). */
void script_begin_result(jp_transport *t, jp_rv (*fn)(jp_transport *t), int times);
/* Free the script (the module only closes its connections). */
void script_free(jp_transport *t);
/* Make every connection the module opens (jp_connect) this script, and the
 * reader listing one reader, "Scripted Reader", with a card; NULL: back to
 * PC/SC. */
void script_backend_use(jp_transport *t);
/* Take the card out or put it back (a new card for the module). */
void script_reader_present(bool present);
/* The next n listings fail for a moment (JP_E_COMM). */
void script_list_errors(int n);

/* A PIN-pad reader.  The reader's feature list (TLVs in hex; without a
 * call: none), and a keypad request the module must make next, in order
 * with the commands: control code `code`, answered with resp_hex (the
 * card's status word, or the reader's 6400/6401/...).  A keypad request
 * answered with error rv fails the call itself (e.g. JP_E_CANCELLED). */
void script_features(jp_transport *t, const char *tlv_hex);
void script_expect_control(jp_transport *t, uint32_t code, const char *resp_hex);
void script_expect_control_error(jp_transport *t, uint32_t code, jp_rv rv);
/* The structure the last keypad request carried; its length. */
size_t script_last_control(jp_transport *t, uint8_t *out, size_t cap);
/* How many times the feature list was asked for. */
size_t script_feature_asks(jp_transport *t);

/* Parse hex into out; returns the length (test helper). */
size_t hex_parse(const char *hex, uint8_t *out, size_t cap);

#endif
