#!/bin/bash
# tests/package/smoke.sh DEB: the Debian package, installed for real.
# apt-get installs DEB; with the installed files only (the module in
# p11-kit's module directory, p11-kit's registration, the manual page) and
# the virtual card: p11-kit list-modules shows the module and its tokens,
# pkcs11-tool lists the tokens through both module files and through
# p11-kit-proxy, a signature verifies with the certificate read from the
# card.  Then apt-get purge, and nothing of the package is left.
#
# Needs root.  The integration-test lock is held from before the install
# to after the purge, so no other test runs while the package is there.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/harness/env.sh"

deb=$(realpath "${1:?usage: smoke.sh jpki-pkcs11_VERSION_ARCH.deb}") || exit 1
[ "$(id -u)" = 0 ] || skip "not root: cannot install a package"
for p in apt-get dpkg-query p11-kit pkcs11-tool openssl man; do
	command -v "$p" > /dev/null || skip "$p is not installed"
done
harness_init

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
MOD=/usr/lib/$multiarch/pkcs11/jpki-pkcs11.so
AUTH_MOD=/usr/lib/$multiarch/pkcs11/jpki-pkcs11-auth.so
REG=/usr/share/p11-kit/modules/jpki.module
PROXY=/usr/lib/$multiarch/p11-kit-proxy.so
AUTH_TOKEN="JPKI User Authentication"
SIGN_TOKEN="JPKI Digital Signature"
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
not() { ! "$@"; }

# Files that no package owns (a make install) would be taken over by the
# package and removed by the purge: leave them to whoever put them there.
for f in "$MOD" "$AUTH_MOD" "$REG"; do
	if [ -e "$f" ] && ! dpkg-query -S "$f" > /dev/null 2>&1; then
		fail "$f is there but from no package (make install?): remove it first"
	fi
done

apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y "$@"
}
purge() { apt_get purge jpki-pkcs11 > "$JV_TMP/purge.log" 2>&1; }
# Never leave the package behind, whatever happens below.
trap 'rc=$?; purge; (exit $rc); _jv_cleanup' EXIT

cd "$JV_TMP" || fail "no scratch directory"
start=$SECONDS
apt_get install --no-install-recommends "$deb" > install.log 2>&1 ||
	{ cat install.log; fail "apt-get install $deb"; }
ok "apt-get install $(basename "$deb") ($((SECONDS - start)) s)"
dpkg-query -L jpki-pkcs11 > files.list
while read -r f; do [ -d "$f" ] || echo "$f"; done < files.list > files.only

# --- what the package installed ---------------------------------------
for f in "$MOD" "$AUTH_MOD" "$REG" /usr/share/man/man7/jpki-pkcs11.7.gz \
	/usr/share/doc/jpki-pkcs11/copyright /usr/share/doc/jpki-pkcs11/examples/README.md; do
	check "installed: $f" grep -qx "$f" files.only
done
check "no .la file, nothing under /usr/local" \
	not grep -q -e '\.la$' -e '^/usr/local/' files.only
check "jpki.module names the module relative to p11-kit's module directory" \
	grep -qx 'module: jpki-pkcs11.so' "$REG"
check "man 7 jpki-pkcs11 renders the installed page" \
	sh -c 'MANWIDTH=80 man 7 jpki-pkcs11 2>&1 | grep -q "^ *jpki-pkcs11 - PKCS#11 module"'

# --- the module, from the installed files only ------------------------
start_card alice standard 0

p11-kit list-modules > list-modules.out 2>&1
awk '/^[^ ]/ { mine = ($1 == "jpki:") } mine' list-modules.out > jpki.out
# p11-kit names it as jpki.module does, relative to its module directory;
# the tokens show that it found the file there.
check "p11-kit list-modules: the jpki module (jpki-pkcs11.so)" grep -q '^jpki: jpki-pkcs11.so$' jpki.out
for t in "$AUTH_TOKEN" "$SIGN_TOKEN"; do
	check "p11-kit list-modules: token '$t'" grep -q "token: $t\$" jpki.out
done

pkcs11-tool --module "$MOD" -L > L.out 2>&1
check "pkcs11-tool --module $MOD -L: both tokens" \
	test "$(grep -c -e "token label *: $AUTH_TOKEN\$" -e "token label *: $SIGN_TOKEN\$" L.out)" = 2
pkcs11-tool --module "$AUTH_MOD" -L > L-auth.out 2>&1
check "pkcs11-tool --module $AUTH_MOD -L: the authentication token only" \
	test "$(grep -c 'token label' L-auth.out)" = 1 -a \
	     "$(grep -c "token label *: $AUTH_TOKEN\$" L-auth.out)" = 1
if [ -e "$PROXY" ]; then
	pkcs11-tool --module "$PROXY" -L > L-proxy.out 2>&1
	check "p11-kit-proxy (the registration): both tokens" \
		test "$(grep -c -e "token label *: $AUTH_TOKEN\$" -e "token label *: $SIGN_TOKEN\$" L-proxy.out)" = 2
fi

printf 'signed through the installed jpki-pkcs11\n' > doc.txt
pkcs11-tool --module "$MOD" --token-label "$AUTH_TOKEN" --login --pin "$JV_AUTH_PIN" \
	--sign --id 01 -m SHA256-RSA-PKCS -i doc.txt -o doc.sig > sign.out 2>&1
pkcs11-tool --module "$MOD" --token-label "$AUTH_TOKEN" --read-object --type cert \
	--id 01 -o auth.der > read.out 2>&1
openssl x509 -inform DER -in auth.der -pubkey -noout > auth.pub 2> /dev/null
check "the certificate read through the module is the card's" \
	test "$(openssl x509 -inform DER -in auth.der -outform DER | sha256sum)" = \
	     "$(openssl x509 -in "$(card_dir alice)/certs/auth.crt" -outform DER | sha256sum)"
check "a signature made through the installed module verifies" \
	openssl dgst -sha256 -verify auth.pub -signature doc.sig -out verify.out doc.txt
stop_card alice

# --- purge: nothing left ------------------------------------------------
start=$SECONDS
purge || { cat "$JV_TMP/purge.log"; fail "apt-get purge jpki-pkcs11"; }
ok "apt-get purge jpki-pkcs11 ($((SECONDS - start)) s)"
status=$(dpkg-query -W -f='${db:Status-Abbrev}' jpki-pkcs11 2>/dev/null)
check "dpkg knows the package no more (status '$status')" \
	test -z "$status" -o "$status" = "un "
left=$(while read -r f; do [ -e "$f" ] && echo "$f"; done < files.only)
check "no file of the package is left${left:+: $left}" test -z "$left"
check "no /usr/share/doc/jpki-pkcs11, no $REG" test ! -e /usr/share/doc/jpki-pkcs11 -a ! -e "$REG"
p11-kit list-modules > list-after.out 2>&1
check "p11-kit list-modules no longer shows jpki" not grep -q '^jpki:' list-after.out
harness_done
