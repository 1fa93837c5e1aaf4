/* jpki-pkcs11: mutexes, either the application's (C_Initialize with
 * CreateMutex & co. and no CKF_OS_LOCKING_OK) or pthread ones. */
#ifndef JP_LOCK_H
#define JP_LOCK_H

#include <jpki/pkcs11.h>

typedef void *jp_mutex;

/* Choose the mutex functions for this C_Initialize: the application's when
 * it gives all four and does not allow OS locking, else pthread ones.
 * CKR_ARGUMENTS_BAD when it gives some but not all four. */
CK_RV jp_lock_setup(const CK_C_INITIALIZE_ARGS *args);
CK_RV jp_mutex_new(jp_mutex *m);
void jp_mutex_free(jp_mutex m);
/* The application's functions may fail: their result is passed on (and
 * logged), and a caller that gets an error does not own the lock. */
CK_RV jp_mutex_lock(jp_mutex m);
void jp_mutex_unlock(jp_mutex m);

#endif
