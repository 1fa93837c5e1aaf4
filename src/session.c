/* jpki-pkcs11: sessions. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "session.h"
#include "slot.h"

void jp_op_reset(jp_op *op)
{
	EVP_MD_CTX_free(op->md);
	EVP_PKEY_free(op->pkey);
	jp_secret_free(op->pin);
	OPENSSL_cleanse(op, sizeof(*op));
}

void jp_sessions_forget_pins_inlock(jp_reader *r, jpki_cred cred)
{
	size_t i;

	for (i = 0; i < g.nsessions; i++) {
		jp_session *s = g.sessions[i];
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
	list = realloc(g.sessions, (g.nsessions + 1) * sizeof(*list));
	if (!list) {
		free(s);
		return CKR_HOST_MEMORY;
	}
	g.sessions = list;
	s->handle = ++g.next_session;
	s->reader = r;
	s->cred = cred;
	s->slot = slot;
	s->flags = flags;
	s->generation = r->generation;
	jp_reader_ref_inlock(r);
	g.sessions[g.nsessions++] = s;
	*out = s->handle;
	return CKR_OK;
}

jp_session *jp_session_find_inlock(CK_SESSION_HANDLE h)
{
	size_t i;

	for (i = 0; i < g.nsessions; i++)
		if (g.sessions[i]->handle == h)
			return g.sessions[i];
	return NULL;
}

void jp_session_close_inlock(jp_session *s)
{
	size_t i;

	for (i = 0; i < g.nsessions; i++) {
		if (g.sessions[i] == s) {
			memmove(&g.sessions[i], &g.sessions[i + 1], (g.nsessions - i - 1) * sizeof(*g.sessions));
			g.nsessions--;
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
	size_t i = g.nsessions;

	while (i-- > 0) {
		jp_session *s = g.sessions[i];
		if (s->reader == r && (cred < 0 || (int)s->cred == cred))
			jp_session_close_inlock(s);
		if (i > g.nsessions)
			i = g.nsessions;
	}
}

void jp_sessions_close_reader_inlock(jp_reader *r)
{
	jp_sessions_close_slot_inlock(r, -1);
}

void jp_sessions_count_inlock(jp_reader *r, jpki_cred cred, CK_ULONG *all, CK_ULONG *rw)
{
	size_t i;

	*all = *rw = 0;
	for (i = 0; i < g.nsessions; i++) {
		if (g.sessions[i]->reader == r && g.sessions[i]->cred == cred) {
			(*all)++;
			if (g.sessions[i]->flags & CKF_RW_SESSION)
				(*rw)++;
		}
	}
}

void jp_sessions_free_all(bool in_parent)
{
	size_t i;

	(void)in_parent;
	for (i = 0; i < g.nsessions; i++)
		session_free(g.sessions[i]);
	free(g.sessions);
	g.sessions = NULL;
	g.nsessions = 0;
}
