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
#   JV_READERS                        array of the reader names: the two
#                                     vpcd readers (index 0, 1), then the
#                                     PIN-pad reader (index 2) when present
#   JV_NREADERS                       how many there are (for the clients)
#   JV_PINPAD                         the PIN-pad reader's index (2), or ""
#                                     when this pcscd lacks it (a pcscd we
#                                     reuse, or the driver not built)
#   JV_PINPAD_DIR                     its keypad directory (see below)
#   JV_AUTH_PIN JV_SIGN_PIN JV_FACE_PIN   default PINs of new cards
#   OPENSC_CONF OPENSC_PKCS11         our OpenSC config, the OpenSC module
#   JV_PCSCD_PID                      pcscd's PID when we started it, else ""
#   XDG_CACHE_HOME                    JV_TMP/xdg-cache: the module's certificate
#                                     cache stays out of the user's home
# Reads JV_NO_PCSCD: when set, every test that needs pcscd skips (77).
# Functions: start_card stop_card restart_card remove_card insert_card
#   card_reader card_dir card_pid trace apdu_count card_verifies card_signs
#   expect_auth_tries trace_count restart_pcscd pinpad_type pinpad_features pinpad_log need_pinpad
#   set_faults faults_fired wait_link
#   ok not_ok skip fail harness_done.
#
# The PIN-pad reader.  Every pcscd the harness starts has, after the two
# vpcd readers, "JPKI Test PIN-pad": tests/pinpad/ifd-pinpad.so, a driver
# that passes everything to its own copy of vpcd (port 35965) and adds a
# PC/SC part 10 keypad fed from files in $JV_PINPAD_DIR:
#   start_card NAME standard "$JV_PINPAD"   a card in the PIN-pad reader
#   pinpad_type 1234 [cancel|timeout|DIGITS...]
#                         what the person types next, one entry per PIN the
#                         reader asks for (a change: new PIN, confirmation);
#                         nothing written means a keypad timeout
#   pinpad_features verify modify properties [display] | none
#                         what the reader claims from the next control call
#                         on (default: verify modify properties)
#   pinpad_log            the path of its log: "verify-direct len=4
#                         sw=9000" lines, never the digits
#   need_pinpad           skip the test (77) when this pcscd lacks it
# The driver's protocol is described at the top of tests/pinpad/ifd-pinpad.c.

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
JV_PCSCD_CONF=		# written by harness_init: $JV_TMP/reader.conf.d
JV_VPCD_PORT=35963		# reader i listens on 35963 + i
JV_VPCD_LIB=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
JV_PINPAD_LIB=$top_builddir/tests/pinpad/.libs/ifd-pinpad.so
JV_PINPAD_NAME="JPKI Test PIN-pad"
JV_PINPAD=
JV_PINPAD_DIR=
JV_PCSCD_PID=
JV_FAILED=0
JV_READERS=()
declare -A JV_CARD_PID=() JV_CARD_IDX=() JV_CARD_ARGS=()

# --- results -------------------------------------------------------------
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; JV_FAILED=1; }
skip() { echo "SKIP: $*"; exit 77; }
# fail also works inside $(...): there it tells on stderr and stops the
# test itself (SIGTERM to the test's shell, whose trap exits 1), as a
# subshell's exit alone would be lost.
fail() {
	if [ "${BASHPID:-$$}" != "$$" ]; then
		echo "FAIL: $*" >&2
		kill -TERM "$$"
		exit 1
	fi
	echo "FAIL: $*"; JV_FAILED=1; exit 1
}
harness_done() {
	if [ "$JV_FAILED" = 0 ]; then
		echo "PASS: $(basename "$0")"
		exit 0
	fi
	echo "FAIL: $(basename "$0") (scratch kept in $JV_TMP)"
	exit 1
}

# --- the PIN-pad reader --------------------------------------------------
need_pinpad() {
	[ -n "$JV_PINPAD" ] || skip "this pcscd has no PIN-pad reader"
}
pinpad_type() {
	need_pinpad
	printf '%s\n' "$@" > "$JV_PINPAD_DIR/keypad"
}
pinpad_features() {
	need_pinpad
	if [ "$*" = none ]; then
		: > "$JV_PINPAD_DIR/features"
	else
		printf '%s\n' "$@" > "$JV_PINPAD_DIR/features"
	fi
}
pinpad_log() { echo "$JV_PINPAD_DIR/log"; }

# --- pcscd ---------------------------------------------------------------
_jv_pcscd_running() {
	local pid
	[ -S /run/pcscd/pcscd.comm ] || return 1
	pid=$(cat /run/pcscd/pcscd.pid 2>/dev/null) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# Fills JV_READERS with the vpcd readers, then the PIN-pad reader when it
# is there and sits on the port of index 2 (set in _jv_write_conf); fails
# when there are no vpcd readers.
_jv_find_readers() {
	local r pinpad=
	JV_READERS=()
	JV_PINPAD=
	while IFS= read -r r; do
		case $r in
		*"Virtual PCD"*) JV_READERS+=("$r") ;;
		"$JV_PINPAD_NAME"*) pinpad=$r ;;
		esac
	done < <("$JV_PCSC_APDU" readers 2>/dev/null)
	if [ -n "$pinpad" ] && [ -n "$JV_PINPAD_DIR" ] && [ ${#JV_READERS[@]} = 2 ]; then
		JV_PINPAD=${#JV_READERS[@]}
		JV_READERS+=("$pinpad")
	fi
	JV_NREADERS=${#JV_READERS[@]}
	export JV_NREADERS
	[ ${#JV_READERS[@]} -gt 0 ]
}

# The reader configuration of the pcscd we start, in $JV_TMP: one vpcd
# device giving two readers, "Virtual PCD 00 00" (35963) and "... 00 01"
# (35964), then the PIN-pad reader (35965), in one file so that pcscd adds
# them in this order.  Never a second vpcd device: the driver keeps one
# table of slots for all its devices, so a second one takes over the first
# one's slots; the PIN-pad driver loads a copy of vpcd for that reason.
_jv_write_conf() {
	local conf=$JV_TMP/reader.conf.d
	JV_PCSCD_CONF=$conf
	mkdir -p "$conf"
	cat > "$conf/readers" <<-EOF
	FRIENDLYNAME "Virtual PCD"
	DEVICENAME   /dev/null:0x8C7B
	LIBPATH      $JV_VPCD_LIB
	CHANNELID    0x8C7B
	EOF
	[ -e "$JV_PINPAD_LIB" ] || return 0
	JV_PINPAD_DIR=$JV_TMP/pinpad
	mkdir -p "$JV_PINPAD_DIR"
	cp "$JV_VPCD_LIB" "$JV_PINPAD_DIR/libifdvpcd.so"
	printf 'vpcd %s\ndevice /dev/null:%d\n' "$JV_PINPAD_DIR/libifdvpcd.so" \
		$((JV_VPCD_PORT + 2)) > "$JV_PINPAD_DIR/config"
	cat >> "$conf/readers" <<-EOF
	FRIENDLYNAME "$JV_PINPAD_NAME"
	DEVICENAME   $JV_PINPAD_DIR
	LIBPATH      $JV_PINPAD_LIB
	EOF
	export JV_PINPAD_DIR
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
# APDUs the card answered so far (since it was first started). Without a
# readable trace the test fails: a count of nothing must never read as 0.
apdu_count() { trace_count "$1" -v '^#'; }
# PIN VERIFYs with a PIN (not the empty status queries) the card received,
# and the signatures it was asked for (COMPUTE DIGITAL SIGNATURE).
card_verifies() { trace_count "$1" '^00200080[0-9A-F][0-9A-F]\*'; }
card_signs() { trace_count "$1" '^802A0080'; }
# expect_auth_tries NAME WANT-SW: ok when the card's user-authentication
# PIN counter answers WANT-SW (63Cn: n tries left) to an empty VERIFY sent
# straight to the reader (no try spent); the applet is selected again after.
expect_auth_tries() {
	local out=$JV_TMP/auth-tries.out
	if "$JV_PCSC_APDU" run "$(card_reader "$1")" > "$out" 2>&1 <<-EOF
	00A4040C0AD392F000260100000001 9000
	00A4020C020018 9000
	00200080 $2
	00A4040C0AD392F000260100000001 9000
	EOF
	then
		ok "card counter: $2"
	else
		not_ok "card counter: want $2: $(grep -E 'FAIL|expected' "$out" | tr '\n' ' ')"
	fi
}
# trace_count NAME GREP-ARGS...: the lines of the card's trace that match.
trace_count() {
	local name=$1 t
	t=$(trace "$name")
	shift
	[ -f "$t" ] && [ -r "$t" ] || fail "no readable trace for card $name ($t)"
	grep -c "$@" "$t" || [ $? = 1 ] || fail "cannot read the trace of card $name"
}
# set_faults NAME < RULES: the card's fault rules (tests/vcard/README.md,
# "Fault injection"), replaced at once; counting starts again from zero.
# set_faults NAME < /dev/null removes them.
set_faults() {
	local f
	f=$(card_dir "$1")/faults
	cat > "$f.new" && mv -f "$f.new" "$f"
}
# wait_link NAME [SECONDS]: after a lost or lost-before fault, wait until
# pcscd has taken the card's new link (until then SCardTransmit fails).
wait_link() {
	printf 'wait-link %s\n' "${2:-10}" |
		"$JV_PCSC_APDU" run "$(card_reader "$1")" > /dev/null
}
# faults_fired NAME [ACTION]: how many "# fault" lines the trace has (of
# that action, e.g. lost or sw=6F00).
faults_fired() {
	trace_count "$1" "^# fault ${2:-}"
}

_jv_wait_card() {	# NAME present|absent
	"$JV_PCSC_APDU" wait "$(card_reader "$1")" "$2" 10 ||
		fail "card $1 not $2 in $(card_reader "$1") (log: $(card_dir "$1")/log)"
}

_jv_launch() {	# NAME: start the card process with its recorded options
	local name=$1 dir
	dir=$(card_dir "$name")
	eval "set -- ${JV_CARD_ARGS[$name]}"
	"$JV_VCARD" --port $((JV_VPCD_PORT + JV_CARD_IDX[$name])) \
		--state "$dir/state" --trace "$dir/trace" \
		--fault-file "$dir/faults" "$@" \
		>> "$dir/log" 2>&1 8>&- &
	JV_CARD_PID[$name]=$!
}

# start_card NAME [PROFILE [READER_INDEX [jpki-vcard options...]]]
# Creates the card's certificates (mkcard.sh) and state in $JV_TMP/cards/NAME,
# starts jpki-vcard on reader READER_INDEX (default 0) and waits until the
# reader shows the card (unless --removed is among the options).
start_card() {
	local name=$1 profile=${2:-standard} idx=${3-0} dir mk=() a
	shift $(($# < 3 ? $# : 3))
	[ -z "${JV_CARD_PID[$name]:-}" ] || fail "card $name already started"
	# An empty index is a reader this pcscd lacks ("$JV_PINPAD").
	[ -n "$idx" ] || skip "no such reader for card $name"
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
	# the module's certificate cache stays in the scratch directory, never
	# in the user's home (a test may point it elsewhere)
	export XDG_CACHE_HOME=$JV_TMP/xdg-cache
	trap _jv_cleanup EXIT
	trap 'exit 1' INT TERM HUP

	if _jv_pcscd_running; then
		_jv_find_readers || skip "a pcscd without vpcd readers is running"
		echo "# reusing the running pcscd (pid $(cat /run/pcscd/pcscd.pid))"
	else
		_jv_write_conf
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
