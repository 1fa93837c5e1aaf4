/* jpki-pkcs11: the module's configuration, read from the environment once
 * per C_Initialize (with secure_getenv), then only read. */
#ifndef JP_CONF_H
#define JP_CONF_H

#include <stdbool.h>

#include "cache.h"

/* Bit (1 << credential) per token this module file may show at most;
 * jpki-pkcs11-auth.so narrows it in its C_GetFunctionList (module.c). */
extern unsigned jp_module_tokens;

/* Read the environment: JPKI_PKCS11_TOKENS, JPKI_PKCS11_ALWAYS_AUTHENTICATE,
 * JPKI_PKCS11_PINPAD, JPKI_PKCS11_CACHE (and the cache's place:
 * XDG_CACHE_HOME, HOME). */
void jp_conf_load(void);
/* Let go of what jp_conf_load() allocated (C_Finalize); the cache is off
 * until the next load. */
void jp_conf_unload(void);

/* CKA_ALWAYS_AUTHENTICATE on the signature key (default on). */
bool jp_conf_always_auth(void);
/* Bit (1 << credential) per token shown. */
unsigned jp_conf_tokens(void);
static inline bool jp_conf_shows(int cred) { return (jp_conf_tokens() >> cred) & 1u; }

/* PIN-pad readers' keypads are used (default on; JPKI_PKCS11_PINPAD=0
 * turns them off, for readers that claim a keypad they lack). */
bool jp_conf_pinpad(void);

/* The certificate cache (cache.h): on unless JPKI_PKCS11_CACHE is 0, no or
 * false; off until jp_conf_load(). */
const jp_cache *jp_conf_cache(void);

/* Tests: set both without the environment (the keypad back on, the cache as
 * it is). */
void jp_conf_set(bool always_auth, unsigned tokens);
void jp_conf_set_pinpad(bool on);

#endif
