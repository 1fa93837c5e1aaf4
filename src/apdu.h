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
	int sensitive;          /* the data is a PIN: the trace shows it redacted */
} jp_apdu;

/* Encode, send, and split the answer.  On JP_OK, *sw holds SW1SW2 and
 * resp[0..*resp_len) the data (at most 256 bytes; *resp_len is the buffer
 * size on entry).  A transport error is returned as is; an answer shorter
 * than two bytes, or longer than the buffer, is JP_E_DEVICE.  The status
 * word is not interpreted here. */
jp_rv jp_apdu_exchange(jp_transport *t, const jp_apdu *a,
                       uint8_t *resp, size_t *resp_len, uint16_t *sw);

/* Encode an APDU into buf (at least 5 + 255 + 1 bytes); returns the
 * length, or 0 when the APDU cannot be a short APDU. */
size_t jp_apdu_encode(const jp_apdu *a, uint8_t *buf, size_t buf_len);

#endif
