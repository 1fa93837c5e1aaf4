/* jpki-pkcs11: the PC/SC backend's reader listing and waiting (see
 * transport.h).
 *
 * Contexts: a jp_pcsc owns one context for listing and a second one, made
 * on first use, for waiting (pcsc-lite serializes the calls on one
 * context, so a blocked wait must not share it); connections have their
 * own (transport_pcsc.c).  pcsc-lite contexts must not be used after
 * fork(): each object remembers the pid that made it, refuses to work in
 * another process, and is freed there without PC/SC calls.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "transport_pcsc.h"

#define PNP_READER "\\\\?PnP?\\Notification"
/* A blocking wait is cut into slices this long, re-listing readers and
 * re-checking for a cancel between them: a cancel that races with the
 * start of a wait costs at most one slice. */
#define WAIT_SLICE_MS 1000

typedef struct {
	char *name;
	DWORD state;            /* last dwEventState seen, CHANGED cleared */
} seen_reader;

typedef struct jp_pcsc {
	jp_readers base;
	SCARDCONTEXT ctx;
	pid_t pid;
	pthread_mutex_t mu;     /* guards everything below */
	SCARDCONTEXT wait_ctx;
	bool have_wait_ctx;
	bool cancelled;         /* sticky: see transport.h, cancel */
	/* What the readers looked like at the last look (listing or wait),
	 * the baseline a wait compares against. */
	seen_reader *seen;
	size_t n_seen;
	bool have_seen;
	DWORD pnp_state;
	bool have_pnp;
} jp_pcsc;

static const struct jp_readers_ops pcsc_readers_ops;

/* ---- listing ----------------------------------------------------------- */

jp_rv jp_pcsc_open_readers(jp_readers **out)
{
	jp_pcsc *p;
	LONG r;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return JP_E_MEMORY;
	p->base.ops = &pcsc_readers_ops;
	r = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &p->ctx);
	if (r != SCARD_S_SUCCESS) {
		free(p);
		return jp_pcsc_err("SCardEstablishContext", r);
	}
	p->pid = getpid();
	pthread_mutex_init(&p->mu, NULL);
	*out = &p->base;
	return JP_OK;
}

static void seen_free(jp_pcsc *p)
{
	size_t i;
	for (i = 0; i < p->n_seen; i++)
		free(p->seen[i].name);
	free(p->seen);
	p->seen = NULL;
	p->n_seen = 0;
	p->have_seen = false;
}

static void pcsc_readers_close(jp_readers *rd)
{
	jp_pcsc *p = (jp_pcsc *)rd;

	if (p->pid == getpid()) {
		if (p->have_wait_ctx)
			SCardReleaseContext(p->wait_ctx);
		SCardReleaseContext(p->ctx);
	}
	seen_free(p);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* The reader names as a multi-string (free with SCardFreeMemory), or NULL
 * with *n = 0 when there is no reader: not an error. */
static jp_rv list_names(SCARDCONTEXT ctx, char **names, size_t *n)
{
	DWORD len = SCARD_AUTOALLOCATE;
	char *s;
	LONG r;

	*names = NULL;
	*n = 0;
	r = SCardListReaders(ctx, NULL, (LPSTR)names, &len);
	if (r == SCARD_E_NO_READERS_AVAILABLE)
		return JP_OK;
	if (r != SCARD_S_SUCCESS)
		return jp_pcsc_err("SCardListReaders", r);
	for (s = *names; *s != '\0'; s += strlen(s) + 1)
		(*n)++;
	return JP_OK;
}

/* Remember states as the baseline for the next wait; called with mu held. */
static void remember_inlock(jp_pcsc *p, const SCARD_READERSTATE *rs, size_t n)
{
	seen_reader *s = calloc(n ? n : 1, sizeof(*s));
	size_t i;

	seen_free(p);
	if (s == NULL)
		return;                 /* the next wait just learns afresh */
	for (i = 0; i < n; i++) {
		s[i].name = strdup(rs[i].szReader);
		s[i].state = rs[i].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
		if (s[i].name == NULL) {
			p->seen = s;
			p->n_seen = i;
			seen_free(p);
			return;
		}
	}
	p->seen = s;
	p->n_seen = n;
	p->have_seen = true;
}

static SCARD_READERSTATE *states_new(const char *names, size_t n, size_t extra)
{
	SCARD_READERSTATE *rs = calloc(n + extra ? n + extra : 1, sizeof(*rs));
	const char *s = names;
	size_t i;

	if (rs == NULL)
		return NULL;
	for (i = 0; i < n; i++, s += strlen(s) + 1) {
		rs[extra + i].szReader = s;
		rs[extra + i].dwCurrentState = SCARD_STATE_UNAWARE;
	}
	return rs;
}

static jp_rv pcsc_list(jp_readers *rd, jp_reader_state **out, size_t *n_out)
{
	jp_pcsc *p = (jp_pcsc *)rd;
	SCARD_READERSTATE *rs = NULL;
	jp_reader_state *st = NULL;
	char *names = NULL;
	size_t n = 0, i;
	int attempt;
	LONG r = SCARD_S_SUCCESS;
	jp_rv rv;

	*out = NULL;
	*n_out = 0;
	if (p->pid != getpid())
		return JP_E_NO_SERVICE;
	/* A reader can go between the listing and the state query: list again. */
	for (attempt = 0; attempt < 3; attempt++) {
		rv = list_names(p->ctx, &names, &n);
		if (rv != JP_OK || n == 0)
			goto out;
		free(rs);
		rs = states_new(names, n, 0);
		if (rs == NULL) {
			rv = JP_E_MEMORY;
			goto out;
		}
		/* timeout 0 and UNAWARE: report the current state, never block */
		r = SCardGetStatusChange(p->ctx, 0, rs, (DWORD)n);
		if (r != SCARD_E_UNKNOWN_READER)
			break;
		SCardFreeMemory(p->ctx, names);
		names = NULL;
	}
	if (r != SCARD_S_SUCCESS && r != SCARD_E_TIMEOUT) {
		rv = jp_pcsc_err("SCardGetStatusChange", r);
		if (rv == JP_E_NO_READER)
			rv = JP_E_COMM;         /* readers kept changing: try later */
		goto out;
	}
	st = calloc(n, sizeof(*st));
	if (st == NULL) {
		rv = JP_E_MEMORY;
		goto out;
	}
	for (i = 0; i < n; i++) {
		DWORD ev = rs[i].dwEventState;
		st[i].name = strdup(rs[i].szReader);
		if (st[i].name == NULL) {
			jp_reader_states_free(st, i);
			st = NULL;
			rv = JP_E_MEMORY;
			goto out;
		}
		/* a mute card cannot be talked to: as good as none */
		st[i].card_present = (ev & SCARD_STATE_PRESENT) && !(ev & SCARD_STATE_MUTE);
		st[i].events = (uint32_t)(ev >> 16) & 0xFFFF;
	}
	pthread_mutex_lock(&p->mu);
	remember_inlock(p, rs, n);
	pthread_mutex_unlock(&p->mu);
	*out = st;
	*n_out = n;
	rv = JP_OK;
out:
	if (names != NULL)
		SCardFreeMemory(p->ctx, names);
	free(rs);
	return rv;
}

void jp_reader_states_free(jp_reader_state *s, size_t n)
{
	size_t i;
	if (s == NULL)
		return;
	for (i = 0; i < n; i++)
		free(s[i].name);
	free(s);
}

/* ---- waiting ----------------------------------------------------------- */

enum { WAIT_CHANGED, WAIT_TIMEOUT };

/* Set each entry's current state from the baseline; false when the set of
 * readers differs from it (a reader came or went: a change already). */
static bool apply_seen_inlock(jp_pcsc *p, SCARD_READERSTATE *rs, size_t n)
{
	size_t i, j, matched = 0;

	rs[0].dwCurrentState = p->have_pnp ? p->pnp_state : SCARD_STATE_UNAWARE;
	if (!p->have_seen)
		return true;
	for (i = 1; i <= n; i++) {
		for (j = 0; j < p->n_seen; j++)
			if (strcmp(rs[i].szReader, p->seen[j].name) == 0)
				break;
		if (j == p->n_seen)
			return false;
		rs[i].dwCurrentState = p->seen[j].state;
		matched++;
	}
	return matched == p->n_seen;
}

static void remember_wait_inlock(jp_pcsc *p, const SCARD_READERSTATE *rs, size_t n)
{
	p->pnp_state = rs[0].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
	/* Without PnP support the entry says UNKNOWN: ignore it from now on
	 * and find new readers by listing between slices. */
	if (p->pnp_state & SCARD_STATE_UNKNOWN)
		p->pnp_state = SCARD_STATE_IGNORE;
	p->have_pnp = true;
	remember_inlock(p, rs + 1, n);
}

/* One slice of a wait: list, compare with the baseline, block up to ms. */
static jp_rv wait_slice(jp_pcsc *p, DWORD ms, int *what)
{
	SCARD_READERSTATE *rs = NULL;
	char *names = NULL;
	size_t n = 0, i;
	bool same, changed, known_pnp, known_readers;
	LONG r;
	jp_rv rv;

	rv = list_names(p->wait_ctx, &names, &n);
	if (rv != JP_OK)
		return rv;
	rs = states_new(names, n, 1);
	if (rs == NULL) {
		rv = JP_E_MEMORY;
		goto out;
	}
	rs[0].szReader = PNP_READER;
	pthread_mutex_lock(&p->mu);
	known_pnp = p->have_pnp;
	known_readers = p->have_seen;
	same = apply_seen_inlock(p, rs, n);
	pthread_mutex_unlock(&p->mu);

	/* Look without blocking first: this learns the state of what is new
	 * (UNAWARE entries) and tells whether the baseline is already stale. */
	r = SCardGetStatusChange(p->wait_ctx, 0, rs, (DWORD)(n + 1));
	if (r == SCARD_E_UNKNOWN_READER) {
		*what = WAIT_CHANGED;   /* a reader went just now */
		goto out;
	}
	if (r != SCARD_S_SUCCESS && r != SCARD_E_TIMEOUT) {
		rv = jp_pcsc_err("SCardGetStatusChange", r);
		goto out;
	}
	/* Entries with a baseline carry CHANGED when they differ from it
	 * (pcsc-lite compares the insert/remove counter too). */
	changed = !same;
	if (r == SCARD_S_SUCCESS) {
		if (known_pnp && (rs[0].dwEventState & SCARD_STATE_CHANGED))
			changed = true;
		for (i = 1; i <= n && known_readers; i++)
			if (rs[i].dwEventState & SCARD_STATE_CHANGED)
				changed = true;
	}
	if (changed) {
		pthread_mutex_lock(&p->mu);
		remember_wait_inlock(p, rs, n);
		pthread_mutex_unlock(&p->mu);
		*what = WAIT_CHANGED;
		goto out;
	}
	for (i = 0; i <= n; i++)
		rs[i].dwCurrentState = rs[i].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
	if (rs[0].dwCurrentState & SCARD_STATE_UNKNOWN)
		rs[0].dwCurrentState = SCARD_STATE_IGNORE;
	pthread_mutex_lock(&p->mu);
	remember_wait_inlock(p, rs, n);
	pthread_mutex_unlock(&p->mu);

	r = SCardGetStatusChange(p->wait_ctx, ms, rs, (DWORD)(n + 1));
	switch (r) {
	case SCARD_S_SUCCESS:
		pthread_mutex_lock(&p->mu);
		remember_wait_inlock(p, rs, n);
		pthread_mutex_unlock(&p->mu);
		*what = WAIT_CHANGED;
		break;
	case SCARD_E_UNKNOWN_READER:
		*what = WAIT_CHANGED;
		break;
	case SCARD_E_TIMEOUT:
		*what = WAIT_TIMEOUT;
		break;
	case SCARD_E_CANCELLED:
		rv = JP_E_COMM;
		break;
	case SCARD_F_COMM_ERROR:
		/* what a blocked call sees when pcscd dies under it */
		jp_pcsc_err("SCardGetStatusChange", r);
		rv = JP_E_NO_SERVICE;
		break;
	default:
		rv = jp_pcsc_err("SCardGetStatusChange", r);
	}
out:
	if (names != NULL)
		SCardFreeMemory(p->wait_ctx, names);
	free(rs);
	return rv;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static jp_rv pcsc_wait(jp_readers *rd, long timeout_ms)
{
	jp_pcsc *p = (jp_pcsc *)rd;
	long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : 0;
	jp_rv rv = JP_OK;
	LONG r;

	if (p->pid != getpid())
		return JP_E_NO_SERVICE;
	for (;;) {
		long left = timeout_ms >= 0 ? deadline - now_ms() : WAIT_SLICE_MS;
		int what = WAIT_TIMEOUT;

		pthread_mutex_lock(&p->mu);
		if (p->cancelled) {
			rv = JP_E_COMM;
		} else if (!p->have_wait_ctx) {
			r = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &p->wait_ctx);
			if (r == SCARD_S_SUCCESS)
				p->have_wait_ctx = true;
			else
				rv = jp_pcsc_err("SCardEstablishContext", r);
		}
		pthread_mutex_unlock(&p->mu);
		if (rv != JP_OK)
			return rv;
		if (left < 0)
			left = 0;
		rv = wait_slice(p, (DWORD)(left < WAIT_SLICE_MS ? left : WAIT_SLICE_MS), &what);
		if (rv == JP_E_NO_SERVICE) {
			/* pcscd went away: the next wait makes a fresh context */
			pthread_mutex_lock(&p->mu);
			SCardReleaseContext(p->wait_ctx);
			p->have_wait_ctx = false;
			pthread_mutex_unlock(&p->mu);
		}
		if (rv != JP_OK || what == WAIT_CHANGED)
			return rv;
		if (timeout_ms >= 0 && now_ms() >= deadline)
			return JP_E_COMM;
	}
}

static void pcsc_cancel(jp_readers *rd)
{
	jp_pcsc *p = (jp_pcsc *)rd;

	pthread_mutex_lock(&p->mu);
	p->cancelled = true;
	if (p->have_wait_ctx && p->pid == getpid())
		SCardCancel(p->wait_ctx);
	pthread_mutex_unlock(&p->mu);
}

static const struct jp_readers_ops pcsc_readers_ops = {
	.list = pcsc_list,
	.wait = pcsc_wait,
	.cancel = pcsc_cancel,
	.close = pcsc_readers_close,
};

