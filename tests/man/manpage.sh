#!/bin/bash
# jpki-pkcs11(7): groff -ww and man -l render it without a warning, it has
# the sections a reader looks for, every environment variable the module
# reads is in ENVIRONMENT, and the build left no placeholder in it.
: "${top_srcdir:=.}" "${top_builddir:=.}"
page=$top_builddir/doc/jpki-pkcs11.7
failed=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=1; }

command -v groff > /dev/null || { echo "SKIP: groff is not installed"; exit 77; }
command -v man > /dev/null || { echo "SKIP: man is not installed"; exit 77; }
[ -f "$page" ] || { echo "FAIL: $page is not built"; exit 1; }

out=$(LC_ALL=C.UTF-8 groff -ww -man -Tutf8 -z "$page" 2>&1)
if [ $? -eq 0 ] && [ -z "$out" ]; then ok "groff -ww: no warning"; else
	not_ok "groff -ww: $out"; fi

# A long install prefix (make distcheck's, a packager's) renders cleanly too.
long=/a-build-directory-of-some-length/jpki-pkcs11-0.0.0/_inst/lib/x86_64-linux-gnu/pkcs11
out=$(sed "s|^\\(\\.[BI]R* \\)/[^ ]*/\\(jpki[^/ ]*\\)$|\\1$long/\\2|" "$page" |
	tee "$page.long" | LC_ALL=C.UTF-8 groff -ww -man -Tutf8 -z 2>&1)
if ! grep -q "$long" "$page.long"; then not_ok "long prefix: no path replaced"
elif [ -z "$out" ]; then ok "groff -ww with a long prefix: no warning"; else
	not_ok "groff -ww with a long prefix: $out"; fi
rm -f "$page.long"

text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=w -l "$page" 2> "$page.err")
err=$(cat "$page.err"); rm -f "$page.err"
if [ -z "$err" ] && [ -n "$text" ]; then ok "man -l: rendered, no warning"; else
	not_ok "man -l: ${err:-nothing rendered}"; fi

for s in NAME SYNOPSIS DESCRIPTION "TOKENS AND SLOTS" "PIN RULES" "LOCKED PINS" \
	"BROWSER MODULE" ENVIRONMENT FILES DIAGNOSTICS EXAMPLES "SEE ALSO"; do
	grep -qx "$s" <<< "$text" || not_ok "no section $s"
done
ok "sections checked"

if grep -q '@[A-Z0-9]*@' "$page"; then not_ok "placeholder left: $(grep -o '@[A-Z0-9]*@' "$page" | head -n1)"
else ok "no placeholder left"; fi
grep -q "jpki-pkcs11 $(sed -n 's/^AC_INIT(\[[^]]*\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")" "$page" &&
	ok "version from configure.ac" || not_ok "version is not configure.ac's"

# ENVIRONMENT: from its heading to the next one.
envsec=$(sed -n '/^ENVIRONMENT$/,/^[A-Z][A-Z ]*$/p' <<< "$text" | sed '1d;$d')
vars=$(cat "$top_srcdir"/src/*.c | grep -o '"JPKI_[A-Z0-9_]*"' | tr -d '"' | sort -u)
[ -n "$vars" ] || not_ok "no JPKI_ variable found in src/"
for v in $vars; do
	if grep -qw "$v" <<< "$envsec"; then ok "ENVIRONMENT: $v"; else not_ok "ENVIRONMENT lacks $v"; fi
done
exit $failed
