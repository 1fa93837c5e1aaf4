/* jpki-pkcs11: what the card cannot do, each a fixed answer once the
 * session is valid.  The key never decrypts; there is no digest,
 * encryption, recovery, key-making or random mechanism; the token is
 * read-only; there is no security officer and no parallel function. */
#include "config.h"

#include "p11_fixed.h"

#define ANSWER(fn, rv) static CK_RV fn(jp_ctx *c) { (void)c; return rv; }
ANSWER(mechanism_invalid, CKR_MECHANISM_INVALID)
ANSWER(not_initialized, CKR_OPERATION_NOT_INITIALIZED)
ANSWER(write_protected, CKR_TOKEN_WRITE_PROTECTED)
ANSWER(not_supported, CKR_FUNCTION_NOT_SUPPORTED)
ANSWER(not_parallel, CKR_FUNCTION_NOT_PARALLEL)
ANSWER(no_rng, CKR_RANDOM_NO_RNG)
/* C_InitPIN: only a security officer may, and there is none. */
ANSWER(no_officer, CKR_USER_NOT_LOGGED_IN)

/* Data in and out, as the one-shot and update calls take them; out only,
 * as the final calls. */
#define IN_OUT_ARGS CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol
#define OUT_ARGS CK_BYTE_PTR o, CK_ULONG_PTR ol

JP_FIXED(C_EncryptInit, mechanism_invalid, JP_INIT_ARGS)
JP_FIXED(C_DecryptInit, mechanism_invalid, JP_INIT_ARGS)
JP_FIXED(C_DigestInit, mechanism_invalid, CK_MECHANISM_PTR m)
JP_FIXED(C_SignRecoverInit, mechanism_invalid, JP_INIT_ARGS)
JP_FIXED(C_VerifyRecoverInit, mechanism_invalid, JP_INIT_ARGS)
JP_FIXED(C_GenerateKey, mechanism_invalid, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k)
JP_FIXED(C_GenerateKeyPair, mechanism_invalid, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pt, CK_ULONG pn,
         CK_ATTRIBUTE_PTR st, CK_ULONG sn, CK_OBJECT_HANDLE_PTR pk, CK_OBJECT_HANDLE_PTR sk)
JP_FIXED(C_WrapKey, mechanism_invalid, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE w, CK_OBJECT_HANDLE k, CK_BYTE_PTR o,
         CK_ULONG_PTR ol)
JP_FIXED(C_UnwrapKey, mechanism_invalid, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE u, CK_BYTE_PTR d, CK_ULONG dl,
         CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k)
JP_FIXED(C_DeriveKey, mechanism_invalid, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE b, CK_ATTRIBUTE_PTR t, CK_ULONG n,
         CK_OBJECT_HANDLE_PTR k)

JP_FIXED(C_Encrypt, not_initialized, IN_OUT_ARGS)
JP_FIXED(C_EncryptUpdate, not_initialized, IN_OUT_ARGS)
JP_FIXED(C_EncryptFinal, not_initialized, OUT_ARGS)
JP_FIXED(C_Decrypt, not_initialized, IN_OUT_ARGS)
JP_FIXED(C_DecryptUpdate, not_initialized, IN_OUT_ARGS)
JP_FIXED(C_DecryptFinal, not_initialized, OUT_ARGS)
JP_FIXED(C_Digest, not_initialized, IN_OUT_ARGS)
JP_FIXED(C_DigestUpdate, not_initialized, CK_BYTE_PTR d, CK_ULONG dl)
JP_FIXED(C_DigestKey, not_initialized, CK_OBJECT_HANDLE k)
JP_FIXED(C_DigestFinal, not_initialized, OUT_ARGS)
JP_FIXED(C_SignRecover, not_initialized, IN_OUT_ARGS)
JP_FIXED(C_VerifyRecover, not_initialized, IN_OUT_ARGS)
JP_FIXED(C_DigestEncryptUpdate, not_initialized, IN_OUT_ARGS)
JP_FIXED(C_DecryptDigestUpdate, not_initialized, IN_OUT_ARGS)
JP_FIXED(C_SignEncryptUpdate, not_initialized, IN_OUT_ARGS)
JP_FIXED(C_DecryptVerifyUpdate, not_initialized, IN_OUT_ARGS)

JP_FIXED(C_CreateObject, write_protected, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR o)
JP_FIXED(C_CopyObject, write_protected, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR no)
JP_FIXED(C_DestroyObject, write_protected, CK_OBJECT_HANDLE o)
JP_FIXED(C_SetAttributeValue, write_protected, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n)

JP_FIXED(C_GetOperationState, not_supported, CK_BYTE_PTR s, CK_ULONG_PTR sl)
JP_FIXED(C_SetOperationState, not_supported, CK_BYTE_PTR s, CK_ULONG sl, CK_OBJECT_HANDLE e, CK_OBJECT_HANDLE a)
JP_FIXED0(C_GetFunctionStatus, not_parallel)
JP_FIXED0(C_CancelFunction, not_parallel)
JP_FIXED(C_SeedRandom, no_rng, CK_BYTE_PTR s, CK_ULONG sl)
JP_FIXED(C_GenerateRandom, no_rng, CK_BYTE_PTR r, CK_ULONG rl)
JP_FIXED(C_InitPIN, no_officer, CK_UTF8CHAR_PTR p, CK_ULONG pl)
