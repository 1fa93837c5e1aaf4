#!/bin/bash
# The fail-safe rules through pcscd and the virtual card: no path leaves the
# card verified for another process (a clear that fails, a held context
# login ended every way), a hold is bounded in time as seen from a second
# process, a login does not outlive its sessions, a PIN made stale by
# C_SetPIN is never sent, C_Finalize is safe while other threads call.
. "$top_srcdir/tests/integration/lib.sh"
harness_init
start_card a standard 0

# pcscd powers a card down a while after its last client lets go, which
# would clear whatever a module left verified and hide it.  A second client
# keeps a connection open through the whole test, as a browser or an agent
# would, so only what the module does clears the card.
printf 'sleep 600000\n' | "$JV_PCSC_APDU" run "$(card_reader a)" > /dev/null 2>&1 &
KEEPER=$!
stop_keeper() { kill "$KEEPER" 2>/dev/null; wait "$KEEPER" 2>/dev/null; }
trap 'rc=$?; stop_keeper; (exit $rc); _jv_cleanup' EXIT

# A DigestInfo-sized input for a raw signature attempt.
RAW_SIGN=802A008033$(printf '30%.0s' $(seq 51))00

# other_signs NAME: another process (no VERIFY, no applet SELECT: it uses
# whatever the card still has) tries the authentication and the signature
# key.  Succeeds (exit 0) when either signs: the card was left verified.
other_signs() {
	local out
	out=$(printf '00A4020C020017 -\n%s -\n00A4020C02001A -\n%s -\n' "$RAW_SIGN" "$RAW_SIGN" |
		"$JV_PCSC_APDU" run "$(card_reader "$1")" 2>&1)
	printf '%s\n' "$out" | grep -q "^.... 802A.* -> .*9000$"
}

# since NAME MARK: the trace lines after line MARK.
since() { tail -n +"$(($2 + 1))" "$(trace "$1")"; }
mark() { wc -l < "$(trace "$1")"; }

# expect_clean NAME MARK DESC: after MARK the card ended cleared and no
# other process can sign with it.
expect_clean() {
	local lines
	lines=$(since "$1" "$2")
	if printf '%s\n' "$lines" | grep -q '^# verified' &&
	   ! printf '%s\n' "$lines" | grep -q '^# cleared'; then
		not_ok "$3: verified and never cleared"
	elif other_signs "$1"; then
		not_ok "$3: another process can sign without a PIN"
	else
		ok "$3: cleared, nobody else can sign"
	fi
}

# --- a clear that fails ends with the card powered down -------------------

for fault in sw=6F00 sw=6581 lost; do
	m=$(mark a)
	# the first applet SELECT after the login's VERIFY is its clear
	set_faults a <<< "00A4040C 1 $fault after=0020008004"
	out=$(run_check a login auth "$JV_AUTH_PIN" 2>&1)
	set_faults a < /dev/null
	[ "$(faults_fired a "$fault")" -ge 1 ] || not_ok "clear fault $fault never fired"
	case "$out" in *"rv: CKR_OK"*) ok "login with a failing clear ($fault) still logs in" ;;
		*) not_ok "login with a failing clear ($fault): $out" ;; esac
	# (a lost answer's SELECT did clear the card, but the module cannot
	# know that: it powers the card down all the same)
	if since a "$m" | grep -q '^# power off'; then
		ok "clear $fault: the card was powered down"
	else
		not_ok "clear $fault: no power-down after the failed clear"; since a "$m"
	fi
	expect_clean a "$m" "clear $fault"
done

# --- a held context login, ended every way ---------------------------------

for how in close logout finalize exit; do
	m=$(mark a)
	out=$(run_check a hold-then "$how" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -q '^held$' || not_ok "hold-then $how never held: $out"
	[ $rc -eq 0 ] && ok "hold then $how: p11check" || { not_ok "hold then $how (exit $rc)"; echo "$out"; }
	expect_clean a "$m" "hold then $how"
done

# --- the hold lapses: a second process waits a few seconds, not forever ----

m=$(mark a)
run_check a hold-stay 12000 > "$JV_TMP/hold.out" 2>&1 &
holder=$!
for _ in $(seq 100); do grep -q '^held$' "$JV_TMP/hold.out" && break; sleep 0.1; done
start=$(date +%s%N)
out=$(run_check a login auth "$JV_AUTH_PIN" 2>&1)
waited=$((($(date +%s%N) - start) / 1000000))
kill -0 "$holder" 2>/dev/null && still=1 || still=0
wait "$holder"
case "$out" in *"rv: CKR_OK"*) ;; *) not_ok "the second process's login: $out" ;; esac
if [ "$still" = 1 ] && [ "$waited" -lt 9000 ]; then
	ok "a second process waited ${waited} ms for a held card, not the holder's 12 s"
else
	not_ok "a second process waited ${waited} ms (holder still running: $still)"
fi
since a "$m" | grep -q '^# cleared sign (select)' &&
	ok "the lapsed hold was cleared" || not_ok "the lapsed hold was not cleared"
expect_clean a "$m" "lapsed hold"

m=$(mark a)
expect_check "a signature after the hold lapsed verifies again and signs" a hold-then sleep 4500
[ "$(since a "$m" | grep -c '^# verified sign')" -ge 3 ] &&
	ok "login, context login and the signature's own VERIFY" ||
	not_ok "expected a fresh VERIFY for the late signature"

# --- a login does not outlive its sessions ----------------------------------

expect_check "closing the last session logs the token out" a close-last

# --- C_SetPIN during a pending context login ---------------------------------

m=$(mark a)
expect_check "C_SetPIN makes a pending context login's PIN stale" a setpin-pending NEW789
[ "$(since a "$m" | grep -c '^0020008006')" -le 4 ] ||
	not_ok "more signature-PIN VERIFYs than the login, the context login and the two C_SetPINs"

# --- C_Finalize racing calls from other threads -------------------------------

expect_check "C_Finalize while four threads call, five times" a finalize-race 4 5

# --- a certificate is no key ---------------------------------------------------

expect_check "C_VerifyInit takes the public key, not a certificate" a verify-cert

stop_keeper

# --- a card whose first answer after power-up is 6F00 ----------------------------

stop_card a	# the only card now: p11check takes the first token
start_card b standard 1 --power-up-6f00
m=$(mark b)
out=$(run_check b login auth "$JV_AUTH_PIN" 2>&1)
case "$out" in *"rv: CKR_OK"*) ok "a card answering 6F00 first: login works" ;;
	*) not_ok "a card answering 6F00 first: $out" ;; esac
if since b "$m" | grep -v '^#' | head -n 2 | grep -c '^00A4040C0AD392F000260100000001' | grep -qx 2 &&
   [ "$(since b "$m" | grep -c '^0020008004')" = 1 ]; then
	ok "the opening applet SELECT was sent once more, the VERIFY once"
else
	not_ok "6F00 after power-up: $(since b "$m" | grep -v '^#' | head -n 4 | tr '\n' '|')"
fi

harness_done
