# tests/harness/env.sh: the integration-test harness. Source it from a bash
# test, then call harness_init:
#
#   . "$top_srcdir/tests/harness/env.sh"
#   harness_init                    # lock, pcscd with vpcd, cleanup trap
#   start_card alice standard 0     # a virtual card in reader 0
#   ...; ok "what was checked" / not_ok "what failed"
#   harness_done                    # exit 0, or 1 when something failed
#
# Only one integration test runs at a time on a machine (one pcscd per
# machine): harness_init takes a lock. It starts pcscd with our vpcd
# reader configuration when none runs, reuses a running one that has vpcd
# readers, and skips the test (exit 77) otherwise. On exit everything it
# started (cards, pcscd) is stopped by PID and waited for.
#
# Exports (after harness_init):
#   JV_VCARD JV_PCSC_APDU JV_MKCARD   programs: the virtual card, the PC/SC
#                                     helper, the certificate script
#   JV_TMP                            this test's scratch directory (kept
#                                     when the test fails)
#   JV_CA_DIR JV_SIGN_CA JV_AUTH_CA   the test CA pair (PEM certificates)
#   JV_READERS                        array of the vpcd reader names
#   JV_AUTH_PIN JV_SIGN_PIN JV_FACE_PIN   default PINs of new cards
#   OPENSC_CONF OPENSC_PKCS11         our OpenSC config, the OpenSC module
#   JV_PCSCD_PID                      pcscd's PID when we started it, else ""
# Reads JV_NO_PCSCD: when set, every test that needs pcscd skips (77).
# Functions: start_card stop_card restart_card remove_card insert_card
#   card_reader card_dir card_pid trace apdu_count restart_pcscd
#   ok not_ok skip fail harness_done.

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir

JV_VCARD=$top_builddir/tests/vcard/jpki-vcard
JV_PCSC_APDU=$top_builddir/tests/harness/pcsc-apdu
JV_MKCARD=$top_srcdir/tests/vcard/mkcard.sh
JV_AUTH_PIN=1234
JV_SIGN_PIN=ABC123
JV_FACE_PIN=1234
OPENSC_CONF=$top_srcdir/tests/harness/opensc.conf
OPENSC_PKCS11=${OPENSC_PKCS11:-/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so}
export JV_VCARD JV_PCSC_APDU JV_MKCARD JV_AUTH_PIN JV_SIGN_PIN JV_FACE_PIN
export OPENSC_CONF OPENSC_PKCS11

JV_LOCK=${JV_LOCK:-/tmp/jpki-pkcs11-integration.lock}
JV_PCSCD_CONF=$top_srcdir/tests/harness/reader.conf.d
JV_VPCD_PORT=35963		# reader i listens on 35963 + i
JV_PCSCD_PID=
JV_FAILED=0
JV_READERS=()
declare -A JV_CARD_PID=() JV_CARD_IDX=() JV_CARD_ARGS=()

# --- results -------------------------------------------------------------
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; JV_FAILED=1; }
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; JV_FAILED=1; exit 1; }
harness_done() {
	if [ "$JV_FAILED" = 0 ]; then
		echo "PASS: $(basename "$0")"
		exit 0
	fi
	echo "FAIL: $(basename "$0") (scratch kept in $JV_TMP)"
	exit 1
}

# --- pcscd ---------------------------------------------------------------
_jv_pcscd_running() {
	local pid
	[ -S /run/pcscd/pcscd.comm ] || return 1
	pid=$(cat /run/pcscd/pcscd.pid 2>/dev/null) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# Fills JV_READERS with the vpcd readers; fails when there are none.
_jv_find_readers() {
	local r
	JV_READERS=()
	while IFS= read -r r; do
		case $r in *"Virtual PCD"*) JV_READERS+=("$r") ;; esac
	done < <("$JV_PCSC_APDU" readers 2>/dev/null)
	[ ${#JV_READERS[@]} -gt 0 ]
}

_jv_start_pcscd() {
	local i
	# 8>&-: the daemon must not hold the test lock; if this test dies
	# without its cleanup, the lock must still go with it.
	pcscd --foreground -c "$JV_PCSCD_CONF" >> "$JV_TMP/pcscd.log" 2>&1 8>&- &
	JV_PCSCD_PID=$!
	for i in $(seq 50); do
		_jv_find_readers && return 0
		kill -0 "$JV_PCSCD_PID" 2>/dev/null || break
		sleep 0.2
	done
	echo "pcscd did not come up; its log:"; cat "$JV_TMP/pcscd.log"
	return 1
}

# Stops our pcscd: SIGTERM (or the signal given), then waits for it, so
# that /run/pcscd is free for the next one.
_jv_stop_pcscd() {
	[ -n "$JV_PCSCD_PID" ] || return 0
	kill -"${1:-TERM}" "$JV_PCSCD_PID" 2>/dev/null
	wait "$JV_PCSCD_PID" 2>/dev/null
	JV_PCSCD_PID=
}

# restart_pcscd [SIGNAL]: stop our pcscd (SIGTERM, or e.g. KILL to test a
# crashed daemon) and start it again; waits for the readers and for every
# running card to be present again. Only for a pcscd we started.
restart_pcscd() {
	local name
	[ -n "$JV_PCSCD_PID" ] || skip "pcscd is not ours to restart"
	_jv_stop_pcscd "${1:-TERM}"
	_jv_start_pcscd || fail "pcscd did not restart"
	for name in "${!JV_CARD_PID[@]}"; do
		_jv_wait_card "$name" present
	done
}

# --- cards ---------------------------------------------------------------
card_reader() { echo "${JV_READERS[${JV_CARD_IDX[$1]}]}"; }
card_dir() { echo "$JV_TMP/cards/$1"; }
card_pid() { echo "${JV_CARD_PID[$1]}"; }
trace() { echo "$JV_TMP/cards/$1/trace"; }
# APDUs the card answered so far (since it was first started).
apdu_count() { grep -vc '^#' "$(trace "$1")" || true; }

_jv_wait_card() {	# NAME present|absent
	"$JV_PCSC_APDU" wait "$(card_reader "$1")" "$2" 10 ||
		fail "card $1 not $2 in $(card_reader "$1") (log: $(card_dir "$1")/log)"
}

_jv_launch() {	# NAME: start the card process with its recorded options
	local name=$1 dir
	dir=$(card_dir "$name")
	eval "set -- ${JV_CARD_ARGS[$name]}"
	"$JV_VCARD" --port $((JV_VPCD_PORT + JV_CARD_IDX[$name])) \
		--state "$dir/state" --trace "$dir/trace" "$@" \
		>> "$dir/log" 2>&1 8>&- &
	JV_CARD_PID[$name]=$!
}

# start_card NAME [PROFILE [READER_INDEX [jpki-vcard options...]]]
# Creates the card's certificates (mkcard.sh) and state in $JV_TMP/cards/NAME,
# starts jpki-vcard on reader READER_INDEX (default 0) and waits until the
# reader shows the card (unless --removed is among the options).
start_card() {
	local name=$1 profile=${2:-standard} idx=${3:-0} dir mk=() a
	shift $(($# < 3 ? $# : 3))
	[ -z "${JV_CARD_PID[$name]:-}" ] || fail "card $name already started"
	[ "$idx" -lt ${#JV_READERS[@]} ] || skip "no vpcd reader $idx"
	for a in "${!JV_CARD_IDX[@]}"; do
		[ "${JV_CARD_IDX[$a]}" != "$idx" ] || [ -z "${JV_CARD_PID[$a]:-}" ] ||
			fail "reader $idx already holds card $a"
	done
	dir=$(card_dir "$name")
	mkdir -p "$dir"
	[ "$profile" = expired ] && mk=(--expired)
	"$JV_MKCARD" "${mk[@]}" --ca "$JV_CA_DIR" "$dir/certs" ||
		fail "mkcard.sh failed for $name"
	JV_CARD_IDX[$name]=$idx
	JV_CARD_ARGS[$name]="--certs $(printf '%q' "$dir/certs") --profile $profile"
	[ $# -eq 0 ] || JV_CARD_ARGS[$name]+=" $(printf '%q ' "$@")"
	_jv_launch "$name"
	case " $* " in *" --removed "*) return 0 ;; esac
	_jv_wait_card "$name" present
}

# stop_card NAME: SIGTERM, wait for the process, then for pcscd to see the
# reader empty (so the next card there is not mistaken for this one). The
# state file stays.
stop_card() {
	_jv_kill_card "$1" &&
		"$JV_PCSC_APDU" wait "$(card_reader "$1")" absent 10 > /dev/null
}
_jv_kill_card() {
	local pid=${JV_CARD_PID[$1]:-}
	[ -n "$pid" ] || return 1
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	JV_CARD_PID[$1]=
}

# restart_card NAME: stop the card and start it again from its state file
# (counters and PINs kept, as a real card across a power cycle).
restart_card() {
	_jv_kill_card "$1"
	_jv_wait_card "$1" absent
	_jv_launch "$1"
	_jv_wait_card "$1" present
}

# remove_card / insert_card NAME: take the card out of its reader or put it
# back (SIGUSR1 / SIGUSR2 to jpki-vcard), and wait until pcscd sees it.
remove_card() {
	kill -USR1 "${JV_CARD_PID[$1]}" && _jv_wait_card "$1" absent
}
insert_card() {
	kill -USR2 "${JV_CARD_PID[$1]}" && _jv_wait_card "$1" present
}

# --- setup and cleanup ---------------------------------------------------
_jv_cleanup() {
	local rc=$? name
	for name in "${!JV_CARD_PID[@]}"; do
		_jv_kill_card "$name"
	done
	_jv_stop_pcscd TERM
	if [ "$rc" = 0 ] || [ "$rc" = 77 ]; then
		[ -z "${JV_KEEP:-}" ] && rm -rf "$JV_TMP"
	fi
	exit "$rc"
}

harness_init() {
	local prog
	for prog in "$JV_VCARD" "$JV_PCSC_APDU"; do
		[ -x "$prog" ] || { echo "ERROR: $prog is not built"; exit 99; }
	done
	# JV_NO_PCSCD=1: behave as where pcscd cannot run (a package build
	# that has run these tests already, see debian/rules).
	[ -z "${JV_NO_PCSCD:-}" ] || skip "JV_NO_PCSCD is set"
	command -v pcscd > /dev/null || skip "pcscd is not installed"
	[ -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ] ||
		skip "vsmartcard-vpcd is not installed"
	command -v flock > /dev/null || skip "flock is not installed"

	exec 8> "$JV_LOCK"
	flock -w 900 8 || skip "another integration test holds $JV_LOCK"

	JV_TMP=$(mktemp -d "${TMPDIR:-/tmp}/jpki-test.XXXXXX")
	export JV_TMP
	trap _jv_cleanup EXIT
	trap 'exit 1' INT TERM HUP

	if _jv_pcscd_running; then
		_jv_find_readers || skip "a pcscd without vpcd readers is running"
		echo "# reusing the running pcscd (pid $(cat /run/pcscd/pcscd.pid))"
	else
		_jv_start_pcscd || skip "cannot start pcscd"
		echo "# started pcscd (pid $JV_PCSCD_PID)"
	fi

	JV_CA_DIR=$JV_TMP/ca
	"$JV_MKCARD" --ca "$JV_CA_DIR" ||
		fail "mkcard.sh cannot make the test CAs"
	JV_SIGN_CA=$JV_CA_DIR/sign/ca.crt
	JV_AUTH_CA=$JV_CA_DIR/auth/ca.crt
	export JV_CA_DIR JV_SIGN_CA JV_AUTH_CA
}
