# Unit tests (cmocka): each layer against a scripted transport, no card,
# no pcscd.
UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
UNIT_LDADD = libjpkicore.la $(CMOCKA_LIBS)
UNIT_HELPERS = \
	tests/unit/script_transport.h tests/unit/script_transport.c \
	tests/unit/log_capture.h tests/unit/log_capture.c \
	tests/unit/card_fixture.h tests/unit/card_fixture.c
# the token layer's tests: a card in a scripted reader
TOKEN_HELPERS = tests/unit/scripted_card.h tests/unit/scripted_card.c

check_PROGRAMS += tests/unit/test_apdu tests/unit/test_jpki
TESTS += tests/unit/test_apdu tests/unit/test_jpki

tests_unit_test_apdu_SOURCES = tests/unit/test_apdu.c $(UNIT_HELPERS)
tests_unit_test_apdu_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_apdu_LDADD = $(UNIT_LDADD)

tests_unit_test_jpki_SOURCES = tests/unit/test_jpki.c $(UNIT_HELPERS)
tests_unit_test_jpki_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_jpki_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_jpki_cert tests/unit/test_jpki_pin
TESTS += tests/unit/test_jpki_cert tests/unit/test_jpki_pin
tests_unit_test_jpki_cert_SOURCES = tests/unit/test_jpki_cert.c $(UNIT_HELPERS)
tests_unit_test_jpki_cert_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_jpki_cert_LDADD = $(UNIT_LDADD)
tests_unit_test_jpki_pin_SOURCES = tests/unit/test_jpki_pin.c $(UNIT_HELPERS)
tests_unit_test_jpki_pin_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_jpki_pin_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_token
TESTS += tests/unit/test_token
tests_unit_test_token_SOURCES = tests/unit/test_token.c $(UNIT_HELPERS) $(TOKEN_HELPERS)
tests_unit_test_token_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_token_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_card
TESTS += tests/unit/test_card
tests_unit_test_card_SOURCES = tests/unit/test_card.c $(UNIT_HELPERS)
tests_unit_test_card_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_card_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_module
TESTS += tests/unit/test_module
tests_unit_test_module_SOURCES = tests/unit/test_module.c $(UNIT_HELPERS)
tests_unit_test_module_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_module_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_face
TESTS += tests/unit/test_face
tests_unit_test_face_SOURCES = tests/unit/test_face.c $(UNIT_HELPERS)
tests_unit_test_face_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_face_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_cache
TESTS += tests/unit/test_cache
tests_unit_test_cache_SOURCES = tests/unit/test_cache.c
tests_unit_test_cache_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cache_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_sha256
TESTS += tests/unit/test_sha256
tests_unit_test_sha256_SOURCES = tests/unit/test_sha256.c
tests_unit_test_sha256_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sha256_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_cert
TESTS += tests/unit/test_cert
tests_unit_test_cert_SOURCES = tests/unit/test_cert.c
tests_unit_test_cert_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cert_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_pinpad
TESTS += tests/unit/test_pinpad
tests_unit_test_pinpad_SOURCES = tests/unit/test_pinpad.c $(UNIT_HELPERS)
tests_unit_test_pinpad_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_pinpad_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_keypad
TESTS += tests/unit/test_keypad
tests_unit_test_keypad_SOURCES = tests/unit/test_keypad.c $(UNIT_HELPERS) $(TOKEN_HELPERS)
tests_unit_test_keypad_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_keypad_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test_hygiene
TESTS += tests/unit/test_hygiene
tests_unit_test_hygiene_SOURCES = tests/unit/test_hygiene.c
tests_unit_test_hygiene_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_hygiene_LDADD = $(UNIT_LDADD)
