/* jpki-pkcs11: object entry points.  The token is read-only: every write
 * is refused (p11_unsupported.c). */
#include "config.h"

#include <stdlib.h>

#include "object.h"
#include "p11.h"

static CK_RV find_init(jp_ctx *c, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n)
{
	jp_session *s = c->s;
	bool need_cert, need_ca;
	CK_RV rv;
	int k;

	if (n && !tmpl)
		return CKR_ARGUMENTS_BAD;
	jp_obj_find_needs(c->t, tmpl, n, &need_cert, &need_ca);
	if ((rv = jp_token_load(&c->r->ct, c->t, need_cert, need_ca)) != CKR_OK)
		return rv;
	free(s->found);
	s->found = calloc(JP_OBJ_KINDS_MAX, sizeof(*s->found));
	if (!s->found)
		return CKR_HOST_MEMORY;
	s->found_n = s->found_pos = 0;
	for (k = 0; k < jp_obj_kinds(c->t); k++)
		if (jp_obj_visible(c->t, (jp_obj_kind)k) && jp_obj_match(c->t, (jp_obj_kind)k, tmpl, n))
			s->found[s->found_n++] = jp_obj_handle(c->slot, (jp_obj_kind)k);
	s->finding = true;
	return CKR_OK;
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	JP_SESSION(hSession, JP_TOKEN | JP_IDLE_FIND, find_init, pTemplate, ulCount);
}

static CK_RV find(jp_ctx *c, CK_OBJECT_HANDLE_PTR out, CK_ULONG max, CK_ULONG_PTR count)
{
	jp_session *s = c->s;

	if (!out || !count)
		return CKR_ARGUMENTS_BAD;
	*count = 0;
	while (*count < max && s->found_pos < s->found_n)
		out[(*count)++] = s->found[s->found_pos++];
	return CKR_OK;
}

CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject, CK_ULONG ulMaxObjectCount,
                    CK_ULONG_PTR pulObjectCount)
{
	JP_SESSION(hSession, JP_FINDING, find, phObject, ulMaxObjectCount, pulObjectCount);
}

static CK_RV find_final(jp_ctx *c)
{
	c->s->finding = false;
	free(c->s->found);
	c->s->found = NULL;
	c->s->found_n = c->s->found_pos = 0;
	return CKR_OK;
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
	JP_SESSION(hSession, JP_FINDING, find_final);
}

static CK_RV get_attribute_value(jp_ctx *c, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n)
{
	bool need_cert, need_ca;
	jp_obj_kind k;
	CK_RV rv;

	if (n && !tmpl)
		return CKR_ARGUMENTS_BAD;
	if (!jp_obj_kind_of(h, c->slot, &k))
		return CKR_OBJECT_HANDLE_INVALID;
	jp_obj_get_needs(k, tmpl, n, &need_cert, &need_ca);
	if ((rv = jp_token_load(&c->r->ct, c->t, need_cert, need_ca)) != CKR_OK)
		return rv;
	if (!jp_obj_visible(c->t, k))
		return CKR_OBJECT_HANDLE_INVALID;
	return jp_obj_get(c->t, k, tmpl, n);
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
                          CK_ULONG ulCount)
{
	JP_SESSION(hSession, JP_TOKEN, get_attribute_value, hObject, pTemplate, ulCount);
}

static CK_RV get_object_size(jp_ctx *c, CK_OBJECT_HANDLE h, CK_ULONG_PTR size)
{
	jp_obj_kind k;

	if (!size)
		return CKR_ARGUMENTS_BAD;
	if (!jp_obj_kind_of(h, c->slot, &k) || !jp_obj_visible(c->t, k))
		return CKR_OBJECT_HANDLE_INVALID;
	*size = CK_UNAVAILABLE_INFORMATION;
	return CKR_OK;
}

CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize)
{
	JP_SESSION(hSession, JP_TOKEN, get_object_size, hObject, pulSize);
}
