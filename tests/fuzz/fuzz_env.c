/* jpki-pkcs11 fuzzing: the module's scratch files (see fuzz_env.h).
 *
 * The certificate cache decides which APDUs the module sends: a cached
 * certificate costs one READ BINARY where a miss reads the whole file.
 * With the user's cache, an input would replay differently on each
 * machine and after each run, and the fuzzer would write there.  So the
 * cache lives in a scratch directory emptied before every input: what an
 * input does depends on its bytes only.  It is off unless an input turns
 * it on (fuzz_module.c's reinit), because an entry is written with a
 * synced file, slow for every input to pay; an input that turns it on and
 * meets the same card again reaches the check of a cached copy against the
 * card, which nothing else fuzzes.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_env.h"

static int log_fd = -1;
static char log_path[] = "/tmp/jpki-fuzz-log.XXXXXX";
static char cache_root[] = "/tmp/jpki-fuzz-cache.XXXXXX";
static bool have_cache;

/* Remove what is in dir, and what is in its subdirectories: the cache is
 * one directory of files. */
static void empty_dir(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char sub[512];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (unlink(sub) != 0 && depth > 0) {
			empty_dir(sub, depth - 1);
			(void)rmdir(sub);
		}
	}
	closedir(d);
}

static void remove_all(void)
{
	if (log_fd >= 0)
		unlink(log_path);
	if (have_cache) {
		empty_dir(cache_root, 1);
		rmdir(cache_root);
	}
}

static void setup(void)
{
	if (getenv("JPKI_PKCS11_DEBUG") == NULL && (log_fd = mkstemp(log_path)) >= 0) {
		setenv("JPKI_PKCS11_DEBUG", "1", 1);
		setenv("JPKI_PKCS11_DEBUG_FILE", log_path, 1);
	}
	/* without a scratch directory the cache stays off: never the home */
	have_cache = mkdtemp(cache_root) != NULL;
	if (have_cache)
		setenv("XDG_CACHE_HOME", cache_root, 1);
	atexit(remove_all);
}

void fuzz_env_input(void)
{
	static bool done;
	struct dirent *e;
	DIR *d;

	if (!done) {
		done = true;
		setup();
	}
	if (log_fd >= 0 && ftruncate(log_fd, 0) != 0)
		abort();
	if (!have_cache)
		return;
	empty_dir(cache_root, 1);
	/* anything left over would change what this input does */
	if ((d = opendir(cache_root)) == NULL)
		abort();
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			abort();
	closedir(d);
}

void fuzz_env_cache(bool on)
{
	if (on && have_cache)
		unsetenv("JPKI_PKCS11_CACHE");
	else
		setenv("JPKI_PKCS11_CACHE", "0", 1);
}
