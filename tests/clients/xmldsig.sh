#!/bin/bash
# XML signatures as e-Tax uses them: an enveloped XMLDSig (RSA-SHA256, the
# signer's certificate in KeyInfo) made with the card's signature key
# through NSS (examples/xmldsig-nss-sign.c, xmlsec's NSS back end), accepted
# by "xmlsec1 --verify" against the signature CA; a tampered copy is
# rejected. Also shows why not "xmlsec1 --sign" with libp11's engine: its
# OpenSSL back end will not sign with a key it cannot read.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/clients/lib.sh"
need xmlsec1
need certutil
need modutil
need pkg-config
CC=${CC:-cc}
need "$CC"
pkg-config --exists xmlsec1-nss || skip "xmlsec1-nss development files are not installed"
harness_init
start_card alice standard 0
certs=$(card_dir alice)/certs

# The example program, built as the recipe builds it.
signer=$JV_TMP/xmldsig-nss-sign
# shellcheck disable=SC2046
"$CC" -o "$signer" "$top_srcdir/examples/xmldsig-nss-sign.c" \
	$(pkg-config --cflags --libs xmlsec1-nss) 2> "$JV_TMP/cc.log" ||
	fail "cannot build examples/xmldsig-nss-sign.c: $(cat "$JV_TMP/cc.log")"

db=$JV_TMP/nssdb
nss_db "$db" "$JPKI_MODULE"
pinfile=$JV_TMP/pin
(umask 077; echo "$JV_SIGN_PIN" > "$pinfile")

cat > "$JV_TMP/form.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<申告書 xmlns="urn:example:jpki-pkcs11:form">
  <氏名>試験　花子</氏名>
  <年分>2025</年分>
  <所得金額 通貨="JPY">5000000</所得金額>
</申告書>
XML

# --- NSS route: the card signs ------------------------------------------
signs=$(card_signs alice)
verifies=$(card_verifies alice)
if "$signer" -f "$pinfile" "sql:$db" "JPKI Digital Signature" \
	"Digital Signature Certificate" "$JV_TMP/form.xml" "$JV_TMP/signed.xml" \
	> "$JV_TMP/sign.log" 2>&1; then
	ok "xmldsig-nss-sign signed the form"
else
	not_ok "xmldsig-nss-sign: $(cat "$JV_TMP/sign.log")"
fi
[ "$(card_signs alice)" = $((signs + 1)) ] &&
	ok "the card made the signature" ||
	not_ok "card signatures went from $signs to $(card_signs alice)"
# Login, then the context-specific login of CKA_ALWAYS_AUTHENTICATE.
[ "$(card_verifies alice)" -ge $((verifies + 2)) ] &&
	ok "the signature PIN was verified for the login and again for the signature" ||
	not_ok "PIN VERIFYs went from $verifies to $(card_verifies alice)"

grep -q 'Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"' "$JV_TMP/signed.xml" &&
	ok "SignatureMethod is RSA-SHA256" || not_ok "no RSA-SHA256 SignatureMethod"
grep -q 'http://www.w3.org/2000/09/xmldsig#enveloped-signature' "$JV_TMP/signed.xml" &&
	ok "the signature is enveloped" || not_ok "no enveloped-signature transform"
# The certificate in KeyInfo is the card's signature certificate.
tr -d '\n\r ' < "$JV_TMP/signed.xml" |
	sed -n 's:.*<X509Certificate>\([^<]*\)</X509Certificate>.*:\1:p' > "$JV_TMP/keyinfo.b64"
if base64 -d "$JV_TMP/keyinfo.b64" 2>/dev/null | openssl x509 -inform DER -noout -fingerprint -sha256 > "$JV_TMP/fp1" 2>&1 &&
	openssl x509 -in "$certs/sign.crt" -noout -fingerprint -sha256 > "$JV_TMP/fp2" &&
	cmp -s "$JV_TMP/fp1" "$JV_TMP/fp2"; then
	ok "KeyInfo carries the card's signature certificate"
else
	not_ok "KeyInfo certificate is not the signature certificate"
fi

# --- xmlsec1 (OpenSSL back end) verifies against the signature CA ---------
if xmlsec1 --verify --trusted-pem "$JV_SIGN_CA" "$JV_TMP/signed.xml" > "$JV_TMP/verify.log" 2>&1 &&
	grep -q '^OK' "$JV_TMP/verify.log"; then
	ok "xmlsec1 --verify accepts the signature against the signature CA"
else
	not_ok "xmlsec1 --verify: $(cat "$JV_TMP/verify.log")"
fi
refused "the user-authentication CA does not vouch for it" \
	'unable to get local issuer certificate' "$JV_TMP/verify-wrongca.log" \
	xmlsec1 --verify --trusted-pem "$JV_AUTH_CA" "$JV_TMP/signed.xml"
sed 's:5000000:9000000:' "$JV_TMP/signed.xml" > "$JV_TMP/tampered.xml"
cmp -s "$JV_TMP/signed.xml" "$JV_TMP/tampered.xml" && fail "tampering changed nothing"
refused "a tampered copy is rejected: its digest does not match" \
	'data and digest do not match' "$JV_TMP/verify-tampered.log" \
	xmlsec1 --verify --trusted-pem "$JV_SIGN_CA" "$JV_TMP/tampered.xml"

# --- wrong PIN: the program does not retry it ----------------------------
tries=$(sign_pin_tries alice)
(umask 077; echo "WRONG1" > "$pinfile")
"$signer" -f "$pinfile" "sql:$db" "JPKI Digital Signature" \
	"Digital Signature Certificate" "$JV_TMP/form.xml" "$JV_TMP/no.xml" \
	> "$JV_TMP/wrongpin.log" 2>&1 && not_ok "signed with a wrong PIN"
[ ! -s "$JV_TMP/no.xml" ] && ok "nothing was written with a wrong PIN" ||
	not_ok "a signed file was written with a wrong PIN"
[ "$(sign_pin_tries alice)" = $((tries - 1)) ] &&
	ok "a wrong PIN costs exactly one try (not retried)" ||
	not_ok "tries went from $tries to $(sign_pin_tries alice)"

# --- why not xmlsec1 --sign with libp11's engine --------------------------
engine=
for e in /usr/lib/*/engines-3/pkcs11.so; do [ -e "$e" ] && engine=$e; done
if [ -n "$engine" ]; then
	cat > "$JV_TMP/openssl.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = $engine
MODULE_PATH = $JPKI_MODULE
PIN = $JV_SIGN_PIN
init = 0
CNF
	cp "$certs/sign.crt" "$JV_TMP/sign.crt"
	signs=$(card_signs alice)
	if OPENSSL_CONF=$JV_TMP/openssl.cnf xmlsec1 --sign --output "$JV_TMP/engine.xml" \
		--privkey-openssl-engine "pkcs11;pkcs11:token=JPKI%20Digital%20Signature;id=%02;type=private,$JV_TMP/sign.crt" \
		"$JV_TMP/signed.xml" > "$JV_TMP/engine.log" 2>&1; then
		# Should a later xmlsec1 sign, the signature must come from the card.
		[ "$(card_signs alice)" -gt "$signs" ] &&
			ok "xmlsec1 with the engine signs on the card (newer xmlsec)" ||
			not_ok "xmlsec1 --sign succeeded without the card signing"
	else
		grep -q 'key is not found' "$JV_TMP/engine.log" &&
			ok "xmlsec1 (OpenSSL back end) refuses the engine key: 'key is not found'" ||
			not_ok "xmlsec1 --sign with the engine failed otherwise: $(head -3 "$JV_TMP/engine.log")"
		[ "$(card_signs alice)" = "$signs" ] &&
			ok "and nothing was signed" || not_ok "the card signed anyway"
	fi
fi
harness_done
