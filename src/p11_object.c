/* jpki-pkcs11: object entry points.  The token is read-only: every write
 * is refused with CKR_TOKEN_WRITE_PROTECTED. */
#include "config.h"

#include <stdlib.h>

#include "object.h"
#include "p11.h"
#include "token.h"

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	bool need_cert, need_ca;
	jp_session *s;
	jp_ctx c;
	CK_RV rv;
	int k;

	if (ulCount && !pTemplate)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if ((rv = jp_session_enter(hSession, &c, JP_SYNC_CARD)) != CKR_OK)
		return jp_ret(__func__, rv);
	s = c.s;
	if (s->finding) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
	jp_obj_find_needs(c.t, pTemplate, ulCount, &need_cert, &need_ca);
	if ((rv = jp_token_load(c.r, c.t, need_cert, need_ca)) != CKR_OK)
		goto out;
	free(s->found);
	s->found = calloc(JP_OBJ_COUNT, sizeof(*s->found));
	if (!s->found) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	s->found_n = s->found_pos = 0;
	for (k = 0; k < JP_OBJ_COUNT; k++)
		if (jp_obj_visible(c.t, (jp_obj_kind)k) && jp_obj_match(c.t, (jp_obj_kind)k, pTemplate, ulCount))
			s->found[s->found_n++] = jp_obj_handle(c.slot, (jp_obj_kind)k);
	s->finding = true;
out:
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject, CK_ULONG ulMaxObjectCount,
                    CK_ULONG_PTR pulObjectCount)
{
	jp_session *s;
	jp_ctx c;
	CK_RV rv;

	if (!phObject || !pulObjectCount)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if ((rv = jp_session_enter(hSession, &c, JP_STATE_ONLY)) != CKR_OK)
		return jp_ret(__func__, rv);
	s = c.s;
	*pulObjectCount = 0;
	if (!s->finding)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	else
		while (*pulObjectCount < ulMaxObjectCount && s->found_pos < s->found_n)
			phObject[(*pulObjectCount)++] = s->found[s->found_pos++];
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_session_enter(hSession, &c, JP_STATE_ONLY)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (!c.s->finding)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	c.s->finding = false;
	free(c.s->found);
	c.s->found = NULL;
	c.s->found_n = c.s->found_pos = 0;
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
                          CK_ULONG ulCount)
{
	bool need_cert, need_ca;
	jp_obj_kind k;
	jp_ctx c;
	CK_RV rv;

	if (ulCount && !pTemplate)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if ((rv = jp_session_enter(hSession, &c, JP_SYNC_CARD)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (!jp_obj_kind_of(hObject, c.slot, &k)) {
		rv = CKR_OBJECT_HANDLE_INVALID;
		goto out;
	}
	jp_obj_get_needs(k, pTemplate, ulCount, &need_cert, &need_ca);
	if ((rv = jp_token_load(c.r, c.t, need_cert, need_ca)) != CKR_OK)
		goto out;
	if (!jp_obj_visible(c.t, k)) {
		rv = CKR_OBJECT_HANDLE_INVALID;
		goto out;
	}
	rv = jp_obj_get(c.t, k, pTemplate, ulCount);
out:
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize)
{
	jp_obj_kind k;
	jp_ctx c;
	CK_RV rv;

	if (!pulSize)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if ((rv = jp_session_enter(hSession, &c, JP_SYNC_CARD)) != CKR_OK)
		return jp_ret(__func__, rv);
	if (!jp_obj_kind_of(hObject, c.slot, &k) || !jp_obj_visible(c.t, k))
		rv = CKR_OBJECT_HANDLE_INVALID;
	else
		*pulSize = CK_UNAVAILABLE_INFORMATION;
	jp_session_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
                     CK_OBJECT_HANDLE_PTR phObject)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_TOKEN_WRITE_PROTECTED));
}

CK_RV C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
                   CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phNewObject)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_TOKEN_WRITE_PROTECTED));
}

CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_TOKEN_WRITE_PROTECTED));
}

CK_RV C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
                          CK_ULONG ulCount)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_TOKEN_WRITE_PROTECTED));
}

/* No key is made, derived, wrapped or unwrapped here: no such mechanism. */
CK_RV C_GenerateKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_ATTRIBUTE_PTR pTemplate,
                    CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phKey)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_MECHANISM_INVALID));
}

CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                        CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount,
                        CK_ATTRIBUTE_PTR pPrivateKeyTemplate, CK_ULONG ulPrivateKeyAttributeCount,
                        CK_OBJECT_HANDLE_PTR phPublicKey, CK_OBJECT_HANDLE_PTR phPrivateKey)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_MECHANISM_INVALID));
}

CK_RV C_WrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hWrappingKey,
                CK_OBJECT_HANDLE hKey, CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_MECHANISM_INVALID));
}

CK_RV C_UnwrapKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hUnwrappingKey,
                  CK_BYTE_PTR pWrappedKey, CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate,
                  CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_MECHANISM_INVALID));
}

CK_RV C_DeriveKey(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hBaseKey,
                  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	return jp_ret(__func__, jp_session_only(hSession, CKR_MECHANISM_INVALID));
}
