/* jpki-pkcs11: the objects a JPKI token holds, as one catalogue.
 *
 * Per token: the end-entity certificate, its CA certificate, the public key
 * and the private key of the credential.  Handles are fixed: slot id and
 * kind, so they stay the same across sessions of one card.  The functions
 * take the reader lock's view of the token.
 */
#ifndef JP_OBJECT_H
#define JP_OBJECT_H

#include "token.h"

typedef enum { JP_OBJ_CERT, JP_OBJ_CA, JP_OBJ_PUB, JP_OBJ_PRIV, JP_OBJ_COUNT } jp_obj_kind;

CK_OBJECT_HANDLE jp_obj_handle(CK_SLOT_ID slot, jp_obj_kind k);
/* The kind of handle h on this slot; false when h is not of this slot. */
bool jp_obj_kind_of(CK_OBJECT_HANDLE h, CK_SLOT_ID slot, jp_obj_kind *k);

/* Whether the object is listed now; private objects only when logged in. */
bool jp_obj_visible(const jp_token *t, jp_obj_kind k);

/* C_GetAttributeValue for one object, with PKCS#11's rules for unknown,
 * sensitive and too-small attributes. */
CK_RV jp_obj_get(const jp_token *t, jp_obj_kind k, CK_ATTRIBUTE *tmpl, CK_ULONG n);

/* Which certificates must be read before a search with tmpl can be
 * answered, and before attributes of an object of kind k can be given:
 * only what could match or is asked for, since each costs APDUs. */
void jp_obj_find_needs(const jp_token *t, const CK_ATTRIBUTE *tmpl, CK_ULONG n, bool *cert, bool *ca);
void jp_obj_get_needs(jp_obj_kind k, const CK_ATTRIBUTE *tmpl, CK_ULONG n, bool *cert, bool *ca);

/* Whether every attribute of tmpl has the object's value. */
bool jp_obj_match(const jp_token *t, jp_obj_kind k, const CK_ATTRIBUTE *tmpl, CK_ULONG n);

#endif
