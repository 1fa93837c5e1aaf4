/* jpki-pkcs11: what the card cannot do.  The key never decrypts, there is
 * no digest, encryption or recovery mechanism: the init calls answer
 * CKR_MECHANISM_INVALID, the rest CKR_OPERATION_NOT_INITIALIZED. */
#include "config.h"

#include "p11.h"

#define MECH_INVALID(name, ...) \
	CK_RV name(CK_SESSION_HANDLE hSession, __VA_ARGS__) \
	{ return jp_ret(#name, jp_session_only(hSession, CKR_MECHANISM_INVALID)); }
#define NOT_INITIALIZED(name, ...) \
	CK_RV name(CK_SESSION_HANDLE hSession, __VA_ARGS__) \
	{ return jp_ret(#name, jp_session_only(hSession, CKR_OPERATION_NOT_INITIALIZED)); }

MECH_INVALID(C_EncryptInit, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
MECH_INVALID(C_DecryptInit, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
MECH_INVALID(C_DigestInit, CK_MECHANISM_PTR m)
MECH_INVALID(C_SignRecoverInit, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
MECH_INVALID(C_VerifyRecoverInit, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)

NOT_INITIALIZED(C_Encrypt, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_INITIALIZED(C_EncryptUpdate, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_INITIALIZED(C_EncryptFinal, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_INITIALIZED(C_Decrypt, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_INITIALIZED(C_DecryptUpdate, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_INITIALIZED(C_DecryptFinal, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_INITIALIZED(C_Digest, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_INITIALIZED(C_DigestUpdate, CK_BYTE_PTR d, CK_ULONG dl)
NOT_INITIALIZED(C_DigestKey, CK_OBJECT_HANDLE k)
NOT_INITIALIZED(C_DigestFinal, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_INITIALIZED(C_SignRecover, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_INITIALIZED(C_VerifyRecover, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_INITIALIZED(C_DigestEncryptUpdate, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_INITIALIZED(C_DecryptDigestUpdate, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_INITIALIZED(C_SignEncryptUpdate, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_INITIALIZED(C_DecryptVerifyUpdate, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
