/* jpki-pkcs11 fuzzing: a transport that plays card answers from fuzz input.
 *
 * Input format, repeated: a 2-byte big-endian length L, then L bytes, the
 * whole answer (data + SW1 SW2) to the next command.  L >= 0xFF00 makes the
 * next transmit fail instead, with JP_E_COMM, JP_E_RESET, JP_E_NO_CARD or
 * JP_E_NO_READER (L & 3).  When the input runs out every command fails
 * with JP_E_NO_CARD, as if the card were pulled.
 *
 * The transport also checks what the layers above promise, and abort()s
 * when they break it: every command is a short APDU; no VERIFY with data
 * is sent unless the harness allowed one, and at most once.
 */
#ifndef FUZZ_TRANSPORT_H
#define FUZZ_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include "transport.h"

jp_transport *fuzz_transport_new(const uint8_t *data, size_t size);
/* Allow n (0 or 1) VERIFYs or CHANGE REFERENCE DATAs with data from now
 * on; the harness allows one around each jpki_verify/jpki_change_pin call
 * and none elsewhere. */
void fuzz_transport_allow_pin(jp_transport *t, int n);
/* Answers left unread, bytes of input left. */
size_t fuzz_transport_left(jp_transport *t);

/* The libFuzzer entry point (fuzz_jpki.c); the replay driver calls it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
