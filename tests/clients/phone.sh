#!/bin/bash
# An Android phone with the JPKI smartphone certificates, held to the
# reader (the virtual card's phone profile): pkcs11-tool, NSS and OpenSSH
# see the same two tokens as with a card, the model "JPKI Smartphone", no
# card-face token, and the user-authentication certificate and public key
# only after that PIN (the phone keeps them behind it).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/clients/lib.sh"
need pkcs11-tool openssl certutil modutil ssh ssh-agent ssh-add ssh-keygen
need_sshd
harness_init
# A card's latency, which the phone profile makes three times slower
# (15 ms an APDU, 600 ms a signature): the clients must not mind.
start_card phone phone 0 --latency-ms 5 --sign-latency-ms 200
certs=$(card_dir phone)/certs
cd "$JV_TMP" || fail "no scratch directory"
openssl_inputs "$certs" "signed with a phone's smartphone certificate"
p11() { pkcs11-tool --module "$JPKI_MODULE" "$@"; }
der_sum() { openssl x509 -inform "$1" -in "$2" -outform DER | sha256sum; }

# --- pkcs11-tool -----------------------------------------------------------
p11 -L > L.out 2>&1
check "-L: two tokens, no card-face token" \
	test "$(grep -c 'token label' L.out)" = 2 -a "$(grep -c 'Card Face' L.out)" = 0
check "-L: model JPKI Smartphone" test "$(grep -c 'token model *: JPKI Smartphone$' L.out)" = 2
p11 --token-label "$AUTH_TOKEN" -O > O.out 2>&1
check "-O without login: the CA only, no certificate or key of the phone's own" \
	test "$(grep -c 'label: *User Authentication CA' O.out)" = 1 -a \
	     "$(grep -c -e 'label: *User Authentication Certificate' -e 'label: *User Authentication Key' O.out)" = 0
p11 --token-label "$AUTH_TOKEN" --login --pin "$JV_AUTH_PIN" -O > O-login.out 2>&1
check "-O --login: certificate, public and private key" \
	test "$(grep -c -e 'label: *User Authentication Certificate' -e 'label: *User Authentication Key' O-login.out)" = 3
p11 --token-label "$AUTH_TOKEN" --read-object --type cert --id 01 -o none.der > read-nologin.out 2>&1
check "--read-object of the certificate without login: not found" grep -q 'object not found' read-nologin.out
p11 --token-label "$AUTH_TOKEN" --login --pin "$JV_AUTH_PIN" --read-object --type cert --id 01 -o auth.der \
	> read.out 2>&1
check "--login --read-object gives the phone's certificate" \
	test "$(der_sum DER auth.der)" = "$(der_sum PEM "$certs/auth.crt")"
p11 --token-label "$AUTH_TOKEN" --login --pin "$JV_AUTH_PIN" --sign --id 01 -m SHA256-RSA-PKCS \
	-i doc.txt -o auth.sig > sign.out 2>&1
check "--login --sign with the phone's key verifies with openssl" \
	openssl dgst -sha256 -verify auth.pub -signature auth.sig doc.txt

# --- NSS -------------------------------------------------------------------
nss_db "$JV_TMP/nssdb" "$JPKI_MODULE"
certutil -L -d "sql:$JV_TMP/nssdb" -h all < /dev/null > nss-nopin.out 2>&1
check "certutil -L without a PIN: the CA, not the phone's certificate" \
	not grep -q '^JPKI User Authentication:User Authentication Certificate' nss-nopin.out
printf '%s\n' "$JV_AUTH_PIN" > pwfile
certutil -L -d "sql:$JV_TMP/nssdb" -h "$AUTH_TOKEN" -f pwfile > nss-pin.out 2>&1
check "certutil -L -h token -f pwfile: the phone's certificate" \
	grep -q '^JPKI User Authentication:User Authentication Certificate *u,u,u' nss-pin.out

# --- OpenSSH ---------------------------------------------------------------
auth_pub=$(openssl x509 -in "$certs/auth.crt" -noout -pubkey | ssh-keygen -i -m PKCS8 -f /dev/stdin)
ssh-keygen -D "$JPKI_MODULE" > keygen-D.out 2>&1
check "ssh-keygen -D (no PIN) cannot see the phone's key: it is behind the PIN" \
	not grep -qF "$auth_pub" keygen-D.out
d=$JV_TMP/ssh
start_sshd "$d" "$auth_pub jpki-phone"
ssh_askpass "$d"
# ssh-add -s asks the PIN first and logs in: then the key is listed.
start_agent "$d"
agent_add_module "$d"
check "ssh-add -s (PIN first) puts the phone's key in the agent" grep -q "^$auth_pub" "$d/agent-keys"
echo "$auth_pub" > "$d/id_jpki.pub"
user=$(id -un)
signs=$(card_signs phone)
out=$(setsid -w ssh -F /dev/null -p "$SSHD_PORT" -o UserKnownHostsFile="$d/known_hosts" -o StrictHostKeyChecking=yes \
	-o IdentitiesOnly=yes -i "$d/id_jpki.pub" -o PreferredAuthentications=publickey \
	"$user@127.0.0.1" 'echo logged-in-as-$(id -un)' < /dev/null 2> "$d/ssh.err")
check "ssh through the agent logs in with the phone" test "$out" = "logged-in-as-$user"
check "... the phone made the signature" test "$(card_signs phone)" -gt "$signs"
harness_done
