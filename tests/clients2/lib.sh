# tests/clients2/lib.sh: small helpers shared by the client tests in this
# directory, on top of tests/harness/env.sh (which this file sources).
#
#   need PROG                 skip (77) when PROG is not installed
#   on_exit FUNC              run FUNC at exit, before the harness stops
#                             the cards and pcscd (for daemons we started)
#   free_port                 a TCP port nobody listens on at 127.0.0.1
#   wait_port PORT            wait until something listens there (10 s)
#   pin_verifies NAME         VERIFY commands with a PIN the card received
#   card_signs NAME           COMPUTE DIGITAL SIGNATURE commands it answered
#   sign_pin_tries NAME       signature-PIN tries left (the card's state file)
#   auth_pin_tries NAME       user-authentication-PIN tries left
#   make_askpass FILE LOG     an SSH_ASKPASS-style program: prints the PIN that
#                             belongs to the token named in its prompt, and
#                             appends each prompt to LOG (never the PIN);
#                             ASKPASS_EMPTY=1 makes it answer nothing
. "$top_srcdir/tests/harness/env.sh"

need() { command -v "$1" > /dev/null 2>&1 || skip "$1 is not installed"; }

_c2_exit_hooks=()
_c2_cleanup() {
	local rc=$? f
	for f in "${_c2_exit_hooks[@]}"; do "$f"; done
	(exit "$rc")
	_jv_cleanup
}
on_exit() {
	_c2_exit_hooks=("$1" "${_c2_exit_hooks[@]}")
	trap _c2_cleanup EXIT
}

_port_busy() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }
free_port() {
	local p i
	for i in $(seq 50); do
		p=$((20000 + RANDOM % 30000))
		_port_busy "$p" || { echo "$p"; return 0; }
	done
	fail "no free TCP port found"
}
wait_port() {
	local i
	for i in $(seq 100); do
		_port_busy "$1" && return 0
		sleep 0.1
	done
	return 1
}

pin_verifies() { grep -c '^00200080[0-9A-F][0-9A-F]\*' "$(trace "$1")" || true; }
card_signs() { grep -c '^802A' "$(trace "$1")" || true; }
_pin_tries() { awk -v p="$2" '$1 == "pin" && $2 == p { print $4 }' "$(card_dir "$1")/state"; }
sign_pin_tries() { _pin_tries "$1" sign; }
auth_pin_tries() { _pin_tries "$1" auth; }

make_askpass() {
	cat > "$1" <<ASKPASS
#!/bin/sh
# Test askpass: logs the prompt (not the answer), answers the right PIN.
printf '%s\n' "\$*" >> '$2'
[ -z "\${ASKPASS_EMPTY:-}" ] || exit 1
case "\$*" in
*"Digital Signature"*) echo '$JV_SIGN_PIN' ;;
*) echo '$JV_AUTH_PIN' ;;
esac
ASKPASS
	chmod 700 "$1"
}
