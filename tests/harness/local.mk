# rules for tests/harness
# The integration-test harness: pcscd with vpcd, virtual cards, cleanup.
# See tests/harness/env.sh.
noinst_PROGRAMS += tests/harness/pcsc-apdu
tests_harness_pcsc_apdu_SOURCES = tests/harness/pcsc-apdu.c \
	tests/harness/pcsc-pinpad.h tests/harness/pcsc-pinpad.c \
	src/pinpad.h src/pinpad.c
tests_harness_pcsc_apdu_CPPFLAGS = -I$(top_srcdir)/src $(PCSC_CFLAGS)
tests_harness_pcsc_apdu_LDADD = $(PCSC_LIBS)

dist_noinst_SCRIPTS += tests/harness/env.sh
dist_noinst_DATA += tests/harness/opensc.conf
