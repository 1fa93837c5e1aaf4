/* jpki-pkcs11: sessions. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "session.h"
#include "slot.h"

static struct {
	jp_session **list;
	size_t n;
	CK_SESSION_HANDLE next;
} tab;

void jp_sessions_forget_pins_inlock(jp_reader *r, jpki_cred cred)
{
	size_t i;

	for (i = 0; i < tab.n; i++) {
		jp_session *s = tab.list[i];
		if (s->reader == r && s->cred == cred && s->sign.pin) {
			jp_secret_free(s->sign.pin);
			s->sign.pin = NULL;
		}
	}
}

static void session_free(jp_session *s)
{
	jp_op_reset(&s->sign);
	jp_op_reset(&s->verify);
	free(s->found);
	free(s);
}

CK_RV jp_session_new_inlock(jp_reader *r, jpki_cred cred, CK_SLOT_ID slot, CK_FLAGS flags,
                            CK_SESSION_HANDLE *out)
{
	jp_session *s = calloc(1, sizeof(*s));
	jp_session **list;

	if (!s)
		return CKR_HOST_MEMORY;
	list = realloc(tab.list, (tab.n + 1) * sizeof(*list));
	if (!list) {
		free(s);
		return CKR_HOST_MEMORY;
	}
	tab.list = list;
	s->handle = ++tab.next;
	s->reader = r;
	s->cred = cred;
	s->slot = slot;
	s->flags = flags;
	s->generation = r->generation;
	jp_reader_ref_inlock(r);
	tab.list[tab.n++] = s;
	*out = s->handle;
	return CKR_OK;
}

jp_session *jp_session_find_inlock(CK_SESSION_HANDLE h)
{
	size_t i;

	for (i = 0; i < tab.n; i++)
		if (tab.list[i]->handle == h)
			return tab.list[i];
	return NULL;
}

void jp_session_close_inlock(jp_session *s)
{
	size_t i;

	for (i = 0; i < tab.n; i++) {
		if (tab.list[i] == s) {
			memmove(&tab.list[i], &tab.list[i + 1], (tab.n - i - 1) * sizeof(*tab.list));
			tab.n--;
			break;
		}
	}
	s->closed = true;
	if (s->busy == 0) {
		jp_reader_unref_inlock(s->reader);
		session_free(s);
	}
}

void jp_session_release_inlock(jp_session *s)
{
	if (--s->busy == 0 && s->closed) {
		jp_reader_unref_inlock(s->reader);
		session_free(s);
	}
}

void jp_sessions_close_slot_inlock(jp_reader *r, int cred)
{
	size_t i = tab.n;

	while (i-- > 0) {
		jp_session *s = tab.list[i];
		if (s->reader == r && (cred < 0 || (int)s->cred == cred))
			jp_session_close_inlock(s);
		if (i > tab.n)
			i = tab.n;
	}
}

bool jp_session_stale_inlock(const jp_session *s)
{
	return s->reader->gone || s->generation != s->reader->generation;
}

void jp_sessions_sweep_inlock(void)
{
	size_t i = tab.n;

	while (i-- > 0) {
		if (jp_session_stale_inlock(tab.list[i]))
			jp_session_close_inlock(tab.list[i]);
		if (i > tab.n)
			i = tab.n;
	}
}

void jp_sessions_count_inlock(jp_reader *r, jpki_cred cred, CK_ULONG *all, CK_ULONG *rw)
{
	size_t i;

	*all = *rw = 0;
	for (i = 0; i < tab.n; i++) {
		if (tab.list[i]->reader == r && tab.list[i]->cred == cred && !jp_session_stale_inlock(tab.list[i])) {
			(*all)++;
			if (tab.list[i]->flags & CKF_RW_SESSION)
				(*rw)++;
		}
	}
}

void jp_sessions_free_all(bool in_parent)
{
	size_t i;

	(void)in_parent;
	for (i = 0; i < tab.n; i++)
		session_free(tab.list[i]);
	free(tab.list);
	tab.list = NULL;
	tab.n = 0;
}
