#!/bin/bash
# bench/run.sh: our module against OpenSC's opensc-pkcs11.so on the same
# virtual My Number Card, side by side in one run: APDUs and wall time per
# operation, their ratio (ours/OpenSC), our certificate cache warm and
# cold, the instructions each module spends (callgrind), and the aims of
# issue 13 beside the numbers. See bench/README.md.
#
#   bench/run.sh [--save[=FILE]] [--reps N] [--loop N] [--calls N] [--keep]
#                [--no-cpu]
#
# Informational: exits 0 when everything ran (whatever the aims say),
# 1 when an operation failed, 2 on bad usage or a missing build,
# 77 when an outside tool is missing (pcscd, vpcd, pkcs11-tool, OpenSC).
set -u

LATENCY_MS=5		# the card's time per APDU
SIGN_LATENCY_MS=200	# and per signature
reps=3			# timed operations run this often; the median counts
loop=100		# signatures in one session
ncalls=10		# repeated C_GetTokenInfo / C_FindObjects
save=
keep=
cpu=1			# measure instructions with callgrind

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir

usage() { sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--save) save=$top_srcdir/bench/results.txt ;;
	--save=*) save=${1#--save=} ;;
	--reps) reps=${2:?}; shift ;;
	--loop) loop=${2:?}; shift ;;
	--calls) ncalls=${2:?}; shift ;;
	--keep) keep=1 ;;
	--no-cpu) cpu= ;;
	-h|--help) usage ;;
	*) echo "run.sh: unknown option $1"; usage ;;
	esac
	shift
done

OURS=${JPKI_MODULE:-$top_builddir/.libs/jpki-pkcs11.so}
SIGNLOOP=$top_builddir/bench/signloop
CALLS=$top_builddir/bench/calls
for f in "$OURS" "$SIGNLOOP" "$CALLS"; do
	[ -e "$f" ] || { echo "run.sh: $f is not built (make)"; exit 2; }
done

# shellcheck source=tests/harness/env.sh
. "$top_srcdir/tests/harness/env.sh"
[ -n "$keep" ] && export JV_KEEP=1
harness_init
command -v pkcs11-tool > /dev/null || skip "pkcs11-tool is not installed"
[ -e "$OPENSC_PKCS11" ] || skip "OpenSC's module $OPENSC_PKCS11 is missing"

start_card bench standard 0 --latency-ms "$LATENCY_MS" \
	--sign-latency-ms "$SIGN_LATENCY_MS"
TRACE=$(trace bench)
DATA=$JV_TMP/data
# Our module's certificate cache lives here, nowhere near the user's.
export XDG_CACHE_HOME=$JV_TMP/xdg
CACHE=$XDG_CACHE_HOME/jpki-pkcs11
cold() { rm -rf "$CACHE"; }
echo "jpki-pkcs11 benchmark data" > "$DATA"
declare -A MOD=([ours]=$OURS [opensc]=$OPENSC_PKCS11)
declare -A APDUS=() MS=()	# KEY.ours / KEY.opensc -> median figures
declare -A IR=()		# KEY.ours / KEY.opensc -> instructions in the module
BROKEN=0
T0=$(date +%s)

# --- helpers -------------------------------------------------------------
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }
now_us() { echo $(($(date +%s%N) / 1000)); }
mark() { echo "# bench: $*" >> "$TRACE"; }	# '#' lines are not APDUs

# run_cmd KEY WHO CMD...: run CMD $reps times; APDUs from the card's
# trace, wall time of the whole process; the medians go to KEY.WHO.
# $BEFORE, when set, runs before each run (unmeasured).
BEFORE=
run_cmd() {
	local key=$1 who=$2 i a0 t0 t1 a=() t=()
	shift 2
	for ((i = 0; i < reps; i++)); do
		[ -z "$BEFORE" ] || $BEFORE
		mark "$key $who run $i: $*"
		a0=$(apdu_count bench); t0=$(now_us)
		if ! "$@" > "$JV_TMP/out" 2>&1; then
			echo "run.sh: $key ($who) failed: $*"
			sed 's/^/    /' "$JV_TMP/out"
			BROKEN=1
			return 1
		fi
		t1=$(now_us)
		a+=($(($(apdu_count bench) - a0)))
		t+=($(((t1 - t0) / 1000)))
	done
	APDUS[$key.$who]=$(median "${a[@]}")
	MS[$key.$who]=$(median "${t[@]}")
}

# run_phases KEY WHO RUNS CMD...: CMD is signloop or calls, which print
# "phase NAME calls N apdus A ms T"; each phase P is stored as KEY:P.WHO,
# per call (median over RUNS runs).
run_phases() {
	local key=$1 who=$2 runs=$3 i name calls a ms
	shift 3
	declare -A pa=() pm=()
	for ((i = 0; i < runs; i++)); do
		mark "$key $who run $i: $*"
		if ! "$@" > "$JV_TMP/out" 2>&1; then
			echo "run.sh: $key ($who) failed: $*"
			sed 's/^/    /' "$JV_TMP/out"
			BROKEN=1
			return 1
		fi
		while read -r _ name _ calls _ a _ ms; do
			[ "$calls" -gt 0 ] || continue
			pa[$name]+=" $(awk "BEGIN{printf \"%.2f\", $a / $calls}")"
			pm[$name]+=" $(awk "BEGIN{printf \"%.1f\", $ms / $calls}")"
		done < <(grep '^phase ' "$JV_TMP/out")
	done
	for name in "${!pa[@]}"; do
		# shellcheck disable=SC2086 # word splitting wanted
		APDUS[$key:$name.$who]=$(median ${pa[$name]})
		# shellcheck disable=SC2086
		MS[$key:$name.$who]=$(median ${pm[$name]})
	done
}

# shellcheck disable=SC2317 # called through run_cmd
tool() { pkcs11-tool --module "${MOD[$1]}" "${@:2}"; }
sign_args() {	# SLOT_INDEX PIN ID
	echo --slot-index "$1" --login --pin "$2" --sign -m SHA256-RSA-PKCS \
		--id "$3" -i "$DATA" -o "$JV_TMP/sig"
}

# --- the transport's own cost --------------------------------------------
# What one APDU costs besides the card's latency: pcscd, vpcd and the
# virtual card's socket. A real reader adds its own; here it should be
# small next to the 5 ms the card is given.
calibrate() {
	local r n=40 t0 t1 t2 one many
	r=$(card_reader bench)
	echo "00A4040C0AD392F000260100000001 9000" > "$JV_TMP/one"
	for ((i = 0; i < n + 1; i++)); do cat "$JV_TMP/one"; done > "$JV_TMP/many"
	mark "calibration"
	t0=$(now_us); "$JV_PCSC_APDU" run "$r" "$JV_TMP/one" > /dev/null
	t1=$(now_us); "$JV_PCSC_APDU" run "$r" "$JV_TMP/many" > /dev/null
	t2=$(now_us)
	one=$((t1 - t0)); many=$((t2 - t1))
	PER_APDU=$(awk "BEGIN{printf \"%.1f\", ($many - $one) / $n / 1000}")
	TRANSPORT=$(awk "BEGIN{printf \"%.1f\", $PER_APDU - $LATENCY_MS}")
}

# instructions KEY WHO ARGS...: pkcs11-tool ARGS once under callgrind,
# counting only what runs inside the module's C_* functions (everything
# they call, OpenSSL and the PC/SC library included); stored as KEY.WHO.
instructions() {
	local key=$1 who=$2 out=$JV_TMP/callgrind.$1.$2
	shift 2
	mark "$key $who callgrind: $*"
	if ! valgrind --tool=callgrind --callgrind-out-file="$out" \
		--toggle-collect='C_*' pkcs11-tool --module "${MOD[$who]}" "$@" \
		> "$JV_TMP/out" 2>&1; then
		echo "run.sh: $key ($who) failed under callgrind: $*"
		sed 's/^/    /' "$JV_TMP/out"
		BROKEN=1
		return 1
	fi
	IR[$key.$who]=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out")
}

# --- measurements --------------------------------------------------------
echo "# measuring: $reps runs per timed operation, $loop signatures per loop"
calibrate
# ours with the cache cold: every run starts with no cache (a first process)
BEFORE=cold
run_cmd L_cold ours tool ours -L
run_cmd objects_cold ours tool ours --list-objects
# shellcheck disable=SC2046 # sign_args gives words without spaces
run_cmd sign_auth_cold ours tool ours $(sign_args 0 "$JV_AUTH_PIN" 01)
# shellcheck disable=SC2046
run_cmd sign_sign_cold ours tool ours $(sign_args 1 "$JV_SIGN_PIN" 02)
BEFORE=
# and from here on warm: a later process on the same card
tool ours --list-objects > /dev/null 2>&1
tool ours --slot-index 1 --list-objects > /dev/null 2>&1
for who in ours opensc; do
	run_cmd L "$who" tool "$who" -L
	run_cmd objects "$who" tool "$who" --list-objects
	run_phases login_auth "$who" "$reps" \
		"$SIGNLOOP" -T "$TRACE" "${MOD[$who]}" 0 "$JV_AUTH_PIN" 01 0
	run_phases login_sign "$who" "$reps" \
		"$SIGNLOOP" -T "$TRACE" "${MOD[$who]}" 1 "$JV_SIGN_PIN" 02 0
	# shellcheck disable=SC2046 # sign_args gives words without spaces
	run_cmd sign_auth "$who" tool "$who" $(sign_args 0 "$JV_AUTH_PIN" 01)
	# shellcheck disable=SC2046
	run_cmd sign_sign "$who" tool "$who" $(sign_args 1 "$JV_SIGN_PIN" 02)
	run_phases loop_auth "$who" 1 \
		"$SIGNLOOP" -T "$TRACE" "${MOD[$who]}" 0 "$JV_AUTH_PIN" 01 "$loop"
	run_phases loop_sign "$who" 1 \
		"$SIGNLOOP" -T "$TRACE" "${MOD[$who]}" 1 "$JV_SIGN_PIN" 02 "$loop"
	for slot in 0 1; do
		run_phases "calls$slot" "$who" 1 \
			"$CALLS" -T "$TRACE" "${MOD[$who]}" "$slot" "$ncalls"
	done
done
if [ -n "$cpu" ] && command -v valgrind > /dev/null; then
	for who in ours opensc; do
		instructions L "$who" -L
		instructions objects "$who" --list-objects
		# shellcheck disable=SC2046
		instructions sign_auth "$who" $(sign_args 0 "$JV_AUTH_PIN" 01)
		# shellcheck disable=SC2046
		instructions sign_sign "$who" $(sign_args 1 "$JV_SIGN_PIN" 02)
	done
elif [ -n "$cpu" ]; then
	echo "# valgrind is not installed: no instruction counts"
fi

# --- report --------------------------------------------------------------
ratio() {	# A B [DECIMALS]: A/B, or "-" when B is 0 or either is missing
	awk -v a="${1:-}" -v b="${2:-}" -v d="${3:-2}" 'BEGIN {
		if (a == "" || b == "" || b + 0 == 0) print "-";
		else printf "%.*f", d, a / b }'
}
num() {	# VALUE: whole numbers as such, others with 1 or 2 decimals
	awk -v v="${1:-}" 'BEGIN {
		if (v == "") print "-";
		else if (v == "-") print "-";
		else if (v == int(v)) printf "%d", v;
		else if (v >= 100) printf "%.0f", v;
		else if (v >= 10) printf "%.1f", v;
		else printf "%.2f", v }'
}
row() {	# LABEL KEY [OURS_KEY]: OURS_KEY (default KEY) for ours, KEY for OpenSC
	local k=${3:-$2}
	local o=${APDUS[$k.ours]:-} s=${APDUS[$2.opensc]:-}
	local mo=${MS[$k.ours]:-} ms=${MS[$2.opensc]:-}
	printf '%-40s %8s %8s %6s  %9s %9s %6s\n' "$1" "$(num "$o")" \
		"$(num "$s")" "$(ratio "$o" "$s")" "$(num "$mo")" "$(num "$ms")" \
		"$(ratio "$mo" "$ms")"
}
irow() {	# LABEL KEY: instructions inside each module, in millions
	local o=${IR[$1.ours]:-} s=${IR[$1.opensc]:-}
	printf '%-40s %12s %12s %6s\n' "$2" \
		"$(awk -v v="$o" 'BEGIN { if (v == "") print "-"; else printf "%.1f", v / 1e6 }')" \
		"$(awk -v v="$s" 'BEGIN { if (v == "") print "-"; else printf "%.1f", v / 1e6 }')" \
		"$(ratio "$o" "$s")"
}
# aim TEXT VALUE OP LIMIT: PASS when VALUE OP LIMIT (OP: le), n/a when
# VALUE is missing.
aim() {
	local verdict
	verdict=$(awk -v v="$2" -v l="$4" 'BEGIN {
		if (v == "" || v == "-") print "n/a";
		else if (v + 0 <= l + 0) print "PASS"; else print "FAIL" }')
	printf '  %-58s %7s  %s\n' "$1" "$(num "$2")" "$verdict"
}
A() { ratio "${APDUS[$1.ours]:-}" "${APDUS[$1.opensc]:-}" 4; }
W() { ratio "${MS[$1.ours]:-}" "${MS[$1.opensc]:-}" 4; }
I() { ratio "${IR[$1.ours]:-}" "${IR[$1.opensc]:-}" 4; }
# The fewest APDUs the module's safety rules allow for each operation,
# cache warm (bench/README.md says where each comes from).
# sign_sign: 17 plus the signature certificate's READ BINARYs (5 for the
# virtual card's).
declare -A FLOOR=([L]=11 [objects]=10 [sign_auth]=14 [sign_sign]=22 [loop_auth:sign]=6 [loop_sign:sign]=6)
floor_row() {	# LABEL KEY
	printf '  %-40s %6s %6s\n' "$1" "$(num "${APDUS[$2.ours]:-}")" "${FLOOR[$2]}"
}

report() {
	echo "jpki-pkcs11 against OpenSC $(dpkg-query -W -f='${Version}' opensc-pkcs11 2>/dev/null || echo '?') ($OPENSC_PKCS11)"
	echo "virtual card: $LATENCY_MS ms per APDU, $SIGN_LATENCY_MS ms per signature; an APDU takes $PER_APDU ms, so pcscd + vpcd add $TRANSPORT ms"
	echo "OpenSC config: ${OPENSC_CONF#"$top_srcdir"/} (no file cache, no PIN cache)"
	echo "$reps runs per timed operation (median), $loop signatures per loop, $ncalls repeated calls; $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
	echo
	printf '%-40s %8s %8s %6s  %9s %9s %6s\n' "operation" "APDUs" "" "" "ms" "" ""
	printf '%-40s %8s %8s %6s  %9s %9s %6s\n' "" "ours" "OpenSC" "ratio" "ours" "OpenSC" "ratio"
	row "pkcs11-tool -L" L
	row "pkcs11-tool -L, cold cache" L L_cold
	row "pkcs11-tool --list-objects (no login)" objects
	row "pkcs11-tool --list-objects, cold cache" objects objects_cold
	row "C_Login, user-auth PIN (1 call)" login_auth:login
	row "C_Login, signature PIN (1 call)" login_sign:login
	row "pkcs11-tool login + sign, auth key" sign_auth
	row "pkcs11-tool login + sign, auth, cold" sign_auth sign_auth_cold
	row "pkcs11-tool login + sign, sign key" sign_sign
	row "pkcs11-tool login + sign, sign, cold" sign_sign sign_sign_cold
	row "loop: per signature, auth key" loop_auth:sign
	row "loop: per signature, sign key" loop_sign:sign
	row "C_Initialize" calls0:C_Initialize
	row "C_GetSlotList(TRUE), first" calls0:C_GetSlotList.first
	row "C_GetSlotList(TRUE), later (each)" calls0:C_GetSlotList.again
	row "C_GetTokenInfo, first, auth token" calls0:C_GetTokenInfo.first
	row "C_GetTokenInfo, later (each), auth token" calls0:C_GetTokenInfo.again
	row "C_GetTokenInfo, first, sign token" calls1:C_GetTokenInfo.first
	row "C_GetTokenInfo, later (each), sign token" calls1:C_GetTokenInfo.again
	row "C_FindObjects, first, auth token" calls0:C_FindObjects.first
	row "C_FindObjects, later (each), auth token" calls0:C_FindObjects.again
	row "C_FindObjects, first, sign token" calls1:C_FindObjects.first
	row "C_FindObjects, later (each), sign token" calls1:C_FindObjects.again
	echo
	echo "instructions inside the module's C_* calls (callgrind, cache warm)"
	printf '%-40s %12s %12s %6s\n' "operation" "ours (M)" "OpenSC (M)" "ratio"
	irow L "pkcs11-tool -L"
	irow objects "pkcs11-tool --list-objects (no login)"
	irow sign_auth "pkcs11-tool login + sign, auth key"
	irow sign_sign "pkcs11-tool login + sign, sign key"
	echo
	echo "APDUs against the floor (cache warm)         ours  floor"
	floor_row "pkcs11-tool -L" L
	floor_row "pkcs11-tool --list-objects" objects
	floor_row "pkcs11-tool login + sign, auth key" sign_auth
	floor_row "pkcs11-tool login + sign, sign key" sign_sign
	floor_row "loop: per signature, auth key" loop_auth:sign
	floor_row "loop: per signature, sign key" loop_sign:sign
	echo
	echo "aims of issue 13, cache warm (informational)                 value  verdict"
	aim "-L: APDUs <= 0.15 of OpenSC's" "$(A L)" le 0.15
	aim "-L: wall time <= 0.2 of OpenSC's" "$(W L)" le 0.2
	aim "--list-objects: APDUs <= 0.2 of OpenSC's" "$(A objects)" le 0.2
	aim "--list-objects: wall time <= 0.25 of OpenSC's" "$(W objects)" le 0.25
	aim "login + sign, auth key: APDUs <= 0.22 of OpenSC's" "$(A sign_auth)" le 0.22
	aim "login + sign, auth key: wall time <= 0.49 of OpenSC's" "$(W sign_auth)" le 0.49
	aim "login + sign, sign key: APDUs <= 0.31 of OpenSC's" "$(A sign_sign)" le 0.31
	aim "login + sign, sign key: wall time <= 0.54 of OpenSC's" "$(W sign_sign)" le 0.54
	aim "loop, auth key: APDUs per signature <= 6" "${APDUS[loop_auth:sign.ours]:-}" le 6
	aim "loop, auth key: wall time <= 1.1 x OpenSC's" "$(W loop_auth:sign)" le 1.1
	aim "loop, sign key: APDUs per signature <= 6" "${APDUS[loop_sign:sign.ours]:-}" le 6
	aim "loop, sign key: wall time <= 1.1 x OpenSC's" "$(W loop_sign:sign)" le 1.1
	aim "-L: instructions <= 1/2 of OpenSC's" "$(I L)" le 0.5
	aim "--list-objects: instructions <= 1/2 of OpenSC's" "$(I objects)" le 0.5
	aim "login + sign, auth key: instructions <= 1/2 of OpenSC's" "$(I sign_auth)" le 0.5
	aim "login + sign, sign key: instructions <= 1/2 of OpenSC's" "$(I sign_sign)" le 0.5
	aim "C_Initialize: 0 APDUs" "${APDUS[calls0:C_Initialize.ours]:-}" le 0
	aim "C_GetSlotList again: 0 APDUs" "${APDUS[calls0:C_GetSlotList.again.ours]:-}" le 0
	aim "C_GetTokenInfo again: <= 3 APDUs (PIN counter), auth" "${APDUS[calls0:C_GetTokenInfo.again.ours]:-}" le 3
	aim "C_GetTokenInfo again: <= 3 APDUs (PIN counter), sign" "${APDUS[calls1:C_GetTokenInfo.again.ours]:-}" le 3
	aim "C_FindObjects again: 0 APDUs, auth token" "${APDUS[calls0:C_FindObjects.again.ours]:-}" le 0
	aim "C_FindObjects again: 0 APDUs, sign token" "${APDUS[calls1:C_FindObjects.again.ours]:-}" le 0
	echo
	echo "run took $(($(date +%s) - T0)) s"
}

echo
if [ -n "$save" ]; then
	report | tee "$save"
	echo "# saved to $save"
else
	report
fi
[ -n "$keep" ] && echo "# trace with '# bench:' markers: $TRACE"
[ "$BROKEN" = 0 ] || not_ok "an operation failed (see above)"
harness_done
