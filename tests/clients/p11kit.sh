#!/bin/bash
# p11-kit: the module registered with a .module file is listed by
# `p11-kit list-modules` with both tokens, p11tool (GnuTLS, which loads
# p11-kit's registered modules) and pkcs11-tool through p11-kit-proxy see
# its objects, and RFC 7512 pkcs11: URIs naming token and object work.
#
# Independent of `make install`: p11-kit 0.24 reads per-user module files
# from $XDG_CONFIG_HOME/pkcs11/modules (else ~/.config/pkcs11/modules), but
# ignores them in a program running as root. As root, the p11-kit commands
# therefore run as nobody, like a person's own account would.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/clients/lib.sh"
need p11-kit p11tool pkcs11-tool setpriv
[ -e "$P11KIT_PROXY" ] || skip "p11-kit-proxy.so is not installed"
harness_init
start_card alice standard 0
certs=$(card_dir alice)/certs

user=$JV_TMP/user
mkdir -p "$user/config/pkcs11/modules" "$user/lib"
cp "$JPKI_MODULE" "$user/lib/jpki-pkcs11.so"
# The installed p11kit/jpki.module names the module relative to p11-kit's
# module directory; a per-user file needs the full path.
sed "s|^module:.*|module: $user/lib/jpki-pkcs11.so|" \
	"$top_srcdir/p11kit/jpki.module" > "$user/config/pkcs11/modules/jpki.module"
as_user() {
	if [ "$(id -u)" = 0 ]; then
		chmod 755 "$JV_TMP"
		chmod -R a+rwX "$user"
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
			env HOME="$user" XDG_CONFIG_HOME="$user/config" "$@"
	else
		env HOME="$user" XDG_CONFIG_HOME="$user/config" "$@"
	fi
}

# --- p11-kit list-modules ------------------------------------------------
as_user p11-kit list-modules > "$JV_TMP/list-modules" 2>&1
# the block of our module: from "jpki: path" to the next module line
awk '/^[^ ]/ { mine = ($1 == "jpki:") } mine' "$JV_TMP/list-modules" \
	> "$JV_TMP/ours"
check "p11-kit list-modules shows the jpki module" \
	grep -q "^jpki: $user/lib/jpki-pkcs11.so" "$JV_TMP/ours"
for t in "JPKI User Authentication" "JPKI Digital Signature"; do
	check "p11-kit list-modules shows token '$t'" \
		grep -q "^    token: $t\$" "$JV_TMP/ours"
done
check "both tokens are login-required and write-protected" \
	test "$(grep -c -e '^ *login-required$' "$JV_TMP/ours")" = 2 -a \
	     "$(grep -c -e '^ *write-protected$' "$JV_TMP/ours")" = 2

# --- through p11-kit-proxy -----------------------------------------------
as_user pkcs11-tool --module "$P11KIT_PROXY" -L > "$JV_TMP/proxy-L" 2>&1
for t in "JPKI User Authentication" "JPKI Digital Signature"; do
	check "p11-kit-proxy offers token '$t'" \
		grep -q "token label *: $t\$" "$JV_TMP/proxy-L"
done
as_user pkcs11-tool --module "$P11KIT_PROXY" -O \
	--token-label "JPKI User Authentication" > "$JV_TMP/proxy-O" 2>&1
check "p11-kit-proxy lists the authentication certificate" \
	grep -q "label: *User Authentication Certificate" "$JV_TMP/proxy-O"

# --- p11tool and pkcs11: URIs -------------------------------------------
AUTH='pkcs11:token=JPKI%20User%20Authentication'
SIGN='pkcs11:token=JPKI%20Digital%20Signature'
as_user p11tool --list-all "$AUTH" > "$JV_TMP/auth-all" 2>&1
for o in "id=%01;object=User%20Authentication%20Certificate;type=cert" \
	 "id=%11;object=User%20Authentication%20CA;type=cert" \
	 "id=%01;object=User%20Authentication%20Key;type=public"; do
	check "p11tool --list-all $AUTH lists $o" \
		grep -q "URL: pkcs11:.*token=JPKI%20User%20Authentication;$o\$" \
		"$JV_TMP/auth-all"
done
check "no private key is listed before login" \
	not grep -q 'type=private' "$JV_TMP/auth-all"

as_user p11tool --export "$AUTH;object=User%20Authentication%20Certificate;type=cert" \
	> "$JV_TMP/auth.pem" 2> "$JV_TMP/export.err"
check "p11tool --export by URI gives the card's certificate" \
	test "$(openssl x509 -in "$JV_TMP/auth.pem" -outform DER | sha256sum)" = \
	     "$(openssl x509 -in "$certs/auth.crt" -outform DER | sha256sum)"

as_user p11tool --export "$SIGN;id=%12;type=cert" > "$JV_TMP/sign-ca.pem" 2>&1
check "p11tool --export by token and id gives the signature CA" \
	test "$(openssl x509 -in "$JV_TMP/sign-ca.pem" -outform DER | sha256sum)" = \
	     "$(openssl x509 -in "$certs/sign-ca.crt" -outform DER | sha256sum)"

as_user p11tool --list-all "$SIGN" > "$JV_TMP/sign-public" 2>&1
check "before login the signature token lists its CA, not its certificate" \
	test "$(grep -c 'id=%12;object=Digital%20Signature%20CA;type=cert$' "$JV_TMP/sign-public")" = 1 -a \
	     "$(grep -c 'object=Digital%20Signature%20Certificate' "$JV_TMP/sign-public")" = 0
GNUTLS_PIN=$JV_SIGN_PIN as_user p11tool --login --list-all "$SIGN" \
	> "$JV_TMP/sign-all" 2>&1
check "after login the signature certificate is listed" \
	grep -q 'id=%02;object=Digital%20Signature%20Certificate;type=cert$' \
	"$JV_TMP/sign-all"
grep -A4 'id=%02;object=Digital%20Signature%20Key;type=private$' \
	"$JV_TMP/sign-all" > "$JV_TMP/sign-key"
check "after login the signature key is listed, always-authenticate" \
	grep -q 'CKA_ALWAYS_AUTH' "$JV_TMP/sign-key"

for k in "$AUTH;object=User%20Authentication%20Key;type=private:$JV_AUTH_PIN" \
	 "$SIGN;id=%02;type=private:$JV_SIGN_PIN"; do
	uri=${k%:*}
	n0=$(card_signs alice)
	GNUTLS_PIN=${k##*:} as_user p11tool --login --test-sign "$uri" \
		> "$JV_TMP/test-sign" 2>&1
	rc=$?
	n1=$(card_signs alice)
	check "p11tool --test-sign $uri signs on the card and verifies" \
		test "$rc" = 0 -a "$n1" -gt "$n0"
	grep -q 'Verifying against public key in the token... ok' "$JV_TMP/test-sign" ||
		{ not_ok "p11tool --test-sign output: $uri"; cat "$JV_TMP/test-sign"; }
done
harness_done
