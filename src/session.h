/* jpki-pkcs11: the session table.  Handles are never reused in a process.
 * The table lives in session.c; functions named *_inlock expect the global
 * lock (lock.h) held. */
#ifndef JP_SESSION_H
#define JP_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <jpki/pkcs11.h>

#include "op.h"
#include "slot.h"

typedef struct jp_session {
	CK_SESSION_HANDLE handle;
	jp_reader *reader;      /* counted reference */
	jpki_cred cred;
	CK_SLOT_ID slot;
	CK_FLAGS flags;
	uint64_t generation;    /* the reader's card generation at opening */
	unsigned busy;          /* threads inside a call on it (global lock) */
	bool closed;            /* out of the table; freed when not busy */
	/* under the reader's lock */
	CK_OBJECT_HANDLE *found;
	size_t found_n, found_pos;
	bool finding;
	jp_op sign, verify;
} jp_session;

/* A new session on (r, cred); takes a reference on r. */
CK_RV jp_session_new_inlock(jp_reader *r, jpki_cred cred, CK_SLOT_ID slot, CK_FLAGS flags,
                            CK_SESSION_HANDLE *out);
/* The open session with this handle, or NULL. */
jp_session *jp_session_find_inlock(CK_SESSION_HANDLE h);
/* Close one session (freed once no call is inside it). */
void jp_session_close_inlock(jp_session *s);
/* A call that marked s busy is done with it. */
void jp_session_release_inlock(jp_session *s);
/* Close every session on a reader, or on one of its slots (cred >= 0). */
void jp_sessions_close_reader_inlock(jp_reader *r);
void jp_sessions_close_slot_inlock(jp_reader *r, int cred);
/* Sessions on a slot, and how many are read-write. */
void jp_sessions_count_inlock(jp_reader *r, jpki_cred cred, CK_ULONG *all, CK_ULONG *rw);
/* And r's lock (the operations are under it).  Wipe every PIN that
 * sessions on (r, cred) keep for a signature: after a C_SetPIN or a logout
 * they are stale, and a later C_Sign says CKR_USER_NOT_LOGGED_IN instead
 * of sending them. */
void jp_sessions_forget_pins_inlock(jp_reader *r, jpki_cred cred);
/* C_Finalize, or a child after fork: drop all (sessions hold no
 * connection; the reader references go with the readers). */
void jp_sessions_free_all(bool in_parent);

#endif
