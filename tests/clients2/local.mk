# rules for tests/clients2: real clients end to end against the virtual
# card (OpenSSH, p11-kit remoting, XML and PDF signatures, Firefox), and
# the recipes in examples/ that show the same by hand.
clients2_tests = \
	tests/clients2/openssh.sh \
	tests/clients2/p11kit-remote.sh \
	tests/clients2/xmldsig.sh \
	tests/clients2/pdfsig.sh \
	tests/clients2/firefox.sh

TESTS += $(clients2_tests)
dist_noinst_SCRIPTS += $(clients2_tests)
dist_noinst_DATA += tests/clients2/lib.sh
EXTRA_DIST += \
	examples/openssh.md \
	examples/p11kit-remote.md \
	examples/xmldsig.md \
	examples/xmldsig-nss-sign.c \
	examples/pdfsig.md \
	examples/firefox.md \
	tests/clients2/marionette.py
