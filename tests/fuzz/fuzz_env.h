/* jpki-pkcs11 fuzzing: the files the module under fuzz writes, kept in
 * scratch places of the fuzz process and emptied before every input, so
 * that an input means the same on every machine and in every run, and
 * nothing reaches the user's home.
 *
 *   the debug log         JPKI_PKCS11_DEBUG_FILE, a scratch file, unless
 *                         the environment asked for a log already
 *   the certificate cache XDG_CACHE_HOME, a scratch directory; off unless
 *                         an input turns it on (fuzz_env_cache())
 *
 * Both are in one scratch directory, /tmp/jpki-fuzz.XXXXXX, removed at exit
 * (not after an abort()).
 */
#ifndef FUZZ_ENV_H
#define FUZZ_ENV_H

#include <stdbool.h>

/* Before each input: set up the scratch places (the first time), empty
 * them. */
void fuzz_env_input(void);
/* Before each C_Initialize (it reads the settings): the certificate cache
 * on, in the scratch directory, or off. */
void fuzz_env_cache(bool on);

#endif
