/* jpki-pkcs11: what the two files of the PC/SC backend share (transport
 * layer only: nothing else includes this). */
#ifndef JP_TRANSPORT_PCSC_H
#define JP_TRANSPORT_PCSC_H

#include <winscard.h>
#include "transport.h"

/* A PC/SC result as the transport's, logged with what failed. */
jp_rv jp_pcsc_err(const char *what, LONG r);
jp_rv jp_pcsc_map(LONG r);

/* The listing and waiting half (transport_pcsc_readers.c). */
jp_rv jp_pcsc_open_readers(jp_readers **out);

#endif
