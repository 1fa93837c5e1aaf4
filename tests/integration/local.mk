# Integration tests of the module: real pcscd, vpcd, the virtual card, and
# p11check (a dlopen client of the built module) or pkcs11-tool.
check_PROGRAMS += tests/integration/p11check
tests_integration_p11check_SOURCES = tests/integration/p11check.c \
	tests/integration/p11check.h tests/integration/p11check_tokens.c tests/integration/p11check_mechs.c \
	tests/integration/p11check_pins.c tests/integration/p11check_events.c tests/integration/p11check_failsafe.c \
	tests/integration/p11check_pinpad.c tests/integration/p11check_face.c \
	tests/integration/p11util.c tests/integration/p11util.h
tests_integration_p11check_LDADD = -ldl -lpthread

INTEGRATION_TESTS = \
	tests/integration/tokens.sh \
	tests/integration/cache.sh \
	tests/integration/mechanisms.sh \
	tests/integration/pins.sh \
	tests/integration/events.sh \
	tests/integration/robustness.sh \
	tests/integration/valgrind.sh \
	tests/integration/failsafe.sh \
	tests/integration/pinpad-login.sh \
	tests/integration/face.sh
TESTS += $(INTEGRATION_TESTS)
dist_noinst_SCRIPTS += $(INTEGRATION_TESTS) tests/integration/lib.sh
EXTRA_DIST += tests/integration/tsan.supp
