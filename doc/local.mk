# The manual page jpki-pkcs11(7): plain roff with the version and the
# install directories filled in by the build.
man7_MANS = doc/jpki-pkcs11.7
EXTRA_DIST += doc/jpki-pkcs11.7.in
CLEANFILES += doc/jpki-pkcs11.7

doc/jpki-pkcs11.7: doc/jpki-pkcs11.7.in Makefile
	$(AM_V_GEN)$(MKDIR_P) doc && sed \
		-e 's|@''VERSION''@|$(PACKAGE_VERSION)|g' \
		-e 's|@''P11MODULEDIR''@|$(p11moduledir)|g' \
		-e 's|@''P11CONFIGDIR''@|$(p11configdir)|g' \
		$(srcdir)/doc/jpki-pkcs11.7.in > $@.tmp && mv $@.tmp $@

# The page renders without a groff warning and documents every
# environment variable the module reads.
TESTS += tests/man/manpage.sh
dist_noinst_SCRIPTS += tests/man/manpage.sh
check_DATA = doc/jpki-pkcs11.7
