# rules for tests/clients
# Real clients end to end against the virtual card: p11-kit, NSS, OpenSSL
# (engine, provider), TLS client login, pkcs11-tool, OpenSSH, p11-kit
# remoting, XML and PDF signatures, Firefox: each runs the recipe of
# examples/ that shows the same by hand. pty-answer types PINs at prompts that only
# read from a terminal; marionette.py drives Firefox.
check_PROGRAMS += tests/clients/pty-answer
tests_clients_pty_answer_SOURCES = tests/clients/pty-answer.c

CLIENT_TESTS = \
	tests/clients/p11kit.sh \
	tests/clients/nss.sh \
	tests/clients/openssl-engine.sh \
	tests/clients/openssl-provider.sh \
	tests/clients/tls-client.sh \
	tests/clients/pkcs11-tool.sh \
	tests/clients/openssh.sh \
	tests/clients/p11kit-remote.sh \
	tests/clients/xmldsig.sh \
	tests/clients/pdfsig.sh \
	tests/clients/firefox.sh
TESTS += $(CLIENT_TESTS)
dist_noinst_SCRIPTS += $(CLIENT_TESTS)
dist_noinst_DATA += tests/clients/lib.sh
EXTRA_DIST += tests/clients/marionette.py
