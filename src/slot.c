/* jpki-pkcs11: readers, slots, and noticing cards come and go. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "log.h"
#include "session.h"
#include "slot.h"
#include "token.h"

static void reader_free(jp_reader *r, bool use_pcsc)
{
	int i;

	if (use_pcsc)
		jp_reader_release_hold(r);
	else
		r->hold = NULL;

	for (i = 0; i < 2; i++)
		jp_token_clear(&r->tokens[i]);
	if (use_pcsc)
		jp_transport_close(r->t);
	jp_mutex_free(r->lock);
	free(r->name);
	free(r);
}

void jp_reader_ref_inlock(jp_reader *r)
{
	r->refs++;
}

void jp_reader_unref_inlock(jp_reader *r)
{
	if (--r->refs == 0 && r->gone)
		reader_free(r, true);
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

	if (!r || !(r->name = strdup(name)) || jp_mutex_new(&r->lock) != CKR_OK)
		goto fail;
	list = realloc(g.readers, (g.nreaders + 1) * sizeof(*list));
	if (!list)
		goto fail;
	g.readers = list;
	r->base = g.next_base;
	g.next_base += JP_SLOTS_PER_READER;
	r->tokens[JPKI_AUTH].cred = JPKI_AUTH;
	r->tokens[JPKI_SIGN].cred = JPKI_SIGN;
	g.readers[g.nreaders++] = r;
	JP_LOG("reader %s: slots %lu and %lu", name, (unsigned long)r->base, (unsigned long)r->base + 1);
	return r;
fail:
	if (r) {
		jp_mutex_free(r->lock);
		free(r->name);
	}
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

	if (!g.pcsc && jp_pcsc_open(&g.pcsc) != JP_OK) {
		g.pcsc = NULL;
		all_readers_gone_inlock();
		return;
	}
	rv = jp_pcsc_readers(g.pcsc, &st, &n);
	if (rv != JP_OK) {
		JP_LOG("listing readers: %s", jp_rv_name(rv));
		/* pcscd went away: every reader goes with it; a new context is
		 * tried on the next call. */
		if (rv == JP_E_NO_SERVICE) {
			jp_pcsc_close(g.pcsc);
			g.pcsc = NULL;
		}
		all_readers_gone_inlock();
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

void jp_slots_free_all(bool use_pcsc)
{
	size_t i;

	jp_sessions_free_all(use_pcsc);
	for (i = 0; i < g.nreaders; i++)
		reader_free(g.readers[i], use_pcsc);
	free(g.readers);
	g.readers = NULL;
	g.nreaders = 0;
}

void jp_reader_forget_card(jp_reader *r)
{
	int i;

	if (r->card_known || r->t)
		JP_LOG("forgetting the card in %s", r->name);
	for (i = 0; i < 2; i++) {
		jp_token_clear(&r->tokens[i]);
		r->tokens[i].cred = (jpki_cred)i;
	}
	memset(&r->info, 0, sizeof(r->info));
	r->hold = NULL;         /* the transaction goes with the connection */
	jp_transport_close(r->t);
	r->t = NULL;
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
		if (r->card_known)
			jp_reader_forget_card(r);
		return CKR_DEVICE_REMOVED;
	}
	if (!present) {
		if (r->card_known || r->t)
			jp_reader_forget_card(r);
		return CKR_TOKEN_NOT_PRESENT;
	}
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
