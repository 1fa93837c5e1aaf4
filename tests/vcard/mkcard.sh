#!/bin/sh
# mkcard.sh: test certificates for a virtual My Number Card, shaped like
# the real JPKI ones, with fake personal data only.
#
#   mkcard.sh [--expired] [--ca CADIR] OUTDIR
#   mkcard.sh --ca CADIR                (only the CA pair)
#
# CADIR holds the test CA pair (signature CA, user-authentication CA); it is
# created when it does not exist yet and reused otherwise, so several cards
# of one test share their CAs. OUTDIR receives:
#   auth.key auth.crt auth-ca.crt   user authentication: no personal data,
#                                   keyUsage digitalSignature, EKU clientAuth
#   sign.key sign.crt sign-ca.crt   signature: name, address, birth date, sex
#                                   in the JPKI subjectAltName otherNames,
#                                   keyUsage digitalSignature nonRepudiation
# Keys are RSA 2048 (PEM, unencrypted); certificates PEM. Validity: about
# five years from a month ago; with --expired, five years that ended a
# month ago.
set -eu

expired=no
cadir=
while [ $# -gt 0 ]; do
	case $1 in
	--expired) expired=yes; shift ;;
	--ca) cadir=$2; shift 2 ;;
	*) break ;;
	esac
done
if [ $# -gt 1 ] || { [ $# -eq 0 ] && [ -z "$cadir" ]; }; then
	echo "usage: mkcard.sh [--expired] [--ca CADIR] OUTDIR" >&2
	exit 2
fi
out=${1:-}
[ -n "$cadir" ] || cadir=$out/ca
mkdir -p "$cadir"
[ -z "$out" ] || mkdir -p "$out"

# Fake holder (the JPKI personal-data OIDs under 1.2.392.200149.8.5.5:
# .1 name, .3 sex, .4 birth date (era digit + YYYYMMDD), .5 address).
NAME='試験　花子'
SEX='2'
BIRTH='419900101'
ADDRESS='東京都千代田区架空町一丁目2番3号'

genkey() {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$1" 2>/dev/null
}

stamp() {	# stamp DAYS: a date DAYS from now, as openssl ca wants it
	date -u -d "$1 days" +%Y%m%d%H%M%SZ
}

# A minimal openssl ca setup inside DIR for the CA named NAME.
ca_config() {
	dir=$1
	cat > "$dir/ca.cnf" <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ any ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
localityName = optional
commonName = optional
[ ca_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ sign_ext ]
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://crl.jpki-test.invalid/sign.crl
subjectAltName = @sign_san
[ sign_san ]
otherName.1 = 1.2.392.200149.8.5.5.1;FORMAT:UTF8,UTF8:$NAME
otherName.2 = 1.2.392.200149.8.5.5.4;FORMAT:UTF8,UTF8:$BIRTH
otherName.3 = 1.2.392.200149.8.5.5.3;FORMAT:UTF8,UTF8:$SEX
otherName.4 = 1.2.392.200149.8.5.5.5;FORMAT:UTF8,UTF8:$ADDRESS
[ auth_ext ]
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://crl.jpki-test.invalid/auth.crl
CNF
	[ -f "$dir/index.txt" ] || : > "$dir/index.txt"
	[ -f "$dir/serial" ] || od -An -N8 -tx1 /dev/urandom | tr -d ' \n' > "$dir/serial"
}

make_ca() {	# make_ca KIND OU
	d=$cadir/$1
	[ -f "$d/ca.crt" ] && return 0
	mkdir -p "$d"
	ca_config "$d"
	genkey "$d/ca.key"
	openssl req -new -key "$d/ca.key" -utf8 \
		-subj "/C=JP/O=JPKI TEST (not the real JPKI)/OU=$2" \
		-out "$d/ca.csr" 2>/dev/null
	openssl ca -batch -selfsign -config "$d/ca.cnf" -keyfile "$d/ca.key" \
		-in "$d/ca.csr" -out "$d/ca.crt" -extensions ca_ext -notext \
		-preserveDN -utf8 -startdate "$(stamp -400)" \
		-enddate "$(stamp 4000)" 2>/dev/null
}

issue() {	# issue KIND SUBJECT EXT
	d=$cadir/$1
	genkey "$out/$1.key"
	openssl req -new -key "$out/$1.key" -utf8 -subj "$2" \
		-out "$out/$1.csr" 2>/dev/null
	if [ $expired = yes ]; then
		start=$(stamp -1856); end=$(stamp -30)
	else
		start=$(stamp -30); end=$(stamp 1796)
	fi
	openssl ca -batch -config "$d/ca.cnf" -cert "$d/ca.crt" \
		-keyfile "$d/ca.key" -in "$out/$1.csr" -out "$out/$1.crt" \
		-extensions "$3" -notext -preserveDN -utf8 \
		-startdate "$start" -enddate "$end" 2>/dev/null
	cp "$d/ca.crt" "$out/$1-ca.crt"
	rm -f "$out/$1.csr"
}

# Serialise CA creation between cards created in parallel.
exec 9> "$cadir/.lock"
flock 9
make_ca sign 'JPKI for digital signature'
make_ca auth 'JPKI for user authentication'
flock -u 9
[ -n "$out" ] || exit 0

# The subject CN of a real JPKI certificate is an opaque identifier.
id=$(od -An -N10 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F)
issue sign "/C=JP/L=Tokyo-to/L=Chiyoda-ku/CN=${id}S" sign_ext
issue auth "/C=JP/CN=${id}A" auth_ext
