/* jpki-pkcs11: the PKCS#11 header.  It comes from p11-kit (Debian's
 * libp11-kit-dev), which ships the 2.40 definitions with its own
 * extensions; every file of the module includes it through here. */
#ifndef JPKI_PKCS11_H
#define JPKI_PKCS11_H
#include <p11-kit/pkcs11.h>
#endif
