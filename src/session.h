/* jpki-pkcs11: the session table.  Handles are never reused in a process. */
#ifndef JP_SESSION_H
#define JP_SESSION_H

#include "state.h"

/* g.lock held.  A new session on (r, cred); takes a reference on r. */
CK_RV jp_session_new_inlock(jp_reader *r, jpki_cred cred, CK_SLOT_ID slot, CK_FLAGS flags,
                            CK_SESSION_HANDLE *out);
/* g.lock held.  The open session with this handle, or NULL. */
jp_session *jp_session_find_inlock(CK_SESSION_HANDLE h);
/* g.lock held.  Close one session / every session on a reader / on a
 * slot (cred >= 0) or all of a reader (cred < 0). */
void jp_session_close_inlock(jp_session *s);
/* g.lock held.  A call that marked s busy is done with it. */
void jp_session_release_inlock(jp_session *s);
void jp_sessions_close_reader_inlock(jp_reader *r);
void jp_sessions_close_slot_inlock(jp_reader *r, int cred);
/* g.lock held.  Sessions on a slot, and how many are read-write. */
void jp_sessions_count_inlock(jp_reader *r, jpki_cred cred, CK_ULONG *all, CK_ULONG *rw);
/* g.lock held, and r's lock (the operations are under it).  Wipe every
 * PIN that sessions on (r, cred) keep for a signature: after a C_SetPIN or
 * a logout they are stale, and a later C_Sign says
 * CKR_USER_NOT_LOGGED_IN instead of sending them. */
void jp_sessions_forget_pins_inlock(jp_reader *r, jpki_cred cred);
/* C_Finalize or after fork: drop all (sessions hold no connection). */
void jp_sessions_free_all(bool in_parent);

/* End an operation and wipe what it held. */
void jp_op_reset(jp_op *op);

#endif
