# rules for tests/clients
# Real clients end to end (issue 5) against the virtual card: p11-kit,
# NSS, OpenSSL (engine, provider), TLS client login, pkcs11-tool.
# pty-answer types PINs at prompts that only read from a terminal.
check_PROGRAMS += tests/clients/pty-answer
tests_clients_pty_answer_SOURCES = tests/clients/pty-answer.c

CLIENT_TESTS = \
	tests/clients/p11kit.sh \
	tests/clients/nss.sh \
	tests/clients/openssl-engine.sh \
	tests/clients/openssl-provider.sh \
	tests/clients/tls-client.sh \
	tests/clients/pkcs11-tool.sh
TESTS += $(CLIENT_TESTS)
dist_noinst_SCRIPTS += $(CLIENT_TESTS)
dist_noinst_DATA += tests/clients/common.sh
