#!/bin/bash
# The certificate cache end to end, through pcscd and the virtual card: a
# warm cache costs one READ BINARY per certificate; a renewed certificate,
# another card, a damaged or hostile entry, an unusable cache directory
# and JPKI_PKCS11_CACHE=0 all read the card, and the module's certificates
# are always the card's. The signature certificate never reaches the disk.
. "$top_srcdir/tests/integration/lib.sh"
harness_init
command -v pkcs11-tool > /dev/null || skip "pkcs11-tool is not installed"

export HOME=$JV_TMP/home XDG_CACHE_HOME=$JV_TMP/xdg
mkdir -p "$HOME"
CACHE=$XDG_CACHE_HOME/jpki-pkcs11
unset JPKI_PKCS11_CACHE

# tool CARD ARGS...: pkcs11-tool on our module; the card's APDUs of this
# run go to $JV_TMP/apdus.
tool() {
	local card=$1 before
	shift
	before=$(apdu_count "$card")
	client pkcs11-tool --module "$JPKI_MODULE" "$@" > "$JV_TMP/out" 2>&1 ||
		{ sed 's/^/# /' "$JV_TMP/out"; return 1; }
	grep -v '^#' "$(trace "$card")" | tail -n +$((before + 1)) > "$JV_TMP/apdus"
}
# reads EF: READ BINARYs sent for EF (after its SELECT) in the last run.
reads() {
	awk -v sel="00A4020C02$1" '$1 == sel { on = 1; next }
		/^00A4/ { on = 0 } on && /^00B0/ { n++ } END { print n + 0 }' "$JV_TMP/apdus"
}
# the user-authentication certificate as the module shows it vs the card's
auth_cert_is() {	# CARD
	tool "$1" --read-object --type cert --id 01 -o "$JV_TMP/got.der" &&
		openssl x509 -in "$(card_dir "$1")/certs/auth.crt" -outform der |
		cmp -s - "$JV_TMP/got.der"
}
serial_hex() { sed -n 's/^serial //p' "$(card_dir "$1")/state" | tr -d '\n' | od -An -tx1 | tr -d ' \n'; }
check() {	# DESC CONDITION...
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
eq() { [ "$1" = "$2" ] || { echo "# got '$1', want '$2'"; return 1; }; }
gt() { [ "$1" -gt "$2" ] || { echo "# got $1, want more than $2"; return 1; }; }
entry_is_ours() {	# FILE: a regular file of ours, mode 600
	[ -f "$1" ] && [ ! -L "$1" ] && eq "$(stat -c '%u %a' "$1")" "$(id -u) 600"
}

# --- cold, then warm -----------------------------------------------------
start_card a standard 0
A=$(serial_hex a)
tool a --list-objects || not_ok "pkcs11-tool --list-objects (cold)"
cold=$(wc -l < "$JV_TMP/apdus")
check "cold: the authentication certificate read in full" gt "$(reads 000A)" 1
check "cold: its CA read in full" gt "$(reads 000B)" 1
check "cold: the cache directory is private" eq "$(stat -c '%u %a' "$CACHE")" "$(id -u) 700"
check "cold: entries for the certificate and its CA" entry_is_ours "$CACHE/$A.auth-cert"
check "cold: entry for the CA" entry_is_ours "$CACHE/$A.auth-ca"

tool a --list-objects || not_ok "pkcs11-tool --list-objects (warm)"
warm=$(wc -l < "$JV_TMP/apdus")
check "warm: one READ BINARY for the certificate" eq "$(reads 000A)" 1
check "warm: one READ BINARY for its CA" eq "$(reads 000B)" 1
echo "# --list-objects: $cold APDUs cold, $warm warm"
check "warm: fewer APDUs than cold" gt "$cold" "$warm"
check "warm: the certificate shown is the card's" auth_cert_is a

# the signature token: its CA cached, its own certificate never
tool a --slot-index 1 --list-objects || not_ok "signature token objects"
check "signature CA cached" entry_is_ours "$CACHE/$A.sign-ca"
tool a --slot-index 1 --login --pin "$JV_SIGN_PIN" --list-objects || not_ok "signature login"
grep -q "^00A4020C020001" "$JV_TMP/apdus" && ok "the signature certificate was read after login" ||
	not_ok "no read of the signature certificate"
check "nothing but the three public certificates on disk" \
	eq "$(cd "$CACHE" && ls -A | sort | tr '\n' ' ')" "$A.auth-ca $A.auth-cert $A.sign-ca "
# a run from the middle of the signature certificate's own key
sign_key=$(openssl x509 -in "$(card_dir a)/certs/sign.crt" -noout -modulus | cut -d= -f2 | tr 'A-F' 'a-f' | cut -c200-260)
! cat "$CACHE"/* | od -An -tx1 | tr -d ' \n' | grep -q "$sign_key" &&
	ok "no byte run of the signature certificate in the cache" ||
	not_ok "the signature certificate's bytes are in the cache"

# --- damaged and hostile entries: ignored, the card read, replaced --------
cp "$CACHE/$A.auth-cert" "$JV_TMP/good"
hostile() {	# DESC: the entry was just spoiled
	tool a --list-objects || not_ok "$1: pkcs11-tool failed"
	check "$1: the card read again" gt "$(reads 000A)" 1
	check "$1: the entry replaced by a good one" entry_is_ours "$CACHE/$A.auth-cert"
	check "$1: the replaced entry is the card's" cmp -s "$CACHE/$A.auth-cert" "$JV_TMP/good"
	tool a --list-objects
	check "$1: then warm again" eq "$(reads 000A)" 1
}
printf 'garbage' > "$CACHE/$A.auth-cert"
hostile "garbage"
head -c 1000 "$JV_TMP/good" > "$CACHE/$A.auth-cert"
hostile "a truncated entry"
{ cat "$JV_TMP/good"; printf x; } > "$CACHE/$A.auth-cert"
hostile "an entry one byte long"
cp "$JV_TMP/good" "$JV_TMP/elsewhere"
rm "$CACHE/$A.auth-cert"
ln -s "$JV_TMP/elsewhere" "$CACHE/$A.auth-cert"
hostile "a symlink"
check "a symlink: its target untouched" cmp -s "$JV_TMP/elsewhere" "$JV_TMP/good"
if [ "$(id -u)" = 0 ]; then
	chown 4242:4242 "$CACHE/$A.auth-cert"
	hostile "another user's entry"
else
	echo "# not root: the other-owner case is in the unit test only"
fi
chmod 644 "$CACHE/$A.auth-cert"
hostile "an entry readable by others"
# a good entry of another item in this one's place (header mismatch)
cp "$CACHE/$A.auth-ca" "$CACHE/$A.auth-cert"
hostile "another certificate's entry"

# --- a renewed certificate on the same card serial ------------------------
stop_card a
start_card b standard 0 --serial "$(sed -n 's/^serial //p' "$(card_dir a)/state")"
check "renewed: same card serial" eq "$(serial_hex b)" "$A"
tool b --list-objects || not_ok "renewed: pkcs11-tool failed"
check "renewed: the certificate read in full" gt "$(reads 000A)" 1
check "renewed: the entry rewritten" eq "$(cmp -s "$CACHE/$A.auth-cert" "$JV_TMP/good" && echo same || echo new)" new
check "renewed: the certificate shown is the new card's" auth_cert_is b
tool b --list-objects
check "renewed: then warm" eq "$(reads 000A)" 1
stop_card b

# --- another card: its own entries --------------------------------------
start_card c standard 0
C=$(serial_hex c)
tool c --list-objects || not_ok "another card: pkcs11-tool failed"
check "another card: read in full" gt "$(reads 000A)" 1
check "another card: its own entry" entry_is_ours "$CACHE/$C.auth-cert"
check "another card: the first card's entry kept" entry_is_ours "$CACHE/$A.auth-cert"
check "another card: the certificate shown is its own" auth_cert_is c

# --- the cache off, or unusable: the card is read, nothing breaks ---------
JPKI_PKCS11_CACHE=0 tool c --list-objects || not_ok "JPKI_PKCS11_CACHE=0: pkcs11-tool failed"
check "JPKI_PKCS11_CACHE=0: a warm cache is not used" gt "$(reads 000A)" 1
XDG_CACHE_HOME=$JV_TMP/fresh JPKI_PKCS11_CACHE=0 tool c --list-objects
check "JPKI_PKCS11_CACHE=0: nothing written" eq "$(ls -A "$JV_TMP/fresh" 2>/dev/null | wc -l)" 0
printf x > "$JV_TMP/a-file"
XDG_CACHE_HOME=$JV_TMP/a-file tool c --list-objects &&
	ok "a cache directory that cannot be made: objects listed all the same" ||
	not_ok "the module failed over an unusable cache directory"
check "a cache directory that cannot be made: the card read" gt "$(reads 000A)" 1
chmod 755 "$CACHE"
tool c --list-objects || not_ok "a cache directory open to others: pkcs11-tool failed"
check "a cache directory open to others: not used" gt "$(reads 000A)" 1
chmod 700 "$CACHE"
XDG_CACHE_HOME= HOME=$JV_TMP/home tool c --list-objects
check "no XDG_CACHE_HOME: the cache under HOME/.cache" entry_is_ours "$HOME/.cache/jpki-pkcs11/$C.auth-cert"
harness_done
