/* jpki-pkcs11 tests: the on-disk certificate cache — where it lives, what
 * it trusts, and that nothing it meets on disk makes it fail or lie.
 * Runs as any user; the "other owner" cases need root (chown) and are
 * skipped otherwise. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cache.h"

#define CARD "ABCDEF0123456789"

typedef struct {
	char root[64];          /* scratch: XDG_CACHE_HOME */
	char dir[128];          /* root/jpki-pkcs11 */
	jp_cache c;
	uint8_t der[1500];
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	size_t i;

	strcpy(f->root, "/tmp/jpki-cache-test.XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/jpki-pkcs11", f->root);
	setenv("XDG_CACHE_HOME", f->root, 1);
	jp_cache_init(&f->c, true);
	for (i = 0; i < sizeof(f->der); i++)
		f->der[i] = (uint8_t)(i * 7 + 3);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	char cmd[256];

	jp_cache_free(&f->c);
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s'; rm -rf '%s'", f->root, f->root);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void path_of(fx *f, const char *file, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", f->dir, file);
}

/* The entry file of CARD's user-authentication certificate. */
static void entry(fx *f, char *out, size_t n)
{
	path_of(f, "41424344454630313233343536373839.auth-cert", out, n);
}

/* get, and compare with f->der when found */
static bool hit(fx *f, jp_cache_item item)
{
	uint8_t *der = NULL;
	size_t len = 0;
	bool ok = jp_cache_get(&f->c, CARD, item, &der, &len);

	if (ok) {
		assert_int_equal(len, sizeof(f->der));
		assert_memory_equal(der, f->der, len);
	} else {
		assert_null(der);
	}
	free(der);
	return ok;
}

static void test_roundtrip(void **state)
{
	fx *f = *state;
	char p[256];
	struct stat st;

	assert_false(hit(f, JP_CACHE_AUTH_CERT));
	jp_cache_put(&f->c, CARD, JP_CACHE_AUTH_CERT, f->der, sizeof(f->der));
	assert_true(hit(f, JP_CACHE_AUTH_CERT));
	/* one entry per item */
	assert_false(hit(f, JP_CACHE_AUTH_CA));
	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	entry(f, p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 64 + sizeof(f->der));
	/* another card's serial finds nothing */
	{
		uint8_t *der = NULL;
		size_t len = 0;
		assert_false(jp_cache_get(&f->c, "ABCDEF0123456788", JP_CACHE_AUTH_CERT, &der, &len));
	}
	/* a serial with a slash stays inside the directory */
	jp_cache_put(&f->c, "../x/y", JP_CACHE_AUTH_CA, f->der, sizeof(f->der));
	path_of(f, "2e2e2f782f79.auth-ca", p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
}

static void test_home_fallback_and_off(void **state)
{
	fx *f = *state;
	jp_cache c;
	char want[256];

	(void)f;
	setenv("HOME", "/home/someone", 1);
	setenv("XDG_CACHE_HOME", "relative/path", 1);       /* invalid: ignored */
	jp_cache_init(&c, true);
	assert_non_null(c.dir);
	assert_string_equal(c.dir, "/home/someone/.cache/jpki-pkcs11");
	jp_cache_free(&c);

	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	jp_cache_init(&c, true);
	assert_false(jp_cache_on(&c));
	jp_cache_free(&c);

	/* off (JPKI_PKCS11_CACHE=0): neither read nor written */
	setenv("XDG_CACHE_HOME", f->root, 1);
	jp_cache_put(&f->c, CARD, JP_CACHE_AUTH_CERT, f->der, sizeof(f->der));
	jp_cache_init(&c, false);
	assert_false(jp_cache_on(&c));
	{
		uint8_t *der = NULL;
		size_t len = 0;
		assert_false(jp_cache_get(&c, CARD, JP_CACHE_AUTH_CERT, &der, &len));
	}
	snprintf(want, sizeof(want), "%s/.cache", f->root);
	setenv("HOME", f->root, 1);
	jp_cache_put(&c, CARD, JP_CACHE_AUTH_CA, f->der, sizeof(f->der));
	assert_false(hit(f, JP_CACHE_AUTH_CA));
	assert_int_not_equal(access(want, F_OK), 0);
	jp_cache_free(&c);
}

static void test_missing_parent_is_made(void **state)
{
	fx *f = *state;
	jp_cache c;
	char p[256];
	struct stat st;
	uint8_t *der = NULL;
	size_t len = 0;

	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", f->root, 1);
	jp_cache_init(&c, true);
	jp_cache_put(&c, CARD, JP_CACHE_SIGN_CA, f->der, sizeof(f->der));
	assert_true(jp_cache_get(&c, CARD, JP_CACHE_SIGN_CA, &der, &len));
	free(der);
	snprintf(p, sizeof(p), "%s/.cache", f->root);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	jp_cache_free(&c);
	setenv("XDG_CACHE_HOME", f->root, 1);
}

/* Write raw bytes over the entry (keeping it private and ours). */
static void plant(const char *p, const uint8_t *buf, size_t n)
{
	int fd;

	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
	close(fd);
}

static uint8_t *slurp(const char *p, size_t *n)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(p, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*n = (size_t)st.st_size;
	return buf;
}

/* Every kind of damage is a miss, and the next put makes it good. */
static void test_damaged_entries(void **state)
{
	fx *f = *state;
	char p[256], other[256];
	uint8_t *good, *bad, junk[2000];
	size_t n, i;

	jp_cache_put(&f->c, CARD, JP_CACHE_AUTH_CERT, f->der, sizeof(f->der));
	entry(f, p, sizeof(p));
	good = slurp(p, &n);
	bad = malloc(n + 1);

	/* one byte short, one byte more */
	plant(p, good, n - 1);
	assert_false(hit(f, JP_CACHE_AUTH_CERT));
	memcpy(bad, good, n);
	bad[n] = 0;
	plant(p, bad, n + 1);
	assert_false(hit(f, JP_CACHE_AUTH_CERT));
	/* a header alone, an empty file */
	plant(p, good, 64);
	assert_false(hit(f, JP_CACHE_AUTH_CERT));
	plant(p, good, 0);
	assert_false(hit(f, JP_CACHE_AUTH_CERT));
	/* a flipped bit in the DER (the hash), in the magic, the version, the
	 * length, the serial */
	{
		static const size_t at[] = { 64 + 700, 0, 4, 11, 16 };
		for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
			memcpy(bad, good, n);
			bad[at[i]] ^= 1;
			plant(p, bad, n);
			assert_false(hit(f, JP_CACHE_AUTH_CERT));
		}
	}
	/* garbage of the right size */
	for (i = 0; i < n; i++)
		bad[i] = (uint8_t)(i * 131 + 17);
	plant(p, bad, n);
	assert_false(hit(f, JP_CACHE_AUTH_CERT));
	/* too big to be a certificate */
	memset(junk, 'x', sizeof(junk));
	plant(p, junk, sizeof(junk));
	for (i = 0; i < 5; i++) {
		int fd = open(p, O_WRONLY | O_APPEND);
		assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
		close(fd);
	}
	assert_false(hit(f, JP_CACHE_AUTH_CERT));
	/* a good entry under another item's name (the item is in the header) */
	plant(p, good, n);
	path_of(f, "41424344454630313233343536373839.auth-ca", other, sizeof(other));
	plant(other, good, n);
	assert_false(hit(f, JP_CACHE_AUTH_CA));
	/* readable by others: not trusted */
	plant(p, good, n);
	assert_true(hit(f, JP_CACHE_AUTH_CERT));
	assert_int_equal(chmod(p, 0644), 0);
	assert_false(hit(f, JP_CACHE_AUTH_CERT));

	/* after all that, a put replaces the entry and it is good again */
	jp_cache_put(&f->c, CARD, JP_CACHE_AUTH_CERT, f->der, sizeof(f->der));
	assert_true(hit(f, JP_CACHE_AUTH_CERT));
	free(good);
	free(bad);
}

static void test_symlinks(void **state)
{
	fx *f = *state;
	char p[256], target[512], moved[256];
	struct stat st;
	uint8_t *good, *after;
	size_t n, m;

	jp_cache_put(&f->c, CARD, JP_CACHE_AUTH_CERT, f->der, sizeof(f->der));
	entry(f, p, sizeof(p));
	good = slurp(p, &n);
	/* the entry is a symlink to a perfectly good entry elsewhere */
	snprintf(target, sizeof(target), "%s/elsewhere", f->root);
	plant(target, good, n);
	unlink(p);
	assert_int_equal(symlink(target, p), 0);
	assert_false(hit(f, JP_CACHE_AUTH_CERT));
	/* a put replaces the link itself; its target is untouched */
	f->der[0] ^= 0xFF;
	jp_cache_put(&f->c, CARD, JP_CACHE_AUTH_CERT, f->der, sizeof(f->der));
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_true(hit(f, JP_CACHE_AUTH_CERT));
	after = slurp(target, &m);
	assert_int_equal(m, n);
	assert_memory_equal(after, good, n);
	free(after);

	/* the directory itself a symlink to a private directory: not used,
	 * neither read nor written */
	snprintf(moved, sizeof(moved), "%s/real", f->root);
	assert_int_equal(rename(f->dir, moved), 0);
	assert_int_equal(symlink(moved, f->dir), 0);
	assert_false(hit(f, JP_CACHE_AUTH_CERT));
	jp_cache_put(&f->c, CARD, JP_CACHE_SIGN_CA, f->der, sizeof(f->der));
	snprintf(target, sizeof(target), "%s/41424344454630313233343536373839.sign-ca", moved);
	assert_int_not_equal(access(target, F_OK), 0);

	/* a FIFO in the entry's place: a miss at once, never a hang */
	assert_int_equal(unlink(f->dir), 0);
	assert_int_equal(rename(moved, f->dir), 0);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_false(hit(f, JP_CACHE_AUTH_CERT));
	jp_cache_put(&f->c, CARD, JP_CACHE_AUTH_CERT, f->der, sizeof(f->der));
	assert_true(hit(f, JP_CACHE_AUTH_CERT));
	free(good);
}

static void test_other_owner(void **state)
{
	fx *f = *state;
	char p[256];
	struct stat st;

	if (geteuid() != 0)
		skip();
	jp_cache_put(&f->c, CARD, JP_CACHE_AUTH_CERT, f->der, sizeof(f->der));
	entry(f, p, sizeof(p));
	/* the entry belongs to someone else */
	assert_int_equal(chown(p, 4242, 4242), 0);
	assert_false(hit(f, JP_CACHE_AUTH_CERT));
	jp_cache_put(&f->c, CARD, JP_CACHE_AUTH_CERT, f->der, sizeof(f->der));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_uid, geteuid());
	assert_true(hit(f, JP_CACHE_AUTH_CERT));
	/* the directory belongs to someone else: not used at all */
	assert_int_equal(chown(f->dir, 4242, 4242), 0);
	assert_false(hit(f, JP_CACHE_AUTH_CERT));
	jp_cache_put(&f->c, CARD, JP_CACHE_AUTH_CA, f->der, sizeof(f->der));
	assert_int_equal(chown(f->dir, geteuid(), getegid()), 0);
	assert_false(hit(f, JP_CACHE_AUTH_CA));
	assert_true(hit(f, JP_CACHE_AUTH_CERT));
	/* a directory open to others: not used */
	assert_int_equal(chmod(f->dir, 0755), 0);
	assert_false(hit(f, JP_CACHE_AUTH_CERT));
}

/* A cache that cannot be written: every call returns, nothing is made. */
static void test_unwritable(void **state)
{
	fx *f = *state;
	char file[256];
	jp_cache c;
	pid_t pid;
	int status;

	/* XDG_CACHE_HOME is a file: no directory can be made under it */
	snprintf(file, sizeof(file), "%s/file", f->root);
	plant(file, (const uint8_t *)"x", 1);
	setenv("XDG_CACHE_HOME", file, 1);
	jp_cache_init(&c, true);
	jp_cache_put(&c, CARD, JP_CACHE_AUTH_CERT, f->der, sizeof(f->der));
	{
		uint8_t *der = NULL;
		size_t len = 0;
		assert_false(jp_cache_get(&c, CARD, JP_CACHE_AUTH_CERT, &der, &len));
	}
	jp_cache_free(&c);
	setenv("XDG_CACHE_HOME", f->root, 1);

	/* the directory exists and is ours but may not be written: a child
	 * running as another user (root bypasses permission bits) */
	jp_cache_put(&f->c, CARD, JP_CACHE_AUTH_CERT, f->der, sizeof(f->der));
	if (geteuid() != 0)
		return;
	assert_int_equal(chown(f->root, 4242, 4242), 0);
	assert_int_equal(chown(f->dir, 4242, 4242), 0);
	assert_int_equal(chmod(f->dir, 0500), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		uint8_t *der = NULL;
		size_t len = 0;
		char p[256];

		if (setgid(4242) != 0 || setuid(4242) != 0)
			_exit(3);
		f->der[5] ^= 1;
		jp_cache_put(&f->c, CARD, JP_CACHE_AUTH_CERT, f->der, sizeof(f->der));
		/* the old entry stands; nothing else was made */
		entry(f, p, sizeof(p));
		if (access(p, F_OK) != 0)
			_exit(4);
		/* the entry is root's, so this user does not trust it */
		if (jp_cache_get(&f->c, CARD, JP_CACHE_AUTH_CERT, &der, &len))
			_exit(5);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(chown(f->dir, 0, 0), 0);
	assert_int_equal(chown(f->root, 0, 0), 0);
	assert_int_equal(chmod(f->dir, 0700), 0);
	assert_true(hit(f, JP_CACHE_AUTH_CERT));        /* unchanged */
	{
		DIR *d = opendir(f->dir);
		struct dirent *e;
		int files = 0;
		while ((e = readdir(d)))
			files += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
		closedir(d);
		assert_int_equal(files, 1);
	}
}

/* Several processes writing the same entry at once, one reading: every
 * read finds a whole entry of one writer, never a torn one. */
static void test_concurrent_writers(void **state)
{
	fx *f = *state;
	enum { WRITERS = 6, ROUNDS = 40 };
	pid_t pids[WRITERS];
	int i, status, misses = 0, reads = 0;
	DIR *d;
	struct dirent *e;

	jp_cache_put(&f->c, CARD, JP_CACHE_AUTH_CERT, f->der, sizeof(f->der));
	for (i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			uint8_t der[3000];
			size_t len = 1000 + (size_t)i * 300, k;
			int r;

			for (k = 0; k < len; k++)
				der[k] = (uint8_t)(i + k);
			for (r = 0; r < ROUNDS; r++)
				jp_cache_put(&f->c, CARD, JP_CACHE_AUTH_CERT, der, len);
			_exit(0);
		}
	}
	for (;;) {
		uint8_t *der = NULL;
		size_t len = 0, k;
		int w, alive = 0;

		for (i = 0; i < WRITERS; i++)
			alive += pids[i] && waitpid(pids[i], &status, WNOHANG) == 0;
		if (jp_cache_get(&f->c, CARD, JP_CACHE_AUTH_CERT, &der, &len)) {
			reads++;
			if (len != sizeof(f->der)) {
				/* one writer's whole certificate */
				w = (int)(len - 1000) / 300;
				assert_int_equal(len, 1000 + (size_t)w * 300);
				for (k = 0; k < len; k++)
					assert_int_equal(der[k], (uint8_t)(w + k));
			}
			free(der);
		} else {
			misses++;
		}
		if (!alive)
			break;
	}
	assert_int_equal(misses, 0);
	assert_true(reads > 0);
	/* no temporary file left behind */
	d = opendir(f->dir);
	assert_non_null(d);
	while ((e = readdir(d)))
		assert_true(strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || e->d_name[0] != '.');
	closedir(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_home_fallback_and_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_parent_is_made, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
