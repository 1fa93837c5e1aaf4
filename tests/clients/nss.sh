#!/bin/bash
# NSS: modutil registers the module in a fresh database, certutil lists
# both certificates (the signature one only after login, PIN from a
# password file) and cmsutil signs with the card's signature key; OpenSSL
# verifies the signature against the signature CA.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/clients/lib.sh"
need modutil certutil cmsutil openssl
harness_init
start_card alice standard 0
db=sql:$JV_TMP/nssdb
mkdir -p "$JV_TMP/nssdb"
cd "$JV_TMP" || fail "no scratch directory"

certutil -N -d "$db" --empty-password || fail "certutil -N"
# -force: no "close your browser" question
modutil -dbdir "$db" -add "My Number Card" -libfile "$JPKI_MODULE" -force \
	> modutil-add.out 2>&1
check "modutil -add registers the module" \
	grep -q 'Module "My Number Card" added to database' modutil-add.out
modutil -dbdir "$db" -list "My Number Card" > modutil-list.out 2>&1
for t in "JPKI User Authentication" "JPKI Digital Signature"; do
	check "modutil -list shows token '$t'" \
		grep -q "Token Name: $t *\$" modutil-list.out
done

# Without a PIN: the public objects only.
certutil -L -d "$db" -h all < /dev/null > list-nopin.out 2>&1
check "certutil -L -h all shows the authentication certificate" \
	grep -q '^JPKI User Authentication:User Authentication Certificate *u,u,u' \
	list-nopin.out
check "certutil -L -h all shows the signature CA" \
	grep -q '^JPKI Digital Signature:Digital Signature CA ' list-nopin.out
check "without a PIN the signature certificate stays hidden" \
	not grep -q '^JPKI Digital Signature:Digital Signature Certificate' \
	list-nopin.out

# NSS gives the last line of the password file to every token that asks:
# the 4-digit token refuses the signature PIN by its format, without a try.
printf '%s\n' "$JV_SIGN_PIN" > pwfile
v0=$(card_verifies alice)
certutil -L -d "$db" -h all -f pwfile > list-pin.out 2>&1
v1=$(card_verifies alice)
check "with the password file both certificates are listed" \
	grep -q '^JPKI Digital Signature:Digital Signature Certificate *u,u,u' \
	list-pin.out
check "... and the authentication certificate still is" \
	grep -q '^JPKI User Authentication:User Authentication Certificate' \
	list-pin.out
check "one VERIFY reached the card (the signature PIN; the other token refused it by format)" \
	test $((v1 - v0)) = 1
# A CMS signature with the signature key. -Y NONE: no encryption-key
# preference attribute (that would want a key-encipherment certificate).
printf 'My Number Card, signed through NSS\n' > doc.txt
n0=$(card_signs alice)
v0=$(card_verifies alice)
cmsutil -S -N "JPKI Digital Signature:Digital Signature Certificate" -Y NONE \
	-H SHA256 -G -d "$db" -f pwfile -i doc.txt -o doc.p7s > cmsutil.out 2>&1
rc=$?
n1=$(card_signs alice)
VA=$(( $(card_verifies alice) - v0 ))
check "cmsutil -S signs (exit $rc), one signature by the card" \
	test "$rc" = 0 -a $((n1 - n0)) = 1
openssl cms -verify -inform DER -in doc.p7s -CAfile "$JV_SIGN_CA" \
	-out verified.txt > verify.out 2>&1
check "openssl cms -verify accepts it against the signature CA" \
	grep -q 'Verification successful' verify.out
check "... and gives back the document" cmp -s doc.txt verified.txt
openssl cms -verify -inform DER -in doc.p7s -noverify -signer signer.pem \
	-out /dev/null > /dev/null 2>&1
check "the signer is the card's signature certificate" \
	test "$(openssl x509 -in signer.pem -outform DER | sha256sum)" = \
	     "$(openssl x509 -in "$(card_dir alice)/certs/sign.crt" -outform DER | sha256sum)"
openssl cms -verify -inform DER -in doc.p7s -CAfile "$JV_AUTH_CA" \
	-out /dev/null > wrongca.out 2>&1
check "... but not against the authentication CA (no issuer found)" \
	test "$(grep -c 'unable to get local issuer certificate' wrongca.out)" -ge 1 -a \
	     "$(grep -c 'Verification successful' wrongca.out)" = 0
# NSS verifies it too, once the signature CA is trusted for e-mail.
certutil -A -d "$db" -n "JPKI signature CA" -t ",C," -i "$JV_SIGN_CA"
cmsutil -D -i doc.p7s -d "$db" -o decoded.txt > decode.out 2>&1
rc=$?
check "cmsutil -D verifies it with the CA trusted (exit $rc)" test "$rc" = 0
check "... and gives back the document" cmp -s doc.txt decoded.txt

# Always-authenticate: NSS logs in again for the key by itself (the same
# password file answers); with the switch off, no second VERIFY is needed.
v0=$(card_verifies alice)
JPKI_PKCS11_ALWAYS_AUTHENTICATE=0 cmsutil -S -Y NONE -H SHA256 -d "$db" \
	-N "JPKI Digital Signature:Digital Signature Certificate" \
	-f pwfile -i doc.txt -o doc2.p7s > cmsutil2.out 2>&1
rc=$?
v1=$(card_verifies alice)
openssl cms -verify -inform DER -in doc2.p7s -CAfile "$JV_SIGN_CA" \
	-out /dev/null > verify2.out 2>&1
check "with JPKI_PKCS11_ALWAYS_AUTHENTICATE=0 cmsutil signs too (exit $rc)" \
	grep -q 'Verification successful' verify2.out
echo "# VERIFYs: cmsutil with always-authenticate $VA, without $((v1 - v0))"
harness_done
