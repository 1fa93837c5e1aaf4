/* The test PIN-pad reader's files (see keypad.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keypad.h"

static void path(char *out, size_t cap, const char *dir, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static void copy(char *out, size_t cap, const char *s)
{
	snprintf(out, cap, "%s", s);
}

int kp_config(const char *dir, char *vpcd, size_t vpcd_cap, char *device, size_t device_cap)
{
	char p[4096], line[4096];
	FILE *f;

	path(p, sizeof(p), dir, "config");
	f = fopen(p, "r");
	if (f == NULL)
		return -1;
	*vpcd = *device = '\0';
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "vpcd ", 5) == 0)
			copy(vpcd, vpcd_cap, line + 5);
		else if (strncmp(line, "device ", 7) == 0)
			copy(device, device_cap, line + 7);
	}
	fclose(f);
	return *vpcd && *device ? 0 : -1;
}

unsigned kp_features(const char *dir)
{
	char p[4096], word[64];
	unsigned set = 0;
	FILE *f;

	path(p, sizeof(p), dir, "features");
	f = fopen(p, "r");
	if (f == NULL)
		return KP_VERIFY | KP_MODIFY | KP_PROPERTIES;
	while (fscanf(f, "%63s", word) == 1) {
		if (strcmp(word, "verify") == 0)
			set |= KP_VERIFY;
		else if (strcmp(word, "modify") == 0)
			set |= KP_MODIFY;
		else if (strcmp(word, "properties") == 0)
			set |= KP_PROPERTIES;
		else if (strcmp(word, "display") == 0)
			set |= KP_DISPLAY;
	}
	fclose(f);
	return set;
}

enum kp_entry kp_next(const char *dir, char pin[KP_PIN_MAX + 1])
{
	char p[4096], tmp[4100], line[256], rest[4096];
	enum kp_entry e = KP_TIMEOUT;
	size_t nrest;
	FILE *f;

	pin[0] = '\0';
	path(p, sizeof(p), dir, "keypad");
	f = fopen(p, "r");
	if (f == NULL)
		return KP_TIMEOUT;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	nrest = fread(rest, 1, sizeof(rest), f);
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, "cancel") == 0) {
		e = KP_CANCEL;
	} else if (strcmp(line, "timeout") == 0 || line[0] == '\0') {
		e = KP_TIMEOUT;
	} else {
		e = KP_TYPED;
		copy(pin, KP_PIN_MAX + 1, line);
	}
	explicit_bzero(line, sizeof(line));
	/* Keep the other entries for the next operation. */
	if (nrest == 0) {
		unlink(p);
	} else {
		snprintf(tmp, sizeof(tmp), "%s.tmp", p);
		f = fopen(tmp, "w");
		if (f != NULL) {
			fwrite(rest, 1, nrest, f);
			fclose(f);
			rename(tmp, p);
		}
	}
	explicit_bzero(rest, sizeof(rest));
	return e;
}

void kp_log(const char *dir, const char *fmt, ...)
{
	char p[4096];
	va_list ap;
	FILE *f;

	path(p, sizeof(p), dir, "log");
	f = fopen(p, "a");
	if (f == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}
