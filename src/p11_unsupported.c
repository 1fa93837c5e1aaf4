/* jpki-pkcs11: what the card cannot do, each a fixed answer once the
 * session is valid.  The key never decrypts; there is no digest,
 * encryption, recovery, key-making or random mechanism; the token is
 * read-only; there is no security officer and no parallel function. */
#include "config.h"

#include "p11.h"

#define ANSWER(fn, rv) static CK_RV fn(jp_ctx *c) { (void)c; return rv; }
ANSWER(mechanism_invalid, CKR_MECHANISM_INVALID)
ANSWER(not_initialized, CKR_OPERATION_NOT_INITIALIZED)
ANSWER(write_protected, CKR_TOKEN_WRITE_PROTECTED)
ANSWER(not_supported, CKR_FUNCTION_NOT_SUPPORTED)
ANSWER(not_parallel, CKR_FUNCTION_NOT_PARALLEL)
ANSWER(no_rng, CKR_RANDOM_NO_RNG)
/* C_InitPIN: only a security officer may, and there is none. */
ANSWER(no_officer, CKR_USER_NOT_LOGGED_IN)

#define FIXED(name, answer, ...) \
	CK_RV name(CK_SESSION_HANDLE hSession, __VA_ARGS__) { JP_SESSION(hSession, JP_ANY, answer); }
#define FIXED0(name, answer) \
	CK_RV name(CK_SESSION_HANDLE hSession) { JP_SESSION(hSession, JP_ANY, answer); }

FIXED(C_EncryptInit, mechanism_invalid, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
FIXED(C_DecryptInit, mechanism_invalid, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
FIXED(C_DigestInit, mechanism_invalid, CK_MECHANISM_PTR m)
FIXED(C_SignRecoverInit, mechanism_invalid, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
FIXED(C_VerifyRecoverInit, mechanism_invalid, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
FIXED(C_GenerateKey, mechanism_invalid, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k)
FIXED(C_GenerateKeyPair, mechanism_invalid, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pt, CK_ULONG pn,
      CK_ATTRIBUTE_PTR st, CK_ULONG sn, CK_OBJECT_HANDLE_PTR pk, CK_OBJECT_HANDLE_PTR sk)
FIXED(C_WrapKey, mechanism_invalid, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE w, CK_OBJECT_HANDLE k, CK_BYTE_PTR o,
      CK_ULONG_PTR ol)
FIXED(C_UnwrapKey, mechanism_invalid, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE u, CK_BYTE_PTR d, CK_ULONG dl,
      CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k)
FIXED(C_DeriveKey, mechanism_invalid, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE b, CK_ATTRIBUTE_PTR t, CK_ULONG n,
      CK_OBJECT_HANDLE_PTR k)

FIXED(C_Encrypt, not_initialized, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
FIXED(C_EncryptUpdate, not_initialized, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
FIXED(C_EncryptFinal, not_initialized, CK_BYTE_PTR o, CK_ULONG_PTR ol)
FIXED(C_Decrypt, not_initialized, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
FIXED(C_DecryptUpdate, not_initialized, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
FIXED(C_DecryptFinal, not_initialized, CK_BYTE_PTR o, CK_ULONG_PTR ol)
FIXED(C_Digest, not_initialized, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
FIXED(C_DigestUpdate, not_initialized, CK_BYTE_PTR d, CK_ULONG dl)
FIXED(C_DigestKey, not_initialized, CK_OBJECT_HANDLE k)
FIXED(C_DigestFinal, not_initialized, CK_BYTE_PTR o, CK_ULONG_PTR ol)
FIXED(C_SignRecover, not_initialized, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
FIXED(C_VerifyRecover, not_initialized, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
FIXED(C_DigestEncryptUpdate, not_initialized, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
FIXED(C_DecryptDigestUpdate, not_initialized, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
FIXED(C_SignEncryptUpdate, not_initialized, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
FIXED(C_DecryptVerifyUpdate, not_initialized, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)

FIXED(C_CreateObject, write_protected, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR o)
FIXED(C_CopyObject, write_protected, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR no)
FIXED(C_DestroyObject, write_protected, CK_OBJECT_HANDLE o)
FIXED(C_SetAttributeValue, write_protected, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n)

FIXED(C_GetOperationState, not_supported, CK_BYTE_PTR s, CK_ULONG_PTR sl)
FIXED(C_SetOperationState, not_supported, CK_BYTE_PTR s, CK_ULONG sl, CK_OBJECT_HANDLE e, CK_OBJECT_HANDLE a)
FIXED0(C_GetFunctionStatus, not_parallel)
FIXED0(C_CancelFunction, not_parallel)
FIXED(C_SeedRandom, no_rng, CK_BYTE_PTR s, CK_ULONG sl)
FIXED(C_GenerateRandom, no_rng, CK_BYTE_PTR r, CK_ULONG rl)
FIXED(C_InitPIN, no_officer, CK_UTF8CHAR_PTR p, CK_ULONG pl)
