#!/bin/bash
# Tokens, flags, objects and attributes for every profile of the virtual
# card; serials stable across processes; certificates match the card's.
. "$top_srcdir/tests/integration/lib.sh"
harness_init

for profile in standard face-auth no-sign-cert auth-locked sign-locked expired; do
	name=c-$profile
	start_card "$name" "$profile" 0
	echo "# profile $profile"
	expect_check "$profile: tokens, flags, objects" "$name" tokens "$profile"
	first=$(cat "$JV_TMP/serials")
	rm -f "$JV_TMP/serials"
	run_check "$name" tokens "$profile" >/dev/null 2>&1
	[ -n "$first" ] && [ "$first" = "$(cat "$JV_TMP/serials")" ] && ok "$profile: same serial in a second process" ||
		not_ok "$profile: serial changed between processes"
	vflags=()
	[ "$profile" = expired ] && vflags=(-no_check_time)
	openssl verify "${vflags[@]}" -CAfile "$JV_AUTH_CA" <(openssl x509 -inform der -in "$JV_TMP/auth-cert.der") >/dev/null &&
		ok "$profile: auth certificate from the module verifies against the auth CA" ||
		not_ok "$profile: auth certificate does not verify"
	if [ "$profile" = standard ]; then
		# the personal data of the signature certificate, as the card holds it
		openssl x509 -inform der -in "$JV_TMP/sign-cert.der" -noout -ext subjectAltName 2>/dev/null |
			grep -q '1\.2\.392\.200149\.8\.5\.5\.1::試験' &&
			ok "standard: the signature certificate names its holder (JPKI subjectAltName, UTF-8)" ||
			not_ok "standard: no readable holder name in the signature certificate"
	fi
	end=$(cat "$JV_TMP/auth-end-date")
	today=$(date -u +%Y%m%d)
	if [ "$profile" = expired ]; then
		[ "$end" \< "$today" ] && ok "expired: CKA_END_DATE $end is past" || not_ok "expired: CKA_END_DATE $end"
	else
		[ "$end" \> "$today" ] && ok "$profile: CKA_END_DATE $end is ahead" || not_ok "$profile: CKA_END_DATE $end"
	fi
	rm -f "$JV_TMP"/*.der "$JV_TMP"/*-end-date
	stop_card "$name"
done

# The browser module file and the environment switch show one token only.
start_card b standard 0
JPKI_MODULE=$top_builddir/.libs/jpki-pkcs11-auth.so expect_check "jpki-pkcs11-auth.so shows only the authentication token" b only-auth
JPKI_PKCS11_TOKENS=auth expect_check "JPKI_PKCS11_TOKENS=auth shows only the authentication token" b only-auth
JPKI_MODULE=$top_builddir/.libs/jpki-pkcs11-auth.so JPKI_PKCS11_TOKENS=sign run_check b tokens standard >"$JV_TMP/none.out" 2>&1
grep -q "^not ok - both tokens present" "$JV_TMP/none.out" && ok "the environment cannot widen the browser module" ||
	not_ok "jpki-pkcs11-auth.so showed the signature token"
harness_done
