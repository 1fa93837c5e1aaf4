/* jpki-pkcs11: PINs kept in memory, locked against swapping and left out of
 * core dumps.
 *
 * A jp_secret holds one PIN for as long as the module must keep it (the
 * user-authentication PIN between login and logout, a context-specific PIN
 * until its signature).  Its page is mlock()ed (when the system allows;
 * otherwise it is still kept out of core dumps) and MADV_DONTDUMP.  Freeing
 * wipes it.  Thread-safe.
 */
#ifndef JP_SECRET_H
#define JP_SECRET_H

#include <stddef.h>
#include <stdint.h>

#define JP_SECRET_MAX 16

typedef struct {
	uint8_t len;
	uint8_t pin[JP_SECRET_MAX];
} jp_secret;

/* A zeroed secret, or NULL when out of memory. */
jp_secret *jp_secret_new(void);
/* Wipe and give back; NULL is fine. */
void jp_secret_free(jp_secret *s);
/* Store pin (at most JP_SECRET_MAX bytes; longer is refused with -1). */
int jp_secret_set(jp_secret *s, const uint8_t *pin, size_t len);
void jp_secret_wipe(jp_secret *s);

#endif
