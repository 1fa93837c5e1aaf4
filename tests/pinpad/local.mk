# The test PIN-pad reader: a pcsc-lite driver that puts a file-fed keypad
# (PC/SC part 10) in front of vsmartcard's vpcd, and its raw test.  The
# harness loads it into every pcscd it starts (tests/harness/env.sh).
# Never built with the sanitizers: pcscd loads it.
noinst_LTLIBRARIES += tests/pinpad/ifd-pinpad.la
tests_pinpad_ifd_pinpad_la_SOURCES = tests/pinpad/ifd-pinpad.c \
	tests/pinpad/keypad.h tests/pinpad/keypad.c \
	tests/pinpad/spe.h tests/pinpad/spe.c
tests_pinpad_ifd_pinpad_la_CPPFLAGS = $(PCSC_CFLAGS)
tests_pinpad_ifd_pinpad_la_CFLAGS = $(WARN_CFLAGS)
tests_pinpad_ifd_pinpad_la_LDFLAGS = -module -avoid-version -shared \
	-rpath '$(abs_builddir)/tests/pinpad' -export-symbols-regex '^IFDH'
tests_pinpad_ifd_pinpad_la_LIBADD = -ldl

TESTS += tests/pinpad/pinpad.sh
dist_noinst_SCRIPTS += tests/pinpad/pinpad.sh

# The driver's secure PIN entry without pcscd, against the module's own
# structures (src/pinpad.c).
check_PROGRAMS += tests/pinpad/test_spe
TESTS += tests/pinpad/test_spe
tests_pinpad_test_spe_SOURCES = tests/pinpad/test_spe.c \
	tests/pinpad/keypad.h tests/pinpad/keypad.c \
	tests/pinpad/spe.h tests/pinpad/spe.c src/pinpad.h src/pinpad.c
tests_pinpad_test_spe_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_pinpad_test_spe_LDADD = $(CMOCKA_LIBS)
