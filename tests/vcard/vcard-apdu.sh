#!/bin/bash
# The virtual card's answers, APDU by APDU, against jpki-card.md: status
# words of the error cases, the security-state rules, counters that
# survive a restart, the face-auth and no-sign-cert profiles, the options,
# remove/insert, and the trace.
set -u
. "$top_srcdir/tests/harness/env.sh"
harness_init

W=$JV_TMP/work
mkdir -p "$W"
n=0
# script NAME DESCRIPTION < APDU lines: run them on card NAME's reader;
# every line must answer as expected (see pcsc-apdu.c for the syntax).
script() {
	local name=$1 desc=$2 f
	n=$((n + 1))
	f=$W/$n.apdu
	cat > "$f"
	if "$JV_PCSC_APDU" run "$(card_reader "$name")" "$f" > "$W/$n.out" 2>&1
	then
		ok "$desc"
	else
		not_ok "$desc"
		grep -v '^ok' "$W/$n.out"
	fi
}

JPKI='00A4040C0AD392F000260100000001 9000'
FACE='00A4040C0AD3921000310001010408 9000'
hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F; }
lc() { printf %02X $((${#1}))  ; }
AUTH=$(lc "$JV_AUTH_PIN")$(hex "$JV_AUTH_PIN")
SIGN=$(lc "$JV_SIGN_PIN")$(hex "$JV_SIGN_PIN")
# A SHA-256 DigestInfo, and one byte too many for a 2048-bit key.
DI=3031300D060960864801650304020105000420$(printf '11%.0s' $(seq 32))
LONG=$(printf 'AB%.0s' $(seq 246))

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

SIGNDI="802A0080$(printf %02X $((${#DI} / 2)))${DI}00"
script std "the security state: kept across EF selection, lost on applet selection and reset" <<EOF
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
00200080$AUTH 9000
reset
$JPKI
00A4020C020017 9000
$SIGNDI 6982                 # and a reset
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

# --- profiles on the second reader ------------------------------------------------
start_card face face-auth 1
script face "face-auth: no PIN, no signature certificate" <<EOF
$JPKI
00A4020C020008 9000
00B0000003 9000 008F00
00A4020C020018 9000
00200080 63C0
00200080$AUTH 6984
00A4020C02001B 9000
00200080 63C0
00200080$SIGN 6984
00A4020C02000A 9000
00B0000004 9000 3082xxxx
00A4020C020017 9000
$SIGNDI 6982
EOF
stop_card face

start_card young no-sign-cert 1
script young "no-sign-cert: authentication works, no signature PIN" <<EOF
$JPKI
00A4020C020008 9000
00B0000003 9000 008F00
00A4020C02001B 9000
00200080 63C0
00200080$SIGN 6984
00A4020C020018 9000
00200080 63C3
00200080$AUTH 9000
00A4020C020017 9000
$SIGNDI 9000 len=256
EOF
stop_card young

start_card locked sign-locked 1
script locked "sign-locked: 63C0 and 6984" <<EOF
$JPKI
00A4020C020008 9000
00B0000003 9000 8F8F00
00A4020C02001B 9000
00200080 63C0
00200080$SIGN 6984
00A4020C020018 9000
00200080 63C3
EOF
stop_card locked

# --- options --------------------------------------------------------------------
start_card opts standard 1 --empty-verify-ok --extended --atr 3BDA13FF8131FB468012
script opts "--empty-verify-ok and --extended" <<EOF
$JPKI
00A4020C020018 9000
00200080 63C3
00200080$AUTH 9000
00200080 9000                # while verified
00A4020C02000A 9000
00B000000000FF 9000 len=255  # extended Le accepted
EOF
if opensc-tool -r "$(card_reader opts)" -a 2>/dev/null | grep -qi "3B:DA:13:FF:81:31:FB:46:80:12"; then
	ok "--atr sets the ATR"
else
	not_ok "--atr did not set the ATR"
fi
stop_card opts

harness_done
