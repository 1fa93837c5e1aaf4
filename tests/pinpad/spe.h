/* Secure PIN entry of the test PIN-pad reader: PIN_VERIFY_STRUCTURE and
 * PIN_MODIFY_STRUCTURE (PC/SC part 10, layout of pcsc-lite's reader.h,
 * multi-byte fields little-endian), executed with the keypad's entries. */
#ifndef SPE_H
#define SPE_H

#include <stddef.h>
#include <stdint.h>

/* Sends an APDU to the card; puts the answer (data + SW) in resp and its
 * length in *rlen (in: capacity).  0, or -1 on a transmission error. */
typedef int (*spe_send_fn)(void *ctx, const uint8_t *apdu, size_t len, uint8_t *resp, size_t *rlen);

/* Runs FEATURE_VERIFY_PIN_DIRECT (modify = 0) or FEATURE_MODIFY_PIN_DIRECT
 * (modify = 1) on the structure s: takes the keypad entries from dir, puts
 * the PINs into the APDU and sends it.  The answer goes to resp: the card's
 * answer, or a reader status word (6400 timeout, 6401 cancel, 6402 new
 * PINs differ, 6403 PIN length outside min..max or not digits, 6B80 a
 * structure this reader cannot follow); then the card is never sent
 * anything.  Returns the answer's length, or 0 on a transmission error or
 * when resp is shorter than 2. */
size_t spe_run(int modify, const uint8_t *s, size_t len, const char *dir,
	       spe_send_fn send, void *ctx, uint8_t *resp, size_t cap);

#endif
