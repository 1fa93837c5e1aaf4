/* jpki-pkcs11: what the C_* entry points share.
 *
 * Every entry point names its precondition with one of the enter calls and
 * ends with the matching leave; the checks, locking and tracing live there.
 *   jp_enter()          initialized in this process, not finalizing; the
 *                       call counted in flight; g.lock held on CKR_OK
 *   jp_slot_enter()     + a valid slot; its reader locked and synced
 *   jp_session_enter()  + a valid session on a token still present
 */
#ifndef JP_P11_H
#define JP_P11_H

#include "state.h"

typedef struct {
	jp_reader *r;
	jp_token *t;
	jp_session *s;
	jpki_cred cred;
	CK_SLOT_ID slot;
	CK_RV sync;             /* slot calls: what jp_reader_sync said */
} jp_ctx;

CK_RV jp_enter(void);
void jp_leave(void);

/* On CKR_OK the reader's lock is held (not g.lock); c->sync says whether a
 * token is there (CKR_OK) or why not. */
CK_RV jp_slot_enter(CK_SLOT_ID id, jp_ctx *c);
void jp_slot_leave(jp_ctx *c);

/* Whether an entry point looks at the card in the reader first. */
typedef enum {
	JP_STATE_ONLY,          /* works on the module's state: no listing, no sync */
	JP_SYNC_CARD,           /* the token must be there: list readers, sync */
} jp_card_use;

/* On CKR_OK the session's reader is locked and (JP_SYNC_CARD) its token
 * present. */
CK_RV jp_session_enter(CK_SESSION_HANDLE h, jp_ctx *c, jp_card_use use);
void jp_session_leave(jp_ctx *c);

/* A slot's sync result (jp_reader_sync) as what a call on the token
 * returns when the token is not usable: the one mapping. */
CK_RV jp_sync_ckr(CK_RV sync);

/* Bit (1 << cred) per token this module file may show. */
extern unsigned jp_module_tokens;

/* For entry points that only need a valid session to give their fixed
 * answer: answer, or why the session is not valid. */
CK_RV jp_session_only(CK_SESSION_HANDLE h, CK_RV answer);

/* Trace an entry point's result; returns rv. */
CK_RV jp_ret(const char *fn, CK_RV rv);

#endif
