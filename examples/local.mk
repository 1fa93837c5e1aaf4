# The demo and the client recipes.
dist_noinst_SCRIPTS += examples/demo.sh

.PHONY: demo
demo: all tests/vcard/jpki-vcard tests/harness/pcsc-apdu
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' $(SHELL) $(srcdir)/examples/demo.sh

# Recipes for real clients; tests/clients/ runs each of them.
dist_noinst_DATA += examples/README.md \
	examples/p11-kit.md examples/nss.md examples/openssl.md \
	examples/tls-client.md examples/pkcs11-tool.md \
	examples/openssl.cnf examples/openssl-tls-client.cnf \
	examples/openssl-provider.cnf \
	examples/openssh.md examples/p11kit-remote.md examples/xmldsig.md \
	examples/xmldsig-nss-sign.c examples/pdfsig.md examples/firefox.md \
	examples/card-face.md examples/card-face.py examples/phone.md examples/pinpad.md
