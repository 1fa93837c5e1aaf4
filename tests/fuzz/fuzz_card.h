/* jpki-pkcs11 fuzzing: what the card-application targets (fuzz_jpki.c,
 * fuzz_face.c) share around each input.
 */
#ifndef FUZZ_CARD_H
#define FUZZ_CARD_H

#include <stddef.h>
#include <stdint.h>
#include "jpki.h"

/* A card over the input (fuzz_transport.h): *c initialised on a new
 * transport, which is returned; NULL when the input cannot start one.
 * The first call turns the debug log on into /dev/null, so the trace code
 * runs too, unless the environment asked for a log already. */
jp_transport *fuzz_card_open(const uint8_t *data, size_t size, jpki_card *c);
/* Close the transport; with FUZZ_TRACE set, say how much input was left. */
void fuzz_card_close(jp_transport *t);

#endif
