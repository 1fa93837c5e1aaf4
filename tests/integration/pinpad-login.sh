#!/bin/bash
# The module on a PIN-pad reader, through the real pcscd and the project's
# PIN-pad driver (tests/pinpad): CKF_PROTECTED_AUTHENTICATION_PATH with and
# without the keypad feature and with JPKI_PKCS11_PINPAD=0; C_Login with a
# NULL PIN typed on the keypad (right, wrong, cancel, timeout, wrong length,
# locked) and its counter; the card-face token's PIN on the keypad; a typed PIN on the same reader; signatures after
# a keypad login; C_SetPIN on the keypad; the card left cleared; and no PIN
# in the module's debug log.
. "$top_srcdir/tests/integration/lib.sh"
harness_init
need_pinpad
start_card a standard "$JV_PINPAD"
AID=00A4040C0AD392F000260100000001
KEYLOG=$(pinpad_log)

# keypad_uses: the driver's keypad VERIFYs so far (whatever their end).
keypad_uses() { grep -c '^verify-direct' "$KEYLOG" 2> /dev/null || true; }

# expect_out DESC OUTPUT WANT-LINE...: every WANT-LINE is a line of OUTPUT.
expect_out() {
	local desc=$1 out=$2 w
	shift 2
	for w in "$@"; do
		if ! grep -qxF -- "$w" <<< "$out"; then
			not_ok "$desc: no \"$w\" in: $(tr '\n' '|' <<< "$out")"
			return
		fi
	done
	ok "$desc"
}

# keypad_login DESC WANT-RV WANT-FLAGS [ENTRY...]: the person types ENTRY
# (nothing: the keypad times out), C_Login with a NULL PIN (p11check's
# login and setpin pass NULL PINs when given none).
keypad_login() {
	local desc=$1 rv=$2 flags=$3
	shift 3
	if [ $# -gt 0 ]; then pinpad_type "$@"; else rm -f "$JV_PINPAD_DIR/keypad"; fi
	expect_out "$desc" "$(run_check a login auth 2>&1)" "rv: $rv" "flags:$flags"
}

# auth_flags DESC WANT-FLAGS: the user-authentication token's flags now.
auth_flags() { expect_out "$1" "$(run_check a pinpad-flags 2>&1)" "auth: flags: $2"; }

# refused_null DESC ARGS...: p11check ARGS (a NULL PIN) is refused before
# any APDU.
refused_null() {
	local desc=$1
	shift
	expect_out "$desc" "$(run_check a "$@" 2>&1)" "rv: CKR_ARGUMENTS_BAD" "apdus: 0"
}

# The last commands the card received end with the applet SELECT: every
# transaction that verified left the card cleared.
cleared() {
	local last
	last=$(grep -v '^#' "$(trace a)" | tail -n 1)
	[[ $last == "$AID 9000" ]] && ok "$1: the card was cleared last" ||
		not_ok "$1: last command was $last"
}

# --- flags --------------------------------------------------------------------
out=$(run_check a pinpad-flags 2>&1)
expect_out "keypad reader: the 4-digit token shows a protected path" "$out" \
	"auth: flags: login pin protected"
expect_out "the signature token never does (its PIN has letters)" "$out" \
	"sign: flags: login pin"
JPKI_PKCS11_PINPAD=0 auth_flags "JPKI_PKCS11_PINPAD=0: no protected path" "login pin"
n=$(keypad_uses)
pinpad_type "$JV_AUTH_PIN"
JPKI_PKCS11_PINPAD=0 refused_null "JPKI_PKCS11_PINPAD=0: a NULL PIN is refused without an APDU" login auth
[ "$(keypad_uses)" = "$n" ] && ok "JPKI_PKCS11_PINPAD=0: the keypad was never asked" ||
	not_ok "JPKI_PKCS11_PINPAD=0: the keypad was asked"

pinpad_features none
auth_flags "reader without the feature: no protected path" "login pin"
refused_null "reader without the feature: a NULL PIN is refused" login auth
pinpad_features verify
auth_flags "VERIFY_PIN_DIRECT alone: protected path" "login pin protected"
refused_null "no MODIFY_PIN_DIRECT: C_SetPIN with NULL PINs refused" setpin auth
rm -f "$JV_PINPAD_DIR/features"
refused_null "the signature token: a NULL PIN is refused" login sign
[ "$(keypad_uses)" = "$n" ] && ok "none of these asked the keypad" ||
	not_ok "the keypad was asked $(( $(keypad_uses) - n )) times"

# --- login on the keypad ------------------------------------------------------
v=$(card_verifies a)
keypad_login "right PIN on the keypad" CKR_OK " login pin protected" "$JV_AUTH_PIN"
[ "$(card_verifies a)" = $((v + 1)) ] && ok "one VERIFY reached the card" ||
	not_ok "$(( $(card_verifies a) - v )) VERIFYs reached the card"
cleared "keypad login"
grep -q '^verify-direct len=4 sw=9000$' "$KEYLOG" && ok "the driver saw 4 digits, 9000" ||
	not_ok "no successful keypad VERIFY in the driver's log"
keypad_login "wrong PIN on the keypad" CKR_PIN_INCORRECT " login pin count-low protected" 9999
expect_auth_tries a 63C2
v=$(card_verifies a)
keypad_login "Cancel pressed" CKR_FUNCTION_CANCELED " login pin count-low protected" cancel
keypad_login "keypad timeout" CKR_FUNCTION_CANCELED " login pin count-low protected" timeout
keypad_login "nothing typed" CKR_FUNCTION_CANCELED " login pin count-low protected"
keypad_login "3 digits typed" CKR_PIN_LEN_RANGE " login pin count-low protected" 123
[ "$(card_verifies a)" = "$v" ] && ok "cancel, timeout, bad length: nothing reached the card" ||
	not_ok "$(( $(card_verifies a) - v )) VERIFYs reached the card"
expect_auth_tries a 63C2
keypad_login "right PIN resets the counter" CKR_OK " login pin protected" "$JV_AUTH_PIN"
expect_auth_tries a 63C3
# A reader with a display gets the prompt in its structure; it still works.
pinpad_features verify modify properties display
keypad_login "a reader with a display" CKR_OK " login pin protected" "$JV_AUTH_PIN"
rm -f "$JV_PINPAD_DIR/features"

# --- a typed PIN on the same reader ------------------------------------------
n=$(keypad_uses)
out=$(run_check a login auth "$JV_AUTH_PIN" 2>&1)
expect_out "a typed PIN still logs in on a PIN-pad reader" "$out" "rv: CKR_OK"
[ "$(keypad_uses)" = "$n" ] && ok "a typed PIN never asks the keypad" ||
	not_ok "a typed PIN asked the keypad"
expect_check "a typed PIN signs on a PIN-pad reader" a sign-once auth

# --- signatures after a keypad login -----------------------------------------
s=$(card_signs a)
n=$(keypad_uses)
pinpad_type "$JV_AUTH_PIN" "$JV_AUTH_PIN" "$JV_AUTH_PIN"
out=$(run_check a pinpad-sign 2 2>&1)
expect_out "keypad login, then two signatures" "$out" "login: CKR_OK" \
	"sign 1: CKR_OK" "verify 1: CKR_OK" "sign 2: CKR_OK" "verify 2: CKR_OK" "state: user"
[ "$(card_signs a)" = $((s + 2)) ] && ok "the card made 2 signatures" ||
	not_ok "the card made $(( $(card_signs a) - s )) signatures"
[ "$(keypad_uses)" = $((n + 3)) ] &&
	ok "each signature asked the keypad again (3 entries: login + 2)" ||
	not_ok "keypad asked $(( $(keypad_uses) - n )) times, want 3"
cleared "signatures after a keypad login"
# Each signature's VERIFY and signature in one transaction: VERIFY, SELECT
# of the key, signature, applet SELECT, in this order.
if grep -v '^#' "$(trace a)" | tail -n 4 | sed 's/ .*//' | tr '\n' ' ' |
	grep -Eq '^0020008004\*+ 00A4020C020017 802A0080[0-9A-F]+ 00A4040C0A'; then
	# (pcscd powers the card down soon after the module lets go, so a
	# raw attempt by another process afterwards would prove nothing: the
	# clear is checked here, as the last command of the transaction.)
	ok "keypad VERIFY, signature and clear, back to back"
else
	not_ok "unexpected order: $(grep -v '^#' "$(trace a)" | tail -n 4 | tr '\n' '|')"
fi
s=$(card_signs a)
pinpad_type "$JV_AUTH_PIN" cancel
out=$(run_check a pinpad-sign 1 2>&1)
expect_out "Cancel at the signature: CKR_FUNCTION_CANCELED, still logged in" "$out" \
	"login: CKR_OK" "sign 1: CKR_FUNCTION_CANCELED" "state: user"
[ "$(card_signs a)" = "$s" ] && ok "no signature without the PIN" || not_ok "the card signed"

# --- C_SetPIN on the keypad ---------------------------------------------------
pinpad_type "$JV_AUTH_PIN" 5678 5678
out=$(run_check a setpin auth 2>&1)
expect_out "C_SetPIN with NULL PINs: current PIN, new PIN twice" "$out" "rv: CKR_OK"
grep -q '^0024018004\*\*\*\*\*\*\*\* 9000$' "$(trace a)" &&
	ok "CHANGE REFERENCE DATA reached the card" || not_ok "no CHANGE REFERENCE DATA"
cleared "keypad PIN change"
keypad_login "the new PIN on the keypad" CKR_OK " login pin protected" 5678
c=$(grep -c '^0024' "$(trace a)")
pinpad_type 5678 1111 2222
out=$(run_check a setpin auth 2>&1)
expect_out "new PIN and confirmation differ: CKR_PIN_INVALID" "$out" "rv: CKR_PIN_INVALID"
[ "$(grep -c '^0024' "$(trace a)")" = "$c" ] && ok "a mismatched change never reaches the card" ||
	not_ok "a mismatched change reached the card"
pinpad_type 5678 "$JV_AUTH_PIN" "$JV_AUTH_PIN"
out=$(run_check a setpin auth 2>&1)
expect_out "change back" "$out" "rv: CKR_OK"

# --- no PIN in the debug log ------------------------------------------------
pinpad_type "$JV_AUTH_PIN" "$JV_AUTH_PIN"
JPKI_PKCS11_DEBUG=1 JPKI_PKCS11_DEBUG_FILE=$JV_TMP/debug.log run_check a pinpad-sign 1 > "$JV_TMP/dbg.out" 2>&1
grep -qx 'sign 1: CKR_OK' "$JV_TMP/dbg.out" || not_ok "debug run: $(tr '\n' '|' < "$JV_TMP/dbg.out")"
if [ -s "$JV_TMP/debug.log" ] && grep -q 'keypad VERIFY' "$JV_TMP/debug.log"; then
	ok "debug log shows the keypad VERIFYs"
else
	not_ok "debug log: no keypad VERIFY"
fi
leak=0
for pin in "$JV_AUTH_PIN" 5678 9999 1111 2222 '31 32 33 34' '35 36 37 38' '39 39 39 39'; do
	if grep -q -- "$pin" "$JV_TMP/debug.log"; then
		not_ok "\"$pin\" appears in the debug log"
		leak=1
	fi
done
[ $leak = 0 ] && ok "no PIN, as digits or as hex, in the debug log"

# --- the card-face token's 4-digit PIN is typed on the keypad too ------------
pinpad_type "$JV_FACE_PIN"
out=$(run_check a login face 2>&1)
if grep -qx 'rv: CKR_OK' <<< "$out" && grep -q '^flags:.* protected' <<< "$out"; then
	ok "card-face token: protected path, keypad login"
else
	not_ok "card-face token keypad login: $(tr '\n' '|' <<< "$out")"
fi
[ "$(trace_count a '^# verified face')" -ge 1 ] && ok "the card saw the card-face PIN verified" ||
	not_ok "no card-face VERIFY on the card"
cleared "card-face keypad login"

# --- locked -------------------------------------------------------------------
keypad_login "wrong 1" CKR_PIN_INCORRECT " login pin count-low protected" 9999
keypad_login "wrong 2" CKR_PIN_INCORRECT " login pin count-low final-try protected" 9999
keypad_login "wrong 3 locks" CKR_PIN_INCORRECT " login pin locked protected" 9999
expect_auth_tries a 63C0
n=$(keypad_uses)
pinpad_type "$JV_AUTH_PIN"
out=$(run_check a login auth 2>&1)
expect_out "locked: CKR_PIN_LOCKED without an APDU" "$out" "rv: CKR_PIN_LOCKED" "apdus: 0"
[ "$(keypad_uses)" = "$n" ] && ok "locked: the keypad was never asked" ||
	not_ok "locked: the keypad was asked"

harness_done
