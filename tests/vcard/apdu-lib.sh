# The virtual card APDU scripts' shared part (sourced after harness_init):
# script() runs APDU lines on a card's reader and checks every answer;
# the common APDUs and PIN data; mark/has/check_lines read the card's trace.
W=$JV_TMP/work
mkdir -p "$W"
n=0
# script NAME DESCRIPTION < APDU lines: run them on card NAME's reader;
# every line must answer as expected (see pcsc-apdu.c for the syntax).
script() {
	local name=$1 desc=$2 f
	n=$((n + 1))
	f=$W/$n.apdu
	cat > "$f"
	if "$JV_PCSC_APDU" run "$(card_reader "$name")" "$f" > "$W/$n.out" 2>&1
	then
		ok "$desc"
	else
		not_ok "$desc"
		grep -v '^ok' "$W/$n.out"
	fi
}

JPKI='00A4040C0AD392F000260100000001 9000'
JPKI_6F='00A4040C0AD392F000260100000001 6F00'
FACE='00A4040C0AD3921000310001010408 9000'
hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F; }
lc() { printf %02X $((${#1}))  ; }
AUTH=$(lc "$JV_AUTH_PIN")$(hex "$JV_AUTH_PIN")
SIGN=$(lc "$JV_SIGN_PIN")$(hex "$JV_SIGN_PIN")
# A SHA-256 DigestInfo, and one byte too many for a 2048-bit key.
DI=3031300D060960864801650304020105000420$(printf '11%.0s' $(seq 32))
LONG=$(printf 'AB%.0s' $(seq 246))
SIGNDI="802A0080$(printf %02X $((${#DI} / 2)))${DI}00"

# --- security-state evidence in the trace ----------------------------------------
# mark NAME: remember the trace's length; has NAME LINE: the trace has LINE
# (exactly) since the mark.
mark() { MARK=$(wc -l < "$(trace "$1")"); }
has() { tail -n +$((MARK + 1)) "$(trace "$1")" | grep -qxF -- "$2"; }
check_lines() {	# NAME DESC LINE...: every LINE in the trace since the mark
	local name=$1 desc=$2 l missing=
	shift 2
	for l in "$@"; do has "$name" "$l" || missing+=" [$l]"; done
	if [ -z "$missing" ]; then ok "$desc"; else not_ok "$desc: missing$missing"; fi
}
