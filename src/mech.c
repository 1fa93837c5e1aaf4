/* jpki-pkcs11: mechanisms.  The card does PKCS#1 v1.5 signatures of what it
 * is given (normally a DigestInfo) and nothing else: no decryption, no raw
 * RSA, no PSS.  The hash mechanisms hash in software and hand the card the
 * DigestInfo; verification is all software, with the certificate's key. */
#include "config.h"

#include "mech.h"

#define P(...) (const uint8_t[]){ __VA_ARGS__ }
#define ALG(md, hlen, ...) { md, P(__VA_ARGS__), sizeof((const uint8_t[]){ __VA_ARGS__ }), hlen }

static const jp_mech mechs[] = {
	{ CKM_RSA_PKCS, "RSA-PKCS", { NULL, NULL, 0, 0 } },
	{ CKM_SHA1_RSA_PKCS, "SHA1-RSA-PKCS",
	  ALG("SHA1", 20, 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a,
	      0x05, 0x00, 0x04, 0x14) },
	{ CKM_SHA224_RSA_PKCS, "SHA224-RSA-PKCS",
	  ALG("SHA224", 28, 0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	      0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c) },
	{ CKM_SHA256_RSA_PKCS, "SHA256-RSA-PKCS",
	  ALG("SHA256", 32, 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	      0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20) },
	{ CKM_SHA384_RSA_PKCS, "SHA384-RSA-PKCS",
	  ALG("SHA384", 48, 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	      0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30) },
	{ CKM_SHA512_RSA_PKCS, "SHA512-RSA-PKCS",
	  ALG("SHA512", 64, 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	      0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40) },
};

const jp_mech *jp_mech_find(CK_MECHANISM_TYPE type)
{
	size_t i;

	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (mechs[i].type == type)
			return &mechs[i];
	return NULL;
}

const jp_mech *jp_mech_all(size_t *n)
{
	*n = sizeof(mechs) / sizeof(mechs[0]);
	return mechs;
}

void jp_mech_info(const jp_mech *m, CK_ULONG key_bits, CK_MECHANISM_INFO *info)
{
	(void)m;
	info->ulMinKeySize = key_bits;
	info->ulMaxKeySize = key_bits;
	/* The card makes every signature; only verification is software. */
	info->flags = CKF_HW | CKF_SIGN | CKF_VERIFY;
}
