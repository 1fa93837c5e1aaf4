/* jpki-pkcs11: readers, slots, and noticing cards come and go. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "log.h"
#include "session.h"
#include "slot.h"
#include "token.h"

/* Free a reader nobody uses.  In this process its card is closed (a held
 * or verified transaction cleared first) and its lock destroyed; in a child
 * after fork() (in_parent false) only memory is released: the parent's
 * connection and its locks, which may be held there, are not touched. */
static void reader_free(jp_reader *r, bool in_parent)
{
	int i;

	if (in_parent)
		jp_card_free(&r->card);
	else
		jp_card_abandon(&r->card);
	for (i = 0; i < 2; i++)
		jp_token_clear(&r->tokens[i]);
	if (in_parent)
		jp_mutex_free(r->lock);
	free(r->name);
	free(r);
}

void jp_reader_ref_inlock(jp_reader *r)
{
	r->refs++;
}

/* A gone reader nobody uses is not freed here, under g.lock (freeing
 * talks to the card): it waits in g.dead for jp_slots_reap(). */
void jp_reader_unref_inlock(jp_reader *r)
{
	jp_reader **list;

	if (--r->refs != 0 || !r->gone)
		return;
	list = realloc(g.dead, (g.ndead + 1) * sizeof(*list));
	if (!list) {
		JP_LOG("out of memory: a gone reader is leaked");
		return;
	}
	g.dead = list;
	g.dead[g.ndead++] = r;
}

void jp_slots_reap(void)
{
	jp_reader **dead;
	size_t n, i;

	if (jp_mutex_lock(g.lock) != CKR_OK)
		return;
	dead = g.dead;
	n = g.ndead;
	g.dead = NULL;
	g.ndead = 0;
	jp_mutex_unlock(g.lock);
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
	/* Hold a reference while its sessions go, so that the last of them
	 * does not free the reader under us; freed here when nobody else
	 * (a call still inside it) holds one. */
	r->refs++;
	jp_sessions_close_reader_inlock(r);
	jp_reader_unref_inlock(r);
}

static jp_reader *reader_new_inlock(const char *name)
{
	jp_reader *r = calloc(1, sizeof(*r));
	jp_reader **list;

	if (!r || !(r->name = strdup(name)))
		goto fail;
	if (jp_card_init(&r->card, name) != 0) {
		free(r->name);
		goto fail_free;
	}
	if (jp_mutex_new(&r->lock) != CKR_OK) {
		jp_card_free(&r->card);
		free(r->name);
		goto fail_free;
	}
	list = realloc(g.readers, (g.nreaders + 1) * sizeof(*list));
	if (!list) {
		jp_card_free(&r->card);
		jp_mutex_free(r->lock);
		free(r->name);
		goto fail_free;
	}
	g.readers = list;
	r->base = g.next_base;
	g.next_base += JP_SLOTS_PER_READER;
	r->tokens[JPKI_AUTH].cred = JPKI_AUTH;
	r->tokens[JPKI_SIGN].cred = JPKI_SIGN;
	g.readers[g.nreaders++] = r;
	JP_LOG("reader %s: slots %lu and %lu", name, (unsigned long)r->base, (unsigned long)r->base + 1);
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
		if (id >= r->base && id < r->base + 2 &&
		    (g.tokens & (1u << (id - r->base)))) {
			*cred = (jpki_cred)(id - r->base);
			return r;
		}
	}
	return NULL;
}

void jp_slots_free_all(bool in_parent)
{
	size_t i;

	jp_sessions_free_all(in_parent);
	for (i = 0; i < g.nreaders; i++)
		reader_free(g.readers[i], in_parent);
	for (i = 0; i < g.ndead; i++)
		reader_free(g.dead[i], in_parent);
	free(g.readers);
	free(g.dead);
	g.readers = g.dead = NULL;
	g.nreaders = g.ndead = 0;
}

void jp_reader_forget_card(jp_reader *r)
{
	int i;

	if (r->card_known || r->card.t)
		JP_LOG("forgetting the card in %s", r->name);
	for (i = 0; i < 2; i++) {
		jp_token_clear(&r->tokens[i]);
		r->tokens[i].cred = (jpki_cred)i;
	}
	memset(&r->info, 0, sizeof(r->info));
	/* a hold or a verified transaction is cleared as well as can be
	 * (powered down when the clear fails) before the connection goes */
	jp_card_disconnect(&r->card);
	r->card.gone = false;
	r->card_known = false;
	r->card_jpki = false;
	r->generation++;
	jp_mutex_lock(g.lock);
	r->token_present = false;
	jp_sessions_close_reader_inlock(r);
	jp_mutex_unlock(g.lock);
}

CK_RV jp_reader_sync(jp_reader *r)
{
	bool present, gone;
	uint32_t events;
	CK_RV rv;

	jp_mutex_lock(g.lock);
	present = r->present;
	events = r->events;
	gone = r->gone;
	jp_mutex_unlock(g.lock);

	if (gone) {
		if (r->card_known || r->card.t)
			jp_reader_forget_card(r);
		return CKR_DEVICE_REMOVED;
	}
	if (!present) {
		if (r->card_known || r->card.t)
			jp_reader_forget_card(r);
		return CKR_TOKEN_NOT_PRESENT;
	}
	if (jp_card_gone(&r->card))
		jp_reader_forget_card(r);
	if (!r->card_known || r->card_events != events) {
		if (r->card_known)
			jp_reader_forget_card(r);
		/* Only "this is not a JPKI card" is remembered; any other failure
		 * is tried again on the next call. */
		rv = jp_token_detect(r);
		if (rv != CKR_OK && rv != CKR_TOKEN_NOT_RECOGNIZED) {
			jp_reader_forget_card(r);
			return rv;
		}
		r->card_known = true;
		r->card_events = events;
		r->card_jpki = rv == CKR_OK;
		jp_mutex_lock(g.lock);
		r->token_present = r->card_jpki;
		jp_mutex_unlock(g.lock);
	}
	return r->card_jpki ? CKR_OK : CKR_TOKEN_NOT_RECOGNIZED;
}
