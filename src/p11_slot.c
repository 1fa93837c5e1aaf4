/* jpki-pkcs11: slot and token entry points. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mech.h"
#include "p11.h"
#include "session.h"
#include "slot.h"
#include "token.h"

/* Sync every reader with a card (detects new cards; no APDU for a card
 * already known).  g.lock held on entry and on return, dropped meanwhile. */
static void sync_all_inlock(void)
{
	jp_reader **rs;
	size_t n = g.nreaders, i;

	rs = calloc(n ? n : 1, sizeof(*rs));
	if (!rs)
		return;
	for (i = 0; i < n; i++) {
		rs[i] = g.readers[i];
		jp_reader_ref_inlock(rs[i]);
	}
	jp_mutex_unlock(g.lock);
	for (i = 0; i < n; i++) {
		if (jp_mutex_lock(rs[i]->lock) != CKR_OK)
			continue;
		jp_reader_sync(rs[i]);
		if (jp_card_gone(&rs[i]->card))
			jp_reader_forget_card(rs[i]);
		jp_mutex_unlock(rs[i]->lock);
	}
	jp_mutex_lock(g.lock);
	for (i = 0; i < n; i++)
		jp_reader_unref_inlock(rs[i]);
	free(rs);
}

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
	CK_ULONG n = 0;
	CK_RV rv;
	size_t i;
	int cred;

	if ((rv = jp_enter()) != CKR_OK)
		return jp_ret(__func__, rv);
	if (!pulCount) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	jp_slots_refresh_inlock();
	if (tokenPresent)
		sync_all_inlock();
	for (i = 0; i < g.nreaders; i++) {
		jp_reader *r = g.readers[i];
		if (tokenPresent && !r->token_present)
			continue;
		for (cred = JPKI_AUTH; cred <= JPKI_SIGN; cred++) {
			if (!(g.tokens & (1u << cred)))
				continue;
			if (pSlotList && n < *pulCount)
				pSlotList[n] = r->base + (CK_SLOT_ID)cred;
			n++;
		}
	}
	if (pSlotList && n > *pulCount)
		rv = CKR_BUFFER_TOO_SMALL;
	*pulCount = n;
out:
	jp_leave();
	return jp_ret(__func__, rv);
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	jp_ctx c;
	CK_RV rv;

	if (!pInfo)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if ((rv = jp_slot_enter(slotID, &c)) != CKR_OK)
		return jp_ret(__func__, rv);
	memset(pInfo, 0, sizeof(*pInfo));
	jp_pad(pInfo->slotDescription, sizeof(pInfo->slotDescription), c.r->name);
	jp_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), "PC/SC");
	pInfo->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
	if (c.sync == CKR_OK)
		pInfo->flags |= CKF_TOKEN_PRESENT;
	jp_slot_leave(&c);
	return jp_ret(__func__, CKR_OK);
}

/* The token must be there: the PKCS#11 result when it is not. */
static CK_RV token_rv(const jp_ctx *c)
{
	return jp_sync_ckr(c->sync);
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	CK_ULONG all, rw;
	jp_ctx c;
	CK_RV rv;

	if (!pInfo)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if ((rv = jp_slot_enter(slotID, &c)) != CKR_OK)
		return jp_ret(__func__, rv);
	if ((rv = token_rv(&c)) == CKR_OK)
		rv = jp_token_refresh_tries(c.r, c.t);
	if (rv == CKR_OK) {
		jp_token_info(c.r, c.t, pInfo);
		jp_mutex_lock(g.lock);
		jp_sessions_count_inlock(c.r, c.cred, &all, &rw);
		jp_mutex_unlock(g.lock);
		pInfo->ulSessionCount = all;
		pInfo->ulRwSessionCount = rw;
	}
	jp_slot_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList, CK_ULONG_PTR pulCount)
{
	const jp_mech *all;
	size_t n, i;
	jp_ctx c;
	CK_RV rv;

	if (!pulCount)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if ((rv = jp_slot_enter(slotID, &c)) != CKR_OK)
		return jp_ret(__func__, rv);
	if ((rv = token_rv(&c)) == CKR_OK) {
		all = jp_mech_all(&n);
		if (pMechanismList && *pulCount < n)
			rv = CKR_BUFFER_TOO_SMALL;
		else if (pMechanismList)
			for (i = 0; i < n; i++)
				pMechanismList[i] = all[i].type;
		*pulCount = n;
	}
	jp_slot_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
{
	const jp_mech *m;
	jp_ctx c;
	CK_RV rv;

	if (!pInfo)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if ((rv = jp_slot_enter(slotID, &c)) != CKR_OK)
		return jp_ret(__func__, rv);
	if ((rv = token_rv(&c)) == CKR_OK) {
		if ((m = jp_mech_find(type)) != NULL)
			jp_mech_info(m, jp_token_key_bits(c.t), pInfo);
		else
			rv = CKR_MECHANISM_INVALID;
	}
	jp_slot_leave(&c);
	return jp_ret(__func__, rv);
}

CK_RV C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pLabel)
{
	jp_ctx c;
	CK_RV rv;

	if ((rv = jp_slot_enter(slotID, &c)) != CKR_OK)
		return jp_ret(__func__, rv);
	rv = token_rv(&c);
	jp_slot_leave(&c);
	/* The card is issued by a municipal office; nothing here initializes it. */
	return jp_ret(__func__, rv == CKR_OK ? CKR_TOKEN_WRITE_PROTECTED : rv);
}

/* g.lock held.  A slot whose state changed since it was last reported. */
static bool next_event_inlock(CK_SLOT_ID *slot)
{
	size_t i;
	int cred;

	for (i = 0; i < g.nreaders; i++) {
		jp_reader *r = g.readers[i];
		if (r->present != r->reported_present || r->events != r->reported_events) {
			r->reported_present = r->present;
			r->reported_events = r->events;
			r->pending_events = g.tokens;
		}
		for (cred = 0; cred < 2; cred++) {
			if (r->pending_events & (1u << cred)) {
				r->pending_events &= ~(1u << cred);
				*slot = r->base + (CK_SLOT_ID)cred;
				return true;
			}
		}
	}
	return false;
}

CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved)
{
	jp_readers *w;
	jp_rv wr;
	CK_RV rv;

	if (!pSlot || pReserved)
		return jp_ret(__func__, CKR_ARGUMENTS_BAD);
	if ((rv = jp_enter()) != CKR_OK)
		return jp_ret(__func__, rv);
	for (;;) {
		if (g.finalizing) {
			rv = CKR_CRYPTOKI_NOT_INITIALIZED;
			break;
		}
		jp_slots_refresh_inlock();
		if (next_event_inlock(pSlot))
			break;
		if (flags & CKF_DONT_BLOCK) {
			rv = CKR_NO_EVENT;
			break;
		}
		if (!g.waiter && jp_readers_open(&g.waiter) != JP_OK)
			g.waiter = NULL;
		w = g.waiter;
		g.waiting++;
		jp_mutex_unlock(g.lock);
		/* Blocks in the service without any module lock (the call stays
		 * counted in flight); C_Finalize cancels it.  Without the
		 * service, look again every second. */
		wr = JP_OK;
		if (!w)
			usleep(1000000);
		else if ((wr = jp_readers_wait(w, 1000)) == JP_E_NO_SERVICE)
			usleep(100000);
		jp_mutex_lock(g.lock);
		g.waiting--;
		if (wr == JP_E_NO_SERVICE && g.waiter == w && g.waiting == 0 && !g.finalizing) {
			jp_readers_close(w);
			g.waiter = NULL;
		}
	}
	jp_leave();
	return jp_ret(__func__, rv);
}
