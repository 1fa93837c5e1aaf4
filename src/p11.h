/* jpki-pkcs11: the rules every C_* entry point follows, in one place.
 *
 * Each entry point is one line: the rule it needs and the function that
 * does the work, e.g.
 *
 *     CK_RV C_SignFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG_PTR len)
 *     {
 *             JP_SESSION(h, JP_TOKEN | JP_SIGNING, sign_final, sig, len);
 *     }
 *
 * JP_GLOBAL(fn, ...)           the module is initialized in this process;
 *                              fn runs with the global lock held
 * JP_SLOT(id, rules, fn, ...)  + the slot exists; its reader is locked
 *                              (not the global lock) and its card synced
 * JP_SESSION(h, rules, fn, ...) + the session exists; its reader is locked;
 *                              with JP_TOKEN the token must be there
 *
 * fn gets a jp_ctx with what the rule established, then the arguments.
 * Every call is counted in flight from before it touches anything until it
 * has let go of everything (C_Finalize waits for them), and traced with
 * its result.  Argument checks are fn's.
 */
#ifndef JP_P11_H
#define JP_P11_H

#include <stdbool.h>
#include <jpki/pkcs11.h>

#include "session.h"
#include "slot.h"
#include "token.h"

typedef struct {
	jp_reader *r;
	jp_token *t;
	jp_session *s;
	jpki_cred cred;
	CK_SLOT_ID slot;
	CK_RV sync;             /* what jp_reader_sync said (JP_SLOT, JP_TOKEN) */
} jp_ctx;

/* Rules, combined with |; checked in this order after the session or slot
 * is found. */
#define JP_ANY             0u
#define JP_TOKEN           (1u << 0)   /* the token is there (the card synced) */
#define JP_USER            (1u << 1)   /* logged in: CKR_USER_NOT_LOGGED_IN */
#define JP_RW              (1u << 2)   /* read-write session: CKR_SESSION_READ_ONLY */
#define JP_SIGNING         (1u << 3)   /* C_SignInit done: CKR_OPERATION_NOT_INITIALIZED */
#define JP_VERIFYING       (1u << 4)   /* C_VerifyInit done */
#define JP_FINDING         (1u << 5)   /* C_FindObjectsInit done */
#define JP_IDLE_SIGN       (1u << 6)   /* no signature going: CKR_OPERATION_ACTIVE */
#define JP_IDLE_VERIFY     (1u << 7)
#define JP_IDLE_FIND       (1u << 8)

CK_RV jp_rules(const jp_ctx *c, unsigned rules);

CK_RV jp_global_enter(void);
void jp_global_leave(void);
CK_RV jp_slot_enter(CK_SLOT_ID id, jp_ctx *c);
void jp_slot_leave(jp_ctx *c);
CK_RV jp_session_enter(CK_SESSION_HANDLE h, jp_ctx *c, unsigned rules);
void jp_session_leave(jp_ctx *c);

/* A slot's sync result (jp_reader_sync) as what a call on its token
 * returns when the token is not usable: the one mapping. */
CK_RV jp_sync_ckr(CK_RV sync);

/* Trace an entry point's result; returns rv. */
CK_RV jp_ret(const char *fn, CK_RV rv);

#define JP_GLOBAL(fn, ...)                                                     \
	do {                                                                   \
		CK_RV rv_ = jp_global_enter();                                 \
		if (rv_ == CKR_OK) {                                           \
			rv_ = fn(__VA_ARGS__);                                 \
			jp_global_leave();                                     \
		}                                                              \
		return jp_ret(__func__, rv_);                                  \
	} while (0)

#define JP_SLOT(id, rules, fn, ...)                                            \
	do {                                                                   \
		jp_ctx c_;                                                     \
		CK_RV rv_ = jp_slot_enter((id), &c_);                          \
		if (rv_ == CKR_OK) {                                           \
			if ((rv_ = jp_rules(&c_, (rules))) == CKR_OK)          \
				rv_ = fn(&c_, ##__VA_ARGS__);                  \
			jp_slot_leave(&c_);                                    \
		}                                                              \
		return jp_ret(__func__, rv_);                                  \
	} while (0)

#define JP_SESSION(h, rules, fn, ...)                                          \
	do {                                                                   \
		jp_ctx c_;                                                     \
		CK_RV rv_ = jp_session_enter((h), &c_, (rules));               \
		if (rv_ == CKR_OK) {                                           \
			if ((rv_ = jp_rules(&c_, (rules))) == CKR_OK)          \
				rv_ = fn(&c_, ##__VA_ARGS__);                  \
			jp_session_leave(&c_);                                 \
		}                                                              \
		return jp_ret(__func__, rv_);                                  \
	} while (0)

#endif
