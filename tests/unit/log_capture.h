/* jpki-pkcs11 tests: turn the debug log on into a temporary file and read
 * back what was written. */
#ifndef LOG_CAPTURE_H
#define LOG_CAPTURE_H

/* Set JPKI_PKCS11_DEBUG=1 and JPKI_PKCS11_DEBUG_FILE to a fresh file. */
void log_capture_start(void);
/* Everything logged since start (malloc'd, NUL-terminated); turns the log
 * off and removes the file. */
char *log_capture_stop(void);

#endif
