#!/bin/bash
# Firefox ESR and the card: a fresh profile gets jpki-pkcs11-auth.so in its
# NSS database (modutil, no system file), Firefox runs headless with
# Marionette, loads https://127.0.0.1:PORT/ of an openssl s_server that
# requires a client certificate from the card's authentication CA, picks
# the card's certificate by itself and asks for the PIN, which Marionette
# answers. The page shows the card's certificate; only the 4-digit PIN
# reached the card, never the signature PIN.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/clients/lib.sh"
FIREFOX=$(command -v firefox-esr || command -v firefox) || skip "firefox-esr is not installed"
for p in python3 openssl modutil certutil; do need "$p"; done
AUTH_MODULE=$top_builddir/.libs/jpki-pkcs11-auth.so
[ -e "$AUTH_MODULE" ] || fail "$AUTH_MODULE is not built"
harness_init
start_card alice standard 0
certs=$(card_dir alice)/certs
cd "$JV_TMP" || fail "no scratch directory"
cn=$(openssl x509 -in "$certs/auth.crt" -noout -subject -nameopt multiline |
	sed -n 's/^ *commonName *= *//p')

# --- the server: its own CA, the card's authentication CA for clients ---
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt \
	-subj /CN=jpki-test-server-ca -days 1 \
	-addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign \
	> /dev/null 2>&1 || fail "cannot make the server CA"
openssl req -newkey rsa:2048 -nodes -keyout server.key -subj /CN=127.0.0.1 \
	-out server.csr > /dev/null 2>&1 &&
	openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
	-days 1 -out server.crt -extfile <(printf '%s\n' \
	'subjectAltName=IP:127.0.0.1' 'extendedKeyUsage=serverAuth' \
	'basicConstraints=CA:false') > /dev/null 2>&1 ||
	fail "cannot make the server certificate"
OPENSSL_CONF=/dev/null timeout 120 openssl s_server -accept 127.0.0.1:0 \
	-cert server.crt -key server.key -Verify 1 -CAfile "$JV_AUTH_CA" \
	-tls1_2 -www > server.log 2>&1 &
server=$!
stop_server() { kill "$server" 2> /dev/null; wait "$server" 2> /dev/null; }
on_exit stop_server
port=$(accept_port server.log)
echo "# s_server on 127.0.0.1:$port"

# --- the profile: module, server CA, prefs ------------------------------
prof=$JV_TMP/profile
mkdir -p "$prof"
timeout 30 certutil -N -d "sql:$prof" --empty-password > certutil.log 2>&1 ||
	fail "certutil -N: $(cat certutil.log)"
timeout 30 certutil -A -d "sql:$prof" -n jpki-test-server-ca -t C,, -i ca.crt \
	>> certutil.log 2>&1 || fail "certutil -A: $(cat certutil.log)"
timeout 30 modutil -dbdir "sql:$prof" -force -add "My Number Card" \
	-libfile "$AUTH_MODULE" > modutil.log 2>&1 ||
	fail "modutil -add: $(cat modutil.log)"
grep -qx 'name=My Number Card' "$prof/pkcs11.txt" ||
	fail "pkcs11.txt lacks the module: $(cat "$prof/pkcs11.txt")"
mport=$(free_port)
cat > "$prof/user.js" <<PREFS
user_pref("marionette.port", $mport);
user_pref("security.default_personal_cert", "Select Automatically");
user_pref("security.remember_cert_checkbox_default_setting", false);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.disabledForTesting", true);
user_pref("network.proxy.type", 0);
PREFS

# --- Firefox -------------------------------------------------------------
HOME=$JV_TMP MOZ_HEADLESS=1 timeout 150 "$FIREFOX" --headless --marionette \
	-remote-allow-system-access --no-remote -profile "$prof" about:blank \
	> firefox.log 2>&1 &
ff=$!
stop_firefox() {
	kill -0 "$ff" 2> /dev/null || return 0
	timeout 10 python3 "$MARIONETTE" "$mport" quit \
		> /dev/null 2>&1
	for _ in $(seq 50); do kill -0 "$ff" 2> /dev/null || break; sleep 0.1; done
	kill "$ff" 2> /dev/null; wait "$ff" 2> /dev/null
}
on_exit stop_firefox
M() { timeout 60 python3 "$MARIONETTE" "$mport" "$@"; }
M wait > /dev/null || fail "Firefox did not start: $(tail -5 firefox.log)"

M tokens > tokens.json || not_ok "Marionette tokens failed"
grep -q '"JPKI User Authentication"' tokens.json &&
	ok "Firefox sees the token JPKI User Authentication" ||
	not_ok "Firefox lacks the authentication token: $(cat tokens.json)"
grep -q 'Digital Signature' tokens.json &&
	not_ok "Firefox sees the signature token: $(cat tokens.json)" ||
	ok "... and no JPKI Digital Signature token"

printf '%s\n' "$JV_AUTH_PIN" > pin.txt
chmod 600 pin.txt
v0=$(card_verifies alice)
M tlslogin "https://127.0.0.1:$port/" pin.txt > login.json ||
	not_ok "Marionette tlslogin failed: $(cat login.json)"
echo "# $(grep -o 'Subject: C=JP, CN=[0-9A-F]*\|Protocol  *: [A-Za-z0-9.]*\|"prompts": .*' login.json | tr '\n' ' ')"
grep -q "Subject: C=JP, CN=$cn" login.json &&
	ok "the page from s_server shows the card's certificate (CN=$cn)" ||
	not_ok "the page lacks CN=$cn: $(cat login.json)"
grep -q 'Protocol  *: TLSv1.2' login.json &&
	ok "... over TLS 1.2" || not_ok "... not TLS 1.2"
prompts=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get("prompts", [])))' login.json)
[ "$prompts" = 1 ] && ok "Firefox asked for a PIN once" ||
	not_ok "Firefox asked for a PIN $prompts times"
grep -qF '"prompts": ["Please authenticate to the security device (JPKI User Authentication)."]' login.json &&
	ok "... for the token JPKI User Authentication" ||
	not_ok "... the prompt does not name the authentication token"

# VERIFY commands after selecting each PIN file (001B sign, 0018 auth);
# apdu_count first: a missing trace fails the test, never reads as 0 0.
apdu_count alice > /dev/null
awk '/^00A4020C02001B/ { f = "sign" } /^00A4020C020018/ { f = "auth" }
	/^00200080[0-9A-F][0-9A-F]\*/ { n[f]++ }
	END { printf "%d %d\n", n["auth"], n["sign"] }' "$(trace alice)" > verifies
read -r auth_v sign_v < verifies
[ "$sign_v" = 0 ] && ok "no VERIFY of the signature PIN reached the card" ||
	not_ok "$sign_v VERIFY of the signature PIN reached the card"
echo "# $(card_signs alice) signatures made by the card"
[ "$auth_v" -ge 1 ] && [ "$(($(card_verifies alice) - v0))" -ge 1 ] &&
	ok "the 4-digit PIN was verified ($auth_v VERIFY after selecting EF 0018)" ||
	not_ok "no VERIFY of the user-authentication PIN ($auth_v)"
[ "$(auth_pin_tries alice)" = 3 ] && ok "the PIN's try counter is full" ||
	not_ok "user-authentication PIN tries left: $(auth_pin_tries alice)"
harness_done
