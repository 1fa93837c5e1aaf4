#!/bin/bash
# The module under valgrind: tokens and objects, every mechanism, removal,
# threads, the card-face data.  Any invalid access or definite leak in the module fails.
. "$top_srcdir/tests/integration/lib.sh"
command -v valgrind >/dev/null || skip "valgrind is not installed"
harness_init
start_card a standard 0

vg() {	# DESC ARGS...
	local desc=$1 log=$JV_TMP/valgrind.log rc
	shift
	JP_TRACE=$(trace a) JP_CARD_PID=$(card_pid a) valgrind --quiet --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite --track-origins=yes --log-file="$log" \
		"$P11CHECK" "$@" >"$JV_TMP/vg.out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "valgrind: $desc"
	else
		cat "$JV_TMP/vg.out" "$log"
		not_ok "valgrind: $desc (exit $rc)"
	fi
}

vg "tokens and objects" tokens standard
vg "every mechanism" mechs
vg "card pulled and re-inserted" remove
vg "four threads" threads 4 2
vg "card-face data: login, objects, logout, last session" face 1234
harness_done
