#!/bin/bash
# Card reset by another process, pcscd stopped and started, application
# mutexes, fork, and what repeated calls cost.
. "$top_srcdir/tests/integration/lib.sh"
harness_init
start_card a standard 0

# phases: run p11check in the background; at each READY line the shell
# acts, then lets it go on by creating $JP_GO.
phased() {	# DESC ACTION1 [ACTION2] -- p11check args
	local desc=$1 out=$JV_TMP/phased.out pid n=0 act rc
	shift
	local actions=()
	while [ "$1" != -- ]; do actions+=("$1"); shift; done
	shift
	export JP_GO=$JV_TMP/go
	rm -f "$JP_GO"
	run_check a "$@" >"$out" 2>&1 &
	pid=$!
	for act in "${actions[@]}"; do
		n=$((n + 1))
		for _ in $(seq 300); do
			[ "$(grep -c '^READY' "$out")" -ge $n ] && break
			sleep 0.1
		done
		eval "$act"
		touch "$JP_GO"
	done
	wait "$pid"
	rc=$?
	cat "$out"
	[ $rc -eq 0 ] && ok "$desc" || not_ok "$desc (p11check exit $rc)"
}

phased "card reset by another process logs the module out" \
	'printf "reset\n" | "$JV_PCSC_APDU" run "$(card_reader a)" >/dev/null' -- reset
if [ -n "$JV_PCSCD_PID" ]; then
	phased "pcscd stopped and started again" '_jv_stop_pcscd TERM' \
		'_jv_start_pcscd && _jv_wait_card a present' -- pcscd
	_jv_stop_pcscd TERM
	phased "C_Initialize without pcscd, slots when it comes" \
		'_jv_start_pcscd && _jv_wait_card a present' -- no-pcscd
else
	echo "# pcscd is not ours: the pcscd restart checks are left out"
fi
expect_check "application-supplied mutexes" a mutex
expect_check "repeated calls cost no APDU beyond the PIN counter (all three tokens)" a cost

out=$(client pkcs11-tool --module "$JPKI_MODULE" --test-fork --slot-index 0 --login --pin "$JV_AUTH_PIN" 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] && ok "pkcs11-tool --test-fork" || not_ok "pkcs11-tool --test-fork (exit $rc)"
harness_done
