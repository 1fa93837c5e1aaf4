#!/bin/bash
# Fidelity of the virtual card against a peer implementation: OpenSC's
# JPKI driver (Debian's opensc-pkcs11, driven by pkcs11-tool) must see a
# JPKI card, list both certificates, log in with each PIN, sign with each
# key, and report the PIN counters as the card changes them.
set -u
. "$top_srcdir/tests/harness/env.sh"

command -v pkcs11-tool > /dev/null || skip "pkcs11-tool (opensc) is not installed"
command -v opensc-tool > /dev/null || skip "opensc-tool (opensc) is not installed"
[ -e "$OPENSC_PKCS11" ] || skip "$OPENSC_PKCS11 (opensc-pkcs11) is not installed"
harness_init

AUTH_TOKEN='JPKI (User Authentication PIN)'
SIGN_TOKEN='JPKI (Digital Signature PIN)'
W=$JV_TMP/work
mkdir -p "$W"

# pkcs11-tool with the OpenSC module; stderr kept in $W/stderr, and the
# standard output too when the caller does not redirect it (-O listings).
p11() { pkcs11-tool --module "$OPENSC_PKCS11" "$@" 2> "$W/stderr"; }
p11q() { p11 "$@" > "$W/stdout"; }
# token_flags LABEL: the "token flags" line of that token in pkcs11-tool -L
token_flags() {
	p11 -L | awk -v l="$1" '
		/token label/ { found = index($0, l) > 0 }
		found && /token flags/ { sub(/.*: /, ""); print; exit }'
}
expect() {	# expect DESCRIPTION COMMAND...: the command must succeed
	local d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; cat "$W/stderr" 2>/dev/null; fi
}
expect_not() {	# the command must fail
	local d=$1; shift
	if "$@"; then not_ok "$d"; else ok "$d"; fi
}
has() { grep -q -- "$1" "$2"; }
hasnt() { ! grep -q -- "$1" "$2"; }

start_card card standard 0
reader=$(card_reader card)
certs=$(card_dir card)/certs

# --- recognition -----------------------------------------------------------
expect "opensc-tool names the card jpki" \
	test "$(opensc-tool -r "$reader" -n 2> "$W/stderr")" = jpki
p11 -L > "$W/slots"
expect "the user-authentication token is listed" has "$AUTH_TOKEN" "$W/slots"
expect "the digital-signature token is listed" has "$SIGN_TOKEN" "$W/slots"
expect "no PIN shows a low counter at first" hasnt "count low" "$W/slots"

# --- certificates ------------------------------------------------------------
openssl x509 -in "$certs/auth.crt" -outform DER -out "$W/auth.expected"
openssl x509 -in "$certs/sign.crt" -outform DER -out "$W/sign.expected"

p11 --token-label "$AUTH_TOKEN" -O > "$W/auth.objects"
expect "the authentication certificate is listed without login" \
	has "label: *User Authentication Certificate$" "$W/auth.objects"
expect "the authentication certificate reads back as issued" \
	p11 --token-label "$AUTH_TOKEN" --read-object --type cert --id 01 \
	-o "$W/auth.der"
expect "... byte for byte" cmp -s "$W/auth.der" "$W/auth.expected"

p11 --token-label "$SIGN_TOKEN" -O > "$W/sign.objects.public"
expect "the signature certificate is not listed before login" \
	hasnt "label: *Digital Signature Certificate$" "$W/sign.objects.public"
p11 --token-label "$SIGN_TOKEN" --login --pin "$JV_SIGN_PIN" -O \
	> "$W/sign.objects"
expect "the signature certificate is listed after login" \
	has "label: *Digital Signature Certificate$" "$W/sign.objects"
expect "the signature certificate reads back after login" \
	p11 --token-label "$SIGN_TOKEN" --login --pin "$JV_SIGN_PIN" \
	--read-object --type cert --id 02 -o "$W/sign.der"
expect "... byte for byte" cmp -s "$W/sign.der" "$W/sign.expected"

# --- signatures, verified against the certificates read from the card ---------
head -c 1000 /dev/urandom > "$W/data"
sign_and_verify() {	# sign_and_verify NAME TOKEN ID PIN
	local before after
	before=$(apdu_count card)
	expect "$1 key signs with SHA256-RSA-PKCS" \
		p11 --token-label "$2" --login --pin "$4" --sign --id "$3" \
		--mechanism SHA256-RSA-PKCS -i "$W/data" -o "$W/$1.sig"
	after=$(apdu_count card)
	openssl x509 -inform DER -in "$W/$1.der" -pubkey -noout > "$W/$1.pub"
	expect "$1 signature verifies with openssl against the card's certificate" \
		openssl dgst -sha256 -verify "$W/$1.pub" -signature "$W/$1.sig" \
		"$W/data"
	expect "$1 signature was made by the card (COMPUTE DIGITAL SIGNATURE)" \
		test "$(tail -n +$((before + 1)) "$(trace card)" | grep -c '^802A0080')" -ge 1
	[ "$after" -gt "$before" ] || not_ok "$1: the APDU count did not grow"
}
sign_and_verify auth "$AUTH_TOKEN" 01 "$JV_AUTH_PIN"
sign_and_verify sign "$SIGN_TOKEN" 02 "$JV_SIGN_PIN"

expect "the trace hides PIN bytes" has '^0020008004\*\*\*\*\*\*\*\* 9000' "$(trace card)"
expect "the trace never shows the PINs" \
	hasnt '0020008004'"$(printf %s "$JV_AUTH_PIN" | od -An -tx1 | tr -d ' \n')" "$(trace card)"

# --- PIN counters as OpenSC reports them ----------------------------------------
expect_not "a wrong authentication PIN is refused" \
	p11q --token-label "$AUTH_TOKEN" --login --pin 9999 -O
expect "... as CKR_PIN_INCORRECT" has CKR_PIN_INCORRECT "$W/stderr"
expect "... and OpenSC reports the counter low" \
	grep -q "user PIN count low" <<< "$(token_flags "$AUTH_TOKEN")"
expect "the signature PIN is untouched" \
	grep -vq "count low" <<< "$(token_flags "$SIGN_TOKEN")"
expect "the right PIN logs in again" \
	p11q --token-label "$AUTH_TOKEN" --login --pin "$JV_AUTH_PIN" -O
expect "... and resets the counter" \
	grep -vq "count low" <<< "$(token_flags "$AUTH_TOKEN")"

expect_not "a wrong signature PIN is refused" \
	p11q --token-label "$SIGN_TOKEN" --login --pin WRONG1 -O
expect "... and OpenSC reports the signature counter low" \
	grep -q "user PIN count low" <<< "$(token_flags "$SIGN_TOKEN")"

p11q --token-label "$AUTH_TOKEN" --login --pin 9999 -O
p11q --token-label "$AUTH_TOKEN" --login --pin 9999 -O
expect "two wrong authentication PINs: final try" \
	grep -q "final user PIN try" <<< "$(token_flags "$AUTH_TOKEN")"
p11q --token-label "$AUTH_TOKEN" --login --pin 9999 -O
expect "three wrong authentication PINs: OpenSC reports it locked" \
	grep -q "user PIN locked" <<< "$(token_flags "$AUTH_TOKEN")"
expect_not "the right PIN no longer logs in" \
	p11q --token-label "$AUTH_TOKEN" --login --pin "$JV_AUTH_PIN" -O
# The card answers 6984 (the card specification); OpenSC 0.23 maps that to
# CKR_PIN_LOCKED or CKR_GENERAL_ERROR depending on the path: either is a
# refusal, but a CKR_PIN_INCORRECT would mean a try was spent.
expect "... without spending a try" hasnt CKR_PIN_INCORRECT "$W/stderr"
echo "# OpenSC says: $(grep -o 'CKR_[A-Z_]*' "$W/stderr" | head -1)"
auth_pin_hex=$(printf %s "$JV_AUTH_PIN" | od -An -tx1 | tr -d ' \n')
cat > "$W/locked.apdu" <<EOF
00A4040C0AD392F000260100000001 9000
00A4020C020018 9000
00200080 63C0
0020008004$auth_pin_hex 6984
EOF
expect "the card itself reports 63C0 and 6984 for the right PIN" \
	"$JV_PCSC_APDU" run "$reader" "$W/locked.apdu"
harness_done
