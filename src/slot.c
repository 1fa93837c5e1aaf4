/* jpki-pkcs11: readers, slots, and noticing cards come and go. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "conf.h"
#include "log.h"
#include "slot.h"
#include "token.h"

/* The reader table, under the global lock. */
static struct {
	jp_reader **readers;
	size_t nreaders;
	jp_reader **dead;       /* gone and unused: for jp_slots_reap() */
	size_t ndead;
	CK_SLOT_ID next_base;
	jp_readers *lister;     /* for listing; NULL while the service is away */
	jp_readers *waiter;     /* for C_WaitForSlotEvent */
	int waiting;            /* threads inside it */
	bool cancelled;         /* C_Finalize: every wait returns */
} g;

/* Free a reader nobody uses.  In this process its card is closed (a held
 * or verified transaction cleared first) and its lock destroyed; in a child
 * after fork() (in_parent false) only memory is released: the parent's
 * connection and its locks, which may be held there, are not touched. */
static void reader_free(jp_reader *r, bool in_parent)
{
	int i;

	if (in_parent)
		jp_card_free(&r->ct.card);
	else
		jp_card_abandon(&r->ct.card);
	for (i = 0; i < JPKI_CREDS; i++)
		jp_token_clear(&r->ct.tokens[i]);
	if (in_parent)
		jp_mutex_free(r->lock);
	free(r->name);
	free(r);
}

void jp_reader_ref_inlock(jp_reader *r)
{
	r->refs++;
}

/* A gone reader nobody uses is not freed under the global lock (freeing
 * talks to the card): it waits in g.dead for jp_slots_reap(). */
static void bury_inlock(jp_reader *r)
{
	jp_reader **list;

	list = realloc(g.dead, (g.ndead + 1) * sizeof(*list));
	if (!list) {
		JP_LOG("out of memory: a gone reader is leaked");
		return;
	}
	g.dead = list;
	g.dead[g.ndead++] = r;
}

void jp_reader_unref_inlock(jp_reader *r)
{
	if (--r->refs == 0 && r->gone)
		bury_inlock(r);
}

void jp_slots_reap(void)
{
	jp_reader **dead;
	size_t n, i;

	if (jp_global_lock() != CKR_OK)
		return;
	dead = g.dead;
	n = g.ndead;
	g.dead = NULL;
	g.ndead = 0;
	jp_global_unlock();
	for (i = 0; i < n; i++)
		reader_free(dead[i], true);
	free(dead);
}

static void reader_gone_inlock(size_t idx)
{
	jp_reader *r = g.readers[idx];

	JP_LOG("reader gone: %s", r->name);
	memmove(&g.readers[idx], &g.readers[idx + 1], (g.nreaders - idx - 1) * sizeof(*g.readers));
	g.nreaders--;
	r->gone = true;
	r->present = false;
	r->token_present = false;
	/* Its sessions are stale now; the session layer closes them, and the
	 * last reference frees the reader (jp_reader_unref_inlock). */
	if (r->refs == 0)
		bury_inlock(r);
}

static jp_reader *reader_new_inlock(const char *name)
{
	jp_reader *r = calloc(1, sizeof(*r));
	jp_reader **list;

	if (!r || !(r->name = strdup(name)))
		goto fail;
	if (jp_card_init(&r->ct.card, name) != 0) {
		free(r->name);
		goto fail_free;
	}
	if (jp_mutex_new(&r->lock) != CKR_OK) {
		jp_card_free(&r->ct.card);
		free(r->name);
		goto fail_free;
	}
	list = realloc(g.readers, (g.nreaders + 1) * sizeof(*list));
	if (!list) {
		jp_card_free(&r->ct.card);
		jp_mutex_free(r->lock);
		free(r->name);
		goto fail_free;
	}
	g.readers = list;
	r->base = g.next_base;
	g.next_base += JP_SLOTS_PER_READER;
	r->ct.tokens[JPKI_AUTH].cred = JPKI_AUTH;
	r->ct.tokens[JPKI_SIGN].cred = JPKI_SIGN;
	r->ct.tokens[JPKI_FACE].cred = JPKI_FACE;
	g.readers[g.nreaders++] = r;
	JP_LOG("reader %s: slots %lu to %lu", name, (unsigned long)r->base, (unsigned long)r->base + 2);
	return r;
fail:
	if (r)
		free(r->name);
fail_free:
	free(r);
	return NULL;
}

static void all_readers_gone_inlock(void)
{
	while (g.nreaders > 0)
		reader_gone_inlock(g.nreaders - 1);
}

void jp_slots_refresh_inlock(void)
{
	jp_reader_state *st = NULL;
	size_t n = 0, i, j;
	jp_rv rv;

	if (!g.lister && jp_readers_open(&g.lister) != JP_OK) {
		g.lister = NULL;
		all_readers_gone_inlock();
		return;
	}
	rv = jp_readers_list(g.lister, &st, &n);
	if (rv != JP_OK) {
		JP_LOG("listing readers: %s", jp_rv_name(rv));
		/* The service went away: every reader goes with it; a new
		 * context is tried on the next call.  Any other failure is a
		 * hiccup: the readers stay as they were (a present reader is
		 * never made "gone" by it, and a hold on it stays). */
		if (rv == JP_E_NO_SERVICE) {
			jp_readers_close(g.lister);
			g.lister = NULL;
			all_readers_gone_inlock();
		}
		return;
	}
	for (i = g.nreaders; i-- > 0;) {
		for (j = 0; j < n; j++)
			if (strcmp(st[j].name, g.readers[i]->name) == 0)
				break;
		if (j == n)
			reader_gone_inlock(i);
	}
	for (j = 0; j < n; j++) {
		jp_reader *r = NULL;

		for (i = 0; i < g.nreaders; i++)
			if (strcmp(st[j].name, g.readers[i]->name) == 0)
				r = g.readers[i];
		if (!r && !(r = reader_new_inlock(st[j].name)))
			continue;
		r->present = st[j].card_present;
		r->events = st[j].events;
		if (!r->present)
			r->token_present = false;
	}
	jp_reader_states_free(st, n);
}

jp_reader *jp_slot_find_inlock(CK_SLOT_ID id, jpki_cred *cred)
{
	size_t i;

	for (i = 0; i < g.nreaders; i++) {
		jp_reader *r = g.readers[i];
		if (id >= r->base && id < r->base + JPKI_CREDS &&
		    jp_conf_shows((int)(id - r->base))) {
			*cred = (jpki_cred)(id - r->base);
			return r;
		}
	}
	return NULL;
}

void jp_slots_free_all(bool in_parent)
{
	size_t i;

	for (i = 0; i < g.nreaders; i++)
		reader_free(g.readers[i], in_parent);
	for (i = 0; i < g.ndead; i++)
		reader_free(g.dead[i], in_parent);
	free(g.readers);
	free(g.dead);
	g.readers = g.dead = NULL;
	g.nreaders = g.ndead = 0;
}

void jp_slots_close_service(void)
{
	jp_readers_close(g.lister);
	jp_readers_close(g.waiter);
	g.lister = g.waiter = NULL;
	g.cancelled = false;
}

void jp_slots_release_at_exit(void)
{
	size_t i;

	for (i = 0; i < g.nreaders; i++)
		jp_card_release_at_exit(&g.readers[i]->ct.card);
}

CK_RV jp_slots_list_inlock(bool present, CK_SLOT_ID *out, CK_ULONG *count)
{
	CK_ULONG n = 0;
	size_t i;
	int cred;

	for (i = 0; i < g.nreaders; i++) {
		jp_reader *r = g.readers[i];
		if (present && !r->token_present)
			continue;
		for (cred = JPKI_AUTH; cred < JPKI_CREDS; cred++) {
			if (!jp_conf_shows(cred) || (present && cred == JPKI_FACE && r->face_absent))
				continue;
			if (out && n < *count)
				out[n] = r->base + (CK_SLOT_ID)cred;
			n++;
		}
	}
	if (out && n > *count) {
		*count = n;
		return CKR_BUFFER_TOO_SMALL;
	}
	*count = n;
	return CKR_OK;
}

void jp_slots_sync_all_inlock(void)
{
	jp_reader **rs;
	size_t n = g.nreaders, i;

	rs = calloc(n ? n : 1, sizeof(*rs));
	if (!rs)
		return;
	for (i = 0; i < n; i++) {
		rs[i] = g.readers[i];
		jp_reader_ref_inlock(rs[i]);
	}
	jp_global_unlock();
	for (i = 0; i < n; i++) {
		if (jp_mutex_lock(rs[i]->lock) != CKR_OK)
			continue;
		jp_reader_sync(rs[i]);
		if (jp_card_gone(&rs[i]->ct.card))
			jp_reader_forget_card(rs[i]);
		jp_mutex_unlock(rs[i]->lock);
	}
	jp_global_lock();
	for (i = 0; i < n; i++)
		jp_reader_unref_inlock(rs[i]);
	free(rs);
}

/* ---- slot events ---------------------------------------------------------- */

void jp_slots_mark_reported_inlock(void)
{
	size_t i;

	for (i = 0; i < g.nreaders; i++) {
		g.readers[i]->reported_present = g.readers[i]->present;
		g.readers[i]->reported_events = g.readers[i]->events;
	}
}

bool jp_slots_next_event_inlock(CK_SLOT_ID *slot)
{
	size_t i;
	int cred;

	for (i = 0; i < g.nreaders; i++) {
		jp_reader *r = g.readers[i];
		if (r->present != r->reported_present || r->events != r->reported_events) {
			r->reported_present = r->present;
			r->reported_events = r->events;
			r->pending_events = jp_conf_tokens();
		}
		for (cred = 0; cred < JPKI_CREDS; cred++) {
			if (r->pending_events & (1u << cred)) {
				r->pending_events &= ~(1u << cred);
				*slot = r->base + (CK_SLOT_ID)cred;
				return true;
			}
		}
	}
	return false;
}

CK_RV jp_slots_wait_event_inlock(CK_FLAGS flags, CK_SLOT_ID *slot)
{
	jp_readers *w;
	jp_rv wr;

	for (;;) {
		if (g.cancelled)
			return CKR_CRYPTOKI_NOT_INITIALIZED;
		jp_slots_refresh_inlock();
		if (jp_slots_next_event_inlock(slot))
			return CKR_OK;
		if (flags & CKF_DONT_BLOCK)
			return CKR_NO_EVENT;
		if (!g.waiter && jp_readers_open(&g.waiter) != JP_OK)
			g.waiter = NULL;
		w = g.waiter;
		g.waiting++;
		jp_global_unlock();
		/* Blocks in the service without any module lock (the call stays
		 * counted in flight); C_Finalize cancels it.  Without the
		 * service, look again every second. */
		wr = JP_OK;
		if (!w)
			usleep(1000000);
		else if ((wr = jp_readers_wait(w, 1000)) == JP_E_NO_SERVICE)
			usleep(100000);
		jp_global_lock();
		g.waiting--;
		if (wr == JP_E_NO_SERVICE && g.waiter == w && g.waiting == 0 && !g.cancelled) {
			jp_readers_close(w);
			g.waiter = NULL;
		}
	}
}

void jp_slots_cancel_waits_inlock(void)
{
	g.cancelled = true;
	if (g.waiter)
		jp_readers_cancel(g.waiter);
}

void jp_reader_forget_card(jp_reader *r)
{
	int i;

	if (r->card_known || r->ct.card.t)
		JP_LOG("forgetting the card in %s", r->name);
	for (i = 0; i < JPKI_CREDS; i++) {
		jp_token_clear(&r->ct.tokens[i]);
		r->ct.tokens[i].cred = (jpki_cred)i;
	}
	memset(&r->ct.info, 0, sizeof(r->ct.info));
	r->ct.keypad_verify = r->ct.keypad_modify = false;
	/* a hold or a verified transaction is cleared as well as can be
	 * (powered down when the clear fails) before the connection goes */
	jp_card_disconnect(&r->ct.card);
	r->ct.card.gone = false;
	r->card_known = false;
	r->card_jpki = false;
	jp_global_lock();
	r->generation++;
	r->token_present = false;
	r->face_absent = false;
	jp_global_unlock();
}

CK_RV jp_reader_sync(jp_reader *r)
{
	bool present, gone;
	uint32_t events;
	CK_RV rv;

	jp_global_lock();
	present = r->present;
	events = r->events;
	gone = r->gone;
	jp_global_unlock();

	if (gone) {
		if (r->card_known || r->ct.card.t)
			jp_reader_forget_card(r);
		return CKR_DEVICE_REMOVED;
	}
	if (!present) {
		if (r->card_known || r->ct.card.t)
			jp_reader_forget_card(r);
		return CKR_TOKEN_NOT_PRESENT;
	}
	if (jp_card_gone(&r->ct.card))
		jp_reader_forget_card(r);
	if (!r->card_known || r->card_events != events) {
		if (r->card_known)
			jp_reader_forget_card(r);
		/* Only "this is not a JPKI card" is remembered; any other failure
		 * is tried again on the next call. */
		rv = jp_token_detect(&r->ct);
		if (rv != CKR_OK && rv != CKR_TOKEN_NOT_RECOGNIZED) {
			jp_reader_forget_card(r);
			return rv;
		}
		r->card_known = true;
		r->card_events = events;
		r->card_jpki = rv == CKR_OK;
		jp_global_lock();
		r->token_present = r->card_jpki;
		r->face_absent = !jp_token_present(&r->ct.tokens[JPKI_FACE]);
		jp_global_unlock();
	}
	return r->card_jpki ? CKR_OK : CKR_TOKEN_NOT_RECOGNIZED;
}

CK_RV jp_reader_sync_token(jp_reader *r, jpki_cred cred)
{
	CK_RV rv = jp_reader_sync(r);

	if (rv != CKR_OK || cred != JPKI_FACE)
		return rv;
	rv = jp_token_probe(&r->ct, &r->ct.tokens[JPKI_FACE]);
	jp_global_lock();
	r->face_absent = !jp_token_present(&r->ct.tokens[JPKI_FACE]);
	jp_global_unlock();
	return rv;
}
