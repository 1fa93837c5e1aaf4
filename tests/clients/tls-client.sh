#!/bin/bash
# TLS client authentication with the user-authentication key: openssl
# s_server -Verify on 127.0.0.1 trusts the card's authentication CA;
# openssl s_client and curl (libp11's engine) log in over TLS 1.2 with
# PKCS#1 v1.5 client signatures. TLS 1.3 client authentication needs
# RSA-PSS, which the card cannot do: that attempt must fail, and does.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/clients/lib.sh"
need openssl curl
openssl_env
example_cnf "$top_srcdir/examples/openssl-tls-client.cnf" tls-client.cnf
export AUTH_PIN=$JV_AUTH_PIN
AUTH=$AUTH_KEY
cn=$(openssl x509 -in "$certs/auth.crt" -noout -subject -nameopt multiline |
	sed -n 's/^ *commonName *= *//p')

# The server: its own throw-away key, the card's authentication CA as the
# only client CA, a random free port (0) that it prints on "ACCEPT".
openssl req -x509 -newkey rsa:2048 -nodes -keyout server.key -out server.crt \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost -days 1 \
	> /dev/null 2>&1 || fail "cannot make the server certificate"
OPENSSL_CONF=/dev/null openssl s_server -accept 127.0.0.1:0 \
	-cert server.crt -key server.key -Verify 1 -CAfile "$JV_AUTH_CA" \
	-www > server.log 2>&1 &
server=$!
stop_server() { kill "$server" 2> /dev/null; wait "$server" 2> /dev/null; }
on_exit stop_server
# server_says TEXT: how many times the server logged TEXT so far
server_says() { sleep 0.2; grep -c "$1" server.log; }
port=$(accept_port server.log)
echo "# s_server on 127.0.0.1:$port"

# client NAME [CONFIG] [s_client options]: one request
client() {
	local name=$1 cnf=$JV_TMP/openssl.cnf n0
	shift
	case $1 in *.cnf) cnf=$1; shift ;; esac
	n0=$(card_signs alice)
	# setsid: no controlling terminal, so a PIN prompt fails, never waits
	printf 'GET / HTTP/1.0\r\n\r\n' |
		OPENSSL_CONF=$cnf setsid -w \
		openssl s_client -connect "127.0.0.1:$port" -servername localhost \
		-CAfile server.crt -verify_return_error \
		-engine pkcs11 -keyform engine -key "$AUTH" -pass env:AUTH_PIN \
		-cert "$certs/auth.crt" -ign_eof "$@" > "$name.out" 2>&1
	rc=$?
	signs=$(($(card_signs alice) - n0))
	echo "# $name: exit $rc, $signs card signatures"
}

# --- TLS 1.2, PKCS#1 v1.5 client signatures: works ----------------------
client tls12 -tls1_2 -sigalgs 'RSA+SHA256:RSA+SHA384:RSA+SHA512'
check "s_client TLS 1.2 with the card's key: handshake and request succeed" \
	grep -q '^HTTP/1.0 200 ok' tls12.out
check "... the card made the CertificateVerify signature" test "$signs" = 1
check "... protocol TLSv1.2" grep -q 'Protocol *: TLSv1.2' tls12.out
check "... the server saw the card's certificate (CN=$cn)" \
	grep -q "Subject: C=JP, CN=$cn" tls12.out

client tls12-cnf "$JV_TMP/tls-client.cnf"
check "s_client with examples/openssl-tls-client.cnf and no options: TLS 1.2 login" \
	test "$signs" = 1 -a "$(grep -c '^HTTP/1.0 200 ok' tls12-cnf.out)" = 1 \
	     -a "$(grep -c 'Protocol *: TLSv1.3' tls12-cnf.out)" = 0

# --- TLS 1.2 with OpenSSL's default signature algorithms ---------------
# OpenSSL prefers RSA-PSS even in TLS 1.2 when the server allows it.
client tls12-pss -tls1_2
check "s_client TLS 1.2 without -sigalgs picks RSA-PSS and fails" \
	test "$signs" = 0 -a "$rc" != 0
check "... the module said CKR_MECHANISM_INVALID (no PSS)" \
	grep -q 'Mechanism invalid' tls12-pss.out

# --- TLS 1.3: client authentication is RSA-PSS only --------------------
a0=$(server_says 'alert internal error')
client tls13 -tls1_3
a1=$(server_says 'alert internal error')
check "s_client TLS 1.3 with the card's key fails" \
	test "$rc" != 0 -a "$signs" = 0
check "... at CertificateVerify: the module refuses RSA-PSS" \
	grep -q 'Mechanism invalid' tls13.out
check "... and the request is never answered" not grep -q '^HTTP/1.0 200' tls13.out
check "s_server sees the client abort the handshake (internal error alert)" \
	test $((a1 - a0)) = 1

# --- curl ---------------------------------------------------------------
# curl [NAME CONFIG curl-options...]: one request through the engine
curl_get() {
	local name=$1 cnf=$2 n0
	shift 2
	n0=$(card_signs alice)
	OPENSSL_CONF=$cnf setsid -w curl -sS --engine pkcs11 --key-type ENG \
		--key "$AUTH" --pass "$AUTH_PIN" --cert "$certs/auth.crt" \
		--cacert server.crt --resolve "localhost:$port:127.0.0.1" \
		-o "$name.html" -w '%{http_code}\n' "$@" \
		"https://localhost:$port/" > "$name.out" 2>&1 < /dev/null
	rc=$?
	signs=$(($(card_signs alice) - n0))
	echo "# $name: exit $rc, $signs card signatures: $(head -c 200 "$name.out")"
}
curl_get curl "$JV_TMP/tls-client.cnf" --tls-max 1.2
check "curl --tls-max 1.2 with examples/openssl-tls-client.cnf gets 200" \
	test "$rc" = 0 -a "$(head -n1 curl.out)" = 200 -a "$signs" = 1
check "... and the page shows the card's certificate as the client's" \
	grep -q "Subject: C=JP, CN=$cn" curl.html
check "... the session was TLSv1.2" grep -q 'Protocol *: TLSv1.2' curl.html

# Without ClientSignatureAlgorithms curl (like s_client) picks RSA-PSS.
curl_get curl-pss "$JV_TMP/openssl.cnf" --tls-max 1.2
check "curl without the PKCS#1 v1.5 limit fails: RSA-PSS refused by the module" \
	test "$rc" != 0 -a "$signs" = 0
check "... (Mechanism invalid)" grep -q 'Mechanism invalid' curl-pss.out

# curl sets its own protocol range, so MaxProtocol in the config does not
# hold it at TLS 1.2: without --tls-max 1.2 it speaks TLS 1.3, finds no
# signature algorithm it may use with the key and sends no certificate.
n0=$(server_says 'peer did not return a certificate')
curl_get curl-tls13 "$JV_TMP/tls-client.cnf"
n1=$(server_says 'peer did not return a certificate')
check "curl without --tls-max 1.2 (TLS 1.3) is refused by the server" \
	test "$rc" != 0 -a "$signs" = 0 -a "$(head -n1 curl-tls13.out)" != 200
check "... which reports that the client sent no certificate" \
	test $((n1 - n0)) = 1
harness_done
