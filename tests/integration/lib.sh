# Shared by the integration tests of the module: the harness, plus where
# the module and p11check are.
. "$top_srcdir/tests/harness/env.sh"
P11CHECK=$top_builddir/tests/integration/p11check
: "${JPKI_MODULE:=$top_builddir/.libs/jpki-pkcs11.so}"
export JPKI_MODULE

# A module built with --enable-sanitizers or --enable-tsan needs the
# sanitizer runtimes preloaded into client programs that were built
# without them (p11check is built with them).
client() {
	local pre
	pre=$(ldd "$JPKI_MODULE" 2>/dev/null | awk '/lib(a|ub|t)san/ { printf "%s ", $3 }')
	if [ -n "$pre" ]; then
		LD_PRELOAD="$pre" ASAN_OPTIONS=detect_leaks=0 "$@"
	else
		"$@"
	fi
}

# ThreadSanitizer (--enable-tsan): a report makes the program exit 66, so
# the check that ran it fails; reports inside third-party libraries are
# suppressed only as tsan.supp says why.  No effect on other builds.
TSAN_OPTIONS="suppressions=$top_srcdir/tests/integration/tsan.supp second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
export TSAN_OPTIONS

# run_check NAME ARGS...: p11check with the card NAME's trace and PID.
run_check() {
	local name=$1
	shift
	# a hang is a failure, not a stuck suite
	JP_TRACE=$(trace "$name") JP_CARD_PID=$(card_pid "$name") timeout 300 "$P11CHECK" "$@"
}

# expect_check DESC NAME ARGS...: run p11check, pass its lines through, and
# fail the test when any of its checks failed.
expect_check() {
	local desc=$1 out rc
	shift
	out=$(run_check "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	if [ $rc -eq 0 ]; then ok "$desc"; else not_ok "$desc (p11check exit $rc)"; fi
}

# field KEY TEXT: the value of "KEY: value" in p11check's output.
field() { printf '%s\n' "$2" | sed -n "s/^$1: //p" | head -n1; }
