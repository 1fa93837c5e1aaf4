/* jpki-pkcs11: slot and token entry points. */
#include "config.h"

#include <string.h>

#include "mech.h"
#include "p11.h"

static CK_RV get_slot_list(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
	if (!count)
		return CKR_ARGUMENTS_BAD;
	jp_slots_refresh_inlock();
	if (present)
		jp_slots_sync_all_inlock();
	return jp_slots_list_inlock(present, list, count);
}

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
	JP_GLOBAL(get_slot_list, tokenPresent, pSlotList, pulCount);
}

static CK_RV get_slot_info(jp_ctx *c, CK_SLOT_INFO_PTR info)
{
	if (!info)
		return CKR_ARGUMENTS_BAD;
	memset(info, 0, sizeof(*info));
	jp_pad(info->slotDescription, sizeof(info->slotDescription), c->r->name);
	jp_pad(info->manufacturerID, sizeof(info->manufacturerID), "PC/SC");
	info->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
	if (c->sync == CKR_OK)
		info->flags |= CKF_TOKEN_PRESENT;
	return CKR_OK;
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	JP_SLOT(slotID, JP_ANY, get_slot_info, pInfo);
}

static CK_RV get_token_info(jp_ctx *c, CK_TOKEN_INFO_PTR info)
{
	CK_ULONG all, rw;
	CK_RV rv;

	if (!info)
		return CKR_ARGUMENTS_BAD;
	if ((rv = jp_token_refresh_tries(&c->r->ct, c->t)) != CKR_OK)
		return rv;
	jp_token_info(&c->r->ct, c->t, info);
	jp_global_lock();
	jp_sessions_count_inlock(c->r, c->cred, &all, &rw);
	jp_global_unlock();
	info->ulSessionCount = all;
	info->ulRwSessionCount = rw;
	return CKR_OK;
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	JP_SLOT(slotID, JP_TOKEN, get_token_info, pInfo);
}

static CK_RV get_mechanism_list(jp_ctx *c, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count)
{
	const jp_mech *all;
	size_t n, i;

	if (!count)
		return CKR_ARGUMENTS_BAD;
	all = jp_mech_all(&n);
	if (c->t->cred == JPKI_FACE)
		n = 0;          /* data only: no key, no mechanism */
	if (list && *count < n) {
		*count = n;
		return CKR_BUFFER_TOO_SMALL;
	}
	for (i = 0; list && i < n; i++)
		list[i] = all[i].type;
	*count = n;
	return CKR_OK;
}

CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList, CK_ULONG_PTR pulCount)
{
	JP_SLOT(slotID, JP_TOKEN, get_mechanism_list, pMechanismList, pulCount);
}

static CK_RV get_mechanism_info(jp_ctx *c, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info)
{
	const jp_mech *m;

	if (!info)
		return CKR_ARGUMENTS_BAD;
	if (c->t->cred == JPKI_FACE || !(m = jp_mech_find(type)))
		return CKR_MECHANISM_INVALID;
	jp_mech_info(m, jp_token_key_bits(c->t), info);
	return CKR_OK;
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
{
	JP_SLOT(slotID, JP_TOKEN, get_mechanism_info, type, pInfo);
}

/* The card is issued by a municipal office; nothing here initializes it. */
static CK_RV write_protected(jp_ctx *c)
{
	(void)c;
	return CKR_TOKEN_WRITE_PROTECTED;
}

CK_RV C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pLabel)
{
	JP_SLOT(slotID, JP_TOKEN, write_protected);
}

static CK_RV wait_for_slot_event(CK_FLAGS flags, CK_SLOT_ID_PTR slot, CK_VOID_PTR reserved)
{
	if (!slot || reserved)
		return CKR_ARGUMENTS_BAD;
	return jp_slots_wait_event_inlock(flags, slot);
}

CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved)
{
	JP_GLOBAL(wait_for_slot_event, flags, pSlot, pReserved);
}
