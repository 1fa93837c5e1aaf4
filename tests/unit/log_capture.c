/* jpki-pkcs11 tests: capture the debug log (see log_capture.h). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"
#include "log_capture.h"

static char path[64];

void log_capture_start(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/jpki-log-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	setenv("JPKI_PKCS11_DEBUG", "1", 1);
	setenv("JPKI_PKCS11_DEBUG_FILE", path, 1);
	jp_log_init();
	assert_int_equal(jp_log_enabled, 1);
}

char *log_capture_stop(void)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	unsetenv("JPKI_PKCS11_DEBUG");
	unsetenv("JPKI_PKCS11_DEBUG_FILE");
	jp_log_init();          /* off, and closes the file */
	unlink(path);
	return buf;
}
