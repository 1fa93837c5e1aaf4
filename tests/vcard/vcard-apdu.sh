#!/bin/bash
# The virtual card's answers, APDU by APDU, against the card specification:
# status words of the error cases, the security-state rules, counters that
# survive a restart, remove/insert, resets, the power-up options, and the
# trace.  Faults: vcard-faults.sh; profiles and options: vcard-profiles.sh.
set -u
. "$top_srcdir/tests/harness/env.sh"
harness_init
. "$top_srcdir/tests/vcard/apdu-lib.sh"

start_card std standard 0

script std "class and instruction errors" <<EOF
A0A4040C0AD392F000260100000001 6E00
00CA010100 6D00
002A00800433333333 6D00     # COMPUTE DIGITAL SIGNATURE wants CLA 80
80B0000000 6D00
$JPKI
00A4040C0AD392F000260100000099 6A82
00A4040C0AD392F000260100000001 9000
00A4040000 6A86
00A4000C023F00 6A86
00A4020002000A 6A86
00A4020C03000A00 6700
00A4020C020099 6A82
EOF

script std "READ BINARY rules" <<EOF
00B0000004 6986              # no current EF yet
00A4020C02000A 9000
00B0000004 9000 3082xxxx
00B0800004 6A86              # short EF identifier: not supported
00B00000 6700                # no Le
00B07FFF01 6B00              # offset past the end
00A4020C020008 9000
00B0000000 9000 8F8F00       # fewer bytes than asked near the end
00B0000200 9000 00
00B0000300 6B00
00A4020C020006 9000
00B0000000 9000 len=160
00B0000010 9000 4A504B494150494343544F4B454E3220
00A4020C020018 9000
00B0000001 6981              # PIN EF
00A4020C020017 9000
00B0000001 6981              # key EF
00A4020C020001 9000
00B0000004 6982              # signature certificate needs the PIN
00A4020C020002 9000
00B0000004 9000 3082xxxx
00B000000000FF 6700          # extended Le refused by default
EOF

script std "VERIFY and the retry counter" <<EOF
$JPKI
00A4020C02000A 9000
00200080 6981                # current EF is not a PIN
00A4020C020018 9000
00200080 63C3                # status query spends nothing
00200080 63C3
00200081 6A86
0020008004$(hex 9999) 63C2
00200080 63C2
0020008003$(hex 123) 63C1    # a wrong format costs a try too
00200080$AUTH 9000
00200080 63C3                # success resets the counter
00A4020C02001B 9000
00200080 63C5
EOF

script std "signing needs the key's PIN, and lengths are checked" <<EOF
$JPKI
00A4020C020017 9000
802A0080$(printf %02X $((${#DI} / 2)))${DI}00 6982
802A0180$(printf %02X $((${#DI} / 2)))${DI}00 6A86
00A4020C020018 9000
00200080$AUTH 9000
00A4020C020017 9000
802A0080$(printf %02X $((${#DI} / 2)))${DI}00 9000 len=256
802A0080$(printf %02X $((${#DI} / 2)))${DI} 6700      # no Le
802A0080F6${LONG}00 6700                              # 246 bytes
00A4020C02001A 9000
802A0080$(printf %02X $((${#DI} / 2)))${DI}00 6982    # the other key
00A4020C02000A 9000
802A0080$(printf %02X $((${#DI} / 2)))${DI}00 6981    # not a key EF
EOF

script std "the security state: kept across EF selection, lost on applet selection" <<EOF
$JPKI
00A4020C020018 9000
00200080$AUTH 9000
00A4020C02000A 9000
00B0000004 9000 3082xxxx
00A4020C020017 9000
$SIGNDI 9000 len=256
$JPKI
00A4020C020017 9000
$SIGNDI 6982                 # re-selecting JPKI cleared it
00A4020C020018 9000
00200080$AUTH 9000
$FACE
$JPKI
00A4020C020017 9000
$SIGNDI 6982                 # so does any other applet
00A4020C020018 9000
0020008004$(hex 0000) 63C2
00200080$AUTH 9000
0020008004$(hex 0000) 63C2   # a failed VERIFY clears the state
00A4020C020017 9000
$SIGNDI 6982
00A4020C020018 9000
00200080$AUTH 9000
EOF

script std "the signature PIN opens the signature certificate and key" <<EOF
$JPKI
00A4020C02001B 9000
00200080$SIGN 9000
00A4020C020001 9000
00B0000004 9000 3082xxxx
00A4020C02001A 9000
$SIGNDI 9000 len=256
00A4020C020017 9000
$SIGNDI 6982                 # not the authentication key
EOF

script std "CHANGE REFERENCE DATA" <<EOF
$JPKI
00A4020C020018 9000
0024018004$(hex 4321) 6982   # not verified
00200080$AUTH 9000
0024018004$(hex 43A1) 6A80   # not 4 digits
0024018005$(hex 43210) 6A80
0024008004$(hex 4321) 6A86
0024018004$(hex 4321) 9000
$JPKI
00A4020C020018 9000
00200080$AUTH 63C2           # the old PIN is gone
0020008004$(hex 4321) 9000
0024018004$(hex 1234) 9000
00A4020C02001B 9000
00200080$SIGN 9000
0024018005$(hex ABC12) 6A80  # signature PIN: 6-16 of A-Z0-9
0024018006$(hex abc123) 6A80
0024018006$(hex XYZ789) 9000
0024018006$(hex ABC123) 9000
EOF

script std "the card-face data assistance application" <<EOF
$FACE
00A4020C020001 9000
00B0000003 6982
00A4020C020011 9000
00200080 63C3
00200080$(lc "$JV_FACE_PIN")$(hex "$JV_FACE_PIN") 9000
00A4020C020001 9000
00B0000003 9000 FF100C
00A4020C020002 9000
00B0000002 9000 FF20
00A4020C02000A 6A82          # JPKI files are not here
EOF
# EF 0002: FF20 with DF22 name, DF23 address, DF24 birth date, DF25 sex,
# as the state file has them.
st=$(card_dir std)/state
name=$(awk '$1 == "face" && $2 == "name" { print toupper($3) }' "$st")
addr=$(awk '$1 == "face" && $2 == "address" { print toupper($3) }' "$st")
tlv() { printf 'DF%s%02X%s' "$1" $((${#2} / 2)) "$2"; }
inner=$(tlv 22 "$name")$(tlv 23 "$addr")$(tlv 24 "$(hex 19900101)")$(tlv 25 "$(hex 2)")
script std "card-face EF 0002: FF20 with DF22-DF25" <<EOF
$FACE
00A4020C020011 9000
00200080$(lc "$JV_FACE_PIN")$(hex "$JV_FACE_PIN") 9000
00A4020C020002 9000
00B0000000 9000 FF20$(printf %02X $((${#inner} / 2)))$inner
EOF

count=$(apdu_count std)
script std "a status query" <<EOF
$JPKI
00A4020C020018 9000
00200080 63C3
EOF
expect_count=$((count + 3))
if [ "$(apdu_count std)" = "$expect_count" ]; then
	ok "apdu_count counts exactly the APDUs sent"
else
	not_ok "apdu_count: $(apdu_count std), expected $expect_count"
fi
if grep -q "^00200080${AUTH:0:2}\*\*\*\*\*\*\*\* 9000$" "$(trace std)" &&
   ! grep -q "00200080$AUTH" "$(trace std)"; then
	ok "the trace replaces PIN bytes with **"
else
	not_ok "the trace shows PIN bytes"
fi

# --- counters survive a restart of the card -------------------------------------
script std "a wrong PIN before the restart" <<EOF
$JPKI
00A4020C020018 9000
0020008004$(hex 0000) 63C2
00A4020C02001B 9000
0020008006$(hex WRONG1) 63C4
EOF
restart_card std
script std "the counters after the restart" <<EOF
$JPKI
00A4020C020018 9000
00200080 63C2
00A4020C02001B 9000
00200080 63C4
00200080$SIGN 9000
00200080 63C5
EOF

# --- remove and insert ----------------------------------------------------------
script std "verified before removal" <<EOF
$JPKI
00A4020C020018 9000
00200080$AUTH 9000
EOF
remove_card std && ok "removed: the reader is empty"
if "$JV_PCSC_APDU" run "$(card_reader std)" < /dev/null > /dev/null 2>&1; then
	not_ok "a removed card still connects"
else
	ok "a removed card does not connect"
fi
insert_card std && ok "inserted: the reader has the card again"
script std "after re-insertion nothing is verified" <<EOF
$JPKI
00A4020C020017 9000
$SIGNDI 6982
EOF

# --- security-state evidence in the trace ----------------------------------------
mark std
script std "verified and cleared PINs" <<EOF
$JPKI
00A4020C020018 9000
00200080$AUTH 9000
00A4020C02001B 9000
00200080$SIGN 9000
$JPKI
00A4020C020018 9000
00200080$AUTH 9000
0020008004$(hex 0000) 63C2
00200080$AUTH 9000
reconnect unpower
EOF
check_lines std "the trace shows verified and cleared PINs" \
	"# verified auth" "# verified sign" "# cleared auth sign (select)" \
	"# cleared auth (failed verify)" "# power off (verified: auth)" \
	"# cleared auth (power off)"

# --- warm reset and power-down ----------------------------------------------------
mark std
script std "a warm reset keeps the selection and the verified PIN; power-down clears" <<EOF
$JPKI
00A4020C020018 9000
00200080$AUTH 9000
00A4020C020017 9000
reset
$SIGNDI 9000 len=256         # the key EF is still current, the PIN verified
begin
end reset
$SIGNDI SCARD_W_RESET_CARD   # pcscd tells even the handle that reset it
reconnect leave
$SIGNDI 9000 len=256
reconnect unpower
00A4020C020017 6A82          # no application selected after power-up
$JPKI
00A4020C020017 9000
$SIGNDI 6982
EOF
check_lines std "the trace shows the resets with the PIN still verified" \
	"# reset (verified: auth)" "# power off (verified: auth)" \
	"# cleared auth (power off)" "# power on"
if has std "# cleared auth (reset)"; then
	not_ok "a reset cleared the PIN by default"
else
	ok "no PIN cleared at a reset by default"
fi

start_card rc standard 1 --reset-clears-pin
mark rc
script rc "--reset-clears-pin: a warm reset clears like a power-down" <<EOF
$JPKI
00A4020C020018 9000
00200080$AUTH 9000
00A4020C020017 9000
reset
$SIGNDI 6986                 # nothing selected any more
$JPKI
00A4020C020017 9000
$SIGNDI 6982
EOF
check_lines rc "--reset-clears-pin: the trace shows the PIN cleared at the reset" \
	"# reset (verified: auth)" "# cleared auth (reset)"
stop_card rc

# --- --power-up-6f00 and --read-chunk ---------------------------------------------
start_card p6 standard 1 --power-up-6f00 --read-chunk 1
script p6 "--power-up-6f00 (first APDU after power-up or reset: 6F00) and --read-chunk 1" <<EOF
$JPKI_6F
$JPKI
00A4020C020008 9000
reset
00A4020C020006 6F00          # not executed: EF 0008 still current
00B0000000 9000 8F
reconnect unpower
$JPKI_6F
$JPKI
00A4020C020008 9000
00B0000000 9000 8F           # one byte per READ BINARY
00B0000100 9000 8F
00B0000200 9000 00
00B0000300 6B00
EOF
stop_card p6

harness_done
