/*
 * Creating a new card: the profile decides which PINs are usable and which
 * certificates are present; keys and certificates come from a directory
 * made by mkcard.sh.
 */
#include "vc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

enum pin_state { PIN_OK, PIN_LOCKED, PIN_UNSET };

static const struct vc_profile {
	const char *name;
	unsigned char avail[3];
	enum pin_state pin[VC_PIN_COUNT];	/* auth, sign, face */
	int sign_cert;
} profiles[] = {
	{ "standard", { 0x8F, 0x8F, 0 }, { PIN_OK, PIN_OK, PIN_OK }, 1 },
	{ "face-auth", { 0, 0x8F, 0 }, { PIN_UNSET, PIN_UNSET, PIN_UNSET }, 0 },
	{ "no-sign-cert", { 0, 0x8F, 0 }, { PIN_OK, PIN_UNSET, PIN_OK }, 0 },
	{ "auth-locked", { 0x8F, 0x8F, 0 }, { PIN_LOCKED, PIN_OK, PIN_OK }, 1 },
	{ "sign-locked", { 0x8F, 0x8F, 0 }, { PIN_OK, PIN_LOCKED, PIN_OK }, 1 },
	/* mkcard.sh --expired makes certificates that have ended */
	{ "expired", { 0x8F, 0x8F, 0 }, { PIN_OK, PIN_OK, PIN_OK }, 1 },
	/* an Android phone's JPKI applet: no card-face applet, no face PIN */
	{ "phone", { 0x8F, 0x8F, 0 }, { PIN_OK, PIN_OK, PIN_UNSET }, 1 },
};

static const int pin_max[VC_PIN_COUNT] = { 3, 5, 3 };

static char *path_in(const char *dir, const char *file)
{
	size_t n = strlen(dir) + strlen(file) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, file);
	return p;
}

/* A certificate in PEM or DER, stored as DER. Missing file: empty blob. */
static int load_cert(const char *dir, const char *file, struct vc_blob *out)
{
	char *path = path_in(dir, file);
	BIO *bio = path ? BIO_new_file(path, "rb") : NULL;
	X509 *x = NULL;
	unsigned char *der = NULL;
	int len, rv = -1;

	out->data = NULL;
	out->len = 0;
	if (!bio) {
		rv = 0;
		goto out;
	}
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (!x) {
		(void)BIO_reset(bio);
		x = d2i_X509_bio(bio, NULL);
	}
	if (!x) {
		fprintf(stderr, "jpki-vcard: %s: not a certificate\n", path);
		goto out;
	}
	len = i2d_X509(x, &der);
	if (len > 0) {
		out->data = der;
		out->len = (size_t)len;
		rv = 0;
	}
out:
	X509_free(x);
	BIO_free(bio);
	free(path);
	return rv;
}

static int load_key(const char *dir, const char *file, EVP_PKEY **out)
{
	char *path = path_in(dir, file);
	BIO *bio = path ? BIO_new_file(path, "rb") : NULL;

	*out = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	if (!*out)
		fprintf(stderr, "jpki-vcard: %s: cannot read the key\n",
			path ? path : file);
	BIO_free(bio);
	free(path);
	return *out ? 0 : -1;
}

/* 11 random digits and the check digit of the My Number rules. */
static void fake_mynumber(char out[13])
{
	unsigned char r[11];
	int i, sum = 0, rem;

	RAND_bytes(r, sizeof(r));
	for (i = 0; i < 11; i++)
		out[i] = (char)('0' + r[i] % 10);
	for (i = 1; i <= 11; i++) {	/* digits counted from the right */
		int p = out[11 - i] - '0';
		int q = i <= 6 ? i + 1 : i - 5;

		sum += p * q;
	}
	rem = sum % 11;
	out[11] = (char)('0' + (rem <= 1 ? 0 : 11 - rem));
	out[12] = '\0';
}

static void random_serial(char out[17])
{
	unsigned char r[14];
	int i;

	RAND_bytes(r, sizeof(r));
	out[0] = 'V';
	out[1] = 'C';
	for (i = 0; i < 14; i++)
		out[2 + i] = (char)('0' + r[i] % 10);
	out[16] = '\0';
}

static int set_pin(struct vc_pin *p, enum pin_state st, int max,
		   const char *value)
{
	if (strlen(value) > 16)
		return -1;
	snprintf(p->value, sizeof(p->value), "%s", st == PIN_UNSET ? "" : value);
	p->set = st != PIN_UNSET;
	p->max = max;
	p->tries = st == PIN_OK ? max : 0;
	return 0;
}

int vc_card_create(struct vc_card *c, const char *profile,
		   const char *certdir, const char *auth_pin,
		   const char *sign_pin, const char *face_pin,
		   const char *serial)
{
	const struct vc_profile *pr = NULL;
	const char *pins[VC_PIN_COUNT] = { auth_pin, sign_pin, face_pin };
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (strcmp(profiles[i].name, profile) == 0)
			pr = &profiles[i];
	if (!pr) {
		fprintf(stderr, "jpki-vcard: unknown profile %s\n", profile);
		return -1;
	}
	snprintf(c->profile, sizeof(c->profile), "%s", pr->name);
	memcpy(c->avail, pr->avail, 3);
	for (i = 0; i < VC_PIN_COUNT; i++)
		if (set_pin(&c->pins[i], pr->pin[i], pin_max[i], pins[i]))
			goto fail;
	if (serial && strlen(serial) != 16) {
		fprintf(stderr, "jpki-vcard: the serial must be 16 characters\n");
		goto fail;
	}
	if (serial)
		memcpy(c->serial, serial, 17);
	else
		random_serial(c->serial);
	if (load_cert(certdir, "auth.crt", &c->cert[VC_KEY_AUTH]) ||
	    load_cert(certdir, "auth-ca.crt", &c->ca[VC_KEY_AUTH]) ||
	    load_cert(certdir, "sign-ca.crt", &c->ca[VC_KEY_SIGN]) ||
	    (pr->sign_cert &&
	     load_cert(certdir, "sign.crt", &c->cert[VC_KEY_SIGN])) ||
	    load_key(certdir, "auth.key", &c->key[VC_KEY_AUTH]) ||
	    load_key(certdir, "sign.key", &c->key[VC_KEY_SIGN]))
		goto fail;
	if (!c->cert[VC_KEY_AUTH].len) {
		fprintf(stderr, "jpki-vcard: %s/auth.crt is missing\n", certdir);
		goto fail;
	}
	fake_mynumber(c->face.mynumber);
	c->face.name = strdup("試験　花子");
	c->face.address = strdup("東京都千代田区架空町一丁目2番3号");
	memcpy(c->face.birth, "19900101", 9);
	memcpy(c->face.sex, "2", 2);
	if (!c->face.name || !c->face.address)
		goto fail;
	return 0;
fail:
	vc_card_free(c);
	return -1;
}
