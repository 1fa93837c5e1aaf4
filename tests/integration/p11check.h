/* p11check: scenarios shared between its files. */
#ifndef P11CHECK_H
#define P11CHECK_H

#include <stdbool.h>
#include "p11util.h"

#define AUTH "JPKI User Authentication"
#define SIGN "JPKI Digital Signature"
#define FACE "JPKI Card Face Data"

/* The card's PINs as the harness set them ($JV_AUTH_PIN, $JV_SIGN_PIN). */
const char *auth_pin(void);
const char *sign_pin(void);
void msleep(long ms);
/* A PIN's length; 0 for NULL (a PIN typed on the reader's keypad). */
CK_ULONG pin_len(const char *pin);
/* C_Login(CKU_USER) with pin; NULL: on the keypad. */
CK_RV login(CK_SESSION_HANDLE s, const char *pin);
/* The slot of the token "auth", "sign" or "face"; (CK_SLOT_ID)-1 if none. */
CK_SLOT_ID slot_of(const char *which);
/* Write a file into dir for the shell to check (with openssl). */
void save(const char *dir, const char *name, const void *p, size_t len);
/* "flags: login pin count-low final-try locked protected", as set. */
void print_flags(CK_FLAGS f);

int cmd_tokens(const char *profile, const char *dir);
int cmd_only_auth(void);
int cmd_mechs(const char *dir);
int cmd_sign_once(const char *which);
int cmd_login(const char *which, const char *pin);
int cmd_setpin(const char *which, const char *old, const char *new_pin);

int cmd_threads(int n, int rounds);
int cmd_mutex(void);
int cmd_remove(void);
int cmd_remove_during(void);
int cmd_events(void);
int cmd_two(void);
int cmd_pcscd(void);
int cmd_no_pcscd(void);
int cmd_reset(void);
int cmd_cost(void);
int cmd_hold_then(const char *how, long ms);
int cmd_hold_stay(long ms);
int cmd_setpin_pending(const char *new_pin);
int cmd_close_last(void);
int cmd_verify_cert(void);
int cmd_finalize_race(int threads, int rounds);
int cmd_pinpad_flags(void);
int cmd_pinpad_sign(int n);
int cmd_face(const char *pin);
int cmd_face_absent(void);

#endif
