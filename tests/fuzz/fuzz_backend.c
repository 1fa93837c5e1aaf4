/* jpki-pkcs11 fuzzing: the fuzz backend (see fuzz_backend.h). */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_backend.h"

int fuzz_trace;

#define NREADERS 2
#define MAX_REJECTED 16
#define PIN_MAX 16

static const char *const reader_names[NREADERS] = { "Fuzz Reader 0", "Fuzz Reader 1" };

typedef struct {
	bool listed;
	bool card;
	uint32_t events;
	unsigned gen;           /* changes whenever the card leaves */
} fz_reader;

typedef struct {
	uint16_t ef;
	size_t len;
	uint8_t pin[PIN_MAX];
} fz_rejected;

typedef struct {
	jp_transport base;
	int reader;
	unsigned gen;
	bool in_tx;
	bool verified;
	bool must_unpower;      /* an end failed with the card verified */
	uint16_t ef;            /* the EF selected last */
} fz_conn;

/* All state of one input.  The hold's watchdog may use a connection from
 * its own thread, so everything is under mu. */
static struct {
	pthread_mutex_t mu;
	const uint8_t *p;
	size_t left;
	fz_reader readers[NREADERS];
	bool list_comm, list_no_service, open_fails;
	int conns, listers;
	fz_call call;
	uint8_t pin[PIN_MAX], new_pin[PIN_MAX];
	size_t pin_len, new_len;
	int verifies, changes;
	fz_rejected rejected[MAX_REJECTED];
	int nrejected;
} fz = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void violation(const char *what)
{
	fprintf(stderr, "fuzz backend: %s\n", what);
	abort();
}

static void trace(const char *fmt, const uint8_t *b, size_t n)
{
	size_t i;

	if (!fuzz_trace)
		return;
	fputs(fmt, stderr);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %02X", b[i]);
	fputc('\n', stderr);
}

/* ---- the stream --------------------------------------------------------- */

static bool peek(uint16_t *h)
{
	if (fz.left < 2)
		return false;
	*h = (uint16_t)(fz.p[0] << 8 | fz.p[1]);
	return true;
}

static void skip(size_t n)
{
	if (n > fz.left)
		n = fz.left;
	fz.p += n;
	fz.left -= n;
}

static void event_inlock(unsigned ev)
{
	fz_reader *r = &fz.readers[(ev >> 3) & 1];

	if (fuzz_trace)
		fprintf(stderr, "fuzz: event %u on reader %u\n", ev & 7, (ev >> 3) & 1);
	switch (ev & 7) {
	case 0:
		if (r->listed && !r->card) {
			r->card = true;
			r->events++;
		}
		break;
	case 1:
		if (r->card) {
			r->card = false;
			r->events++;
			r->gen++;
		}
		break;
	case 2:
		if (r->listed) {
			r->card = true;
			r->events += 2;
			r->gen++;
		}
		break;
	case 3:
		fz.list_comm = true;
		break;
	case 4:
		fz.list_no_service = true;
		fz.open_fails = true;
		break;
	case 5:
		r->listed = false;
		r->card = false;
		r->gen++;
		break;
	default:
		if (!r->listed) {
			r->listed = true;
			r->card = (ev & 7) == 6;
			r->events += 2;
			r->gen++;
		}
		break;
	}
}

/* A 0xFDxx record at the head, for a connect, begin or end: its error. */
static jp_rv take_failure(void)
{
	static const jp_rv errs[4] = { JP_E_COMM, JP_E_RESET, JP_E_NO_CARD, JP_E_NO_READER };
	uint16_t h;

	if (!peek(&h) || (h >> 8) != 0xFD)
		return JP_OK;
	skip(2);
	if (fuzz_trace)
		fprintf(stderr, "fuzz: failure %d\n", h & 3);
	return errs[h & 3];
}

/* ---- PIN accounting ------------------------------------------------------ */

static void upper(uint8_t *dst, size_t *dst_len, const uint8_t *src, size_t n)
{
	size_t i;

	if (n > PIN_MAX)
		n = PIN_MAX;
	for (i = 0; i < n; i++)
		dst[i] = src[i] >= 'a' && src[i] <= 'z' ? (uint8_t)(src[i] - 'a' + 'A') : src[i];
	*dst_len = n;
}

static void unreject_inlock(const uint8_t *pin, size_t n)
{
	int i;

	for (i = 0; i < fz.nrejected;) {
		if (fz.rejected[i].len == n && memcmp(fz.rejected[i].pin, pin, n) == 0)
			fz.rejected[i] = fz.rejected[--fz.nrejected];
		else
			i++;
	}
}

static bool is_rejected_inlock(uint16_t ef, const uint8_t *pin, size_t n)
{
	int i;

	for (i = 0; i < fz.nrejected; i++)
		if (fz.rejected[i].ef == ef && fz.rejected[i].len == n && memcmp(fz.rejected[i].pin, pin, n) == 0)
			return true;
	return false;
}

static void reject_inlock(uint16_t ef, const uint8_t *pin, size_t n)
{
	fz_rejected *e;

	if (n > PIN_MAX || is_rejected_inlock(ef, pin, n) || fz.nrejected == MAX_REJECTED)
		return;
	e = &fz.rejected[fz.nrejected++];
	e->ef = ef;
	e->len = n;
	memcpy(e->pin, pin, n);
}

void fuzz_backend_call(fz_call kind, const uint8_t *pin, size_t pin_len, const uint8_t *new_pin, size_t new_len)
{
	pthread_mutex_lock(&fz.mu);
	fz.call = kind;
	fz.verifies = fz.changes = 0;
	fz.pin_len = fz.new_len = 0;
	if (pin)
		upper(fz.pin, &fz.pin_len, pin, pin_len);
	if (new_pin)
		upper(fz.new_pin, &fz.new_len, new_pin, new_len);
	/* the caller gives these PINs afresh: the module may send them */
	if (kind == FZ_CALL_LOGIN || kind == FZ_CALL_SET_PIN) {
		unreject_inlock(fz.pin, fz.pin_len);
		unreject_inlock(fz.new_pin, fz.new_len);
	}
	pthread_mutex_unlock(&fz.mu);
}

/* ---- commands ------------------------------------------------------------ */

static bool is_pin_command(const uint8_t *cmd, size_t len, uint8_t ins)
{
	return len > 5 && cmd[0] == 0x00 && cmd[1] == ins;
}

/* Every command: a short APDU; a PIN only where the call allows it. */
static void check_command_inlock(fz_conn *c, const uint8_t *cmd, size_t len)
{
	if (len < 4 || len > 4 + 1 + 255 + 1)
		violation("not a short APDU (length)");
	if (len > 5 && cmd[4] == 0x00)
		violation("extended length or Lc = 0");
	if (len > 5 && len != 5u + cmd[4] && len != 6u + cmd[4])
		violation("Lc does not match the data");
	if (cmd[0] == 0x00 && (cmd[1] == 0x20 || cmd[1] == 0x24) && len == 5)
		violation("an empty PIN sent with Lc");
	if (is_pin_command(cmd, len, 0x20)) {
		const uint8_t *pin = cmd + 5;
		size_t n = cmd[4];

		if (fz.call == FZ_CALL_NO_PIN)
			violation("VERIFY with a PIN in a call that has none");
		if (++fz.verifies > 1)
			violation("VERIFY with a PIN sent twice in one call");
		if ((fz.call == FZ_CALL_LOGIN || fz.call == FZ_CALL_SET_PIN) &&
		    (n != fz.pin_len || memcmp(pin, fz.pin, n) != 0))
			violation("VERIFY with another PIN than the caller's");
		if (fz.call == FZ_CALL_SIGN && is_rejected_inlock(c->ef, pin, n))
			violation("a PIN the card rejected was sent again without a new login");
	}
	if (is_pin_command(cmd, len, 0x24)) {
		if (fz.call != FZ_CALL_SET_PIN)
			violation("CHANGE REFERENCE DATA outside C_SetPIN");
		if (++fz.changes > 1 || fz.verifies != 1)
			violation("CHANGE REFERENCE DATA twice, or without one VERIFY before");
		if (cmd[4] != fz.new_len || memcmp(cmd + 5, fz.new_pin, fz.new_len) != 0)
			violation("CHANGE REFERENCE DATA with another PIN than the caller's");
	}
}

/* What an answer does to the card's state. */
static void note_answer_inlock(fz_conn *c, const uint8_t *cmd, size_t len, const uint8_t *resp, size_t n)
{
	uint16_t sw = n >= 2 ? (uint16_t)(resp[n - 2] << 8 | resp[n - 1]) : 0;

	if (is_pin_command(cmd, len, 0x20)) {
		if (sw == 0x9000 || (sw >> 8) == 0x61)
			c->verified = true;
		else if ((sw & 0xFFF0) == 0x63C0 || sw == 0x6983 || sw == 0x6984)
			reject_inlock(c->ef, cmd + 5, cmd[4]);
	}
	/* 61xx is normal processing too (ISO 7816-4): the SELECT was done and
	 * the card forgot its PINs, whatever GET RESPONSE then brings */
	if (len >= 4 && cmd[0] == 0x00 && cmd[1] == 0xA4 && cmd[2] == 0x04 && (sw == 0x9000 || (sw >> 8) == 0x61))
		c->verified = false;
	if (len >= 7 && cmd[0] == 0x00 && cmd[1] == 0xA4 && cmd[2] == 0x02 && cmd[4] == 2)
		c->ef = (uint16_t)(cmd[5] << 8 | cmd[6]);
}

/* ---- a connection ---------------------------------------------------------- */

static void check_usable_inlock(fz_conn *c, const char *what)
{
	if (c->must_unpower) {
		fprintf(stderr, "fuzz backend: %s after an end that failed with the card verified\n", what);
		violation("the connection must be closed with JP_UNPOWER");
	}
}

/* The card left (or the reader went) since the connection was made: the
 * card lost power, and the handle only reports it. */
static jp_rv card_left_inlock(fz_conn *c)
{
	fz_reader *r = &fz.readers[c->reader];

	if (r->gen == c->gen)
		return JP_OK;
	c->verified = false;
	return r->listed ? JP_E_NO_CARD : JP_E_NO_READER;
}

static jp_rv fz_transmit(jp_transport *t, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
	static const jp_rv errs[4] = { JP_E_COMM, JP_E_RESET, JP_E_NO_CARD, JP_E_NO_READER };
	fz_conn *c = (fz_conn *)t;
	jp_rv rv = JP_OK;
	uint16_t h;
	size_t n;

	pthread_mutex_lock(&fz.mu);
	check_usable_inlock(c, "transmit");
	if (!c->in_tx)
		violation("a command outside a transaction");
	check_command_inlock(c, cmd, cmd_len);
	trace("fuzz ->", cmd, cmd_len);
	for (;;) {
		if ((rv = card_left_inlock(c)) != JP_OK) {
			if (fuzz_trace)
				fprintf(stderr, "fuzz <- gone\n");
			goto out;
		}
		if (!peek(&h)) {
			skip(fz.left);
			if (fuzz_trace)
				fprintf(stderr, "fuzz <- eof\n");
			rv = JP_E_NO_CARD;
			goto out;
		}
		skip(2);
		if ((h >> 8) != 0xFE)
			break;
		event_inlock(h & 0xFF);
	}
	if (h >= 0xF000) {
		rv = errs[h & 3];
		if (fuzz_trace)
			fprintf(stderr, "fuzz <- error %d\n", h & 3);
		/* a lost VERIFY may have reached the card */
		if (rv == JP_E_COMM && is_pin_command(cmd, cmd_len, 0x20))
			c->verified = true;
		goto out;
	}
	n = h < fz.left ? h : fz.left;
	/* an answer too big for the buffer is cut, like a reader would */
	if (n > *resp_len)
		n = *resp_len;
	memcpy(resp, fz.p, n);
	*resp_len = n;
	skip(h);
	trace("fuzz <-", resp, n);
	note_answer_inlock(c, cmd, cmd_len, resp, n);
out:
	pthread_mutex_unlock(&fz.mu);
	return rv;
}

static jp_rv fz_begin(jp_transport *t)
{
	fz_conn *c = (fz_conn *)t;
	jp_rv rv;

	pthread_mutex_lock(&fz.mu);
	check_usable_inlock(c, "begin");
	if (c->in_tx)
		violation("a transaction begun twice");
	if ((rv = card_left_inlock(c)) == JP_OK && (rv = take_failure()) == JP_OK)
		c->in_tx = true;
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
	check_usable_inlock(c, "end");
	if (!c->in_tx)
		violation("a transaction ended that was not begun");
	c->in_tx = false;
	if ((rv = card_left_inlock(c)) == JP_OK && (rv = take_failure()) == JP_OK) {
		if (d == JP_UNPOWER)
			c->verified = false;
		else if (c->verified)
			violation("a transaction ended with the card verified");
	} else if (c->verified) {
		/* not carried out: the card is still verified */
		if (d == JP_LEAVE)
			violation("a transaction ended with the card verified");
		c->must_unpower = true;
	}
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
	card_left_inlock(c);
	if (c->verified && d != JP_UNPOWER)
		violation("a connection closed with the card verified");
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
		if (strcmp(name, reader_names[i]) == 0)
			break;
	if (i == NREADERS || !fz.readers[i].listed)
		rv = JP_E_NO_READER;
	else if (!fz.readers[i].card)
		rv = JP_E_NO_CARD;
	else
		rv = take_failure();
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
	if (peek(&h) && (h >> 8) == 0xFE) {
		skip(2);
		event_inlock(h & 0xFF);
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
			st[*n].name = strdup(reader_names[i]);
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
	fz.p = data;
	fz.left = size;
	memset(fz.readers, 0, sizeof(fz.readers));
	fz.readers[0].listed = true;
	fz.readers[0].card = true;
	fz.readers[0].events = 1;
	fz.list_comm = fz.list_no_service = fz.open_fails = false;
	fz.conns = fz.listers = 0;
	fz.call = FZ_CALL_NO_PIN;
	fz.verifies = fz.changes = 0;
	fz.nrejected = 0;
	pthread_mutex_unlock(&fz.mu);
	fuzz_trace = getenv("FUZZ_TRACE") != NULL;
	jp_backend_set(&fuzz_backend);
}

void fuzz_backend_end(void)
{
	pthread_mutex_lock(&fz.mu);
	if (fz.conns != 0)
		violation("a connection left open after C_Finalize");
	if (fz.listers != 0)
		violation("a reader listing left open after C_Finalize");
	fz.p = NULL;
	fz.left = 0;
	pthread_mutex_unlock(&fz.mu);
}

void fuzz_backend_event(unsigned ev)
{
	pthread_mutex_lock(&fz.mu);
	event_inlock(ev);
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
