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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_env.h"

/* One scratch directory per process: the log file and the cache's
 * XDG_CACHE_HOME in it, so an abort() leaves one directory behind. */
static char scratch[] = "/tmp/jpki-fuzz.XXXXXX";
static char log_path[sizeof(scratch) + 4], cache_root[sizeof(scratch) + 6];
static int log_fd = -1;
static bool have_cache;

/* Remove what is in dir, and what is in its subdirectories down to depth:
 * the cache is one directory of files. */
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
	empty_dir(scratch, 2);
	(void)rmdir(scratch);
}

static void setup(void)
{
	if (mkdtemp(scratch) == NULL)
		return;         /* no log, and the cache stays off: never the home */
	atexit(remove_all);
	snprintf(log_path, sizeof(log_path), "%s/log", scratch);
	snprintf(cache_root, sizeof(cache_root), "%s/cache", scratch);
	if (getenv("JPKI_PKCS11_DEBUG") == NULL &&
	    (log_fd = open(log_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >= 0) {
		setenv("JPKI_PKCS11_DEBUG", "1", 1);
		setenv("JPKI_PKCS11_DEBUG_FILE", log_path, 1);
	}
	have_cache = mkdir(cache_root, 0700) == 0;
	if (have_cache)
		setenv("XDG_CACHE_HOME", cache_root, 1);
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
