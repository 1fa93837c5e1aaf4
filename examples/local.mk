# The demo and the client recipes.
dist_noinst_SCRIPTS += examples/demo.sh

.PHONY: demo
demo: all tests/vcard/jpki-vcard tests/harness/pcsc-apdu
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' $(SHELL) $(srcdir)/examples/demo.sh
