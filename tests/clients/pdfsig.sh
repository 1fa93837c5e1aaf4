#!/bin/bash
# PDF signatures: pdfsig (poppler, NSS back end) signs a PDF with the
# card's signature key through the module registered in an NSS database
# (modutil), and pdfsig reports the signature valid and names the signer.
# pdfsig gives its one password to every token that needs a login and
# gives up at the second, so the module shows only the signature token
# (JPKI_PKCS11_TOKENS=sign); the test shows both ways.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/clients/lib.sh"
for p in pdfsig pdfinfo certutil modutil openssl; do need "$p"; done
harness_init
start_card alice standard 0
certs=$(card_dir alice)/certs

# mkpdf OUT TEXT: a one-page PDF written by hand (xref offsets computed).
mkpdf() {
	local out=$1 stream="BT /F1 18 Tf 72 720 Td ($2) Tj ET" objs=() off=() i body xref
	objs[1]="<< /Type /Catalog /Pages 2 0 R >>"
	objs[2]="<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
	objs[3]="<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
	objs[4]="<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
	objs[5]=$'<< /Length '${#stream}$' >>\nstream\n'$stream$'\nendstream'
	body=$'%PDF-1.4\n'
	for i in 1 2 3 4 5; do
		off[i]=${#body}
		body+="$i 0 obj"$'\n'"${objs[i]}"$'\nendobj\n'
	done
	xref=${#body}
	body+=$'xref\n0 6\n0000000000 65535 f \n'
	for i in 1 2 3 4 5; do body+=$(printf '%010d 00000 n ' "${off[i]}")$'\n'; done
	body+=$'trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n'$xref$'\n%%EOF\n'
	LC_ALL=C printf '%s' "$body" > "$out"
}
mkpdf "$JV_TMP/doc.pdf" "Application signed with the My Number Card"
pdfinfo "$JV_TMP/doc.pdf" > "$JV_TMP/pdfinfo.log" 2>&1 && grep -q '^Pages: *1$' "$JV_TMP/pdfinfo.log" &&
	ok "the hand-written PDF is a valid one-page PDF" ||
	fail "mkpdf made a broken PDF: $(cat "$JV_TMP/pdfinfo.log")"

db=$JV_TMP/nssdb
nss_db "$db" "$JPKI_MODULE"
NICK="JPKI Digital Signature:Digital Signature Certificate"

# Both tokens shown: pdfsig's single password cannot open both.
tries_a=$(auth_pin_tries alice); tries_s=$(sign_pin_tries alice)
pdfsig -nssdir "sql:$db" -nss-pwd "$JV_SIGN_PIN" -kpw "$JV_SIGN_PIN" -add-signature \
	-nick "$NICK" "$JV_TMP/doc.pdf" "$JV_TMP/both.pdf" > "$JV_TMP/both.log" 2>&1
if [ ! -s "$JV_TMP/both.pdf" ] && grep -q 'Password was not accepted' "$JV_TMP/both.log"; then
	ok "with both tokens shown pdfsig stops: $(head -n1 "$JV_TMP/both.log")"
else
	not_ok "pdfsig with both tokens: $(cat "$JV_TMP/both.log")"
fi
[ "$(auth_pin_tries alice)/$(sign_pin_tries alice)" = "$tries_a/$tries_s" ] &&
	ok "and the signature PIN offered to the authentication token cost no try" ||
	not_ok "tries went from $tries_a/$tries_s to $(auth_pin_tries alice)/$(sign_pin_tries alice)"

# Only the signature token shown: pdfsig signs.
export JPKI_PKCS11_TOKENS=sign
pdfsig -nssdir "sql:$db" -nss-pwd "$JV_SIGN_PIN" -list-nicks \
	> "$JV_TMP/nicks.log" 2>&1
grep -qxF "$NICK" "$JV_TMP/nicks.log" &&
	ok "pdfsig -list-nicks shows the signature certificate" ||
	not_ok "pdfsig -list-nicks: $(cat "$JV_TMP/nicks.log")"
signs=$(card_signs alice)
pdfsig -nssdir "sql:$db" -nss-pwd "$JV_SIGN_PIN" -kpw "$JV_SIGN_PIN" -add-signature \
	-nick "$NICK" -reason "Test application" \
	"$JV_TMP/doc.pdf" "$JV_TMP/signed.pdf" > "$JV_TMP/sign.log" 2>&1
[ -s "$JV_TMP/signed.pdf" ] && ok "pdfsig -add-signature wrote the signed PDF" ||
	not_ok "pdfsig -add-signature: $(cat "$JV_TMP/sign.log")"
[ "$(card_signs alice)" -gt "$signs" ] &&
	ok "the card signed ($(($(card_signs alice) - signs)) signatures)" ||
	not_ok "the card made no signature"
unset JPKI_PKCS11_TOKENS

# A relying party without the card: an NSS database with the signature CA.
v=$JV_TMP/verifydb
nss_db "$v"
certutil -A -d "sql:$v" -n "JPKI signature CA" -t "C,C,C" -i "$JV_SIGN_CA"
pdfsig -nssdir "sql:$v" -no-ocsp "$JV_TMP/signed.pdf" > "$JV_TMP/verify.log" 2>&1
cn=$(openssl x509 -in "$certs/sign.crt" -noout -subject -nameopt multiline |
	sed -n 's/^ *commonName *= //p')
grep -q 'Signature Validation: Signature is Valid\.' "$JV_TMP/verify.log" &&
	ok "pdfsig: Signature is Valid." || not_ok "pdfsig: $(cat "$JV_TMP/verify.log")"
[ -n "$cn" ] && grep -qF "Signer Certificate Common Name: $cn" "$JV_TMP/verify.log" &&
	ok "pdfsig names the signer: $cn" || not_ok "signer is not $cn: $(cat "$JV_TMP/verify.log")"
grep -q 'Total document signed' "$JV_TMP/verify.log" &&
	ok "the whole document is signed" || not_ok "not the total document signed"
echo "# certificate check: $(sed -n 's/.*Certificate Validation: //p' "$JV_TMP/verify.log")"

# Tampered: change a byte inside the signed range.
LC_ALL=C sed 's/with the My Number Card/with the My Numbr Card!/' "$JV_TMP/signed.pdf" > "$JV_TMP/tampered.pdf"
cmp -s "$JV_TMP/signed.pdf" "$JV_TMP/tampered.pdf" && fail "tampering changed nothing"
pdfsig -nssdir "sql:$v" -no-ocsp "$JV_TMP/tampered.pdf" > "$JV_TMP/tampered.log" 2>&1
verdict=$(sed -n 's/.*Signature Validation: //p' "$JV_TMP/tampered.log")
if [ -n "$verdict" ] && [ "$verdict" != "Signature is Valid." ]; then
	ok "a tampered PDF is not valid: $verdict"
else
	not_ok "pdfsig on a tampered PDF: $(cat "$JV_TMP/tampered.log")"
fi
harness_done
