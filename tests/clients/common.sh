# tests/clients/common.sh: what the real-client tests share. Source it
# instead of the harness; it sources tests/harness/env.sh.
#
#   card_signs NAME        signatures the card made so far (COMPUTE
#                          DIGITAL SIGNATURE APDUs in its trace)
#   card_verifies NAME     PIN VERIFYs with a PIN (not the empty status
#                          queries) the card received so far
#   example_cnf SRC DEST   copy an OpenSSL config from examples/ with its
#                          MODULE_PATH pointed at the module just built
#   PTY_ANSWER             the helper that types PINs at terminal prompts
#   P11KIT_PROXY           p11-kit's proxy module

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${JPKI_MODULE:=$top_builddir/.libs/jpki-pkcs11.so}"
export JPKI_MODULE

. "$top_srcdir/tests/harness/env.sh"

PTY_ANSWER=$top_builddir/tests/clients/pty-answer
P11KIT_PROXY=${P11KIT_PROXY:-$(pkg-config --variable=proxy_module p11-kit-1 2>/dev/null)}
: "${P11KIT_PROXY:=/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so}"
LIBP11_ENGINE=${LIBP11_ENGINE:-/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so}
export PTY_ANSWER P11KIT_PROXY LIBP11_ENGINE

card_signs() { grep -c '^802A0080' "$(trace "$1")" || true; }
card_verifies() { grep -c '^00200080[0-9A-F][0-9A-F]\*' "$(trace "$1")" || true; }

# need PROGRAM...: skip (77) when an outside tool is missing.
need() {
	local p
	for p in "$@"; do
		command -v "$p" > /dev/null || skip "$p is not installed"
	done
}

example_cnf() {
	sed -e "s|^\(MODULE_PATH *= *\).*|\1$JPKI_MODULE|" \
	    -e "s|^\(dynamic_path *= *\).*|\1$LIBP11_ENGINE|" "$1" > "$2"
}

# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
not() { ! "$@"; }
