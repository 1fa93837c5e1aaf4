# The virtual My Number Card (JPKI applet) behind vpcd: see tests/vcard/README.md.
noinst_PROGRAMS += tests/vcard/jpki-vcard
tests_vcard_jpki_vcard_SOURCES = \
	tests/vcard/vc.h tests/vcard/main.c tests/vcard/link.c \
	tests/vcard/apdu.c tests/vcard/fs.c tests/vcard/pin.c \
	tests/vcard/sign.c tests/vcard/store.c tests/vcard/profile.c \
	tests/vcard/trace.c tests/vcard/fault.c
tests_vcard_jpki_vcard_CPPFLAGS = $(CRYPTO_CFLAGS)
tests_vcard_jpki_vcard_LDADD = $(CRYPTO_LIBS)

dist_noinst_SCRIPTS += tests/vcard/mkcard.sh
EXTRA_DIST += tests/vcard/README.md

# Integration tests of the card itself (pcscd + vpcd, see tests/harness).
TESTS += tests/vcard/opensc-fidelity.sh tests/vcard/vcard-apdu.sh tests/vcard/vcard-faults.sh \
	tests/vcard/vcard-profiles.sh
dist_noinst_SCRIPTS += tests/vcard/opensc-fidelity.sh tests/vcard/vcard-apdu.sh tests/vcard/vcard-faults.sh \
	tests/vcard/vcard-profiles.sh
EXTRA_DIST += tests/vcard/apdu-lib.sh
