#!/bin/bash
# The card-face data token (the module specification, "The card-face data token"): its
# objects after login and only then, the PIN rules of the other tokens on
# its own counter, nothing of it in the debug log, no APDU for it until it
# is used, face-authentication cards and phones.
. "$top_srcdir/tests/integration/lib.sh"
harness_init
start_card a standard 0

# The holder's data the virtual card was made with (its state file).
state=$(card_dir a)/state
mynumber=$(sed -n 's/^face mynumber //p' "$state")
[ ${#mynumber} -eq 12 ] || fail "no My Number in the card's state file"

out=$(run_check a face 1234 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] && ok "login, five private data objects, none before login, after logout or after the last session" ||
	not_ok "card-face scenario (p11check exit $rc)"
got() { printf '%s\n' "$out" | sed -n "s/^$1=//p"; }
[ "$(got 'My Number')" = "$mynumber" ] && ok "My Number is the card's 12 digits" ||
	not_ok "My Number: got '$(got 'My Number')', want $mynumber"
[ "$(got Name)" = "試験　花子" ] && ok "Name is the card's UTF-8 text" || not_ok "Name: '$(got Name)'"
[ "$(got Address)" = "東京都千代田区架空町一丁目2番3号" ] && ok "Address" || not_ok "Address: '$(got Address)'"
[ "$(got 'Date of Birth')" = 19900101 ] && ok "Date of Birth" || not_ok "Date of Birth: '$(got 'Date of Birth')'"
[ "$(got Sex)" = 2 ] && ok "Sex" || not_ok "Sex: '$(got Sex)'"
probe=$(field probe-apdus "$out")
[ "$probe" = 3 ] && ok "first look at the token: 3 APDUs (SELECT applet, SELECT EF 0011, empty VERIFY)" ||
	not_ok "first look at the token cost $probe APDUs"
[ "$(field flags "$out")" = "login pin " ] && ok "token flags: login required, PIN initialized" ||
	not_ok "flags: '$(field flags "$out")'"

# The JPKI tokens pay nothing for the third: listing and using the
# authentication token never selects the card-face applet.
trace_before=$(apdu_count a)
run_check a sign-once auth >/dev/null 2>&1 || not_ok "sign-once auth failed"
if tail -n +1 "$(trace a)" | grep -v '^#' | tail -n $(( $(apdu_count a) - trace_before )) |
	grep -q '^00A4040C0AD3921000310001010408'; then
	not_ok "a signature with the authentication token selected the card-face applet"
else
	ok "a signature with the authentication token sends no card-face APDU"
fi

# The PIN rules, on its own counter.
login() {	# PIN WANT-RV WANT-APDUS WANT-FLAGS DESC
	local out rv apdus flags
	out=$(run_check a login face "$1" 2>&1)
	rv=$(field rv "$out"); apdus=$(field apdus "$out"); flags=$(field flags "$out")
	if [ "$rv" = "$2" ] && { [ "$3" = any ] || [ "$apdus" = "$3" ]; } && [ "$flags" = "${4# }" ]; then
		ok "$5: $rv, $apdus APDUs, flags:$flags"
	else
		not_ok "$5: got $rv/$apdus APDUs/flags:$flags, want $2/$3/flags:$4"
	fi
}
login 123 CKR_PIN_LEN_RANGE 0 " login pin" "3-digit PIN: no APDU"
login 12a4 CKR_PIN_INVALID 0 " login pin" "a letter: no APDU"
login 9999 CKR_PIN_INCORRECT any " login pin count-low" "wrong PIN (2 left)"
auth_flags=$(field flags "$(run_check a login auth 1234 2>&1)")
[ "$auth_flags" = "login pin" ] && ok "the authentication PIN's counter is untouched" ||
	not_ok "authentication flags after a wrong card-face PIN:$auth_flags"
login 1234 CKR_OK any " login pin" "right PIN resets the counter"

# The debug log: the APDUs, none of the data, no PIN.
JPKI_PKCS11_DEBUG=1 JPKI_PKCS11_DEBUG_FILE=$JV_TMP/debug.log run_check a face 1234 >/dev/null 2>&1
hexnum=$(printf '%s' "$mynumber" | od -An -tx1 | tr -d ' \n' | tr a-f A-F | sed 's/../& /g; s/ $//')
if grep -q -- '-> 00 B0 00 00 00' "$JV_TMP/debug.log" && grep -q '<- \[[0-9]* bytes\] \*\* 90 00' "$JV_TMP/debug.log" &&
	! grep -q -e "$mynumber" -e "$hexnum" -e 'FF 10 0C' -e '試験' -e 'E8 A9 A6' -e '31 32 33 34' "$JV_TMP/debug.log"; then
	ok "debug log: READ BINARY answers as lengths only; no My Number, name or PIN"
else
	not_ok "debug log shows card-face data or lacks the trace"
fi

# C_SetPIN, then back.
for pair in "1234 5678" "5678 1234"; do
	set -- $pair
	out=$(run_check a setpin face "$1" "$2" 2>&1)
	[ "$(field rv "$out")" = CKR_OK ] && ok "C_SetPIN $1 -> $2" || not_ok "C_SetPIN $1 -> $2: $(field rv "$out")"
done
out=$(run_check a setpin face 1234 56789 2>&1)
[ "$(field rv "$out")" = CKR_PIN_LEN_RANGE ] && [ "$(field apdus "$out")" = 0 ] &&
	ok "C_SetPIN to 5 digits: CKR_PIN_LEN_RANGE, no APDU" || not_ok "C_SetPIN to 5 digits: $(field rv "$out")"

# The card is left cleared: the last login's VERIFY of the card-face PIN
# is followed by the clearing SELECT, and nothing stays verified.
last_verify=$(grep -n '^# verified face' "$(trace a)" | tail -n1 | cut -d: -f1)
if [ -n "$last_verify" ] && tail -n +"$last_verify" "$(trace a)" | grep -q '^# cleared .*face.* (select)'; then
	ok "the card-face PIN is cleared before the transaction ends"
else
	not_ok "no clearing after the last card-face VERIFY"
fi

# Faults while reading the files: an odd status word, and the card pulled.
FACE_AID=00A4040C0AD3921000310001010408
echo "00B00000 2 sw=6F00 after=$FACE_AID" | set_faults a
out=$(run_check a login face 1234 2>&1)
[ "$(field rv "$out")" = CKR_DEVICE_ERROR ] && [ "$(faults_fired a sw=6F00)" = 1 ] &&
	ok "EF 0002 answering 6F00: CKR_DEVICE_ERROR, not logged in" ||
	not_ok "6F00 on EF 0002: $(field rv "$out") ($(faults_fired a sw=6F00) fired)"
tail -n 3 "$(trace a)" | grep -q '^# cleared .*face' &&
	ok "... and the card cleared after it" || not_ok "card not cleared after the failed read"
echo "00B00000 2 remove after=$FACE_AID" | set_faults a
out=$(run_check a login face 1234 2>&1)
case $(field rv "$out") in
CKR_DEVICE_REMOVED|CKR_DEVICE_ERROR) ok "card pulled during the read: $(field rv "$out"), no data" ;;
*) not_ok "card pulled during the read: $(field rv "$out")" ;;
esac
set_faults a < /dev/null
insert_card a
out=$(run_check a face 1234 2>&1)
[ "$(got 'My Number')" = "$mynumber" ] && ok "put back: the data reads again" ||
	not_ok "after re-insertion: $(printf '%s' "$out" | grep -v '=' | tail -3)"

# A clear that fails after the card-face VERIFY ends with the card powered
# down, as after any other VERIFY.
for fault in sw=6F00 lost; do
	m=$(wc -l < "$(trace a)")
	echo "00A4040C 1 $fault after=0020008004" | set_faults a
	out=$(run_check a face "$JV_FACE_PIN" 2>&1)
	set_faults a < /dev/null
	[ "$(got 'My Number')" = "$mynumber" ] && [ "$(faults_fired a "$fault")" -ge 1 ] &&
		ok "failing clear ($fault): the login still reads the data" ||
		not_ok "failing clear ($fault): $(printf '%s' "$out" | grep -v '=' | tail -3)"
	tail -n +"$((m + 1))" "$(trace a)" | grep -q '^# power off' &&
		ok "failing clear ($fault): the card was powered down" ||
		not_ok "failing clear ($fault): no power-down"
	[ "$fault" = lost ] && wait_link a
done

# Lock it: three wrong tries, then never sent again.
login 9999 CKR_PIN_INCORRECT any " login pin count-low" "wrong PIN 1"
login 9999 CKR_PIN_INCORRECT any " login pin count-low final-try" "wrong PIN 2"
login 9999 CKR_PIN_INCORRECT any " login pin locked" "wrong PIN 3 locks it"
login 1234 CKR_PIN_LOCKED 0 " login pin locked" "locked: refused without an APDU"
stop_card a

# A face-authentication card: the token, no login-capable PIN, no objects.
start_card f face-auth 0
out=$(run_check f login face 1234 2>&1)
[ "$(field rv "$out")" = CKR_USER_PIN_NOT_INITIALIZED ] && [ "$(field apdus "$out")" = 0 ] &&
	[ "$(field flags "$out")" = "" ] && ok "face-auth: no login-capable PIN, C_Login sends nothing" ||
	not_ok "face-auth: $(field rv "$out")/$(field apdus "$out")/flags:$(field flags "$out")"
stop_card f

# A phone has no card-face applet: no token, and no APDU spent finding out.
start_card p phone 0
before=$(apdu_count p)
expect_check "phone: no card-face token" p face-absent
if grep -v '^#' "$(trace p)" | grep -q '^00A4040C0AD3921000310001010408'; then
	not_ok "phone: the card-face applet was looked for"
else
	ok "phone: the card-face applet never looked for (EF 0006 says phone)"
fi
stop_card p

# JPKI_PKCS11_TOKENS=face shows that token alone; the browser module never.
start_card b standard 0
out=$(JPKI_PKCS11_TOKENS=face run_check b face 1234 2>&1)
[ "$(got 'My Number' | wc -c)" = 13 ] && ok "JPKI_PKCS11_TOKENS=face: the card-face token is there" ||
	{ printf '%s\n' "$out"; not_ok "JPKI_PKCS11_TOKENS=face"; }
JPKI_PKCS11_TOKENS=auth expect_check "JPKI_PKCS11_TOKENS=auth: no card-face token" b face-absent
JPKI_MODULE=$top_builddir/.libs/jpki-pkcs11-auth.so expect_check "jpki-pkcs11-auth.so: no card-face token" b face-absent
harness_done
