#!/bin/bash
# OpenSSL 3 through pkcs11-provider with examples/openssl-provider.cnf:
# pkeyutl and dgst sign with pkcs11: URIs, cms -sign with the signature key,
# verified against the CA. Debian 12 has no pkcs11-provider: this test
# skips (77) where its pkcs11.so is not in OpenSSL's module directory.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/clients/lib.sh"
need openssl
modules_dir=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"$/\1/p')
PROVIDER=${PKCS11_PROVIDER:-$modules_dir/pkcs11.so}
[ -e "$PROVIDER" ] || skip "pkcs11-provider ($PROVIDER) is not installed"
harness_init
start_card alice standard 0
certs=$(card_dir alice)/certs
cd "$JV_TMP" || fail "no scratch directory"
sed -e "s|^module *=.*|module = $PROVIDER|" \
    -e "s|^pkcs11-module-path *=.*|pkcs11-module-path = $JPKI_MODULE|" \
	"$top_srcdir/examples/openssl-provider.cnf" > openssl.cnf
export OPENSSL_CONF=$JV_TMP/openssl.cnf
export AUTH_PIN=$JV_AUTH_PIN SIGN_PIN=$JV_SIGN_PIN

AUTH=$AUTH_KEY
SIGN=$SIGN_KEY
openssl_inputs "$certs" 'My Number Card, signed through pkcs11-provider'
# run OUT COMMAND...: on a pty that answers no prompt (so nothing waits
# for a developer's terminal); see pty_run in lib.sh.
run() { local out=$1; shift; pty_run "$out" -- "$@"; }

run pkeyutl-auth.out openssl pkeyutl -sign -inkey "$AUTH" \
	-passin env:AUTH_PIN -pkeyopt digest:sha256 -in doc.sha256 -out auth.sig
check "pkeyutl -sign with the authentication key URI: one card signature" \
	test "$rc" = 0 -a "$signs" = 1
check "... verifies with the certificate's public key" \
	openssl pkeyutl -verify -pubin -inkey auth.pub -pkeyopt digest:sha256 \
	-in doc.sha256 -sigfile auth.sig

run dgst-sign.out openssl dgst -sha256 -sign "$SIGN" -passin env:SIGN_PIN \
	-out sign.sig doc.txt
check "dgst -sign with the signature key (context-specific login from the cached PIN)" \
	test "$rc" = 0 -a "$signs" = 1
check "... verifies" openssl dgst -sha256 -verify sign.pub -signature sign.sig doc.txt

run cms-sign.out openssl cms -sign -inkey "$SIGN" -passin env:SIGN_PIN \
	-signer "$certs/sign.crt" -md sha256 -binary -in doc.txt \
	-outform DER -out doc.p7s
check "cms -sign with the signature key" test "$rc" = 0 -a "$signs" = 1
openssl cms -verify -binary -inform DER -in doc.p7s -content doc.txt \
	-CAfile "$JV_SIGN_CA" -out /dev/null > verify.out 2>&1
check "openssl cms -verify -CAfile <signature CA> accepts it" \
	grep -q 'Verification successful' verify.out

JPKI_PKCS11_ALWAYS_AUTHENTICATE=0 \
run cms-sign-aa0.out openssl cms -sign -inkey "$SIGN" -passin env:SIGN_PIN \
	-signer "$certs/sign.crt" -md sha256 -binary -in doc.txt \
	-outform DER -out doc-aa0.p7s
check "JPKI_PKCS11_ALWAYS_AUTHENTICATE=0: cms -sign too" \
	test "$rc" = 0 -a "$signs" = 1
openssl cms -verify -binary -inform DER -in doc-aa0.p7s -content doc.txt \
	-CAfile "$JV_SIGN_CA" -out /dev/null > verify-aa0.out 2>&1
check "... verified against the signature CA" \
	grep -q 'Verification successful' verify-aa0.out
harness_done
