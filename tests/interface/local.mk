# The PKCS#11 3.0 interfaces of both module files (dlopen, no card, no
# pcscd): see tests/interface/test_interface.c.
check_PROGRAMS += tests/interface/test_interface
TESTS += tests/interface/test_interface
tests_interface_test_interface_SOURCES = tests/interface/test_interface.c
tests_interface_test_interface_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_interface_test_interface_LDADD = $(CMOCKA_LIBS) -ldl
