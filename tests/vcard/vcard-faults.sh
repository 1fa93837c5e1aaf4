#!/bin/bash
# The virtual card's fault rules (--fault-file, set_faults), APDU by APDU:
# each action fires on the NTH matching command, once, and shows in the
# trace; bad rules are reported.
set -u
. "$top_srcdir/tests/harness/env.sh"
harness_init
. "$top_srcdir/tests/vcard/apdu-lib.sh"

start_card std standard 0

# --- fault injection --------------------------------------------------------------
set_faults std <<EOF
# PREFIX NTH ACTION [after=PREFIX2]
00B0 2 sw=6581
00A4020C02000A 1 sw=9000     # not executed: the current EF stays
EOF
script std "fault sw=: the NTH matching command answers the status word, once" <<EOF
$JPKI
00A4020C020008 9000
00B0000003 9000 8F8F00
00B0000003 6581
00B0000003 9000 8F8F00
00A4020C02000A 9000
00B0000003 9000 8F8F00       # still EF 0008
00A4020C02000A 9000
00B0000004 9000 3082xxxx
EOF
if [ "$(faults_fired std 'sw=6581 00B0000003$')" = 1 ] &&
   [ "$(faults_fired std 'sw=9000 00A4020C02000A$')" = 1 ]; then
	ok "fault sw=: the trace shows each fault once"
else
	not_ok "fault sw=: the trace does not show the faults"
fi

set_faults std <<EOF
00B0 1 sw=6F00 after=00A4020C02000A
EOF
script std "fault after=: counting starts after the given command" <<EOF
$JPKI
00A4020C020008 9000
00B0000003 9000 8F8F00
00A4020C02000A 9000
00B0000004 6F00
00B0000004 9000 3082xxxx
EOF

set_faults std <<EOF
0020008004 1 lost-before
0020008004 1 lost
EOF
mark std
script std "faults lost-before, lost: SCardTransmit fails; the first VERIFY is not executed, the second is" <<EOF
$JPKI
00A4020C020018 9000
0020008004$(hex 0000) SCARD_E_NOT_TRANSACTED
wait-link 10
00200080 63C3                # not executed: no try spent
0020008004$(hex 0000) SCARD_E_NOT_TRANSACTED
wait-link 10
00200080 63C2                # executed: a try spent, the answer lost
00200080$AUTH 9000
EOF
set_faults std <<EOF
0020008004 1 lost
EOF
script std "fault lost: a VERIFY that succeeded stays verified (the card kept its state)" <<EOF
$JPKI
00A4020C020018 9000
00200080$AUTH SCARD_E_NOT_TRANSACTED
wait-link 10
00A4020C020017 9000
$SIGNDI 9000 len=256
EOF
set_faults std <<EOF
0020008004 1 lost
EOF
script std "fault lost: a wrong PIN whose answer is lost" <<EOF
$JPKI
00A4020C020018 9000
0020008004$(hex 0000) SCARD_E_NOT_TRANSACTED
EOF
if wait_link std; then ok "wait_link: the link is back"; else not_ok "wait_link"; fi
script std "fault lost: the try was spent" <<EOF
$JPKI
00A4020C020018 9000
00200080 63C2
00200080$AUTH 9000
EOF
set_faults std <<EOF
0020008004 1 lost
EOF
script std "fault lost: a reset right after it takes the new link at once, PIN still verified" <<EOF
$JPKI
00A4020C020018 9000
00200080$AUTH SCARD_E_NOT_TRANSACTED
reconnect reset success
00A4020C020017 9000
$SIGNDI 9000 len=256
EOF
check_lines std "faults lost-before and lost: the trace shows them" \
	"# fault lost-before 0020008004********" \
	"# fault lost 0020008004********" "# relinked" "# verified auth"
if "$JV_PCSC_APDU" wait "$(card_reader std)" absent 1 >/dev/null 2>&1; then
	not_ok "after a lost answer pcscd saw the card removed"
else
	ok "after a lost answer the card stays present"
fi

set_faults std <<EOF
802A 1 remove
EOF
mark std
script std "fault remove: the card is pulled at the signature" <<EOF
$JPKI
00A4020C020018 9000
00200080$AUTH 9000
00A4020C020017 9000
$SIGNDI SCARD_E_NOT_TRANSACTED
EOF
if "$JV_PCSC_APDU" wait "$(card_reader std)" absent 10 > /dev/null; then
	ok "fault remove: the reader is empty"
else
	not_ok "fault remove: the reader still shows a card"
fi
check_lines std "fault remove: the trace shows the removal with the PIN verified" \
	"# fault remove ${SIGNDI}" "# removed (verified: auth)" \
	"# cleared auth (removed)"
if tail -n +$((MARK + 1)) "$(trace std)" | grep -q '^802A'; then
	not_ok "fault remove: the card signed"
else
	ok "fault remove: the card did not sign"
fi
set_faults std < /dev/null
insert_card std && ok "fault remove: inserted again"
script std "after the fault file is emptied nothing fires" <<EOF
$JPKI
00A4020C020018 9000
00200080$AUTH 9000
00A4020C020017 9000
$SIGNDI 9000 len=256
EOF

set_faults std <<EOF
00B0 0 sw=6581
00B0 1 sw=65
00B0 1 vanish
EOF
mark std
script std "bad fault rules fire nothing" <<EOF
$JPKI
00A4020C020008 9000
00B0000003 9000 8F8F00
EOF
check_lines std "bad fault rules are reported in the trace" \
	"# fault rule ignored: line 1" "# fault rule ignored: line 2" \
	"# fault rule ignored: line 3"

set_faults std <<EOF
00B0 2 sw=6581
EOF
script std "a fault rule counts" <<EOF
$JPKI
00A4020C020008 9000
00B0000003 9000 8F8F00
EOF
set_faults std <<EOF
# the same rule again: counting starts from zero
00B0 2 sw=6581
EOF
script std "a rewritten fault file counts from zero" <<EOF
$JPKI
00A4020C020008 9000
00B0000003 9000 8F8F00
00B0000003 6581
EOF
set_faults std < /dev/null

harness_done
