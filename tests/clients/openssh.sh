#!/bin/bash
# OpenSSH through the module: ssh-keygen -D lists the authentication key
# without a PIN; a real sshd on a loopback port accepts "ssh -I module"
# with the PIN from SSH_ASKPASS; a git commit signed through ssh-agent
# ("ssh-add -s module", gpg.format=ssh) verifies with git verify-commit.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/clients/lib.sh"
for p in ssh ssh-keygen ssh-agent ssh-add git; do need "$p"; done
need_sshd
harness_init
start_card alice standard 0
certs=$(card_dir alice)/certs
key_of_cert() { openssl x509 -in "$1" -noout -pubkey | ssh-keygen -i -m PKCS8 -f /dev/stdin; }
auth_pub=$(key_of_cert "$certs/auth.crt")
sign_pub=$(key_of_cert "$certs/sign.crt")

# --- ssh-keygen -D: public keys, no PIN --------------------------------
before=$(card_verifies alice)
ssh-keygen -D "$JPKI_MODULE" > "$JV_TMP/keygen-D.out" 2> "$JV_TMP/keygen-D.err" ||
	not_ok "ssh-keygen -D failed: $(cat "$JV_TMP/keygen-D.err")"
cut -d' ' -f1,2 "$JV_TMP/keygen-D.out" > "$JV_TMP/keygen-D.keys"
if grep -qxF "$auth_pub" "$JV_TMP/keygen-D.keys"; then
	ok "ssh-keygen -D prints the authentication key"
else
	not_ok "ssh-keygen -D lacks the authentication key: $(cat "$JV_TMP/keygen-D.out")"
fi
head -n1 "$JV_TMP/keygen-D.out" | grep -q "^$auth_pub " &&
	ok "the authentication key comes first" ||
	not_ok "first line is not the authentication key"
grep -qxF "$sign_pub" "$JV_TMP/keygen-D.keys" &&
	not_ok "ssh-keygen -D shows the signature key without a login" ||
	ok "the signature key stays hidden without a login"
[ "$(card_verifies alice)" = "$before" ] &&
	ok "ssh-keygen -D sent no PIN to the card" ||
	not_ok "ssh-keygen -D sent a VERIFY with a PIN"

# --- sshd on loopback, ssh -I module ------------------------------------
d=$JV_TMP/ssh
start_sshd "$d" "$auth_pub jpki-auth"

# askpass: answers the PIN for the prompt it recognizes, logs each prompt.
ssh_askpass "$d"
# IdentitiesOnly: only the PKCS#11 key named by IdentityFile (its public
# half) is offered, not the CA certificates' keys ssh also finds.
echo "$auth_pub" > "$d/id_jpki.pub"
sshopts=(-F /dev/null -p "$SSHD_PORT" -o UserKnownHostsFile="$d/known_hosts"
	-o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -i "$d/id_jpki.pub"
	-o PreferredAuthentications=publickey -o IdentityAgent=none)
user=$(id -un)
signs=$(card_signs alice)
out=$(setsid -w ssh ${SSHDEBUG:-} "${sshopts[@]}" -I "$JPKI_MODULE" "$user@127.0.0.1" \
	'echo logged-in-as-$(id -un)' < /dev/null 2> "$d/ssh.err")
if [ "$out" = "logged-in-as-$user" ]; then
	ok "sshd accepted ssh -I module"
else
	not_ok "ssh login failed: $(tail -5 "$d/ssh.err")"
fi
grep -q "Accepted publickey for $user" "$d/sshd.log" &&
	ok "sshd logged a public-key login" || not_ok "no public-key login in the sshd log"
[ "$(card_signs alice)" -gt "$signs" ] &&
	ok "the card made the login signature" || not_ok "the card signed nothing"
if [ "$(grep -c . "$d/prompts")" = 1 ] &&
	grep -q "JPKI User Authentication" "$d/prompts"; then
	ok "ssh asked once, for the user-authentication PIN: $(cat "$d/prompts")"
else
	not_ok "unexpected PIN prompts: $(cat "$d/prompts")"
fi

# Without the PIN (askpass answers nothing) the login fails: ssh asked,
# got nothing, and the card signed nothing.
: > "$d/prompts"
signs=$(card_signs alice)
accepted=$(grep -c "Accepted publickey for $user" "$d/sshd.log")
if ASKPASS_EMPTY=1 setsid -w ssh "${sshopts[@]}" -I "$JPKI_MODULE" \
	"$user@127.0.0.1" true < /dev/null 2> "$d/ssh-nopin.err"; then
	not_ok "ssh logged in without a PIN"
elif grep -q "JPKI User Authentication" "$d/prompts" &&
	[ "$(card_signs alice)" = "$signs" ] &&
	[ "$(grep -c "Accepted publickey for $user" "$d/sshd.log")" = "$accepted" ]; then
	ok "no PIN, no login: ssh asked for the PIN, the card signed nothing"
else
	not_ok "ssh without a PIN failed otherwise: prompts '$(cat "$d/prompts")', $(tail -3 "$d/ssh-nopin.err")"
fi

# --- ssh-agent, ssh-add -s, git commit signed ---------------------------
start_agent "$d"
: > "$d/prompts"
sign_tries=$(sign_pin_tries alice)
agent_add_module "$d"
grep -q "^$auth_pub" "$d/agent-keys" &&
	ok "ssh-agent holds the authentication key" ||
	not_ok "agent keys: $(cat "$d/agent-keys")"
[ "$(sign_pin_tries alice)" = "$sign_tries" ] &&
	ok "the 4-digit PIN ssh-add gives every token cost no signature-PIN try" ||
	not_ok "signature PIN tries went from $sign_tries to $(sign_pin_tries alice)"

repo=$JV_TMP/repo
git init -q "$repo"
echo "hanako@example.invalid namespaces=\"git\" $auth_pub" > "$d/allowed_signers"
g() { git -C "$repo" -c user.name="Test Hanako" -c user.email=hanako@example.invalid \
	-c gpg.format=ssh -c user.signingkey="$d/id_jpki.pub" \
	-c gpg.ssh.allowedSignersFile="$d/allowed_signers" "$@"; }
echo hello > "$repo/file"
g add file
signs=$(card_signs alice)
if g commit -q -S -m "signed with the My Number Card" > "$d/commit.log" 2>&1; then
	ok "git commit -S through ssh-agent"
else
	not_ok "git commit -S failed: $(cat "$d/commit.log")"
fi
[ "$(card_signs alice)" -gt "$signs" ] &&
	ok "the card made the commit signature" || not_ok "the card did not sign the commit"
if g verify-commit HEAD > "$d/verify.log" 2>&1 &&
	grep -q 'Good "git" signature for hanako@example.invalid' "$d/verify.log"; then
	ok "git verify-commit: $(head -n1 "$d/verify.log")"
else
	not_ok "git verify-commit: $(cat "$d/verify.log")"
fi
# Someone else's key in the allowed signers: the same commit no longer verifies.
other=$(ssh-keygen -y -f "$d/host_key")
echo "hanako@example.invalid namespaces=\"git\" $other" > "$d/allowed_signers"
refused "verify-commit rejects the commit when the card's key is not allowed" \
	'No principal matched' "$d/verify-other.log" g verify-commit HEAD
harness_done
