/* jpki-pkcs11: the debug log (see log.h). */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jp_rv.h"
#include "log.h"

int jp_log_enabled;

/* Where lines go; NULL means stderr.  Changed only by jp_log_init(). */
static FILE *log_file;
static char *log_path;
static pthread_mutex_t log_init_mutex = PTHREAD_MUTEX_INITIALIZER;

static FILE *log_out(void)
{
	return log_file ? log_file : stderr;
}

/* Open the log file for appending, readable by its owner only: the log
 * holds no PIN, but it shows what was done with whose card.  A file that
 * exists keeps its mode unless it is open to others. */
static FILE *open_log(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    ((st.st_mode & 077) && fchmod(fd, st.st_mode & 0700) != 0)) {
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "a");
	if (!f)
		close(fd);
	return f;
}

void jp_log_init(void)
{
	/* secure_getenv: a setuid program using the module never lets its
	 * caller choose where the log goes */
	const char *on = secure_getenv("JPKI_PKCS11_DEBUG");
	const char *path = secure_getenv("JPKI_PKCS11_DEBUG_FILE");

	pthread_mutex_lock(&log_init_mutex);
	__atomic_store_n(&jp_log_enabled, on != NULL && *on != '\0' && strcmp(on, "0") != 0, __ATOMIC_RELAXED);
	if (path != NULL && *path == '\0')
		path = NULL;
	/* Called from every C_Initialize: reopen only when the file changes,
	 * so a second initialization neither leaks nor truncates. */
	if ((path == NULL) != (log_path == NULL) ||
	    (path != NULL && strcmp(path, log_path) != 0)) {
		if (log_file != NULL)
			fclose(log_file);
		log_file = NULL;
		free(log_path);
		log_path = NULL;
		if (path != NULL) {
			/* append, close-on-exec: a child process never inherits it */
			log_file = open_log(path);
			if (log_file != NULL)
				log_path = strdup(path);
			if (log_path == NULL && log_file != NULL) {
				fclose(log_file);
				log_file = NULL;
			}
		}
	}
	pthread_mutex_unlock(&log_init_mutex);
}

/* One fprintf per line, so lines of concurrent threads do not interleave
 * (stdio locks the stream for the call). */
static void log_line(const char *text)
{
	FILE *f = log_out();
	fprintf(f, "jpki-pkcs11: %s\n", text);
	fflush(f);
}

void jp_log_printf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_line(buf);
}

/* A command prints its 4 header bytes, then "**" in place of Lc, data and
 * Le (the length of a PIN is a hint about it, too); an answer prints its
 * length, "**" and its status word. */
void jp_log_apdu(const char *dir, const uint8_t *buf, size_t len, int redact_data)
{
	/* "-> " + 3 chars per byte of the largest APDU + " **" */
	char line[8 + 3 * 300 + 4];
	size_t pos, i, shown = len, tail = 0;
	int redacted = 0;

	if (!jp_log_on())
		return;
	if (len > 300)
		shown = len = 300;
	if (redact_data) {
		if (strcmp(dir, "<-") == 0) {
			/* keep the status word only */
			tail = len >= 2 ? 2 : 0;
			shown = 0;
			redacted = len > tail;
		} else {
			shown = len < 4 ? len : 4;
			redacted = len > shown;
		}
	}
	pos = (size_t)snprintf(line, sizeof(line), "%s", dir);
	if (redacted && tail)
		pos += (size_t)snprintf(line + pos, sizeof(line) - pos, " [%zu bytes]", len - tail);
	for (i = 0; i < shown; i++)
		pos += (size_t)snprintf(line + pos, sizeof(line) - pos, " %02X", buf[i]);
	if (redacted)
		pos += (size_t)snprintf(line + pos, sizeof(line) - pos, " **");
	for (i = len - tail; i < len; i++)
		pos += (size_t)snprintf(line + pos, sizeof(line) - pos, " %02X", buf[i]);
	log_line(line);
}

const char *jp_rv_name(jp_rv rv)
{
	switch (rv) {
	case JP_OK: return "ok";
	case JP_E_MEMORY: return "out of memory";
	case JP_E_ARGS: return "bad arguments";
	case JP_E_NO_SERVICE: return "no PC/SC service";
	case JP_E_NO_READER: return "no reader";
	case JP_E_NO_CARD: return "no card";
	case JP_E_RESET: return "card was reset";
	case JP_E_COMM: return "communication error";
	case JP_E_NOT_JPKI: return "not a JPKI card";
	case JP_E_NOT_FOUND: return "file not found";
	case JP_E_SECURITY: return "security status not satisfied";
	case JP_E_PIN_INCORRECT: return "PIN incorrect";
	case JP_E_PIN_LOCKED: return "PIN locked";
	case JP_E_DATA_LEN: return "wrong data length";
	case JP_E_BAD_DATA: return "bad data";
	case JP_E_DEVICE_MEMORY: return "card memory failure";
	case JP_E_DEVICE: return "device error";
	case JP_E_CANCELLED: return "PIN entry cancelled or timed out";
	case JP_E_PIN_LEN: return "PIN entry of the wrong length";
	case JP_E_PIN_MISMATCH: return "new PIN entries differ";
	case JP_E_NO_KEYPAD: return "no keypad";
	}
	return "unknown result";
}
