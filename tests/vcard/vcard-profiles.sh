#!/bin/bash
# The virtual card's profiles (face-auth, phone, no-sign-cert, sign-locked)
# and options (--empty-verify-ok, --extended, --atr), APDU by APDU.
set -u
. "$top_srcdir/tests/harness/env.sh"
harness_init
. "$top_srcdir/tests/vcard/apdu-lib.sh"

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

start_card face face-auth 1
script face "face-auth: the card-face applet has no PIN either" <<EOF
$FACE
00A4020C020011 9000
00200080 63C0
00200080$(lc "$JV_FACE_PIN")$(hex "$JV_FACE_PIN") 6984
00A4020C020001 9000
00B0000003 6982
00A4020C020002 9000
00B0000002 6982
00A4020C020005 9000
00B0000000 9000 DF30020100
EOF
stop_card face

start_card phone phone 1 --latency-ms 10
script phone "phone: JPKIAPGPSETOKEN, authentication certificate behind the PIN, no other applet" <<EOF
$JPKI
00A4020C020006 9000
00B0000010 9000 4A504B49415047505345544F4B454E20
00A4020C020008 9000
00B0000003 9000 8F8F00
00A4020C02000A 9000
00B0000004 6982
00A4020C02000B 9000
00B0000004 9000 3082xxxx
00A4020C020018 9000
00200080 63C3
00200080$AUTH 9000
00A4020C02000A 9000
00B0000004 9000 3082xxxx
00A4020C020017 9000
$SIGNDI 9000 len=256
00A4020C02001B 9000
00200080$SIGN 9000
00A4020C020001 9000
00B0000004 9000 3082xxxx
00A4040C0AD3921000310001010408 6A82
00A4040C0AD3921000310001010401 6A82
00A4040C0AD3921000310001010402 6A82
00A4040C0AD3921000310001010100 6A82
$JPKI
EOF
# --latency-ms 10 on a phone: 30 ms per APDU, 10 APDUs at least 300 ms.
t0=$(date +%s%N)
script phone "phone: ten APDUs" <<EOF
$(for i in $(seq 10); do echo "$JPKI"; done)
EOF
t1=$(date +%s%N)
if [ $(((t1 - t0) / 1000000)) -ge 300 ]; then
	ok "phone: answers three times slower than --latency-ms"
else
	not_ok "phone: ten APDUs took $(((t1 - t0) / 1000000)) ms"
fi
stop_card phone

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
