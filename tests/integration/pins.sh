#!/bin/bash
# PIN policy: format errors cost no APDU, wrong PINs lower the counter and
# set the flags, a locked PIN is never sent again, C_SetPIN, and the card's
# verified state does not outlive the module's operation.
. "$top_srcdir/tests/integration/lib.sh"
harness_init
start_card a standard 0

card=a		# the card login and setpin use
login() {	# WHICH PIN WANT-RV WANT-APDUS WANT-FLAGS DESC
	local out rv apdus flags
	out=$(run_check "$card" login "$1" "$2" 2>&1)
	rv=$(field rv "$out"); apdus=$(field apdus "$out"); flags=$(field flags "$out")
	if [ "$rv" = "$3" ] && { [ "$4" = any ] || [ "$apdus" = "$4" ]; } && [ "$flags" = "${5# }" ]; then
		ok "$6: $rv, $apdus APDUs, flags:$flags"
	else
		not_ok "$6: got $rv/$apdus APDUs/flags:$flags, want $3/$4/flags:$5"
	fi
}

# format errors: refused before any APDU
login auth 123 CKR_PIN_LEN_RANGE 0 " login pin" "3-digit auth PIN"
login auth 12345 CKR_PIN_LEN_RANGE 0 " login pin" "5-digit auth PIN"
login auth 12a4 CKR_PIN_INVALID 0 " login pin" "letter in auth PIN"
login sign ABC12 CKR_PIN_LEN_RANGE 0 " login pin" "5-character sign PIN"
login sign ABCDEFGHIJKLMNOPQ CKR_PIN_LEN_RANGE 0 " login pin" "17-character sign PIN"
login sign 'ABC-123' CKR_PIN_INVALID 0 " login pin" "punctuation in sign PIN"

# wrong PINs: counter and flags; success resets the counter
login auth 9999 CKR_PIN_INCORRECT any " login pin count-low" "wrong auth PIN (2 left)"
login auth 1234 CKR_OK any " login pin" "right auth PIN resets the counter"
login sign ZZZ999 CKR_PIN_INCORRECT any " login pin count-low" "wrong sign PIN (4 left)"
login sign ZZZ999 CKR_PIN_INCORRECT any " login pin count-low" "wrong sign PIN (3 left)"
login sign ZZZ999 CKR_PIN_INCORRECT any " login pin count-low" "wrong sign PIN (2 left)"
login sign ZZZ999 CKR_PIN_INCORRECT any " login pin count-low final-try" "wrong sign PIN (1 left)"
login sign ABC123 CKR_OK any " login pin" "right sign PIN at the final try"

# lock the authentication PIN
login auth 9999 CKR_PIN_INCORRECT any " login pin count-low" "wrong auth PIN 1"
login auth 9999 CKR_PIN_INCORRECT any " login pin count-low final-try" "wrong auth PIN 2"
login auth 9999 CKR_PIN_INCORRECT any " login pin locked" "wrong auth PIN 3 locks it"
verifies_before=$(card_verifies a)
login auth 1234 CKR_PIN_LOCKED 0 " login pin locked" "locked PIN: refused without an APDU"
login auth 9999 CKR_PIN_LOCKED 0 " login pin locked" "again"
[ "$(card_verifies a)" = "$verifies_before" ] &&
	ok "no VERIFY reached the card after the lock" || not_ok "a VERIFY reached the locked PIN"
# The module's debug log shows every APDU, and no PIN byte.
JPKI_PKCS11_DEBUG=1 JPKI_PKCS11_DEBUG_FILE=$JV_TMP/debug.log run_check a login sign ABC123 >/dev/null 2>&1
if grep -q '00 20 00 80 \*\*' "$JV_TMP/debug.log" && ! grep -q '41 42 43 31 32 33' "$JV_TMP/debug.log"; then
	ok "debug log shows the VERIFY with its PIN replaced"
else
	not_ok "debug log: VERIFY missing or PIN bytes present"
fi

# C_SetPIN on the signature PIN
setpin() {	# OLD NEW WANT-RV WANT-APDUS DESC
	local out rv apdus
	out=$(run_check "$card" setpin sign "$1" "$2" 2>&1)
	rv=$(field rv "$out"); apdus=$(field apdus "$out")
	if [ "$rv" = "$3" ] && { [ "$4" = any ] || [ "$apdus" = "$4" ]; }; then
		ok "$5: $rv, $apdus APDUs"
	else
		not_ok "$5: got $rv/$apdus APDUs, want $3/$4"
	fi
}
setpin ABC123 ABCDEFG CKR_PIN_INVALID 0 "new sign PIN without digits"
setpin ABC123 1234567 CKR_PIN_INVALID 0 "new sign PIN without letters"
setpin ABC123 AB1 CKR_PIN_LEN_RANGE 0 "new sign PIN too short"
setpin ABC12X NEW456 CKR_PIN_INCORRECT any "wrong old PIN"
setpin ABC123 NEW456 CKR_OK any "change the sign PIN"
login sign ABC123 CKR_PIN_INCORRECT any " login pin count-low" "old sign PIN no longer works"
login sign NEW456 CKR_OK any " login pin" "new sign PIN works"

# A process that never logged in cannot use the card right after the
# module signed: the verified state was cleared.
stop_card a
start_card b standard 1
expect_check "module signs with the auth key" b sign-once auth
digestinfo=3031300D060960864801650304020105000420$(printf '00%.0s' $(seq 32))
if printf '00A4020C020017 9000\n802A008033%s00 6982\n' "$digestinfo" |
	"$JV_PCSC_APDU" run "$(card_reader b)" >"$JV_TMP/raw.out" 2>&1
then ok "raw sign APDU from another process right after: 6982"
else cat "$JV_TMP/raw.out"; not_ok "raw sign APDU from another process was not refused with 6982"; fi

# The signature PIN's letters in either case, and the mix of letters and
# digits required at login and for the old PIN too (a fresh card: the
# counter above is not touched).
card=b
login sign ABCDEF CKR_PIN_INVALID 0 " login pin" "sign PIN without a digit"
login sign 123456 CKR_PIN_INVALID 0 " login pin" "sign PIN without a letter"
setpin ABCDEF NEW456 CKR_PIN_INVALID 0 "old sign PIN without a digit"
setpin 123456 NEW456 CKR_PIN_INVALID 0 "old sign PIN without a letter"
login sign abc123 CKR_OK any " login pin" "lower-case sign PIN is taken as upper case"
setpin abC123 new789 CKR_OK any "C_SetPIN takes both PINs in either case"
login sign NEW789 CKR_OK any " login pin" "the new PIN was set in upper case"
harness_done
