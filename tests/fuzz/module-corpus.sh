#!/bin/bash
# The whole-module corpus still reaches what its seeds are named for.
#
# fuzz_module_replay (make check) shows that no seed breaks the fuzz
# backend's rules, but a rule is checked only where a seed takes the module:
# a corpus that drifted from the module (a card answering commands it no
# longer sends) passes while checking nothing.  So each seed is replayed
# here with FUZZ_TRACE, and what the backend says it reached ("fuzz:
# reached:", fuzz_backend.h) must hold what the table below asks of it:
# a word it must show, or -word it must not.  Also:
#   - every seed has a row and every row a seed (missing evidence fails);
#   - at least MIN_VERIFY seeds send a VERIFY with a PIN and MIN_SIGN reach
#     a signature command (the regenerated corpus has 29 and 16);
#   - the module reads no cache of the user's: with HOME an empty scratch
#     directory and XDG_CACHE_HOME unset, the directory stays empty, and
#     two replays of a seed print the same trace.
# Regenerate the corpus with gen_module_corpus.py (tests/fuzz/local.mk).
: "${top_srcdir:=.}" "${top_builddir:=.}"
replay=$top_builddir/tests/fuzz/fuzz_module_replay
corpus=$top_srcdir/tests/fuzz/corpus/module
MIN_VERIFY=29
MIN_SIGN=16
failed=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=1; }

declare -A want=(
	# logins and signatures
	[auth-sign-verify]="verify verified sign signed cleared"
	[auth-wrong-then-right]="rejected verified sign signed cleared"
	[auth-bad-format]="-verify -sign"
	[sign-context]="verified sign signed cleared"
	[sign-context-wrong-pin]="verified rejected -sign"
	[sign-without-always-auth]="verified sign signed cleared"
	[sign-hold-released]="verified sign signed cleared"
	[set-pin-auth]="change sign signed"
	[set-pin-sign]="change sign signed"
	[face-login]="verified cleared"
	[t0-card]="verified sign signed cleared"
	[cache-known-cert]="verified sign signed cleared"
	# a re-verification rejected: the next signature call sends no PIN
	[resign-rejected]="rejected resign signed"
	[sign-resign-rejected]="rejected resign signed"
	# faults in the middle of a transaction with the card verified
	[verify-lost]="verify fault cleared"
	[removed-at-sign]="sign fault unpowered -signed"
	[reset-at-sign]="sign fault cleared -signed"
	[card-pulled-in-hold]="verified pulled -sign"
	[card-swapped]="verified pulled"
	[set-pin-then-sign-device-error]="change sign -signed"
	# the clear fails, and sometimes the power-down too
	[clear-select-fails]="signed unpowered"
	[end-fails-card-gone-close-unpowered]="signed fault unpowered"
	[hold-card-pulled-unpower-fails]="verified pulled"
	[login-clear-lost]="verified fault unpowered"
	[login-clear-no-reader]="verified fault unpowered"
	[login-clear-reset-unpower-fails]="verified fault unpowered"
	[login-clear-select-61xx]="verified cleared -unpowered"
	[sign-cert-clear-select-61xx]="verified cleared -unpowered"
	[set-pin-clear-fails]="change unpowered"
	# readers, tokens and cards, no PIN
	[listing-errors]="verified cleared"
	[second-reader]="-verify"
	[not-jpki]="-verify"
	[face-auth]="-verify"
	[blank-serial]="-verify"
	[reinit-tokens]="-verify"
)

[ -x "$replay" ] || { echo "FAIL: $replay is not built"; exit 1; }
[ -d "$corpus" ] || { echo "FAIL: no corpus at $corpus"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jpki-corpus.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/home"

trace() {
	env -u XDG_CACHE_HOME -u JPKI_PKCS11_DEBUG HOME="$tmp/home" FUZZ_TRACE=1 "$replay" "$1" 2>&1
}

declare -A seen
nverify=0 nsign=0
for f in "$corpus"/*; do
	name=${f##*/}
	seen[$name]=1
	out=$(trace "$f") || { not_ok "$name: the replay failed"; continue; }
	[ "$out" = "$(trace "$f")" ] || not_ok "$name: two replays differ"
	reached=$(sed -n 's/^fuzz: reached://p' <<< "$out")
	if ! grep -q '^fuzz: reached:' <<< "$out"; then
		not_ok "$name: no evidence of what it reached"
		continue
	fi
	[[ " $reached " = *" verify "* ]] && nverify=$((nverify + 1))
	[[ " $reached " = *" sign "* ]] && nsign=$((nsign + 1))
	if [ -z "${want[$name]+set}" ]; then
		not_ok "$name: no row in the table (reached:$reached)"
		continue
	fi
	bad=
	for w in ${want[$name]}; do
		case $w in
		-*) [[ " $reached " = *" ${w#-} "* ]] && bad="$bad $w" ;;
		*) [[ " $reached " = *" $w "* ]] || bad="$bad $w" ;;
		esac
	done
	if [ -z "$bad" ]; then ok "$name:$reached"; else
		not_ok "$name: reached:$reached, wanted:$bad"; fi
done
for name in "${!want[@]}"; do
	[ -n "${seen[$name]:-}" ] || not_ok "$name: in the table, not in the corpus"
done

if [ "$nverify" -ge "$MIN_VERIFY" ]; then ok "$nverify seeds send a VERIFY with a PIN"; else
	not_ok "$nverify seeds send a VERIFY with a PIN, fewer than $MIN_VERIFY"; fi
if [ "$nsign" -ge "$MIN_SIGN" ]; then ok "$nsign seeds reach a signature command"; else
	not_ok "$nsign seeds reach a signature command, fewer than $MIN_SIGN"; fi
left=$(cd "$tmp/home" && find . -mindepth 1)
if [ -z "$left" ]; then ok "nothing written in HOME"; else
	not_ok "written in HOME: $left"; fi
exit $failed
