/* jpki-pkcs11: the signing and verifying operations of a session: the
 * mechanism chosen at *Init, the data gathered by single- and multi-part
 * calls (hashed as it comes, or kept for CKM_RSA_PKCS), what the key works
 * on at the end, and the software verification with OpenSSL.  No card
 * here: the signature itself is the token's (token.h). */
#ifndef JP_OP_H
#define JP_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>
#include <jpki/pkcs11.h>

#include "mech.h"
#include "secret.h"

typedef struct {
	bool active;
	const jp_mech *mech;
	bool multipart;
	EVP_MD_CTX *md;
	uint8_t data[256];      /* CKM_RSA_PKCS: the data so far */
	size_t data_len;
	bool context_login;     /* C_Login(CKU_CONTEXT_SPECIFIC) was given */
	jp_secret *pin;         /* its PIN, until the signature; NULL when a
	                           C_SetPIN or C_Logout since made it stale */
	EVP_PKEY *pkey;         /* verify: the public key */
} jp_op;

/* Start: CKR_MECHANISM_INVALID / CKR_MECHANISM_PARAM_INVALID for what the
 * card cannot do; pkey (verify only) gets a reference. */
CK_RV jp_op_init(jp_op *op, const CK_MECHANISM *mech, EVP_PKEY *pkey);
/* One more part (hashed, or kept: CKR_DATA_LEN_RANGE past 256 bytes). */
CK_RV jp_op_update(jp_op *op, const CK_BYTE *part, CK_ULONG len);
/* What the key works on: the DigestInfo of the hashed data, or the data
 * (out holds 256 bytes).  Ends the hashing. */
CK_RV jp_op_tbs(jp_op *op, uint8_t *out, size_t *len);
/* The signature length for a key of bits, the PKCS#11 way: sig NULL asks
 * (*query set), a short buffer is CKR_BUFFER_TOO_SMALL (the operation goes
 * on); *sig_len holds the length needed. */
CK_RV jp_op_sig_space(CK_ULONG bits, const CK_BYTE *sig, CK_ULONG *sig_len, bool *query);
/* Verify sig over what was gathered with the operation's public key:
 * CKR_OK, CKR_SIGNATURE_INVALID or CKR_SIGNATURE_LEN_RANGE. */
CK_RV jp_op_verify(jp_op *op, const CK_BYTE *sig, CK_ULONG sig_len);
/* End the operation and wipe what it held (its PIN included). */
void jp_op_reset(jp_op *op);

#endif
