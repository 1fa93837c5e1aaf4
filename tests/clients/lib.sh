# tests/clients/lib.sh: what the real-client tests share. Source it
# instead of the harness; it sources tests/harness/env.sh (whose
# card_signs, card_verifies and apdu_count count the card's trace).
#
#   need PROGRAM...           skip (77) when an outside tool is missing
#   check DESC COMMAND...     ok when the command succeeds, else not ok
#   not COMMAND...            the command's status, negated
#   refused DESC PATTERN LOG COMMAND...
#                             ok when COMMAND fails and its output (kept
#                             in LOG) gives the expected reason PATTERN
#   on_exit FUNC              run FUNC at exit, before the harness stops
#                             the cards and pcscd (for daemons we started)
#   free_port                 a TCP port nobody listens on at 127.0.0.1
#   wait_port PORT            wait until something listens there (10 s)
#   accept_port LOG           the port "openssl s_server -accept
#                             127.0.0.1:0" printed in LOG (waits 5 s)
#   nss_db DIR [MODULE]       a new NSS database with the module in it
#   sign_pin_tries NAME       signature-PIN tries left (the card's state file)
#   auth_pin_tries NAME       user-authentication-PIN tries left
#   example_cnf SRC DEST      copy an OpenSSL config from examples/ with its
#                             MODULE_PATH pointed at the module just built
#   openssl_inputs CERTS TEXT in the current directory: doc.txt (TEXT),
#                             doc.sha256, and auth.pub, sign.pub (the public
#                             keys of the certificates in CERTS)
#   pty_run OUT ARGS...       pty-answer PIN ARGS... (answers, --, command)
#                             with its output in OUT; sets rc, prompts
#                             (PIN prompts seen) and signs (signatures
#                             card alice made meanwhile)
#   AUTH_KEY SIGN_KEY         pkcs11: URIs of the card's two private keys
#   make_askpass FILE LOG     an SSH_ASKPASS-style program: prints the PIN that
#                             belongs to the token named in its prompt, and
#                             appends each prompt to LOG (never the PIN);
#                             ASKPASS_EMPTY=1 makes it answer nothing
#   openssl_env               for libp11's engine: skip (77) without it, then
#                             harness_init, card alice (standard, reader 0),
#                             certs (its certificates), cd "$JV_TMP", and
#                             openssl.cnf there from examples/openssl.cnf
#   token_listing N CMD...    CMD's output (pkcs11-tool -L) in L.out, each
#                             JPKI token's label line and the N lines after
#                             it in L-auth.out and L-sign.out
#   need_sshd                 skip (77) without sshd; sets SSHD
#   start_sshd DIR KEYLINE    sshd on a free loopback port SSHD_PORT, where
#                             KEYLINE (authorized_keys) logs in as this user;
#                             host key, config, sshd.log, known_hosts in DIR;
#                             stopped at exit
#   ssh_askpass DIR           ssh asks the PIN of make_askpass DIR/askpass
#                             (prompts logged in DIR/prompts)
#   start_agent DIR           ssh-agent on DIR/agent.sock, allowed to load the
#                             module, as SSH_AUTH_SOCK; stopped at exit
#   agent_add_module DIR      ssh-add -s the module (not ok when it fails),
#                             then the agent's keys in DIR/agent-keys
#   AUTH_TOKEN SIGN_TOKEN     the two JPKI token labels
#   PTY_ANSWER                the helper that types PINs at terminal prompts
#   MARIONETTE                the helper that drives Firefox (marionette.py)
#   P11KIT_PROXY              p11-kit's proxy module

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${JPKI_MODULE:=$top_builddir/.libs/jpki-pkcs11.so}"
export JPKI_MODULE

. "$top_srcdir/tests/harness/env.sh"

PTY_ANSWER=$top_builddir/tests/clients/pty-answer
MARIONETTE=$top_srcdir/tests/clients/marionette.py
P11KIT_PROXY=${P11KIT_PROXY:-$(pkg-config --variable=proxy_module p11-kit-1 2>/dev/null)}
: "${P11KIT_PROXY:=/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so}"
LIBP11_ENGINE=${LIBP11_ENGINE:-/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so}
export PTY_ANSWER P11KIT_PROXY LIBP11_ENGINE

need() {
	local p
	for p in "$@"; do
		command -v "$p" > /dev/null 2>&1 || skip "$p is not installed"
	done
}

check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
not() { ! "$@"; }
refused() {
	local what=$1 pat=$2 log=$3
	shift 3
	if "$@" > "$log" 2>&1; then
		not_ok "$what: it succeeded"
	elif grep -q -- "$pat" "$log"; then
		ok "$what"
	else
		not_ok "$what: it failed otherwise: $(head -5 "$log")"
	fi
}

_cl_exit_hooks=()
_cl_cleanup() {
	local rc=$? f
	for f in "${_cl_exit_hooks[@]}"; do "$f"; done
	(exit "$rc")
	_jv_cleanup
}
on_exit() {
	_cl_exit_hooks=("$1" "${_cl_exit_hooks[@]}")
	trap _cl_cleanup EXIT
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
accept_port() {
	local i p
	for i in $(seq 50); do
		p=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$1")
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.1
	done
	fail "s_server did not start: $(cat "$1")"
}

nss_db() {
	mkdir -p "$1"
	certutil -N -d "sql:$1" --empty-password > "$1.log" 2>&1 ||
		fail "certutil -N: $(cat "$1.log")"
	[ $# -lt 2 ] || modutil -dbdir "sql:$1" -add jpki -libfile "$2" -force >> "$1.log" 2>&1 ||
		fail "modutil -add: $(cat "$1.log")"
}

_pin_tries() {
	local f
	f=$(card_dir "$1")/state
	[ -r "$f" ] || fail "no state file for card $1"
	awk -v p="$2" '$1 == "pin" && $2 == p { print $4 }' "$f"
}
sign_pin_tries() { _pin_tries "$1" sign; }
auth_pin_tries() { _pin_tries "$1" auth; }

AUTH_TOKEN="JPKI User Authentication"
SIGN_TOKEN="JPKI Digital Signature"
AUTH_KEY='pkcs11:token=JPKI%20User%20Authentication;object=User%20Authentication%20Key;type=private'
SIGN_KEY='pkcs11:token=JPKI%20Digital%20Signature;object=Digital%20Signature%20Key;type=private'

openssl_inputs() {
	printf '%s\n' "$2" > doc.txt
	openssl dgst -sha256 -binary doc.txt > doc.sha256 &&
		openssl x509 -in "$1/auth.crt" -pubkey -noout > auth.pub &&
		openssl x509 -in "$1/sign.crt" -pubkey -noout > sign.pub ||
		fail "cannot prepare the document and the public keys"
}

pty_run() {
	local out=$1 n0
	shift
	n0=$(card_signs alice)
	"$PTY_ANSWER" PIN "$@" > "$out" 2> "$out.pty"
	rc=$?
	prompts=$(sed -n 's/^pty-answer: \([0-9]*\) prompts$/\1/p' "$out.pty")
	signs=$(($(card_signs alice) - n0))
	echo "# $out: exit $rc, $prompts PIN prompts, $signs card signatures"
}

openssl_env() {
	[ -e "$LIBP11_ENGINE" ] || skip "libp11's engine ($LIBP11_ENGINE) is not installed"
	harness_init
	start_card alice standard 0
	certs=$(card_dir alice)/certs
	cd "$JV_TMP" || fail "no scratch directory"
	example_cnf "$top_srcdir/examples/openssl.cnf" openssl.cnf
}

token_listing() {
	local n=$1
	shift
	"$@" > L.out 2>&1
	grep -A"$n" "token label *: $AUTH_TOKEN\$" L.out > L-auth.out
	grep -A"$n" "token label *: $SIGN_TOKEN\$" L.out > L-sign.out
}

example_cnf() {
	sed -e "s|^\(MODULE_PATH *= *\).*|\1$JPKI_MODULE|" \
	    -e "s|^\(dynamic_path *= *\).*|\1$LIBP11_ENGINE|" "$1" > "$2"
}

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

need_sshd() {
	SSHD=$(command -v sshd || echo /usr/sbin/sshd)
	[ -x "$SSHD" ] || skip "sshd is not installed"
}
_cl_stop_sshd() { kill "$SSHD_PID" 2>/dev/null; wait "$SSHD_PID" 2>/dev/null; }
start_sshd() {
	local d=$1
	mkdir -p "$d" && chmod 700 "$d"
	ssh-keygen -q -t ed25519 -N '' -f "$d/host_key" -C jpki-test-host
	echo "$2" > "$d/authorized_keys"
	chmod 600 "$d/authorized_keys"
	SSHD_PORT=$(free_port)
	cat > "$d/sshd_config" <<CONF
ListenAddress 127.0.0.1:$SSHD_PORT
HostKey $d/host_key
PidFile none
AuthorizedKeysFile $d/authorized_keys
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
LogLevel VERBOSE
CONF
	[ "$(id -u)" != 0 ] || [ -d /run/sshd ] || mkdir -p -m 755 /run/sshd
	"$SSHD" -D -e -f "$d/sshd_config" 2> "$d/sshd.log" &
	SSHD_PID=$!
	on_exit _cl_stop_sshd
	wait_port "$SSHD_PORT" ||
		fail "sshd did not listen on 127.0.0.1:$SSHD_PORT: $(cat "$d/sshd.log")"
	echo "[127.0.0.1]:$SSHD_PORT $(cut -d' ' -f1,2 "$d/host_key.pub")" > "$d/known_hosts"
}

ssh_askpass() {
	make_askpass "$1/askpass" "$1/prompts"
	export SSH_ASKPASS="$1/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=${DISPLAY:-:0}
}

# -P: the agent loads only allowed modules (default /usr/lib*/*); the
# module under test lives in the build tree.
_cl_stop_agent() { kill "$AGENT_PID" 2>/dev/null; wait "$AGENT_PID" 2>/dev/null; }
start_agent() {
	local i
	ssh-agent -D -a "$1/agent.sock" -P "$JPKI_MODULE" > "$1/agent.log" 2>&1 &
	AGENT_PID=$!
	on_exit _cl_stop_agent
	for i in $(seq 50); do [ -S "$1/agent.sock" ] && break; sleep 0.1; done
	export SSH_AUTH_SOCK=$1/agent.sock
}

agent_add_module() {
	setsid -w ssh-add -s "$JPKI_MODULE" < /dev/null > "$1/ssh-add.out" 2>&1 ||
		not_ok "ssh-add -s failed: $(cat "$1/ssh-add.out")"
	ssh-add -L > "$1/agent-keys" 2>&1
}
