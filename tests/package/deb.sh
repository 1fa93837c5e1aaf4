#!/bin/bash
# tests/package/deb.sh TARBALL [OUTDIR]: build the Debian package from the
# release tarball, as a maintainer does (dpkg-buildpackage -us -uc -b in the
# unpacked tree, so nothing of a configured checkout gets in), then lintian
# with no error and no warning allowed.  The .deb, .changes, .buildinfo and
# the build log land in OUTDIR (default: the current directory).
#
# DEB_BUILD_OPTIONS defaults to "nointegration parallel=2": the unit tests
# run, the integration tests skip (make check has run them on the same
# sources; see debian/rules).
set -u
tarball=$(realpath "$1") || exit 1
out=$(realpath "${2:-.}") || exit 1
for prog in dpkg-buildpackage dh lintian; do
	command -v "$prog" > /dev/null ||
		{ echo "FAIL: $prog is not installed (debhelper, lintian: .ci/packages)"; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/jpki-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
tar -xJf "$tarball" -C "$work" || exit 1
src=$(echo "$work"/jpki-pkcs11-*)
[ -f "$src/debian/control" ] || { echo "FAIL: $tarball has no debian/"; exit 1; }

echo "# dpkg-buildpackage -us -uc -b in $(basename "$src") (log: $out/dpkg-buildpackage.log)"
start=$SECONDS
if ! (cd "$src" && DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS-nointegration parallel=2}" \
	dpkg-buildpackage -us -uc -b) > "$out/dpkg-buildpackage.log" 2>&1; then
	tail -n 60 "$out/dpkg-buildpackage.log"
	echo "FAIL: dpkg-buildpackage"
	exit 1
fi
echo "# built in $((SECONDS - start)) s; tests:"
grep -E '^(PASS|FAIL|SKIP|ERROR|XPASS|XFAIL):|^# (TOTAL|PASS|SKIP|FAIL):' "$out/dpkg-buildpackage.log"
rm -f "$out"/jpki-pkcs11_*.deb "$out"/jpki-pkcs11-dbgsym_*.deb \
	"$out"/jpki-pkcs11_*.changes "$out"/jpki-pkcs11_*.buildinfo
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out"/ || exit 1

changes=$(echo "$out"/jpki-pkcs11_*.changes)
echo "# lintian --fail-on error,warning $(basename "$changes")"
start=$SECONDS
lintian --fail-on error,warning --info "$changes"
rc=$?
echo "# lintian: exit $rc in $((SECONDS - start)) s"
[ $rc -eq 0 ] || { echo "FAIL: lintian"; exit 1; }
ls "$out"/jpki-pkcs11_*.deb
