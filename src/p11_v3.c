/* jpki-pkcs11: the functions PKCS#11 3.0 added that the card has nothing
 * to do with.  The card has no user names (C_Login is its login), no
 * cancellable operation, and no message-based encryption, decryption,
 * signing or verification: each answers CKR_FUNCTION_NOT_SUPPORTED, as
 * 3.0 has it for a function a token does not offer. */
#include "config.h"

#include "jpki/pkcs11-v3.h"
#include "p11_fixed.h"

JP_NOT_SUPPORTED(C_LoginUser, CK_USER_TYPE u, CK_UTF8CHAR_PTR p, CK_ULONG pl, CK_UTF8CHAR_PTR n, CK_ULONG nl)
JP_NOT_SUPPORTED(C_SessionCancel, CK_FLAGS f)

/* Each message-based operation: Init, the one-shot call, Begin, Next,
 * Final.  Encryption and decryption take the same arguments; signing and
 * verification too, but for the signature's length (out, or in). */
#define CIPHER_ARGS CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR a, CK_ULONG al, \
	CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol
#define CIPHER_BEGIN_ARGS CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR a, CK_ULONG al
#define CIPHER_NEXT_ARGS CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d, CK_ULONG dl, \
	CK_BYTE_PTR o, CK_ULONG_PTR ol, CK_FLAGS f
#define SIG_ARGS(sig_len) CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR s, sig_len sl
#define SIG_BEGIN_ARGS CK_VOID_PTR p, CK_ULONG pl

JP_NOT_SUPPORTED(C_MessageEncryptInit, JP_INIT_ARGS)
JP_NOT_SUPPORTED(C_EncryptMessage, CIPHER_ARGS)
JP_NOT_SUPPORTED(C_EncryptMessageBegin, CIPHER_BEGIN_ARGS)
JP_NOT_SUPPORTED(C_EncryptMessageNext, CIPHER_NEXT_ARGS)
JP_NOT_SUPPORTED0(C_MessageEncryptFinal)

JP_NOT_SUPPORTED(C_MessageDecryptInit, JP_INIT_ARGS)
JP_NOT_SUPPORTED(C_DecryptMessage, CIPHER_ARGS)
JP_NOT_SUPPORTED(C_DecryptMessageBegin, CIPHER_BEGIN_ARGS)
JP_NOT_SUPPORTED(C_DecryptMessageNext, CIPHER_NEXT_ARGS)
JP_NOT_SUPPORTED0(C_MessageDecryptFinal)

JP_NOT_SUPPORTED(C_MessageSignInit, JP_INIT_ARGS)
JP_NOT_SUPPORTED(C_SignMessage, SIG_ARGS(CK_ULONG_PTR))
JP_NOT_SUPPORTED(C_SignMessageBegin, SIG_BEGIN_ARGS)
JP_NOT_SUPPORTED(C_SignMessageNext, SIG_ARGS(CK_ULONG_PTR))
JP_NOT_SUPPORTED0(C_MessageSignFinal)

JP_NOT_SUPPORTED(C_MessageVerifyInit, JP_INIT_ARGS)
JP_NOT_SUPPORTED(C_VerifyMessage, SIG_ARGS(CK_ULONG))
JP_NOT_SUPPORTED(C_VerifyMessageBegin, SIG_BEGIN_ARGS)
JP_NOT_SUPPORTED(C_VerifyMessageNext, SIG_ARGS(CK_ULONG))
JP_NOT_SUPPORTED0(C_MessageVerifyFinal)
