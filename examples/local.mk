# rules for examples
# Recipes for real clients (issue 5); tests/clients/ runs them.
dist_noinst_DATA += examples/README.md \
	examples/p11-kit.md examples/nss.md examples/openssl.md \
	examples/tls-client.md examples/pkcs11-tool.md \
	examples/openssl.cnf examples/openssl-tls-client.cnf \
	examples/openssl-provider.cnf
