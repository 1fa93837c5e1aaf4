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
	uint64_t generation;    /* the reader's card generation at opening:
	                           stale once it moves on */
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
/* Close every session on a reader (cred < 0) or on one of its slots. */
void jp_sessions_close_slot_inlock(jp_reader *r, int cred);
/* A session whose card or reader went (slot.h: the reader's generation
 * moved on, or it is gone): no call can use it any more. */
bool jp_session_stale_inlock(const jp_session *s);
/* Close the stale sessions; every call does on its way out (p11.h), so a
 * card or reader that went takes its sessions with it. */
void jp_sessions_sweep_inlock(void);
/* Sessions on a slot that are not stale, and how many are read-write. */
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
