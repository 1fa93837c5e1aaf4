/* jpki-pkcs11: the functions PKCS#11 3.0 added that the card has nothing
 * to do with.  The card has no user names (C_Login is its login), no
 * cancellable operation, and no message-based encryption, decryption,
 * signing or verification: each answers CKR_FUNCTION_NOT_SUPPORTED, as
 * 3.0 has it for a function a token does not offer. */
#include "config.h"

#include "jpki/pkcs11-v3.h"
#include "p11.h"

#define NOT_SUPPORTED(name, ...) \
	CK_RV name(CK_SESSION_HANDLE hSession, __VA_ARGS__) \
	{ return jp_ret(#name, CKR_FUNCTION_NOT_SUPPORTED); }

NOT_SUPPORTED(C_LoginUser, CK_USER_TYPE u, CK_UTF8CHAR_PTR p, CK_ULONG pl,
	CK_UTF8CHAR_PTR n, CK_ULONG nl)
NOT_SUPPORTED(C_SessionCancel, CK_FLAGS f)

NOT_SUPPORTED(C_MessageEncryptInit, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
NOT_SUPPORTED(C_EncryptMessage, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR a,
	CK_ULONG al, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_SUPPORTED(C_EncryptMessageBegin, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR a,
	CK_ULONG al)
NOT_SUPPORTED(C_EncryptMessageNext, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d,
	CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol, CK_FLAGS f)

NOT_SUPPORTED(C_MessageDecryptInit, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
NOT_SUPPORTED(C_DecryptMessage, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR a,
	CK_ULONG al, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol)
NOT_SUPPORTED(C_DecryptMessageBegin, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR a,
	CK_ULONG al)
NOT_SUPPORTED(C_DecryptMessageNext, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d,
	CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol, CK_FLAGS f)

NOT_SUPPORTED(C_MessageSignInit, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
NOT_SUPPORTED(C_SignMessage, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d,
	CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG_PTR sl)
NOT_SUPPORTED(C_SignMessageBegin, CK_VOID_PTR p, CK_ULONG pl)
NOT_SUPPORTED(C_SignMessageNext, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d,
	CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG_PTR sl)

NOT_SUPPORTED(C_MessageVerifyInit, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
NOT_SUPPORTED(C_VerifyMessage, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d,
	CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG sl)
NOT_SUPPORTED(C_VerifyMessageBegin, CK_VOID_PTR p, CK_ULONG pl)
NOT_SUPPORTED(C_VerifyMessageNext, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d,
	CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG sl)

/* The Final calls take the session only. */
#define FINAL_NOT_SUPPORTED(name) \
	CK_RV name(CK_SESSION_HANDLE hSession) \
	{ return jp_ret(#name, CKR_FUNCTION_NOT_SUPPORTED); }
FINAL_NOT_SUPPORTED(C_MessageEncryptFinal)
FINAL_NOT_SUPPORTED(C_MessageDecryptFinal)
FINAL_NOT_SUPPORTED(C_MessageSignFinal)
FINAL_NOT_SUPPORTED(C_MessageVerifyFinal)
