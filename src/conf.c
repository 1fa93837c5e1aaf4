/* jpki-pkcs11: the configuration (see conf.h).  The environment is the
 * only source: a browser policy or p11-kit names a module file, so the
 * browser's token choice is a file of its own (module.c), and everything
 * else has a safe default. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "jpki.h"
#include "log.h"

unsigned jp_module_tokens = 1u << JPKI_AUTH | 1u << JPKI_SIGN | 1u << JPKI_FACE;

static struct {
	bool always_auth;
	unsigned tokens;
	bool pinpad;
	jp_cache cache;
} cfg = { true, 1u << JPKI_AUTH | 1u << JPKI_SIGN | 1u << JPKI_FACE, true, { NULL } };

static bool env_off(const char *name)
{
	const char *v = secure_getenv(name);
	return v && (strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "false") == 0);
}

/* JPKI_PKCS11_TOKENS: which tokens the module shows, e.g. "auth" for a
 * browser (it then never asks for the signature PIN while it looks for
 * client certificates), "sign" for a signing tool, "face" for the
 * card-face data.  Unset or empty: all.
 * Only the named tokens are shown; unknown words are ignored (and logged),
 * so a misspelt value hides rather than shows. */
static unsigned tokens_from_env(void)
{
	const char *v = secure_getenv("JPKI_PKCS11_TOKENS");
	unsigned mask = 0;
	size_t n;

	if (!v || !*v)
		return 1u << JPKI_AUTH | 1u << JPKI_SIGN | 1u << JPKI_FACE;
	while (*v) {
		n = strcspn(v, ", ");
		if (n == 4 && strncmp(v, "auth", 4) == 0)
			mask |= 1u << JPKI_AUTH;
		else if (n == 4 && strncmp(v, "sign", 4) == 0)
			mask |= 1u << JPKI_SIGN;
		else if (n == 4 && strncmp(v, "face", 4) == 0)
			mask |= 1u << JPKI_FACE;
		else if (n)
			JP_LOG("JPKI_PKCS11_TOKENS: unknown token \"%.*s\" ignored", (int)n, v);
		v += n;
		v += strspn(v, ", ");
	}
	return mask;
}

void jp_conf_load(void)
{
	cfg.always_auth = !env_off("JPKI_PKCS11_ALWAYS_AUTHENTICATE");
	cfg.tokens = jp_module_tokens & tokens_from_env();
	cfg.pinpad = !env_off("JPKI_PKCS11_PINPAD");
	if (!cfg.pinpad)
		JP_LOG("JPKI_PKCS11_PINPAD: PIN-pad keypads not used");
	jp_cache_free(&cfg.cache);
	jp_cache_init(&cfg.cache, !env_off("JPKI_PKCS11_CACHE"));
}

void jp_conf_unload(void)
{
	jp_cache_free(&cfg.cache);
}

bool jp_conf_pinpad(void)
{
	return cfg.pinpad;
}

void jp_conf_set_pinpad(bool on)
{
	cfg.pinpad = on;
}

const jp_cache *jp_conf_cache(void)
{
	return &cfg.cache;
}

bool jp_conf_always_auth(void)
{
	return cfg.always_auth;
}

unsigned jp_conf_tokens(void)
{
	return cfg.tokens;
}

void jp_conf_set(bool always_auth, unsigned tokens)
{
	cfg.always_auth = always_auth;
	cfg.tokens = tokens;
	cfg.pinpad = true;
}
