/* jpki-pkcs11 fuzzing: the fuzz backend (see fuzz_backend.h): its readers
 * and connections as a jp_backend, over the state of fuzz_backend_state.c
 * and the rules of fuzz_backend_rules.c, and the harness's side. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_backend_state.h"

int fuzz_trace;

static const char *const reached_names[FZ_REACHED_COUNT] = {
	"verify", "verified", "rejected", "resign", "change", "sign", "signed", "cleared", "unpowered", "fault",
	"pulled",
};

/* ---- a connection ---------------------------------------------------------- */

static jp_rv fz_transmit(jp_transport *t, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
	fz_conn *c = (fz_conn *)t;
	jp_rv rv = JP_OK;
	uint16_t h;
	size_t n;

	pthread_mutex_lock(&fz.mu);
	fz_check_usable_inlock(c, "transmit");
	if (!c->in_tx)
		fz_violation("a command outside a transaction");
	fz_check_command_inlock(c, cmd, cmd_len);
	fz_trace_bytes("fuzz ->", cmd, cmd_len);
	for (;;) {
		if ((rv = fz_card_left_inlock(c)) != JP_OK) {
			if (fuzz_trace)
				fprintf(stderr, "fuzz <- gone\n");
			goto out;
		}
		if (!fz_peek_inlock(&h)) {
			fz_skip_inlock(fz.left);
			if (fuzz_trace)
				fprintf(stderr, "fuzz <- eof\n");
			rv = JP_E_NO_CARD;
			goto out;
		}
		fz_skip_inlock(2);
		if ((h >> 8) != 0xFE)
			break;
		fz_event_inlock(h & 0xFF);
	}
	if (h >= 0xF000) {
		rv = fz_failure(h);
		if (fuzz_trace)
			fprintf(stderr, "fuzz <- error %d\n", h & 3);
		/* a lost VERIFY may have reached the card */
		if (rv == JP_E_COMM && fz_is_pin_command(cmd, cmd_len, 0x20))
			c->verified = true;
		if (c->verified)
			fz.reached |= FZ_REACHED_FAULT;
		goto out;
	}
	n = h < fz.left ? h : fz.left;
	/* an answer too big for the buffer is cut, like a reader would */
	if (n > *resp_len)
		n = *resp_len;
	memcpy(resp, fz.p, n);
	*resp_len = n;
	fz_skip_inlock(h);
	fz_trace_bytes("fuzz <-", resp, n);
	fz_note_answer_inlock(c, cmd, cmd_len, resp, n);
out:
	pthread_mutex_unlock(&fz.mu);
	return rv;
}

static jp_rv fz_begin(jp_transport *t)
{
	fz_conn *c = (fz_conn *)t;
	jp_rv rv;

	pthread_mutex_lock(&fz.mu);
	fz_check_usable_inlock(c, "begin");
	if (c->in_tx)
		fz_violation("a transaction begun twice");
	if ((rv = fz_card_left_inlock(c)) == JP_OK && (rv = fz_take_failure_inlock()) == JP_OK)
		c->in_tx = true;
	else if (c->verified)
		fz.reached |= FZ_REACHED_FAULT;
	if (fuzz_trace)
		fprintf(stderr, "fuzz: begin on reader %d: %d\n", c->reader, (int)rv);
	pthread_mutex_unlock(&fz.mu);
	return rv;
}

static jp_rv fz_end(jp_transport *t, jp_disposition d)
{
	fz_conn *c = (fz_conn *)t;
	jp_rv rv;

	pthread_mutex_lock(&fz.mu);
	fz_check_usable_inlock(c, "end");
	if (!c->in_tx)
		fz_violation("a transaction ended that was not begun");
	c->in_tx = false;
	if ((rv = fz_card_left_inlock(c)) == JP_OK)
		rv = fz_take_failure_inlock();
	fz_check_end_inlock(c, d, rv);
	if (fuzz_trace)
		fprintf(stderr, "fuzz: end on reader %d (%s): %d\n", c->reader, d == JP_UNPOWER ? "unpower" : "leave",
		        (int)rv);
	pthread_mutex_unlock(&fz.mu);
	return rv;
}

static void fz_close(jp_transport *t, jp_disposition d)
{
	fz_conn *c = (fz_conn *)t;

	pthread_mutex_lock(&fz.mu);
	fz_card_left_inlock(c);
	fz_check_close_inlock(c, d);
	if (fuzz_trace)
		fprintf(stderr, "fuzz: close on reader %d (%s)\n", c->reader, d == JP_UNPOWER ? "unpower" : "leave");
	fz.conns--;
	pthread_mutex_unlock(&fz.mu);
	free(c);
}

/* no keypad: features and control stay NULL */
static const struct jp_transport_ops conn_ops = {
	.transmit = fz_transmit, .begin = fz_begin, .end = fz_end, .close = fz_close,
};

static jp_rv fz_connect(const char *name, jp_transport **out)
{
	fz_conn *c;
	jp_rv rv = JP_OK;
	int i;

	*out = NULL;
	pthread_mutex_lock(&fz.mu);
	for (i = 0; i < NREADERS; i++)
		if (strcmp(name, fz_reader_names[i]) == 0)
			break;
	if (i == NREADERS || !fz.readers[i].listed)
		rv = JP_E_NO_READER;
	else if (!fz.readers[i].card)
		rv = JP_E_NO_CARD;
	else
		rv = fz_take_failure_inlock();
	if (rv == JP_OK && !(c = calloc(1, sizeof(*c))))
		rv = JP_E_MEMORY;
	if (rv == JP_OK) {
		c->base.ops = &conn_ops;
		c->reader = i;
		c->gen = fz.readers[i].gen;
		fz.conns++;
		*out = &c->base;
	}
	if (fuzz_trace)
		fprintf(stderr, "fuzz: connect to %s: %d\n", name, (int)rv);
	pthread_mutex_unlock(&fz.mu);
	return rv;
}

/* ---- readers --------------------------------------------------------------- */

static jp_rv fz_list(jp_readers *rd, jp_reader_state **out, size_t *n)
{
	jp_reader_state *st;
	jp_rv rv = JP_OK;
	uint16_t h;
	int i;

	(void)rd;
	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&fz.mu);
	if (fz_peek_inlock(&h) && (h >> 8) == 0xFE) {
		fz_skip_inlock(2);
		fz_event_inlock(h & 0xFF);
	}
	if (fz.list_no_service) {
		fz.list_no_service = false;
		rv = JP_E_NO_SERVICE;
	} else if (fz.list_comm) {
		fz.list_comm = false;
		rv = JP_E_COMM;
	} else if (!(st = calloc(NREADERS, sizeof(*st)))) {
		rv = JP_E_MEMORY;
	} else {
		for (i = 0; i < NREADERS; i++) {
			if (!fz.readers[i].listed)
				continue;
			st[*n].name = strdup(fz_reader_names[i]);
			st[*n].card_present = fz.readers[i].card;
			st[*n].events = fz.readers[i].events;
			if (!st[*n].name)
				abort();
			(*n)++;
		}
		*out = st;
	}
	pthread_mutex_unlock(&fz.mu);
	return rv;
}

static jp_rv fz_wait(jp_readers *rd, long timeout_ms)
{
	(void)rd;
	(void)timeout_ms;
	return JP_E_COMM;       /* nothing changes while the harness waits */
}

static void fz_cancel(jp_readers *rd) { (void)rd; }

static void fz_readers_close(jp_readers *rd)
{
	pthread_mutex_lock(&fz.mu);
	fz.listers--;
	pthread_mutex_unlock(&fz.mu);
	free(rd);
}

static const struct jp_readers_ops readers_ops = { fz_list, fz_wait, fz_cancel, fz_readers_close };

static jp_rv fz_open(jp_readers **out)
{
	jp_readers *rd = NULL;
	jp_rv rv = JP_OK;

	*out = NULL;
	pthread_mutex_lock(&fz.mu);
	if (fz.open_fails) {
		fz.open_fails = false;
		rv = JP_E_NO_SERVICE;
	} else if (!(rd = calloc(1, sizeof(*rd)))) {
		rv = JP_E_MEMORY;
	} else {
		rd->ops = &readers_ops;
		fz.listers++;
		*out = rd;
	}
	pthread_mutex_unlock(&fz.mu);
	return rv;
}

static const jp_backend fuzz_backend = { .open = fz_open, .connect = fz_connect };

/* ---- the harness's side ----------------------------------------------------- */

void fuzz_backend_begin(const uint8_t *data, size_t size)
{
	pthread_mutex_lock(&fz.mu);
	fz_reset_inlock(data, size);
	pthread_mutex_unlock(&fz.mu);
	fuzz_trace = getenv("FUZZ_TRACE") != NULL;
	jp_backend_set(&fuzz_backend);
}

/* With FUZZ_TRACE: what the input reached (fuzz_backend.h). */
static void trace_reached_inlock(void)
{
	int i;

	if (!fuzz_trace)
		return;
	fprintf(stderr, "fuzz: reached:");
	for (i = 0; i < FZ_REACHED_COUNT; i++)
		if (fz.reached & 1u << i)
			fprintf(stderr, " %s", reached_names[i]);
	fputc('\n', stderr);
}

void fuzz_backend_end(void)
{
	pthread_mutex_lock(&fz.mu);
	trace_reached_inlock();
	if (fz.conns != 0)
		fz_violation("a connection left open after C_Finalize");
	if (fz.listers != 0)
		fz_violation("a reader listing left open after C_Finalize");
	fz.p = NULL;
	fz.left = 0;
	pthread_mutex_unlock(&fz.mu);
}

void fuzz_backend_event(unsigned ev)
{
	pthread_mutex_lock(&fz.mu);
	fz_event_inlock(ev);
	pthread_mutex_unlock(&fz.mu);
}

size_t fuzz_backend_left(void)
{
	size_t n;

	pthread_mutex_lock(&fz.mu);
	n = fz.left;
	pthread_mutex_unlock(&fz.mu);
	return n;
}
