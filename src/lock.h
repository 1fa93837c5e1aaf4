/* jpki-pkcs11: mutexes, either the application's (C_Initialize with
 * CreateMutex & co. and no CKF_OS_LOCKING_OK) or pthread ones, and the
 * module's global lock. */
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

/* The module's global lock: it guards the reader list and the session
 * table (functions named *_inlock expect it held).  Made by C_Initialize,
 * freed by C_Finalize.  Order: a reader's lock may be held while the
 * global lock is taken for a moment; the global lock is never held while
 * waiting for a reader's lock or for the card. */
CK_RV jp_global_init(void);
void jp_global_free(void);
CK_RV jp_global_lock(void);
void jp_global_unlock(void);
/* A child after fork(): forget the parent's global lock without touching
 * it (it may be held there). */
void jp_global_forget(void);

#endif
