/* jpki-pkcs11 tests: where secrets live and where the log goes.  A kept PIN
 * is in memory locked against swapping and left out of core dumps, and is
 * wiped when freed; the debug log file is created readable by its owner
 * only, whatever the umask, and a file open to others is narrowed. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"
#include "secret.h"

/* The VmFlags line of the mapping that holds p, from /proc/self/smaps. */
static int vmflags_of(const void *p, char *flags, size_t cap)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long lo, hi, a = (unsigned long)p;
	int in = 0, found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') == line + strcspn(line, "-")) {
			in = a >= lo && a < hi;
			continue;
		}
		if (in && strncmp(line, "VmFlags:", 8) == 0) {
			strncpy(flags, line + 8, cap - 1);
			flags[cap - 1] = '\0';
			found = 1;
			break;
		}
	}
	fclose(f);
	return found ? 0 : -1;
}

static void test_secret_memory(void **state)
{
	jp_secret *s = jp_secret_new();
	char flags[512];

	(void)state;
	assert_non_null(s);
	assert_int_equal(jp_secret_set(s, (const uint8_t *)"1234", 4), 0);
	assert_int_equal(s->len, 4);
	assert_int_equal(vmflags_of(s, flags, sizeof(flags)), 0);
	/* dd: left out of core dumps; lo: locked (RLIMIT_MEMLOCK allows a
	 * page, and tests run as a user that has one).  AddressSanitizer makes
	 * mlock() do nothing, so a sanitized build cannot show "lo". */
	assert_non_null(strstr(flags, " dd"));
#ifndef __SANITIZE_ADDRESS__
	assert_non_null(strstr(flags, " lo"));
#endif
	assert_int_equal(jp_secret_set(s, (const uint8_t *)"12345678901234567", 17), -1);
	jp_secret_set(s, (const uint8_t *)"ABC123", 6);
	jp_secret_wipe(s);
	assert_int_equal(s->len, 0);
	assert_int_equal(s->pin[0], 0);
	jp_secret_free(s);
}

static void test_secret_slots(void **state)
{
	jp_secret *a[100];
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		a[i] = jp_secret_new();
		assert_non_null(a[i]);
		assert_int_equal(a[i]->len, 0);
		jp_secret_set(a[i], (const uint8_t *)"9999", 4);
	}
	for (i = 0; i < 100; i++)
		jp_secret_free(a[i]);
	/* a freed slot comes back wiped */
	a[0] = jp_secret_new();
	assert_int_equal(a[0]->len, 0);
	assert_int_equal(a[0]->pin[0], 0);
	jp_secret_free(a[0]);
}

static void test_log_file_mode(void **state)
{
	char path[] = "/tmp/jpki-log-XXXXXX", file[64];
	struct stat st;
	mode_t old;

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(file, sizeof(file), "%s/debug.log", path);
	old = umask(0);
	setenv("JPKI_PKCS11_DEBUG", "1", 1);
	setenv("JPKI_PKCS11_DEBUG_FILE", file, 1);
	jp_log_init();
	JP_LOG("a line");
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* an existing file open to others is narrowed */
	unsetenv("JPKI_PKCS11_DEBUG_FILE");
	jp_log_init();
	assert_int_equal(chmod(file, 0644), 0);
	setenv("JPKI_PKCS11_DEBUG_FILE", file, 1);
	jp_log_init();
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 077, 0);
	unsetenv("JPKI_PKCS11_DEBUG_FILE");
	unsetenv("JPKI_PKCS11_DEBUG");
	jp_log_init();
	umask(old);
	unlink(file);
	rmdir(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secret_memory),
		cmocka_unit_test(test_secret_slots),
		cmocka_unit_test(test_log_file_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
