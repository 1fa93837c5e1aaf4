# Unit tests (cmocka): each layer against a scripted transport, no card,
# no pcscd.  Each test is one file, tests/unit/NAME.c (automake's default
# source); what tests share is in libunit.la, linked into every one.
UNIT_TESTS = \
	tests/unit/test_apdu tests/unit/test_jpki tests/unit/test_jpki_cert tests/unit/test_jpki_pin \
	tests/unit/test_face tests/unit/test_card tests/unit/test_token tests/unit/test_keypad \
	tests/unit/test_pinpad tests/unit/test_module tests/unit/test_module_face tests/unit/test_module_threads \
	tests/unit/test_cache tests/unit/test_sha256 tests/unit/test_cert tests/unit/test_hygiene
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

# The scripted transport and the fixtures built on it.
check_LTLIBRARIES += tests/unit/libunit.la
tests_unit_libunit_la_SOURCES = \
	tests/unit/script_transport.h tests/unit/script_transport.c \
	tests/unit/log_capture.h tests/unit/log_capture.c \
	tests/unit/card_fixture.h tests/unit/card_fixture.c \
	tests/unit/scripted_card.h tests/unit/scripted_card.c \
	tests/unit/module_fixture.h tests/unit/module_fixture.c
tests_unit_libunit_la_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
UNIT_LIBS = tests/unit/libunit.la libjpkicore.la $(CMOCKA_LIBS)

# Automake sets flags per program or for the whole tree, not per folder:
# GNU make's target-specific variables give the tests theirs.
UNIT_EXES = $(addsuffix $(EXEEXT),$(UNIT_TESTS))
$(addsuffix .$(OBJEXT),$(UNIT_TESTS)): AM_CFLAGS += $(CMOCKA_CFLAGS)
$(UNIT_EXES): LDADD = $(UNIT_LIBS)
$(UNIT_EXES): tests/unit/libunit.la libjpkicore.la
