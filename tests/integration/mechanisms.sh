#!/bin/bash
# Every mechanism signs with each key, single- and multi-part; the module
# verifies; openssl verifies every signature against the certificate read
# through the module.  Then again with the always-authenticate switch off,
# and with a phone.
. "$top_srcdir/tests/integration/lib.sh"
harness_init
start_card a standard 0

verify_all() {	# WHO
	local who=$1 cert=$JV_TMP/$1-cert.der pub=$JV_TMP/$1.pub sig md n=0
	openssl x509 -inform der -in "$cert" -pubkey -noout >"$pub" || { not_ok "$who: no certificate saved"; return; }
	for sig in "$JV_TMP/$who"-*.sig; do
		case $sig in
		*rsa-pkcs*)
			openssl pkeyutl -verifyrecover -pubin -inkey "$pub" -in "$sig" -out "$JV_TMP/recovered" 2>/dev/null &&
				cmp -s "$JV_TMP/recovered" "$JV_TMP/digestinfo" ;;
		*)
			md=${sig##*/$who-}; md=${md%%[-.]*}
			openssl dgst "-$md" -verify "$pub" -signature "$sig" "$JV_TMP/message" >/dev/null 2>&1 ;;
		esac && n=$((n + 1)) || not_ok "openssl rejects $(basename "$sig")"
	done
	[ "$n" -eq 12 ] && ok "$who: openssl verifies all 12 signatures" || not_ok "$who: openssl verified $n of 12"
}

run_mechs() {	# LABEL [CARD]
	rm -f "$JV_TMP"/*.sig "$JV_TMP"/*.der
	expect_check "$1: mechanisms sign and verify" "${2:-a}" mechs
	verify_all auth
	verify_all sign
}

run_mechs "always-authenticate on"
JPKI_PKCS11_ALWAYS_AUTHENTICATE=0 run_mechs "always-authenticate off"

# An Android phone's smartphone certificates: the same signatures, the
# user-authentication certificate read after its PIN.
stop_card a
start_card p phone 0
run_mechs "phone" p
harness_done
