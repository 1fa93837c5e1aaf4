/* jpki-pkcs11: ISO 7816-4 short APDUs. */
#ifndef JP_APDU_H
#define JP_APDU_H

#include <stddef.h>
#include <stdint.h>
#include "transport.h"

typedef struct {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;    /* NULL/0: no Lc, no data */
	size_t data_len;        /* at most 255 */
	int le;                 /* -1: no Le; 0..256 (256 is sent as 00) */
	int sensitive;          /* JP_APDU_* flags: what the debug log must not show */
} jp_apdu;

/* The command's data is a PIN: the log shows the header only; the command
 * buffer is wiped after sending. */
#define JP_APDU_PIN     1
/* The answer is private (a private certificate, personal data): the log
 * shows its length and status word only. */
#define JP_APDU_PRIVATE 2

/* Encode, send, and split the answer.  On JP_OK, *sw holds SW1SW2 and
 * resp[0..*resp_len) the data (at most 256 bytes; *resp_len is the buffer
 * size on entry).  A transport error is returned as is; an answer shorter
 * than two bytes, or longer than the buffer, is JP_E_DEVICE.  Of the
 * status word only the transport-level ones are acted on here (61xx: GET
 * RESPONSE; 6Cxx: the same command again with the right Le, never for a
 * PIN); the card application interprets the rest. */
jp_rv jp_apdu_exchange(jp_transport *t, const jp_apdu *a,
                       uint8_t *resp, size_t *resp_len, uint16_t *sw);

/* Encode an APDU into buf (at least 5 + 255 + 1 bytes); returns the
 * length, or 0 when the APDU cannot be a short APDU. */
size_t jp_apdu_encode(const jp_apdu *a, uint8_t *buf, size_t buf_len);

#endif
