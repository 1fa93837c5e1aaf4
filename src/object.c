/* jpki-pkcs11: the object catalogue and its attributes. */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "object.h"

static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

/* A found attribute: where its value is and how long, or sensitive. */
typedef struct {
	const void *p;
	CK_ULONG len;
	bool sensitive;
} jp_val;

static const char *const labels[2][JP_OBJ_COUNT] = {
	{ "User Authentication Certificate", "User Authentication CA",
	  "User Authentication Key", "User Authentication Key" },
	{ "Digital Signature Certificate", "Digital Signature CA",
	  "Digital Signature Key", "Digital Signature Key" },
};

/* CKA_ID: one per credential, shared by its certificate and keys; the CA
 * certificates have their own. */
static const CK_BYTE ids[2][2] = { { 0x01, 0x11 }, { 0x02, 0x12 } };

static const CK_OBJECT_CLASS classes[JP_OBJ_COUNT] = {
	CKO_CERTIFICATE, CKO_CERTIFICATE, CKO_PUBLIC_KEY, CKO_PRIVATE_KEY
};
static const CK_CERTIFICATE_TYPE x509 = CKC_X_509;
static const CK_ULONG category[2] = { 1, 2 };  /* user, authority */
static const CK_KEY_TYPE rsa = CKK_RSA;
static const CK_MECHANISM_TYPE unavailable_mech = CK_UNAVAILABLE_INFORMATION;
static const CK_ULONG zero = 0;
static const CK_MECHANISM_TYPE allowed[] = {
	CKM_RSA_PKCS, CKM_SHA1_RSA_PKCS, CKM_SHA224_RSA_PKCS,
	CKM_SHA256_RSA_PKCS, CKM_SHA384_RSA_PKCS, CKM_SHA512_RSA_PKCS,
};

CK_OBJECT_HANDLE jp_obj_handle(CK_SLOT_ID slot, jp_obj_kind k)
{
	return (CK_OBJECT_HANDLE)(slot * 8 + (CK_ULONG)k + 1);
}

bool jp_obj_kind_of(CK_OBJECT_HANDLE h, CK_SLOT_ID slot, jp_obj_kind *k)
{
	if (h == 0 || (h - 1) / 8 != slot || (h - 1) % 8 >= JP_OBJ_COUNT)
		return false;
	*k = (jp_obj_kind)((h - 1) % 8);
	return true;
}

/* Objects that come from the signature certificate are private: the card
 * shows that certificate only after the signature PIN. */
static bool is_private(const jp_token *t, jp_obj_kind k)
{
	return k == JP_OBJ_PRIV || (t->cred == JPKI_SIGN && k != JP_OBJ_CA);
}

bool jp_obj_visible(const jp_token *t, jp_obj_kind k)
{
	if (is_private(t, k) && !t->logged_in)
		return false;
	switch (k) {
	case JP_OBJ_CERT:
	case JP_OBJ_PUB: return t->have_cert;
	case JP_OBJ_CA: return t->have_ca;
	case JP_OBJ_PRIV: return t->pin_usable;
	default: return false;
	}
}

/* Private-key attributes that come from the certificate. */
static bool from_cert(CK_ATTRIBUTE_TYPE type)
{
	return type == CKA_MODULUS || type == CKA_PUBLIC_EXPONENT || type == CKA_SUBJECT ||
	       type == CKA_PUBLIC_KEY_INFO;
}

void jp_obj_get_needs(jp_obj_kind k, const CK_ATTRIBUTE *tmpl, CK_ULONG n, bool *cert, bool *ca)
{
	CK_ULONG i;

	*ca = k == JP_OBJ_CA;
	*cert = k == JP_OBJ_CERT || k == JP_OBJ_PUB;
	for (i = 0; k == JP_OBJ_PRIV && i < n; i++)
		*cert = *cert || from_cert(tmpl[i].type);
}

void jp_obj_find_needs(const jp_token *t, const CK_ATTRIBUTE *tmpl, CK_ULONG n, bool *cert, bool *ca)
{
	bool any_class = true, any_id = true;
	CK_OBJECT_CLASS cls = 0;
	CK_BYTE id = 0;
	CK_ULONG i;

	for (i = 0; i < n; i++) {
		if (tmpl[i].type == CKA_CLASS && tmpl[i].ulValueLen == sizeof(cls) && tmpl[i].pValue) {
			memcpy(&cls, tmpl[i].pValue, sizeof(cls));
			any_class = false;
		} else if (tmpl[i].type == CKA_ID && tmpl[i].ulValueLen == 1 && tmpl[i].pValue) {
			id = *(const CK_BYTE *)tmpl[i].pValue;
			any_id = false;
		}
	}
	*ca = (any_class || cls == CKO_CERTIFICATE) && (any_id || id == ids[t->cred][1]);
	*cert = (any_class || cls == CKO_CERTIFICATE || cls == CKO_PUBLIC_KEY) && (any_id || id == ids[t->cred][0]);
	for (i = 0; !any_class && cls == CKO_PRIVATE_KEY && i < n; i++)
		*cert = *cert || from_cert(tmpl[i].type);
}

#define SET(ptr, n) do { v->p = (ptr); v->len = (CK_ULONG)(n); return true; } while (0)
#define SETV(x) SET(&(x), sizeof(x))
#define SETB(b) SET(&(b), sizeof(CK_BBOOL))

static bool common_attr(const jp_token *t, jp_obj_kind k, CK_ATTRIBUTE_TYPE type, jp_val *v)
{
	const char *label = labels[t->cred][k];

	switch (type) {
	case CKA_CLASS: SETV(classes[k]);
	case CKA_TOKEN: SETB(yes);
	case CKA_PRIVATE: SETB(*(is_private(t, k) ? &yes : &no));
	case CKA_MODIFIABLE:
	case CKA_COPYABLE:
	case CKA_DESTROYABLE: SETB(no);
	case CKA_LABEL: SET(label, strlen(label));
	case CKA_ID: SET(&ids[t->cred][k == JP_OBJ_CA], 1);
	default: return false;
	}
}

static bool cert_attr(const jp_cert *c, jp_obj_kind k, CK_ATTRIBUTE_TYPE type, jp_val *v)
{
	switch (type) {
	case CKA_CERTIFICATE_TYPE: SETV(x509);
	case CKA_CERTIFICATE_CATEGORY: SETV(category[k == JP_OBJ_CA]);
	case CKA_TRUSTED: SETB(no);
	case CKA_VALUE: SET(c->der.p, c->der.len);
	case CKA_SUBJECT: SET(c->subject.p, c->subject.len);
	case CKA_ISSUER: SET(c->issuer.p, c->issuer.len);
	case CKA_SERIAL_NUMBER: SET(c->serial.p, c->serial.len);
	case CKA_START_DATE: SETV(c->start);
	case CKA_END_DATE: SETV(c->end);
	case CKA_URL:
	case CKA_HASH_OF_SUBJECT_PUBLIC_KEY:
	case CKA_HASH_OF_ISSUER_PUBLIC_KEY: SET("", 0);
	case CKA_JAVA_MIDP_SECURITY_DOMAIN: SETV(zero);
	case CKA_PUBLIC_KEY_INFO: SET(c->spki.p, c->spki.len);
	default: return false;
	}
}

static bool key_attr(const jp_token *t, jp_obj_kind k, CK_ATTRIBUTE_TYPE type, jp_val *v)
{
	const jp_cert *c = &t->cert;
	bool priv = k == JP_OBJ_PRIV;

	switch (type) {
	case CKA_KEY_TYPE: SETV(rsa);
	case CKA_SUBJECT: SET(c->subject.p, c->subject.len);
	case CKA_START_DATE:
	case CKA_END_DATE: SET("", 0);
	case CKA_DERIVE:
	case CKA_LOCAL:
	case CKA_ENCRYPT:
	case CKA_DECRYPT:
	case CKA_WRAP:
	case CKA_UNWRAP:
	case CKA_VERIFY_RECOVER:
	case CKA_SIGN_RECOVER:
	case CKA_TRUSTED:
	case CKA_WRAP_WITH_TRUSTED:
	case CKA_EXTRACTABLE: SETB(no);
	case CKA_KEY_GEN_MECHANISM: SETV(unavailable_mech);
	case CKA_ALLOWED_MECHANISMS: SET(allowed, sizeof(allowed));
	case CKA_MODULUS: SET(c->modulus.p, c->modulus.len);
	case CKA_PUBLIC_EXPONENT: SET(c->exponent.p, c->exponent.len);
	case CKA_PUBLIC_KEY_INFO: SET(c->spki.p, c->spki.len);
	case CKA_MODULUS_BITS:
		if (priv)
			return false;
		SETV(c->bits);
	case CKA_VERIFY: SETB(*(priv ? &no : &yes));
	case CKA_SIGN:
	case CKA_SENSITIVE:
	case CKA_ALWAYS_SENSITIVE:
	case CKA_NEVER_EXTRACTABLE:
		if (!priv)
			return false;
		SETB(yes);
	case CKA_ALWAYS_AUTHENTICATE:
		if (!priv)
			return false;
		SETB(*(t->cred == JPKI_SIGN && jp_conf_always_auth() ? &yes : &no));
	case CKA_PRIVATE_EXPONENT:
	case CKA_PRIME_1:
	case CKA_PRIME_2:
	case CKA_EXPONENT_1:
	case CKA_EXPONENT_2:
	case CKA_COEFFICIENT:
		if (!priv)
			return false;
		v->sensitive = true;
		return true;
	default: return false;
	}
}

/* Look an attribute up; false when the object has no such attribute.  A
 * modulus not known yet (no certificate read) counts as absent. */
static bool lookup(const jp_token *t, jp_obj_kind k, CK_ATTRIBUTE_TYPE type, jp_val *v)
{
	bool found;

	memset(v, 0, sizeof(*v));
	if (common_attr(t, k, type, v))
		return true;
	if (k == JP_OBJ_CERT || k == JP_OBJ_CA)
		found = cert_attr(k == JP_OBJ_CA ? &t->ca : &t->cert, k, type, v);
	else
		found = key_attr(t, k, type, v);
	if (found && !v->sensitive && v->len > 0 && !v->p)
		return false;
	return found;
}

CK_RV jp_obj_get(const jp_token *t, jp_obj_kind k, CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	CK_RV rv = CKR_OK;
	CK_ULONG i;
	jp_val v;

	for (i = 0; i < n; i++) {
		CK_ATTRIBUTE *a = &tmpl[i];

		if (!lookup(t, k, a->type, &v)) {
			a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_ATTRIBUTE_TYPE_INVALID;
		} else if (v.sensitive) {
			a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			if (rv == CKR_OK)
				rv = CKR_ATTRIBUTE_SENSITIVE;
		} else if (!a->pValue) {
			a->ulValueLen = v.len;
		} else if (a->ulValueLen < v.len) {
			a->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			if (rv == CKR_OK)
				rv = CKR_BUFFER_TOO_SMALL;
		} else {
			if (v.len)
				memcpy(a->pValue, v.p, v.len);
			a->ulValueLen = v.len;
		}
	}
	return rv;
}

bool jp_obj_match(const jp_token *t, jp_obj_kind k, const CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	CK_ULONG i;
	jp_val v;

	for (i = 0; i < n; i++) {
		if (!lookup(t, k, tmpl[i].type, &v) || v.sensitive || v.len != tmpl[i].ulValueLen)
			return false;
		if (v.len && (!tmpl[i].pValue || memcmp(v.p, tmpl[i].pValue, v.len) != 0))
			return false;
	}
	return true;
}
