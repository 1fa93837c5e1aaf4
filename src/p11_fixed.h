/* jpki-pkcs11: the frame of an entry point whose answer is fixed, whatever
 * its arguments beyond the session: one line each in p11_unsupported.c
 * (what the card cannot do) and p11_v3.c (what 3.0 added that the card has
 * no use for).
 *
 * JP_FIXED(name, answer, params...)  the session is checked as for any
 *                                    call (p11.h, JP_SESSION with JP_ANY),
 *                                    then answer(ctx) is the result
 * JP_NOT_SUPPORTED(name, params...)  CKR_FUNCTION_NOT_SUPPORTED at once,
 *                                    nothing checked, traced
 * and the same with 0 for a function that takes the session only.
 */
#ifndef JP_P11_FIXED_H
#define JP_P11_FIXED_H

#include "p11.h"

#define JP_FIXED(name, answer, ...) \
	CK_RV name(CK_SESSION_HANDLE hSession, __VA_ARGS__) { JP_SESSION(hSession, JP_ANY, answer); }
#define JP_FIXED0(name, answer) \
	CK_RV name(CK_SESSION_HANDLE hSession) { JP_SESSION(hSession, JP_ANY, answer); }

#define JP_NOT_SUPPORTED(name, ...) \
	CK_RV name(CK_SESSION_HANDLE hSession, __VA_ARGS__) { return jp_ret(#name, CKR_FUNCTION_NOT_SUPPORTED); }
#define JP_NOT_SUPPORTED0(name) \
	CK_RV name(CK_SESSION_HANDLE hSession) { return jp_ret(#name, CKR_FUNCTION_NOT_SUPPORTED); }

/* The arguments of an operation's Init after the session. */
#define JP_INIT_ARGS CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k

#endif
