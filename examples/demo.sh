#!/bin/bash
# The demo: a virtual My Number Card behind a real pcscd; the module signs
# a file with the card's signature key (pkcs11-tool), the certificate is
# read through the module, and openssl verifies the signature with it.
# Run from the build tree: make demo
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
. "$top_srcdir/tests/harness/env.sh"
harness_init
start_card demo standard 0
M=$top_builddir/.libs/jpki-pkcs11.so
cd "$JV_TMP"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

echo "A document to sign" >document.txt
step pkcs11-tool --module "$M" --list-token-slots || fail "no slots"
step pkcs11-tool --module "$M" --token-label "JPKI Digital Signature" --login --pin "$JV_SIGN_PIN" \
	--sign --mechanism SHA256-RSA-PKCS --id 02 --input-file document.txt --output-file document.sig ||
	fail "signing failed"
step pkcs11-tool --module "$M" --token-label "JPKI Digital Signature" --login --pin "$JV_SIGN_PIN" \
	--read-object --type cert --id 02 --output-file signer.der || fail "reading the certificate failed"
step openssl x509 -inform der -in signer.der -noout -subject -enddate
openssl x509 -inform der -in signer.der -pubkey -noout >signer.pub
step openssl dgst -sha256 -verify signer.pub -signature document.sig document.txt || fail "signature not valid"
ok "the card's signature verifies against its certificate"
harness_done
