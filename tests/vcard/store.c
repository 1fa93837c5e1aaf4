/*
 * The state file: everything a real card keeps in EEPROM (keys,
 * certificates, PINs, retry counters, card-face data), so that counters
 * survive a restart of the virtual card.
 *
 * Format: text, one item per line, "keyword args...", binary values in hex,
 * "-" for an absent value. Written to a temporary file and renamed, so a
 * reader never sees half a file.
 */
#include "vc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/x509.h>

#define MAGIC "jpki-vcard-state 1"

static const char *const pin_names[VC_PIN_COUNT] = { "auth", "sign", "face" };
static const char *const key_names[VC_KEY_COUNT] = { "auth", "sign" };

static void put_hex(FILE *f, const unsigned char *p, size_t len)
{
	size_t i;

	if (!len) {
		fputc('-', f);
		return;
	}
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
}

/* Parses hex (or "-") into a new buffer. Returns 0 or -1. */
static int get_hex(const char *s, struct vc_blob *b)
{
	size_t i, n = strlen(s);
	unsigned int v;

	b->data = NULL;
	b->len = 0;
	if (strcmp(s, "-") == 0)
		return 0;
	if (n == 0 || n % 2)
		return -1;
	b->data = malloc(n / 2);
	if (!b->data)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1) {
			free(b->data);
			b->data = NULL;
			return -1;
		}
		b->data[i] = (unsigned char)v;
	}
	b->len = n / 2;
	return 0;
}

static void put_key(FILE *f, EVP_PKEY *key)
{
	unsigned char *der = NULL;
	int len = key ? i2d_PrivateKey(key, &der) : 0;

	put_hex(f, der, len > 0 ? (size_t)len : 0);
	OPENSSL_clear_free(der, len > 0 ? (size_t)len : 0);
}

int vc_state_save(const struct vc_card *c, const char *path)
{
	char tmp[4096];
	FILE *f;
	int i, rv = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%s\nprofile %s\nserial %s\navailability ", MAGIC,
		c->profile, c->serial);
	put_hex(f, c->avail, 3);
	for (i = 0; i < VC_PIN_COUNT; i++)
		fprintf(f, "\npin %s %s %d %d", pin_names[i],
			c->pins[i].set ? c->pins[i].value : "-",
			c->pins[i].tries, c->pins[i].max);
	for (i = 0; i < VC_KEY_COUNT; i++) {
		fprintf(f, "\ncert %s ", key_names[i]);
		put_hex(f, c->cert[i].data, c->cert[i].len);
		fprintf(f, "\nca %s ", key_names[i]);
		put_hex(f, c->ca[i].data, c->ca[i].len);
		fprintf(f, "\nkey %s ", key_names[i]);
		put_key(f, c->key[i]);
	}
	fprintf(f, "\nface mynumber %s\nface name ", c->face.mynumber);
	put_hex(f, (const unsigned char *)c->face.name, strlen(c->face.name));
	fprintf(f, "\nface address ");
	put_hex(f, (const unsigned char *)c->face.address,
		strlen(c->face.address));
	fprintf(f, "\nface birth %s\nface sex %s\n", c->face.birth,
		c->face.sex);
	if (fflush(f) == 0 && !ferror(f))
		rv = 0;
	if (fclose(f) != 0)
		rv = -1;
	if (rv == 0 && rename(tmp, path) != 0)
		rv = -1;
	if (rv != 0)
		remove(tmp);
	return rv;
}

static int find_name(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int blob_string(const char *hex, char **out)
{
	struct vc_blob b;
	char *s;

	if (get_hex(hex, &b))
		return -1;
	s = malloc(b.len + 1);
	if (!s) {
		free(b.data);
		return -1;
	}
	if (b.len)
		memcpy(s, b.data, b.len);
	s[b.len] = '\0';
	free(b.data);
	free(*out);
	*out = s;
	return 0;
}

/* One line; returns 0, or -1 when it is malformed. */
static int load_line(struct vc_card *c, char *line)
{
	char *kw = strtok(line, " \n"), *a1 = strtok(NULL, " \n"),
	     *a2 = strtok(NULL, " \n"), *a3 = strtok(NULL, " \n"),
	     *a4 = strtok(NULL, " \n");
	struct vc_blob b;
	const unsigned char *p;
	int i;

	if (!kw || !a1)
		return -1;
	if (strcmp(kw, "profile") == 0) {
		snprintf(c->profile, sizeof(c->profile), "%s", a1);
	} else if (strcmp(kw, "serial") == 0 && strlen(a1) == 16) {
		memcpy(c->serial, a1, 17);
	} else if (strcmp(kw, "availability") == 0) {
		if (get_hex(a1, &b) || b.len != 3) {
			free(b.data);
			return -1;
		}
		memcpy(c->avail, b.data, 3);
		free(b.data);
	} else if (strcmp(kw, "pin") == 0 && a4) {
		i = find_name(pin_names, VC_PIN_COUNT, a1);
		if (i < 0 || strlen(a2) > 16)
			return -1;
		c->pins[i].set = strcmp(a2, "-") != 0;
		snprintf(c->pins[i].value, sizeof(c->pins[i].value), "%s",
			 c->pins[i].set ? a2 : "");
		c->pins[i].tries = atoi(a3);
		c->pins[i].max = atoi(a4);
		if (c->pins[i].tries < 0 || c->pins[i].max < 1 ||
		    c->pins[i].max > 15 || c->pins[i].tries > c->pins[i].max)
			return -1;
	} else if ((strcmp(kw, "cert") == 0 || strcmp(kw, "ca") == 0) && a2) {
		i = find_name(key_names, VC_KEY_COUNT, a1);
		if (i < 0)
			return -1;
		struct vc_blob *dst = kw[1] == 'e' ? &c->cert[i] : &c->ca[i];
		free(dst->data);
		return get_hex(a2, dst);
	} else if (strcmp(kw, "key") == 0 && a2) {
		i = find_name(key_names, VC_KEY_COUNT, a1);
		if (i < 0 || get_hex(a2, &b))
			return -1;
		EVP_PKEY_free(c->key[i]);
		c->key[i] = NULL;
		if (b.len) {
			p = b.data;
			c->key[i] = d2i_AutoPrivateKey(NULL, &p, (long)b.len);
			OPENSSL_clear_free(b.data, b.len);
			return c->key[i] ? 0 : -1;
		}
	} else if (strcmp(kw, "face") == 0 && a2) {
		if (strcmp(a1, "mynumber") == 0 && strlen(a2) == 12)
			memcpy(c->face.mynumber, a2, 13);
		else if (strcmp(a1, "name") == 0)
			return blob_string(a2, &c->face.name);
		else if (strcmp(a1, "address") == 0)
			return blob_string(a2, &c->face.address);
		else if (strcmp(a1, "birth") == 0 && strlen(a2) == 8)
			memcpy(c->face.birth, a2, 9);
		else if (strcmp(a1, "sex") == 0 && strlen(a2) == 1)
			memcpy(c->face.sex, a2, 2);
		else
			return -1;
	} else {
		return -1;
	}
	return 0;
}

/* Returns 0, 1 when the file does not exist, -1 when it is unusable. */
int vc_state_load(struct vc_card *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int rv = 0, lineno = 0;

	if (!f)
		return errno == ENOENT ? 1 : -1;
	memset(c, 0, sizeof(*c));
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		if (lineno == 1) {
			if (strncmp(line, MAGIC, strlen(MAGIC)) != 0) {
				rv = -1;
				break;
			}
			continue;
		}
		if (load_line(c, line)) {
			fprintf(stderr, "jpki-vcard: %s:%d: bad line\n", path,
				lineno);
			rv = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	if (rv == 0 && (!c->serial[0] || !c->face.name || !c->face.address))
		rv = -1;
	if (rv != 0)
		vc_card_free(c);
	return rv;
}

void vc_card_free(struct vc_card *c)
{
	int i;

	for (i = 0; i < VC_KEY_COUNT; i++) {
		free(c->cert[i].data);
		free(c->ca[i].data);
		EVP_PKEY_free(c->key[i]);
	}
	free(c->face.name);
	free(c->face.address);
	OPENSSL_cleanse(c, sizeof(*c));
}

void vc_persist(struct vc_ctx *ctx)
{
	if (ctx->state_path && vc_state_save(&ctx->card, ctx->state_path))
		fprintf(stderr, "jpki-vcard: cannot write %s: %s\n",
			ctx->state_path, strerror(errno));
}
