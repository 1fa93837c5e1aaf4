#!/bin/bash
# OpenSSL 3 through libp11's pkcs11 engine with examples/openssl.cnf:
# pkeyutl -sign and dgst -sign with pkcs11: URIs, cms -sign with the
# signature key and its PIN asked per signature, verified against the CA.
#
# libp11 does the context-specific login of an always-authenticate key
# itself, but asks that PIN only at the terminal (its "key PIN" prompt;
# -passin answers only the token login). Every call here therefore runs on
# a pseudo-terminal (pty-answer), which also keeps a developer's own
# terminal out of the test. With JPKI_PKCS11_ALWAYS_AUTHENTICATE=0 the
# key PIN is not asked and -passin is enough.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/clients/lib.sh"
need openssl
openssl_env
export OPENSSL_CONF=$JV_TMP/openssl.cnf
export AUTH_PIN=$JV_AUTH_PIN SIGN_PIN=$JV_SIGN_PIN

AUTH=$AUTH_KEY
SIGN=$SIGN_KEY
openssl_inputs "$certs" 'My Number Card, signed through OpenSSL'
# run OUT ANSWERS... -- COMMAND...: on a pty (see pty_run in lib.sh)
run() { pty_run "$@"; }

# --- user-authentication key: a normal key, -passin is enough ----------
run pkeyutl-auth.out -- openssl pkeyutl -engine pkcs11 -keyform engine \
	-inkey "$AUTH" -passin env:AUTH_PIN -sign -pkeyopt digest:sha256 \
	-in doc.sha256 -out auth.sig
check "pkeyutl -sign with the authentication key URI: no prompt, one card signature" \
	test "$rc" = 0 -a "$prompts" = 0 -a "$signs" = 1
check "... verifies with the certificate's public key" \
	openssl pkeyutl -verify -pubin -inkey auth.pub -pkeyopt digest:sha256 \
	-in doc.sha256 -sigfile auth.sig
run dgst-auth.out -- openssl dgst -engine pkcs11 -keyform engine \
	-sign "$AUTH" -passin env:AUTH_PIN -sha256 -out auth2.sig doc.txt
check "dgst -sha256 -sign with the authentication key URI" \
	test "$rc" = 0 -a "$signs" = 1
check "... verifies with openssl dgst -verify" \
	openssl dgst -sha256 -verify auth.pub -signature auth2.sig doc.txt

# --- signature key: always-authenticate --------------------------------
run dgst-sign.out SIGN_PIN -- openssl dgst -engine pkcs11 -keyform engine \
	-sign "$SIGN" -passin env:SIGN_PIN -sha256 -out sign.sig doc.txt
check "dgst -sign with the signature key asks the key PIN once more" \
	test "$rc" = 0 -a "$prompts" = 1 -a "$signs" = 1
check "... and the prompt names the key" \
	grep -q 'Enter PKCS#11 key PIN for Digital Signature Key:' dgst-sign.out
check "... the signature verifies" \
	openssl dgst -sha256 -verify sign.pub -signature sign.sig doc.txt

run pkeyutl-sign-noanswer.out -- openssl pkeyutl -engine pkcs11 -keyform engine \
	-inkey "$SIGN" -passin env:SIGN_PIN -sign -pkeyopt digest:sha256 \
	-in doc.sha256 -out none.sig
check "with the key PIN prompt left unanswered nothing is signed" \
	test "$rc" != 0 -a "$prompts" = 1 -a "$signs" = 0

# What a person does: no -passin, two prompts (token PIN, then key PIN).
run cms-sign.out SIGN_PIN SIGN_PIN -- openssl cms -sign -engine pkcs11 \
	-keyform engine -inkey "$SIGN" -signer "$certs/sign.crt" -md sha256 \
	-binary -in doc.txt -outform DER -out doc.p7s
check "cms -sign with the signature key: token and key PIN asked, one signature" \
	test "$rc" = 0 -a "$prompts" = 2 -a "$signs" = 1
openssl cms -verify -binary -inform DER -in doc.p7s -content doc.txt \
	-CAfile "$JV_SIGN_CA" -out /dev/null > verify.out 2>&1
check "openssl cms -verify -CAfile <signature CA> accepts it" \
	grep -q 'Verification successful' verify.out
printf 'tampered\n' >> doc.txt
openssl cms -verify -binary -inform DER -in doc.p7s -content doc.txt \
	-CAfile "$JV_SIGN_CA" -out /dev/null > tampered.out 2>&1
check "... and refuses a changed document (content verify error)" \
	test "$(grep -c 'content verify error' tampered.out)" = 1 -a \
	     "$(grep -c 'Verification successful' tampered.out)" = 0
printf 'My Number Card, signed through OpenSSL\n' > doc.txt

# --- the switch off: no key PIN, -passin alone signs ---------------------
JPKI_PKCS11_ALWAYS_AUTHENTICATE=0 \
run cms-sign-aa0.out -- openssl cms -sign -engine pkcs11 -keyform engine \
	-inkey "$SIGN" -passin env:SIGN_PIN -signer "$certs/sign.crt" \
	-md sha256 -binary -in doc.txt -outform DER -out doc-aa0.p7s
check "JPKI_PKCS11_ALWAYS_AUTHENTICATE=0: cms -sign with -passin, no prompt" \
	test "$rc" = 0 -a "$prompts" = 0 -a "$signs" = 1
openssl cms -verify -binary -inform DER -in doc-aa0.p7s -content doc.txt \
	-CAfile "$JV_SIGN_CA" -out /dev/null > verify-aa0.out 2>&1
check "... verified against the signature CA" \
	grep -q 'Verification successful' verify-aa0.out
harness_done
