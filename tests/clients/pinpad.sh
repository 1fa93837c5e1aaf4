#!/bin/bash
# pkcs11-tool on a PIN-pad reader: -L shows "PIN pad present" on the
# user-authentication token only; --login without --pin lets the person
# type the PIN on the reader (the login, then again for the signature);
# Cancel on the keypad; --change-pin without PINs; JPKI_PKCS11_PINPAD=0.
# examples/pinpad.md shows this output.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/clients/lib.sh"
need pkcs11-tool openssl
harness_init
need_pinpad
start_card alice standard "$JV_PINPAD"
certs=$(card_dir alice)/certs
cd "$JV_TMP" || fail "no scratch directory"
# No terminal: a PIN prompt would fail at once instead of waiting.
p11() { timeout 60 pkcs11-tool --module "$JPKI_MODULE" "$@" < /dev/null; }
keypad_uses() { grep -c '^verify-direct' "$(pinpad_log)" 2> /dev/null || true; }
printf 'My Number Card, signed on a PIN pad\n' > doc.txt
openssl x509 -in "$certs/auth.crt" -pubkey -noout > auth.pub

# --- -L ------------------------------------------------------------------
token_listing 4 p11 -L
check "-L: the authentication token says PIN pad present" \
	grep -q 'token flags *: login required, PIN pad present,' L-auth.out
check "-L: the signature token does not (its PIN has letters)" \
	not grep -q 'PIN pad' L-sign.out
JPKI_PKCS11_PINPAD=0 p11 -L > L-off.out 2>&1
check "JPKI_PKCS11_PINPAD=0: no PIN pad in -L" \
	test "$(grep -c 'token label' L-off.out)" = 3 -a "$(grep -c 'PIN pad' L-off.out)" = 0

# --- --login --sign without --pin ------------------------------------------
n0=$(card_signs alice)
k0=$(keypad_uses)
pinpad_type "$JV_AUTH_PIN" "$JV_AUTH_PIN"
p11 --token-label "$AUTH_TOKEN" --login --sign --id 01 -m SHA256-RSA-PKCS \
	-i doc.txt -o auth.sig > sign.out 2>&1
check "--login --sign without --pin: no terminal prompt" \
	not grep -q 'Please enter' sign.out
check "... one card signature, two keypad entries (login, then signature)" \
	test "$(($(card_signs alice) - n0))" = 1 -a "$(($(keypad_uses) - k0))" = 2
check "... verifies with openssl" \
	openssl dgst -sha256 -verify auth.pub -signature auth.sig doc.txt

# --- Cancel on the keypad ------------------------------------------------------
pinpad_type cancel
p11 --token-label "$AUTH_TOKEN" --login -O > cancel.out 2>&1
check "Cancel on the keypad: C_Login fails with CKR_FUNCTION_CANCELED" \
	grep -q 'C_Login failed: rv = CKR_FUNCTION_CANCELED' cancel.out
check "... and the card's counter is untouched" test "$(auth_pin_tries alice)" = 3

# --- --change-pin without PINs --------------------------------------------------
pinpad_type "$JV_AUTH_PIN" 5678 5678
p11 --token-label "$AUTH_TOKEN" --change-pin > change.out 2>&1
check "--change-pin: current PIN, new PIN, again, all on the keypad" \
	grep -q 'PIN successfully changed' change.out
pinpad_type 5678 5678
p11 --token-label "$AUTH_TOKEN" --login --sign --id 01 -m SHA256-RSA-PKCS \
	-i doc.txt -o new.sig > new-pin.out 2>&1
check "... the new PIN signs" \
	openssl dgst -sha256 -verify auth.pub -signature new.sig doc.txt
pinpad_type 5678 "$JV_AUTH_PIN" "$JV_AUTH_PIN"
p11 --token-label "$AUTH_TOKEN" --change-pin > change-back.out 2>&1
check "--change-pin back" grep -q 'PIN successfully changed' change-back.out

# --- a typed PIN on the same reader ---------------------------------------------
k0=$(keypad_uses)
p11 --token-label "$AUTH_TOKEN" --login --pin "$JV_AUTH_PIN" --sign --id 01 \
	-m SHA256-RSA-PKCS -i doc.txt -o typed.sig > typed.out 2>&1
check "--pin still works on a PIN-pad reader, without the keypad" \
	test "$(keypad_uses)" = "$k0" -a -s typed.sig
harness_done
