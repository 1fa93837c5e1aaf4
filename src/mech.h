/* jpki-pkcs11: the mechanisms, one table row each. */
#ifndef JP_MECH_H
#define JP_MECH_H

#include <jpki/pkcs11.h>
#include "digest.h"

typedef struct {
	CK_MECHANISM_TYPE type;
	const char *name;
	jp_digest_alg alg;      /* alg.md NULL: the data is signed as given */
} jp_mech;

/* The row for a mechanism, or NULL (CKR_MECHANISM_INVALID). */
const jp_mech *jp_mech_find(CK_MECHANISM_TYPE type);
/* All rows; *n is set to their number. */
const jp_mech *jp_mech_all(size_t *n);
/* What C_GetMechanismInfo says, for keys of key_bits. */
void jp_mech_info(const jp_mech *m, CK_ULONG key_bits, CK_MECHANISM_INFO *info);

#endif
