/* jpki-pkcs11: the debug log.
 *
 * Off unless the environment variable JPKI_PKCS11_DEBUG is set (to anything
 * but "0"); then lines go to stderr, or to the file named by
 * JPKI_PKCS11_DEBUG_FILE (created mode 0600; both read with secure_getenv).
 * Cheap when off: one flag test.  Callers never pass a PIN: APDUs carrying
 * one are traced by jp_log_apdu() with the data replaced, and so are the
 * answers that carry private data.
 */
#ifndef JP_LOG_H
#define JP_LOG_H

#include <stddef.h>
#include <stdint.h>

extern int jp_log_enabled;

void jp_log_init(void);
void jp_log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One APDU as hex.  dir is "->" (command) or "<-" (answer).  With
 * redact_data a command shows only its 4 header bytes and "**" (Lc, data
 * and Le hidden: even a PIN's length stays out of the log), an answer only
 * its data length, "**" and its status word. */
void jp_log_apdu(const char *dir, const uint8_t *buf, size_t len, int redact_data);

/* Set by jp_log_init() (C_Initialize) while other threads may be tracing:
 * read and written atomically. */
static inline int jp_log_on(void) { return __atomic_load_n(&jp_log_enabled, __ATOMIC_RELAXED); }

#define JP_LOG(...) do { if (jp_log_on()) jp_log_printf(__VA_ARGS__); } while (0)

#endif
