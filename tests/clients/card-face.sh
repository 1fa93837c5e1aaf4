#!/bin/bash
# The card-face data recipe (examples/card-face.md): pkcs11-tool lists the
# token and reads each data object after the card-face PIN; the Python
# script (PyKCS11) prints the five facts.  The values are the virtual
# card's.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/clients/lib.sh"
need pkcs11-tool
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip "python3 is not installed"
"$PY" -c 'import PyKCS11' 2>/dev/null || skip "python3-pykcs11 is not installed"
harness_init
start_card alice standard 0
cd "$JV_TMP" || fail "no scratch directory"
FACE_TOKEN="JPKI Card Face Data"
p11() { pkcs11-tool --module "$JPKI_MODULE" --token-label "$FACE_TOKEN" "$@"; }
mynumber=$(sed -n 's/^face mynumber //p' "$(card_dir alice)/state")

pkcs11-tool --module "$JPKI_MODULE" -L > L.out 2>&1
check "-L lists the card-face token (4-digit PIN)" \
	grep -A9 "token label *: $FACE_TOKEN\$" L.out -q
grep -A9 "token label *: $FACE_TOKEN\$" L.out | grep -q 'pin min/max *: 4/4' ||
	not_ok "card-face token: PIN length not 4/4"

p11 -O > O-nologin.out 2>&1
check "-O without login: no object" not grep -q 'Data object' O-nologin.out
p11 --login --pin "$JV_FACE_PIN" -O --type data > O.out 2>&1
check "-O --login --type data: five data objects of application My Number Card" \
	test "$(grep -c '^Data object' O.out)" = 5 -a "$(grep -c "application: *'My Number Card'" O.out)" = 5
for label in "My Number" Name Address "Date of Birth" Sex; do
	p11 --login --pin "$JV_FACE_PIN" --read-object --type data --label "$label" -o "obj-$label" \
		> "read-$label.out" 2>&1
done
check "--read-object --type data --label 'My Number': the card's 12 digits" \
	test "$(cat "obj-My Number")" = "$mynumber"
check "... Name, UTF-8" test "$(cat obj-Name)" = "試験　花子"
check "... Address" test "$(cat obj-Address)" = "東京都千代田区架空町一丁目2番3号"
check "... Date of Birth" test "$(cat "obj-Date of Birth")" = 19900101
check "... Sex" test "$(cat obj-Sex)" = 2

FACE_PIN=$JV_FACE_PIN "$PY" "$top_srcdir/examples/card-face.py" "$JPKI_MODULE" > py.out 2> py.err
check "card-face.py (PyKCS11) prints the five facts" \
	test "$(cat py.out)" = "$(printf 'My Number: %s\nName: 試験　花子\nAddress: 東京都千代田区架空町一丁目2番3号\nDate of Birth: 19900101\nSex: 2' "$mynumber")"
[ -s py.err ] && not_ok "card-face.py wrote to stderr: $(head -3 py.err)"
harness_done
