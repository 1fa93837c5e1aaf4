/* jpki-pkcs11: the on-disk cache of public certificates (see cache.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "log.h"
#include "sha256.h"

#define SUBDIR "jpki-pkcs11"
#define ENTRY_VERSION 1
#define SERIAL_MAX 16
#define MD_LEN 32

/* The header: magic "JPKC", version, item, 2 zero bytes, the DER length
 * (32-bit big-endian), 4 zero bytes, the card serial (NUL-padded to 16),
 * SHA-256 of the DER. */
enum { H_MAGIC = 0, H_VERSION = 4, H_ITEM = 5, H_LEN = 8, H_SERIAL = 16, H_MD = 32, HEADER = 64 };

static const char *const ITEM_NAME[] = {
	[JP_CACHE_AUTH_CERT] = "auth-cert",
	[JP_CACHE_AUTH_CA] = "auth-ca",
	[JP_CACHE_SIGN_CA] = "sign-ca",
};

void jp_cache_init(jp_cache *c, bool on)
{
	const char *xdg = secure_getenv("XDG_CACHE_HOME");
	const char *home = secure_getenv("HOME");
	char *dir = NULL;
	int n = -1;

	c->dir = NULL;
	if (!on)
		return;
	/* XDG: a relative XDG_CACHE_HOME is invalid and ignored. */
	if (xdg && xdg[0] == '/')
		n = asprintf(&dir, "%s/" SUBDIR, xdg);
	else if (home && home[0] == '/')
		n = asprintf(&dir, "%s/.cache/" SUBDIR, home);
	if (n < 0) {
		JP_LOG("certificate cache: no cache directory");
		return;
	}
	c->dir = dir;
}

void jp_cache_free(jp_cache *c)
{
	free(c->dir);
	c->dir = NULL;
}

static bool valid_item(jp_cache_item item)
{
	return item == JP_CACHE_AUTH_CERT || item == JP_CACHE_AUTH_CA || item == JP_CACHE_SIGN_CA;
}

/* The entry's file name: the card serial in hex (a serial may hold any
 * printable character, '/' included), then the item. */
static bool entry_name(const char *card, jp_cache_item item, char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, len = card ? strlen(card) : 0;
	char *p = out;

	if (len == 0 || len > SERIAL_MAX || !valid_item(item) || n < 2 * SERIAL_MAX + 16)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)card[i];
		if (ch < 0x20 || ch > 0x7E)
			return false;
		*p++ = hex[ch >> 4];
		*p++ = hex[ch & 15];
	}
	snprintf(p, n - 2 * len, ".%s", ITEM_NAME[item]);
	return true;
}

/* The cache directory, opened without following a symlink, and trusted
 * only when it is the user's own, closed to everyone else.  -1 when not. */
static int open_dir(const jp_cache *c, bool create)
{
	struct stat st;
	int fd;

	if (create && mkdir(c->dir, 0700) != 0 && errno == ENOENT) {
		/* the parent ($HOME/.cache) may not exist yet: one level only */
		char *parent = strdup(c->dir), *slash = parent ? strrchr(parent, '/') : NULL;

		if (slash && slash != parent) {
			*slash = '\0';
			(void)mkdir(parent, 0700);
		}
		free(parent);
		(void)mkdir(c->dir, 0700);
	}
	fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		JP_LOG("certificate cache: %s is not a private directory of this user: not used", c->dir);
		close(fd);
		return -1;
	}
	return fd;
}

static bool digest(const uint8_t *der, size_t len, uint8_t md[MD_LEN])
{
	jp_sha256(der, len, md);
	return true;
}

static void make_header(uint8_t h[HEADER], const char *card, jp_cache_item item, size_t len,
                        const uint8_t md[MD_LEN])
{
	memset(h, 0, HEADER);
	memcpy(h + H_MAGIC, "JPKC", 4);
	h[H_VERSION] = ENTRY_VERSION;
	h[H_ITEM] = (uint8_t)item;
	h[H_LEN] = (uint8_t)(len >> 24);
	h[H_LEN + 1] = (uint8_t)(len >> 16);
	h[H_LEN + 2] = (uint8_t)(len >> 8);
	h[H_LEN + 3] = (uint8_t)len;
	memcpy(h + H_SERIAL, card, strlen(card));
	memcpy(h + H_MD, md, MD_LEN);
}

static bool read_all(int fd, uint8_t *buf, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		buf += r;
		n -= (size_t)r;
	}
	return true;
}

static bool write_all(int fd, const uint8_t *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		n -= (size_t)w;
	}
	return true;
}

bool jp_cache_get(const jp_cache *c, const char *card, jp_cache_item item, uint8_t **der, size_t *len)
{
	char name[64];
	uint8_t h[HEADER], want[HEADER], md[MD_LEN], *buf = NULL;
	struct stat st;
	size_t n;
	int dfd = -1, fd = -1;
	bool ok = false;

	*der = NULL;
	*len = 0;
	if (!jp_cache_on(c) || !entry_name(card, item, name, sizeof(name)))
		return false;
	if ((dfd = open_dir(c, false)) < 0)
		return false;
	/* O_NONBLOCK: a FIFO planted here must not hang the open */
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		goto out;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0 ||
	    st.st_size <= HEADER || st.st_size > HEADER + JP_CACHE_MAX_DER) {
		JP_LOG("certificate cache: %s is not a private file of the right size: ignored", name);
		goto out;
	}
	n = (size_t)st.st_size - HEADER;
	if (!read_all(fd, h, HEADER) || !(buf = malloc(n)) || !read_all(fd, buf, n))
		goto bad;
	if (!digest(buf, n, md))
		goto out;
	make_header(want, card, item, n, md);
	if (memcmp(h, want, HEADER) != 0)
		goto bad;
	*der = buf;
	*len = n;
	buf = NULL;
	ok = true;
	goto out;
bad:
	JP_LOG("certificate cache: %s is damaged: ignored", name);
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	close(dfd);
	return ok;
}

void jp_cache_put(const jp_cache *c, const char *card, jp_cache_item item, const uint8_t *der, size_t len)
{
	static unsigned counter;
	char name[64], tmp[128];
	uint8_t h[HEADER], md[MD_LEN];
	struct timespec ts;
	int dfd, fd;
	bool ok;

	if (!jp_cache_on(c) || !der || len == 0 || len > JP_CACHE_MAX_DER ||
	    !entry_name(card, item, name, sizeof(name)) || !digest(der, len, md))
		return;
	if ((dfd = open_dir(c, true)) < 0)
		return;
	make_header(h, card, item, len, md);
	/* A name of our own (process, thread's turn, time), created exclusively
	 * and never through a link; renamed over the entry when complete. */
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(tmp, sizeof(tmp), ".%s.%ld.%u.%ld", name, (long)getpid(),
	         __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED), (long)ts.tv_nsec);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		JP_LOG("certificate cache: cannot write in %s: not cached", c->dir);
		close(dfd);
		return;
	}
	ok = write_all(fd, h, HEADER) && write_all(fd, der, len) && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || renameat(dfd, tmp, dfd, name) != 0) {
		JP_LOG("certificate cache: writing %s failed: not cached", name);
		(void)unlinkat(dfd, tmp, 0);
	}
	close(dfd);
}
