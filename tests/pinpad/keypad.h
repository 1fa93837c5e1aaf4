/* The test PIN-pad reader's files: what the person "types", which features
 * the reader claims, and its log.  All live in one directory, the reader's
 * DEVICENAME in reader.conf (see ifd-pinpad.c for the whole protocol). */
#ifndef KEYPAD_H
#define KEYPAD_H

#include <stddef.h>

#define KP_PIN_MAX 16

/* Features the reader claims (DIR/features). */
enum {
	KP_VERIFY = 1,          /* FEATURE_VERIFY_PIN_DIRECT */
	KP_MODIFY = 2,          /* FEATURE_MODIFY_PIN_DIRECT */
	KP_PROPERTIES = 4,      /* FEATURE_IFD_PIN_PROPERTIES */
	KP_DISPLAY = 8,         /* the properties tell a 2x16 display */
};

/* What the next keypad entry is. */
enum kp_entry {
	KP_TYPED,               /* digits, then the OK key */
	KP_CANCEL,              /* the Cancel key */
	KP_TIMEOUT,             /* nothing typed (also: no entry written) */
};

/* Reads DIR/config: "vpcd PATH" (the vpcd driver to load) and "device
 * NAME" (vpcd's DEVICENAME, /dev/null:PORT).  0, or -1 when a line is
 * missing or the file cannot be read. */
int kp_config(const char *dir, char *vpcd, size_t vpcd_cap, char *device, size_t device_cap);

/* The features DIR/features names, read anew at each call; the default
 * (no file) is KP_VERIFY | KP_MODIFY | KP_PROPERTIES. */
unsigned kp_features(const char *dir);

/* Takes the first line of DIR/keypad (the rest stays for the next entry;
 * the file goes when empty).  KP_TYPED puts the text typed into pin (NUL
 * ended, at most KP_PIN_MAX characters, whatever they are: the caller
 * checks them as a reader would). */
enum kp_entry kp_next(const char *dir, char pin[KP_PIN_MAX + 1]);

/* Appends one line to DIR/log.  Never give it PIN digits. */
void kp_log(const char *dir, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
