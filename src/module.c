/* jpki-pkcs11: the function list, the module's only export. */
#include "config.h"

#include "conf.h"
#include "p11.h"


static CK_FUNCTION_LIST function_list = {
	{ CRYPTOKI_VERSION_MAJOR, CRYPTOKI_VERSION_MINOR },
#define X(name) name,
	X(C_Initialize) X(C_Finalize) X(C_GetInfo) X(C_GetFunctionList)
	X(C_GetSlotList) X(C_GetSlotInfo) X(C_GetTokenInfo) X(C_GetMechanismList)
	X(C_GetMechanismInfo) X(C_InitToken) X(C_InitPIN) X(C_SetPIN)
	X(C_OpenSession) X(C_CloseSession) X(C_CloseAllSessions) X(C_GetSessionInfo)
	X(C_GetOperationState) X(C_SetOperationState) X(C_Login) X(C_Logout)
	X(C_CreateObject) X(C_CopyObject) X(C_DestroyObject) X(C_GetObjectSize)
	X(C_GetAttributeValue) X(C_SetAttributeValue) X(C_FindObjectsInit) X(C_FindObjects)
	X(C_FindObjectsFinal) X(C_EncryptInit) X(C_Encrypt) X(C_EncryptUpdate)
	X(C_EncryptFinal) X(C_DecryptInit) X(C_Decrypt) X(C_DecryptUpdate)
	X(C_DecryptFinal) X(C_DigestInit) X(C_Digest) X(C_DigestUpdate)
	X(C_DigestKey) X(C_DigestFinal) X(C_SignInit) X(C_Sign)
	X(C_SignUpdate) X(C_SignFinal) X(C_SignRecoverInit) X(C_SignRecover)
	X(C_VerifyInit) X(C_Verify) X(C_VerifyUpdate) X(C_VerifyFinal)
	X(C_VerifyRecoverInit) X(C_VerifyRecover) X(C_DigestEncryptUpdate) X(C_DecryptDigestUpdate)
	X(C_SignEncryptUpdate) X(C_DecryptVerifyUpdate) X(C_GenerateKey) X(C_GenerateKeyPair)
	X(C_WrapKey) X(C_UnwrapKey) X(C_DeriveKey) X(C_SeedRandom)
	X(C_GenerateRandom) X(C_GetFunctionStatus) X(C_CancelFunction) X(C_WaitForSlotEvent)
#undef X
};

__attribute__((visibility("default")))
CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	if (!ppFunctionList)
		return CKR_ARGUMENTS_BAD;
#ifdef JP_AUTH_ONLY
	/* jpki-pkcs11-auth.so: the same module showing only the
	 * user-authentication token.  For browsers: a browser looking for
	 * client certificates logs in to every token that wants a login, and a
	 * person logging in to a website must never be asked for the signature
	 * PIN, the legal seal.  A browser policy names a module file and cannot
	 * set an environment variable, so this is a file of its own. */
	jp_module_tokens = 1u << JPKI_AUTH;
#endif
	*ppFunctionList = &function_list;
	return CKR_OK;
}
