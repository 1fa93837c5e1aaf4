/* Helpers for the integration test programs: load a PKCS#11 module, find
 * the JPKI tokens, report checks in TAP-like lines. */
#ifndef P11UTIL_H
#define P11UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <jpki/pkcs11.h>

extern CK_FUNCTION_LIST *p11;
extern int failures;

#define CHECK(cond, ...) check_((cond), __VA_ARGS__)
void check_(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* CHECK that rv == want, naming both. */
void check_rv(CK_RV rv, CK_RV want, const char *what);

const char *ckr_name(CK_RV rv);
/* Load the module named by $JPKI_MODULE (or path); exits 1 on failure. */
void p11_load(const char *path);
CK_RV p11_init_os(void);

/* The slot of the token with this label ("JPKI User Authentication" or
 * "JPKI Digital Signature"), the n-th such token (0 first); or (CK_SLOT_ID)-1. */
CK_SLOT_ID find_slot(const char *label, int nth);
CK_FLAGS token_flags(CK_SLOT_ID slot);
CK_SESSION_HANDLE open_session(CK_SLOT_ID slot);

/* Objects of a class (CK_UNAVAILABLE_INFORMATION: any) visible in the
 * session; at most max handles. */
size_t find_objects(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE *out, size_t max);
/* An attribute's value into buf (size in *len); CKR_... */
CK_RV get_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t, void *buf, CK_ULONG *len);
CK_BBOOL get_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t);
CK_ULONG get_ulong(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t);

/* Sign data with the session's private key (logging in for context when
 * the key wants it, with pin); returns the CKR and fills sig. */
CK_RV sign_data(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, const char *pin, const void *data, size_t len,
                unsigned char *sig, CK_ULONG *sig_len, bool multipart);

/* APDUs in the virtual card's trace ($JP_TRACE); without a readable trace
 * it reports "not ok" and exits 99 (a hard error), never a count. */
long apdu_count(void);

#endif
