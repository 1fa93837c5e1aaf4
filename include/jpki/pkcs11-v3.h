/* jpki-pkcs11: the PKCS#11 3.0 definitions the module needs for
 * C_GetInterfaceList and C_GetInterface.
 *
 * Debian 12's p11-kit header (0.24) is PKCS#11 2.40.  What 3.0 added and
 * the module uses is defined here, in the 3.0 specification's names and
 * layout, only when the header lacks it: a 3.0 header (p11-kit 0.25 and
 * later, OASIS's) defines CKF_INTERFACE_FORK_SAFE, and its definitions
 * take over. */
#ifndef JPKI_PKCS11_V3_H
#define JPKI_PKCS11_V3_H

#include "jpki/pkcs11.h"

/* The 2.40 function list, in its order. */
#define JP_V2_FUNCTIONS(X) \
	X(C_Initialize) X(C_Finalize) X(C_GetInfo) X(C_GetFunctionList) \
	X(C_GetSlotList) X(C_GetSlotInfo) X(C_GetTokenInfo) X(C_GetMechanismList) \
	X(C_GetMechanismInfo) X(C_InitToken) X(C_InitPIN) X(C_SetPIN) \
	X(C_OpenSession) X(C_CloseSession) X(C_CloseAllSessions) X(C_GetSessionInfo) \
	X(C_GetOperationState) X(C_SetOperationState) X(C_Login) X(C_Logout) \
	X(C_CreateObject) X(C_CopyObject) X(C_DestroyObject) X(C_GetObjectSize) \
	X(C_GetAttributeValue) X(C_SetAttributeValue) X(C_FindObjectsInit) X(C_FindObjects) \
	X(C_FindObjectsFinal) X(C_EncryptInit) X(C_Encrypt) X(C_EncryptUpdate) \
	X(C_EncryptFinal) X(C_DecryptInit) X(C_Decrypt) X(C_DecryptUpdate) \
	X(C_DecryptFinal) X(C_DigestInit) X(C_Digest) X(C_DigestUpdate) \
	X(C_DigestKey) X(C_DigestFinal) X(C_SignInit) X(C_Sign) \
	X(C_SignUpdate) X(C_SignFinal) X(C_SignRecoverInit) X(C_SignRecover) \
	X(C_VerifyInit) X(C_Verify) X(C_VerifyUpdate) X(C_VerifyFinal) \
	X(C_VerifyRecoverInit) X(C_VerifyRecover) X(C_DigestEncryptUpdate) X(C_DecryptDigestUpdate) \
	X(C_SignEncryptUpdate) X(C_DecryptVerifyUpdate) X(C_GenerateKey) X(C_GenerateKeyPair) \
	X(C_WrapKey) X(C_UnwrapKey) X(C_DeriveKey) X(C_SeedRandom) \
	X(C_GenerateRandom) X(C_GetFunctionStatus) X(C_CancelFunction) X(C_WaitForSlotEvent)

/* The functions 3.0 added, in the order of its function list. */
#define JP_V3_FUNCTIONS(X) \
	X(C_GetInterfaceList) X(C_GetInterface) X(C_LoginUser) X(C_SessionCancel) \
	X(C_MessageEncryptInit) X(C_EncryptMessage) X(C_EncryptMessageBegin) \
	X(C_EncryptMessageNext) X(C_MessageEncryptFinal) \
	X(C_MessageDecryptInit) X(C_DecryptMessage) X(C_DecryptMessageBegin) \
	X(C_DecryptMessageNext) X(C_MessageDecryptFinal) \
	X(C_MessageSignInit) X(C_SignMessage) X(C_SignMessageBegin) \
	X(C_SignMessageNext) X(C_MessageSignFinal) \
	X(C_MessageVerifyInit) X(C_VerifyMessage) X(C_VerifyMessageBegin) \
	X(C_VerifyMessageNext) X(C_MessageVerifyFinal)

#ifndef CKF_INTERFACE_FORK_SAFE
#define CKF_INTERFACE_FORK_SAFE 0x00000001UL
#define CKF_END_OF_MESSAGE 0x00000001UL

typedef struct CK_INTERFACE {
	CK_CHAR *pInterfaceName;
	CK_VOID_PTR pFunctionList;
	CK_FLAGS flags;
} CK_INTERFACE;
typedef CK_INTERFACE *CK_INTERFACE_PTR;
typedef CK_INTERFACE_PTR *CK_INTERFACE_PTR_PTR;

/* Their prototypes and function pointer types. */
#define JP_V3_PROTOTYPES(F) \
	F(C_GetInterfaceList, (CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount)) \
	F(C_GetInterface, (CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion, \
		CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags)) \
	F(C_LoginUser, (CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, \
		CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pUsername, \
		CK_ULONG ulUsernameLen)) \
	F(C_SessionCancel, (CK_SESSION_HANDLE hSession, CK_FLAGS flags)) \
	F(C_MessageEncryptInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, \
		CK_OBJECT_HANDLE hKey)) \
	F(C_EncryptMessage, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, \
		CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData, \
		CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pPlaintext, CK_ULONG ulPlaintextLen, \
		CK_BYTE_PTR pCiphertext, CK_ULONG_PTR pulCiphertextLen)) \
	F(C_EncryptMessageBegin, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, \
		CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData, \
		CK_ULONG ulAssociatedDataLen)) \
	F(C_EncryptMessageNext, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, \
		CK_ULONG ulParameterLen, CK_BYTE_PTR pPlaintextPart, \
		CK_ULONG ulPlaintextPartLen, CK_BYTE_PTR pCiphertextPart, \
		CK_ULONG_PTR pulCiphertextPartLen, CK_FLAGS flags)) \
	F(C_MessageEncryptFinal, (CK_SESSION_HANDLE hSession)) \
	F(C_MessageDecryptInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, \
		CK_OBJECT_HANDLE hKey)) \
	F(C_DecryptMessage, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, \
		CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData, \
		CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pCiphertext, CK_ULONG ulCiphertextLen, \
		CK_BYTE_PTR pPlaintext, CK_ULONG_PTR pulPlaintextLen)) \
	F(C_DecryptMessageBegin, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, \
		CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData, \
		CK_ULONG ulAssociatedDataLen)) \
	F(C_DecryptMessageNext, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, \
		CK_ULONG ulParameterLen, CK_BYTE_PTR pCiphertextPart, \
		CK_ULONG ulCiphertextPartLen, CK_BYTE_PTR pPlaintextPart, \
		CK_ULONG_PTR pulPlaintextPartLen, CK_FLAGS flags)) \
	F(C_MessageDecryptFinal, (CK_SESSION_HANDLE hSession)) \
	F(C_MessageSignInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, \
		CK_OBJECT_HANDLE hKey)) \
	F(C_SignMessage, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, \
		CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen, \
		CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)) \
	F(C_SignMessageBegin, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, \
		CK_ULONG ulParameterLen)) \
	F(C_SignMessageNext, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, \
		CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen, \
		CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)) \
	F(C_MessageSignFinal, (CK_SESSION_HANDLE hSession)) \
	F(C_MessageVerifyInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, \
		CK_OBJECT_HANDLE hKey)) \
	F(C_VerifyMessage, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, \
		CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen, \
		CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)) \
	F(C_VerifyMessageBegin, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, \
		CK_ULONG ulParameterLen)) \
	F(C_VerifyMessageNext, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter, \
		CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen, \
		CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)) \
	F(C_MessageVerifyFinal, (CK_SESSION_HANDLE hSession))

#define JP_V3_DECLARE(name, args) \
	CK_RV name args; \
	typedef CK_RV (*CK_##name) args;
JP_V3_PROTOTYPES(JP_V3_DECLARE)
#undef JP_V3_DECLARE

/* The 2.40 list with the 3.0 functions after it (the 2.40 members through
 * the header's own function pointer types). */
#define JP_MEMBER(name) CK_##name name;
typedef struct CK_FUNCTION_LIST_3_0 {
	CK_VERSION version;
	JP_V2_FUNCTIONS(JP_MEMBER)
	JP_V3_FUNCTIONS(JP_MEMBER)
} CK_FUNCTION_LIST_3_0;
#undef JP_MEMBER
typedef CK_FUNCTION_LIST_3_0 *CK_FUNCTION_LIST_3_0_PTR;
typedef CK_FUNCTION_LIST_3_0_PTR *CK_FUNCTION_LIST_3_0_PTR_PTR;

#endif /* CKF_INTERFACE_FORK_SAFE */
#endif
