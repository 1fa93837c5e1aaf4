/* jpki-pkcs11: the on-disk cache of a card's public certificates.
 *
 * Only what anyone may read from the card without a PIN goes here: the
 * user-authentication certificate and the two CA certificates.  Never the
 * signature certificate, card-face data or anything private: the caller
 * picks the item, and jp_cache_item has no other values.
 *
 * Where: $XDG_CACHE_HOME/jpki-pkcs11/ (an absolute XDG_CACHE_HOME), else
 * $HOME/.cache/jpki-pkcs11/, both read with secure_getenv.  The directory
 * is created 0700 and used only when it is a real directory (not a
 * symlink) owned by the user with no access for group or others.  One file
 * per card serial and item, written to a temporary file, synced and
 * renamed into place, so concurrent writers never leave a torn entry.
 *
 * An entry is a 64-byte header (magic, version, item, DER length, card
 * serial, SHA-256 of the DER) and the DER.  It is used only when it is a
 * regular file (opened O_NOFOLLOW) owned by the user, mode 0600 or
 * stricter, of exactly the header's size, and every header field matches.
 *
 * Nothing here is ever an error upward: a cache that cannot be read is a
 * miss, one that cannot be written is left alone.  A bad entry is a miss
 * and the next put replaces it.  The entry is a hint: the caller checks it
 * against the card before use (jpki.h, jpki_read_cert's known).
 */
#ifndef JP_CACHE_H
#define JP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
	JP_CACHE_AUTH_CERT = 0, /* user-authentication certificate (public on cards) */
	JP_CACHE_AUTH_CA = 1,   /* its CA */
	JP_CACHE_SIGN_CA = 2,   /* the signature certificate's CA */
} jp_cache_item;

/* A certificate bigger than this is not cached (nor one the card holds). */
#define JP_CACHE_MAX_DER 8192

typedef struct {
	char *dir;              /* the cache directory; NULL: the cache is off */
} jp_cache;

/* on false: the cache is off (JPKI_PKCS11_CACHE=0).  No file is touched
 * here; the directory is made at the first put.  Never fails: without a
 * usable home the cache is off. */
void jp_cache_init(jp_cache *c, bool on);
void jp_cache_free(jp_cache *c);
static inline bool jp_cache_on(const jp_cache *c) { return c->dir != NULL; }

/* The DER cached for the card with serial card (1..16 printable ASCII
 * characters) and item: true with *der malloc'd (the caller frees).
 * false on any miss or doubt. */
bool jp_cache_get(const jp_cache *c, const char *card, jp_cache_item item, uint8_t **der, size_t *len);

/* Write (or replace) the entry.  Best effort, silent. */
void jp_cache_put(const jp_cache *c, const char *card, jp_cache_item item, const uint8_t *der, size_t len);

#endif
