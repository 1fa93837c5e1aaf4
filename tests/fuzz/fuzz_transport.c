/* jpki-pkcs11 fuzzing: the fuzz transport (see fuzz_transport.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_transport.h"

typedef struct {
	jp_transport base;
	const uint8_t *p;
	size_t left;
	int pin_allowed;        /* VERIFYs with data the harness permits now */
	int trace;              /* FUZZ_TRACE set: print the dialogue */
} fuzz_transport;

static void check_command(fuzz_transport *f, const uint8_t *cmd, size_t len)
{
	/* short APDUs only: 4 header bytes, optional Lc + data, optional Le */
	if (len < 4 || len > 4 + 1 + 255 + 1)
		abort();
	if (len > 5 && cmd[4] == 0x00)
		abort();                /* extended length or Lc = 0 */
	if (len > 5 && len != 5u + cmd[4] && len != 6u + cmd[4])
		abort();
	/* VERIFY or CHANGE REFERENCE DATA carrying a PIN */
	if ((cmd[1] == 0x20 || cmd[1] == 0x24) && cmd[0] == 0x00 && len > 4) {
		if (len == 5)
			abort();        /* an empty PIN as a login */
		if (f->pin_allowed <= 0)
			abort();        /* a PIN sent twice, or unasked */
		f->pin_allowed--;
	}
}

static jp_rv fz_transmit(jp_transport *t, const uint8_t *cmd, size_t cmd_len,
                         uint8_t *resp, size_t *resp_len)
{
	fuzz_transport *f = (fuzz_transport *)t;
	size_t l, i;

	check_command(f, cmd, cmd_len);
	if (f->trace) {
		fprintf(stderr, "fuzz ->");
		for (i = 0; i < cmd_len; i++)
			fprintf(stderr, " %02X", cmd[i]);
		fprintf(stderr, "\n");
	}
	if (f->left < 2) {
		f->left = 0;
		return JP_E_NO_CARD;
	}
	l = (size_t)f->p[0] << 8 | f->p[1];
	f->p += 2;
	f->left -= 2;
	if (l >= 0xFF00) {
		static const jp_rv errs[4] = { JP_E_COMM, JP_E_RESET, JP_E_NO_CARD, JP_E_NO_READER };
		if (f->trace)
			fprintf(stderr, "fuzz <- error %d\n", (int)(l & 3));
		return errs[l & 3];
	}
	if (l > f->left)
		l = f->left;
	/* an answer too big for the buffer is cut, like a reader would */
	i = l < *resp_len ? l : *resp_len;
	memcpy(resp, f->p, i);
	*resp_len = i;
	f->p += l;
	f->left -= l;
	if (f->trace) {
		size_t k;
		fprintf(stderr, "fuzz <-");
		for (k = 0; k < i; k++)
			fprintf(stderr, " %02X", resp[k]);
		fprintf(stderr, "\n");
	}
	return JP_OK;
}

static jp_rv fz_begin(jp_transport *t) { (void)t; return JP_OK; }
static jp_rv fz_end(jp_transport *t, jp_disposition d) { (void)t; (void)d; return JP_OK; }
static void fz_close(jp_transport *t, jp_disposition d) { (void)d; free(t); }

/* No keypad: the features and control ops stay NULL. */
static const struct jp_transport_ops fuzz_ops = {
	.transmit = fz_transmit, .begin = fz_begin, .end = fz_end, .close = fz_close,
};

jp_transport *fuzz_transport_new(const uint8_t *data, size_t size)
{
	fuzz_transport *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->base.ops = &fuzz_ops;
	f->p = data;
	f->left = size;
	f->trace = getenv("FUZZ_TRACE") != NULL;
	return &f->base;
}

void fuzz_transport_allow_pin(jp_transport *t, int n)
{
	((fuzz_transport *)t)->pin_allowed = n;
}

size_t fuzz_transport_left(jp_transport *t)
{
	return ((fuzz_transport *)t)->left;
}
