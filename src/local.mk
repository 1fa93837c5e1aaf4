# The core: every layer of the module, as a convenience library that the
# module and the unit tests both link.
noinst_LTLIBRARIES += libjpkicore.la
libjpkicore_la_SOURCES = \
	src/jp_rv.h src/log.h src/log.c \
	src/transport.h src/backend.c src/transport_pcsc.h src/transport_pcsc.c src/transport_pcsc_readers.c \
	src/apdu.h src/apdu.c \
	src/jpki.h src/jpki.c src/jpki_pin.h src/jpki_pin.c src/jpki_sw.h src/jpki_sw.c \
	src/face.h src/face.c \
	src/card.h src/card.c \
	src/cert.h src/cert.c src/digest.h src/digest.c \
	src/cache.h src/cache.c src/sha256.h src/sha256.c \
	src/pin.h src/pin.c src/pinpad.h src/pinpad.c src/secret.h src/secret.c \
	src/lock.h src/lock.c src/conf.h src/conf.c \
	src/slot.h src/slot.c \
	src/object.h src/object.c \
	src/mech.h src/mech.c \
	src/op.h src/op.c src/session.h src/session.c \
	src/token.h src/token.c src/token_pin.c \
	src/p11.h src/p11_general.c src/p11_slot.c src/p11_session.c \
	src/p11_object.c src/p11_sign.c src/p11_fixed.h src/p11_unsupported.c src/p11_v3.c
libjpkicore_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
libjpkicore_la_LIBADD = $(PCSC_LIBS) $(CRYPTO_LIBS) -lpthread

# The module: only the function lists leave it (2.40 and 3.0).
p11module_LTLIBRARIES = jpki-pkcs11.la
jpki_pkcs11_la_SOURCES = src/module.c
jpki_pkcs11_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
jpki_pkcs11_la_LIBADD = libjpkicore.la
jpki_pkcs11_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared -no-undefined \
	-export-symbols-regex '^C_(GetFunctionList|GetInterfaceList|GetInterface)$$'

# The same module showing only the user-authentication token, for browsers
# (not registered with p11-kit: browsers name it in their policy).
p11module_LTLIBRARIES += jpki-pkcs11-auth.la
jpki_pkcs11_auth_la_SOURCES = src/module.c
jpki_pkcs11_auth_la_CPPFLAGS = $(AM_CPPFLAGS) -DJP_AUTH_ONLY
jpki_pkcs11_auth_la_CFLAGS = $(jpki_pkcs11_la_CFLAGS)
jpki_pkcs11_auth_la_LIBADD = $(jpki_pkcs11_la_LIBADD)
jpki_pkcs11_auth_la_LDFLAGS = $(jpki_pkcs11_la_LDFLAGS)

EXTRA_DIST += include/jpki/pkcs11.h include/jpki/pkcs11-v3.h
