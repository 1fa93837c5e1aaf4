#!/bin/bash
# p11-kit remoting: "p11-kit server" exposes the module's tokens on a unix
# socket; a second process that never loads the module signs through
# p11-kit-client.so (P11_KIT_SERVER_ADDRESS), as a container or a sandboxed
# browser would. The signature verifies against the card's certificate.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/clients/lib.sh"
need p11-kit
need pkcs11-tool
need openssl
CLIENT=${P11_KIT_CLIENT:-}
for m in "$CLIENT" /usr/lib/*/pkcs11/p11-kit-client.so /usr/lib*/pkcs11/p11-kit-client.so; do
	[ -n "$m" ] && [ -e "$m" ] && { CLIENT=$m; break; }
done
[ -e "$CLIENT" ] || skip "p11-kit-client.so is not installed"
harness_init
start_card alice standard 0
certs=$(card_dir alice)/certs
AUTH_URI='pkcs11:token=JPKI%20User%20Authentication'
SIGN_URI='pkcs11:token=JPKI%20Digital%20Signature'

SERVER_PID=
stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
}
on_exit stop_server
start_server() {	# SOCKET URI...: p11-kit server in the foreground, our child
	local sock=$1 i
	shift
	p11-kit server -f -s -n "$sock" --provider "$JPKI_MODULE" "$@" \
		> "$sock.out" 2> "$sock.err" &
	SERVER_PID=$!
	for i in $(seq 100); do
		[ -S "$sock" ] && return 0
		kill -0 "$SERVER_PID" 2> /dev/null || break
		sleep 0.1
	done
	fail "p11-kit server did not start: $(cat "$sock.err")"
}
# The client side: only p11-kit-client.so and the socket's address.
remote() { P11_KIT_SERVER_ADDRESS=unix:path=$sock pkcs11-tool --module "$CLIENT" "$@"; }

sock=$JV_TMP/both.sock
start_server "$sock" "$AUTH_URI" "$SIGN_URI"
grep -q "^P11_KIT_SERVER_ADDRESS=unix:path=$sock;" "$sock.out" &&
	ok "p11-kit server prints its address" ||
	not_ok "p11-kit server output: $(cat "$sock.out")"

remote -L > "$JV_TMP/list" 2>&1
for label in "JPKI User Authentication" "JPKI Digital Signature"; do
	grep -q "token label *: $label\$" "$JV_TMP/list" &&
		ok "the client sees the token $label" ||
		not_ok "no $label through the client: $(cat "$JV_TMP/list")"
done

echo "document signed from another process" > "$JV_TMP/data"
pubkey() { openssl x509 -in "$1" -noout -pubkey > "$JV_TMP/pub.pem"; echo "$JV_TMP/pub.pem"; }

# User-authentication key through the socket.
signs=$(card_signs alice)
remote --token-label "JPKI User Authentication" --login --pin "$JV_AUTH_PIN" \
	--sign -m SHA256-RSA-PKCS --id 01 -i "$JV_TMP/data" \
	-o "$JV_TMP/auth.sig" > "$JV_TMP/auth.log" 2>&1 ||
	not_ok "remote sign with the authentication key: $(cat "$JV_TMP/auth.log")"
[ "$(card_signs alice)" = $((signs + 1)) ] &&
	ok "the card made exactly one signature for the remote client" ||
	not_ok "card signatures went from $signs to $(card_signs alice)"
openssl dgst -sha256 -verify "$(pubkey "$certs/auth.crt")" \
	-signature "$JV_TMP/auth.sig" "$JV_TMP/data" > /dev/null 2>&1 &&
	ok "remote authentication signature verifies with the card's certificate" ||
	not_ok "remote authentication signature does not verify"

# Signature key (CKA_ALWAYS_AUTHENTICATE: pkcs11-tool logs in again,
# CKU_CONTEXT_SPECIFIC, through the socket).
remote --token-label "JPKI Digital Signature" --login --pin "$JV_SIGN_PIN" \
	--sign -m SHA256-RSA-PKCS --id 02 -i "$JV_TMP/data" \
	-o "$JV_TMP/sign.sig" > "$JV_TMP/sign.log" 2>&1 ||
	not_ok "remote sign with the signature key: $(cat "$JV_TMP/sign.log")"
openssl dgst -sha256 -verify "$(pubkey "$certs/sign.crt")" \
	-signature "$JV_TMP/sign.sig" "$JV_TMP/data" > /dev/null 2>&1 &&
	ok "remote signature-key signature verifies with the signature certificate" ||
	not_ok "remote signature-key signature does not verify"

# Errors cross the socket unchanged: a PIN of the wrong format is refused
# by the module's format check and costs no try.
tries=$(auth_pin_tries alice)
remote --token-label "JPKI User Authentication" --login --pin 12 \
	-O > "$JV_TMP/badpin.log" 2>&1
grep -q CKR_PIN_LEN_RANGE "$JV_TMP/badpin.log" &&
	ok "a 2-digit PIN comes back as CKR_PIN_LEN_RANGE" ||
	not_ok "bad-format PIN: $(cat "$JV_TMP/badpin.log")"
[ "$(auth_pin_tries alice)" = "$tries" ] &&
	ok "and costs no try" || not_ok "tries went from $tries to $(auth_pin_tries alice)"
stop_server

# Only the user-authentication token exported (what to give a browser or
# container): the signature token is not reachable through that socket.
sock=$JV_TMP/auth.sock
start_server "$sock" "$AUTH_URI"
remote -L > "$JV_TMP/list1" 2>&1
if grep -q "JPKI User Authentication" "$JV_TMP/list1" &&
	! grep -q "JPKI Digital Signature" "$JV_TMP/list1"; then
	ok "a server given one token URI exports only that token"
else
	not_ok "one-token server lists: $(cat "$JV_TMP/list1")"
fi
stop_server
[ ! -e "$sock" ] && ok "the stopped server removed its socket" ||
	not_ok "socket $sock left behind"
harness_done
