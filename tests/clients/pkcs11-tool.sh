#!/bin/bash
# pkcs11-tool's everyday commands against the module: -L, -O, -M,
# --login --sign (both keys; the signature key asks its PIN again),
# --change-pin, --read-object. examples/pkcs11-tool.md shows their output.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/clients/lib.sh"
need pkcs11-tool openssl
harness_init
start_card alice standard 0
certs=$(card_dir alice)/certs
cd "$JV_TMP" || fail "no scratch directory"
p11() { pkcs11-tool --module "$JPKI_MODULE" "$@"; }
printf 'My Number Card, signed with pkcs11-tool\n' > doc.txt
openssl x509 -in "$certs/auth.crt" -pubkey -noout > auth.pub
openssl x509 -in "$certs/sign.crt" -pubkey -noout > sign.pub
der_sum() { openssl x509 -inform "$1" -in "$2" -outform DER | sha256sum; }

# --- -L: slots and tokens ------------------------------------------------
token_listing 9 p11 -L
check "-L lists the authentication token (4-digit PIN)" \
	grep -q 'pin min/max *: 4/4' L-auth.out
check "-L lists the signature token (6-16 character PIN)" \
	grep -q 'pin min/max *: 6/16' L-sign.out
check "-L: three tokens (with the card-face data) with distinct 16-character serials" \
	test "$(sed -n 's/^ *serial num *: \([0-9A-Z]\{16\}\)$/\1/p' L.out | sort -u | wc -l)" = 3

# --- -O: objects, public and after login ---------------------------------
p11 --token-label "$AUTH_TOKEN" -O > O-auth.out 2>&1
check "-O (authentication token) shows certificate, CA and public key" \
	test "$(grep -c -e 'label: *User Authentication Certificate' \
		-e 'label: *User Authentication CA' \
		-e 'label: *User Authentication Key' O-auth.out)" = 3
p11 --token-label "$SIGN_TOKEN" -O > O-sign.out 2>&1
check "-O (signature token) without login: the CA, no signature certificate" \
	test "$(grep -c 'label: *Digital Signature CA' O-sign.out)" = 1 -a \
	     "$(grep -c 'label: *Digital Signature Certificate' O-sign.out)" = 0
p11 --token-label "$SIGN_TOKEN" --login --pin "$JV_SIGN_PIN" -O > O-sign-login.out 2>&1
check "-O --login (signature token): certificate and always-authenticate key" \
	test "$(grep -c -e 'label: *Digital Signature Certificate' \
		-e 'Access: *always authenticate' O-sign-login.out)" = 2

# --- -M: mechanisms ------------------------------------------------------
p11 --token-label "$AUTH_TOKEN" -M > M.out 2>&1
check "-M lists SHA256-RSA-PKCS and no PSS" \
	test "$(grep -c '^ *SHA256-RSA-PKCS,' M.out)" = 1 -a \
	     "$(grep -c 'PSS' M.out)" = 0

# --- --login --sign --------------------------------------------------------
n0=$(card_signs alice)
p11 --token-label "$AUTH_TOKEN" --login --pin "$JV_AUTH_PIN" --sign --id 01 \
	-m SHA256-RSA-PKCS -i doc.txt -o auth.sig > sign-auth.out 2>&1
check "--login --sign with the authentication key (one card signature)" \
	test "$(($(card_signs alice) - n0))" = 1
check "... verifies with openssl" \
	openssl dgst -sha256 -verify auth.pub -signature auth.sig doc.txt

# The signature key: pkcs11-tool asks the PIN a second time itself
# ("context specific PIN"); typed here at its terminal prompts.
export SIGN_PIN=$JV_SIGN_PIN
n0=$(card_signs alice)
"$PTY_ANSWER" PIN SIGN_PIN SIGN_PIN -- pkcs11-tool --module "$JPKI_MODULE" \
	--token-label "$SIGN_TOKEN" --login --sign --id 02 -m SHA256-RSA-PKCS \
	-i doc.txt -o sign.sig > sign-sign.out 2> sign-sign.pty
check "--login --sign with the signature key: User PIN, then context specific PIN" \
	test "$(grep -c -e 'Please enter User PIN' \
		-e 'Please enter context specific PIN' sign-sign.out)" = 2 -a \
	     "$(($(card_signs alice) - n0))" = 1
check "... verifies with openssl" \
	openssl dgst -sha256 -verify sign.pub -signature sign.sig doc.txt

# --- --change-pin ----------------------------------------------------------
p11 --token-label "$AUTH_TOKEN" --change-pin --pin "$JV_AUTH_PIN" --new-pin 5678 \
	> change-auth.out 2>&1
check "--change-pin changes the authentication PIN" \
	grep -q 'PIN successfully changed' change-auth.out
p11 --token-label "$AUTH_TOKEN" --login --pin "$JV_AUTH_PIN" --sign --id 01 \
	-m SHA256-RSA-PKCS -i doc.txt -o old.sig > old-pin.out 2>&1
check "... the old PIN is now refused" grep -q 'CKR_PIN_INCORRECT' old-pin.out
p11 --token-label "$AUTH_TOKEN" --login --pin 5678 --sign --id 01 \
	-m SHA256-RSA-PKCS -i doc.txt -o new.sig > new-pin.out 2>&1
check "... the new PIN signs" \
	openssl dgst -sha256 -verify auth.pub -signature new.sig doc.txt
export OLD=5678 NEW=$JV_AUTH_PIN
"$PTY_ANSWER" PIN OLD NEW NEW -- pkcs11-tool --module "$JPKI_MODULE" \
	--token-label "$AUTH_TOKEN" --change-pin > change-back.out 2> change-back.pty
check "--change-pin at the prompts (current, new, again) changes it back" \
	grep -q 'PIN successfully changed' change-back.out
# pkcs11-tool logs in with --pin before it calls C_SetPIN: that is the
# one VERIFY; C_SetPIN itself must send nothing (no second VERIFY of the
# old PIN, no CHANGE REFERENCE DATA).
v0=$(card_verifies alice)
c0=$(trace_count alice '^00240180')
p11 --token-label "$SIGN_TOKEN" --change-pin --pin "$JV_SIGN_PIN" \
	--new-pin ABCDEF > change-sign-bad.out 2>&1
check "a new signature PIN without digits is refused: CKR_PIN_INVALID" \
	grep -q 'C_SetPIN failed: rv = CKR_PIN_INVALID' change-sign-bad.out
check "... with no APDU of C_SetPIN: only pkcs11-tool's login VERIFY, no PIN change" \
	test "$(($(card_verifies alice) - v0))" = 1 -a \
	     "$(trace_count alice '^00240180')" = "$c0"
p11 --token-label "$SIGN_TOKEN" --change-pin --pin "$JV_SIGN_PIN" \
	--new-pin XYZ789 > change-sign.out 2>&1 &&
p11 --token-label "$SIGN_TOKEN" --change-pin --pin XYZ789 \
	--new-pin "$JV_SIGN_PIN" >> change-sign.out 2>&1
check "--change-pin changes the signature PIN and back" \
	test "$(grep -c 'PIN successfully changed' change-sign.out)" = 2

# --- --read-object ---------------------------------------------------------
p11 --token-label "$AUTH_TOKEN" --read-object --type cert --id 01 -o auth.der \
	> read-auth.out 2>&1
check "--read-object --type cert --id 01 gives the authentication certificate" \
	test "$(der_sum DER auth.der)" = "$(der_sum PEM "$certs/auth.crt")"
p11 --token-label "$SIGN_TOKEN" --read-object --type cert --id 12 -o sign-ca.der \
	> read-ca.out 2>&1
check "--read-object --type cert --id 12 gives the signature CA" \
	test "$(der_sum DER sign-ca.der)" = "$(der_sum PEM "$certs/sign-ca.crt")"
p11 --token-label "$SIGN_TOKEN" --read-object --type cert --id 02 -o none.der \
	> read-sign-nologin.out 2>&1
check "--read-object of the signature certificate without login: not found" \
	grep -q 'object not found' read-sign-nologin.out
p11 --token-label "$SIGN_TOKEN" --login --pin "$JV_SIGN_PIN" --read-object \
	--type cert --id 02 -o sign.der > read-sign.out 2>&1
check "--login --read-object --id 02 gives the signature certificate" \
	test "$(der_sum DER sign.der)" = "$(der_sum PEM "$certs/sign.crt")"
p11 --token-label "$AUTH_TOKEN" --read-object --type pubkey --id 01 -o auth-pub.der \
	> read-pub.out 2>&1
check "--read-object --type pubkey --id 01 matches the certificate's key" \
	test "$(openssl pkey -pubin -inform DER -in auth-pub.der | sha256sum)" = \
	     "$(sha256sum < auth.pub)"
harness_done
