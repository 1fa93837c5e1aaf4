/* jpki-pkcs11: mutexes, either the application's (C_Initialize with
 * CreateMutex & co. and no CKF_OS_LOCKING_OK) or pthread ones. */
#ifndef JP_LOCK_H
#define JP_LOCK_H

#include <jpki/pkcs11.h>

typedef void *jp_mutex;

/* Choose the mutex functions for this C_Initialize.  CKR_CANT_LOCK when the
 * arguments give neither OS locking nor a complete set of functions. */
CK_RV jp_lock_setup(const CK_C_INITIALIZE_ARGS *args);
CK_RV jp_mutex_new(jp_mutex *m);
void jp_mutex_free(jp_mutex m);
void jp_mutex_lock(jp_mutex m);
void jp_mutex_unlock(jp_mutex m);

#endif
