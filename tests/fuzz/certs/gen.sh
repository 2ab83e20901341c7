#!/bin/sh
# Makes the fixed certificates the fuzz targets use, with the OpenSSL command line (keys,
# signatures) and strongSwan's pki (certificates with fixed validity dates, so the targets'
# fixed clock, 2030-01-01, stays inside them):
#   ca.pem   the trusted CA (its key is thrown away)
#   gw.der   the gateway certificate, SAN DNS:vpn.example.test and IP:192.0.2.1
#   gw.key   its P-256 key (a test key: fuzz_ike_sa signs the gateway's AUTH with it)
# and the seeds of fuzz_cert in ../corpus/fuzz_cert/. Usage: gen.sh (in place)
set -eu
for tool in openssl pki; do
	if ! command -v $tool >/dev/null; then
		echo "gen.sh: needs $tool (Debian packages openssl, strongswan-pki)" >&2
		exit 1
	fi
done
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/ca.key" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out gw.key 2>/dev/null
dates='--not-before 2025-01-01 --not-after 2045-01-01 --dateform %Y-%m-%d'
# shellcheck disable=SC2086
TZ=UTC pki --self --type priv --in "$tmp/ca.key" --dn "CN=tern fuzz CA" --ca $dates \
	--outform pem >ca.pem 2>"$tmp/pki.log"
# shellcheck disable=SC2086
TZ=UTC pki --issue --cacert ca.pem --cakey "$tmp/ca.key" --type priv --in gw.key \
	--dn "CN=vpn.example.test" --san vpn.example.test --san 192.0.2.1 \
	--flag serverAuth --flag ikeIntermediate $dates --outform der >gw.der 2>"$tmp/pki.log"

# fuzz_cert seeds: [ID type][AUTH method][number of certificates] {[len(2)][DER]}
# [len(2)][ID data] [AUTH data]. AUTH method 14 (RFC 7427): [len][AlgorithmIdentifier][sig]
# over the fixed octets of fuzz_cert.c, ecdsa-with-SHA256 (1.2.840.10045.4.3.2).
seeds=../corpus/fuzz_cert
mkdir -p "$seeds"
printf 'tern fuzz: signed octets' >"$tmp/octets"
openssl dgst -sha256 -sign gw.key -out "$tmp/sig" "$tmp/octets"
be16() { printf "\\$(printf %03o $(($1 >> 8)))\\$(printf %03o $(($1 & 255)))"; }
seed() { # NAME ID_TYPE ID
	{
		printf "\\$(printf %03o "$2")\\016\\001"
		be16 "$(wc -c <gw.der)"
		cat gw.der
		be16 "$(printf %s "$3" | wc -c)"
		printf %s "$3"
		printf '\014\060\012\006\010\052\206\110\316\075\004\003\002'
		cat "$tmp/sig"
	} >"$seeds/$1"
}
seed valid-fqdn 2 vpn.example.test
seed valid-ipv4 1 "$(printf '\300\000\002\001')"
seed wrong-fqdn 2 other.example.test
{ printf '\011\016\002'; be16 "$(wc -c <gw.der)"; cat gw.der
  openssl x509 -in ca.pem -outform der -out "$tmp/ca.der"
  be16 "$(wc -c <"$tmp/ca.der")"; cat "$tmp/ca.der"; be16 0; } >"$seeds/chain-with-ca"
echo "gen.sh: wrote ca.pem gw.der gw.key and $(ls "$seeds" | wc -l) seeds"
