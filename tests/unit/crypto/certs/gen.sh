#!/bin/sh
# Makes the certificates, keys, IDs and AUTH signatures test_cert checks, with independent
# implementations: the OpenSSL command line (keys, certificates, signatures, DER of
# AlgorithmIdentifiers and DNs via asn1parse -genconf) and strongSwan's pki (certificates with
# fixed past and future validity dates). Usage: gen.sh OUTDIR
set -eu

for tool in openssl pki; do
	if ! command -v $tool >/dev/null; then
		echo "gen.sh: needs $tool (Debian packages openssl, strongswan-pki)" >&2
		exit 1
	fi
done
out=$1
mkdir -p "$out"
cd "$out"

# Quiet unless something fails.
run() {
	if ! "$@" >cmd.log 2>&1; then
		echo "gen.sh: failed: $*" >&2
		cat cmd.log >&2
		exit 1
	fi
}

cat >openssl.cnf <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf_ec256]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:vpn.example.test, IP:192.0.2.1, IP:2001:db8::1, email:gw@example.test
[leaf_ec384]
keyUsage = critical, digitalSignature
subjectAltName = DNS:vpn384.example.test
[leaf_ec521]
subjectAltName = DNS:vpn521.example.test
[leaf_rsa2048]
keyUsage = critical, digitalSignature, keyEncipherment
subjectAltName = DNS:rsa.example.test, IP:198.51.100.7
[leaf_rsa1024]
subjectAltName = DNS:weak.example.test
[leaf_rsapss]
subjectAltName = DNS:pss.example.test
[leaf_ed25519]
keyUsage = critical, digitalSignature
subjectAltName = DNS:ed.example.test
[leaf_wild]
subjectAltName = DNS:*.example.test
[leaf_nosan]
keyUsage = critical, digitalSignature
[leaf_noku]
keyUsage = critical, keyEncipherment
subjectAltName = DNS:noku.example.test
[leaf_ipcn]
subjectAltName = IP:203.0.113.9
[leaf_rsa4096]
keyUsage = critical, digitalSignature
subjectAltName = DNS:gw.example.test
EOF

key() { # NAME ALGORITHM [OPTIONS...]
	name=$1 alg=$2
	shift 2
	set -- genpkey -algorithm "$alg" -out "$name.key" "$@"
	run openssl "$@"
}

root() { # NAME SUBJECT
	run openssl req -config openssl.cnf -x509 -new -key "$1.key" -subj "$2" -days 3650 \
		-extensions ca_ext -out "$1.pem"
}

serial=100
issue() { # NAME SUBJECT CA EXTENSIONS
	serial=$((serial + 1))
	run openssl req -config openssl.cnf -new -key "$1.key" -subj "$2" -out "$1.csr"
	run openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -set_serial "$serial" \
		-days 365 -extfile openssl.cnf -extensions "$4" -out "$1.pem"
	run openssl x509 -in "$1.pem" -outform DER -out "$1.der"
}

# Trusted CA A (ECDSA P-256) and its end-entity certificates.
key caA EC -pkeyopt ec_paramgen_curve:P-256
root caA "/CN=Tern Test CA A/O=Example Test"
key ec256 EC -pkeyopt ec_paramgen_curve:P-256
issue ec256 "/CN=vpn.example.test/O=Example Test" caA leaf_ec256
key ec384 EC -pkeyopt ec_paramgen_curve:P-384
issue ec384 "/CN=vpn384.example.test" caA leaf_ec384
key ec521 EC -pkeyopt ec_paramgen_curve:P-521
issue ec521 "/CN=vpn521.example.test" caA leaf_ec521
key rsa2048 RSA -pkeyopt rsa_keygen_bits:2048
issue rsa2048 "/CN=rsa.example.test" caA leaf_rsa2048
key rsapss RSA-PSS -pkeyopt rsa_keygen_bits:2048
issue rsapss "/CN=pss.example.test" caA leaf_rsapss
key rsa1024 RSA -pkeyopt rsa_keygen_bits:1024
issue rsa1024 "/CN=weak.example.test" caA leaf_rsa1024
key ed25519 ED25519
issue ed25519 "/CN=ed.example.test" caA leaf_ed25519
key misc EC -pkeyopt ec_paramgen_curve:P-256
cp misc.key wild.key
cp misc.key nosan.key
cp misc.key noku.key
cp misc.key ipcn.key
issue wild "/CN=Wildcard" caA leaf_wild
issue nosan "/CN=nosan.example.test" caA leaf_nosan
issue noku "/CN=noku.example.test" caA leaf_noku
issue ipcn "/CN=vpn.example.test" caA leaf_ipcn

# Trusted root R (RSA-4096) -> intermediate (RSA-4096) -> gw.example.test (RSA-4096).
key caR RSA -pkeyopt rsa_keygen_bits:4096
root caR "/CN=Tern Test Root R"
key interR RSA -pkeyopt rsa_keygen_bits:4096
issue interR "/CN=Tern Test Intermediate R" caR ca_ext
key rsa4096 RSA -pkeyopt rsa_keygen_bits:4096
issue rsa4096 "/CN=gw.example.test" interR leaf_rsa4096

# An untrusted CA and a certificate it issued for the expected name.
key caO EC -pkeyopt ec_paramgen_curve:P-256
root caO "/CN=Other CA"
run openssl x509 -in caO.pem -outform DER -out caO.der
cp misc.key other.key
issue other "/CN=vpn.example.test" caO leaf_ec256

cat caA.pem caR.pem >trust.pem

# Validity fixed in the past and in the future, made by strongSwan's pki.
pki_issue() { # NAME CN NOT_BEFORE NOT_AFTER
	if ! TZ=UTC pki --issue --cacert caA.pem --cakey caA.key --type priv --in misc.key \
		--dn "CN=$2" --san "$2" --not-before "$3" --not-after "$4" \
		--dateform "%Y-%m-%d %H:%M:%S" --outform der >"$1.der" 2>cmd.log; then
		echo "gen.sh: pki --issue $1 failed" >&2
		cat cmd.log >&2
		exit 1
	fi
}
pki_issue expired old.example.test "2019-01-01 00:00:00" "2020-01-01 00:00:00"
pki_issue future new.example.test "2100-01-01 00:00:00" "2101-01-01 00:00:00"

# CERTREQ: SHA-1 of each trusted CA's SubjectPublicKeyInfo, in file order (RFC 7296 3.7).
: >keyids.hex
for ca in caA caR; do
	openssl x509 -in $ca.pem -noout -pubkey | openssl pkey -pubin -outform DER |
		openssl dgst -sha1 -binary | od -An -v -tx1 >>keyids.hex
done

# IKE ID payloads of type DER_ASN1_DN.
genconf() { # NAME  (reads the config from stdin)
	cat >"$1.cnf"
	run openssl asn1parse -genconf "$1.cnf" -out "$1.der"
}
genconf dn_match <<'EOF'
asn1 = SEQUENCE:dn
[dn]
cn = SET:cn
o = SET:o
[cn]
a = SEQUENCE:cn_atv
[cn_atv]
t = OID:commonName
v = UTF8:vpn.example.test
[o]
a = SEQUENCE:o_atv
[o_atv]
t = OID:organizationName
v = UTF8:Example Test
EOF
genconf dn_other <<'EOF'
asn1 = SEQUENCE:dn
[dn]
cn = SET:cn
o = SET:o
[cn]
a = SEQUENCE:cn_atv
[cn_atv]
t = OID:commonName
v = UTF8:other.example.test
[o]
a = SEQUENCE:o_atv
[o_atv]
t = OID:organizationName
v = UTF8:Example Test
EOF

# RFC 7427 AlgorithmIdentifiers for RSASSA-PSS (RFC 8017 A.2.3 RSASSA-PSS-params).
pss_algid() { # NAME HASH_OID SALT
	genconf "$1" <<EOF
asn1 = SEQUENCE:alg
[alg]
oid = OID:rsassaPss
params = SEQUENCE:params
[params]
hash = EXPLICIT:0,SEQUENCE:hash
mgf = EXPLICIT:1,SEQUENCE:mgf
salt = EXPLICIT:2,INTEGER:$3
[hash]
oid = OID:$2
null = NULL
[mgf]
oid = OID:mgf1
hash = SEQUENCE:hash
EOF
}
pss_algid pss256_algid sha256 32
pss_algid pss384_algid sha384 48
pss_algid pss512_algid sha512 64
pss_algid pss_salt20_algid sha256 20
genconf unknown_algid <<'EOF'
asn1 = SEQUENCE:alg
[alg]
oid = OID:1.3.6.1.4.1.99999.1
EOF
genconf pss_sha1_algid <<'EOF'
asn1 = SEQUENCE:alg
[alg]
oid = OID:rsassaPss
params = SEQUENCE:empty
[empty]
EOF

# The octets the gateway signs, and the signatures over them.
run openssl rand -out msg.bin 300
dgst_sign() { # OUT KEY HASH [SIGOPT...]
	o=$1 k=$2 h=$3
	shift 3
	set -- dgst "-$h" -sign "$k.key" -out "$o.sig" "$@" msg.bin
	run openssl "$@"
}
dgst_sign rsa2048_sha1 rsa2048 sha1
dgst_sign rsa2048_sha256 rsa2048 sha256
dgst_sign rsa2048_sha384 rsa2048 sha384
dgst_sign rsa2048_sha512 rsa2048 sha512
dgst_sign rsa2048_pss256 rsa2048 sha256 -sigopt rsa_padding_mode:pss \
	-sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256
dgst_sign rsapss_pss384 rsapss sha384 -sigopt rsa_padding_mode:pss \
	-sigopt rsa_pss_saltlen:48 -sigopt rsa_mgf1_md:sha384
dgst_sign rsa4096_pss512 rsa4096 sha512 -sigopt rsa_padding_mode:pss \
	-sigopt rsa_pss_saltlen:64 -sigopt rsa_mgf1_md:sha512
dgst_sign rsa4096_sha256 rsa4096 sha256
dgst_sign ec256_sha256 ec256 sha256
dgst_sign ec384_sha384 ec384 sha384
dgst_sign ec521_sha512 ec521 sha512
run openssl pkeyutl -sign -rawin -inkey ed25519.key -in msg.bin -out ed25519.sig

# RFC 4754 7: ECDSA signature as r || s, each left-padded to the field size.
raw_ecdsa() { # NAME FIELD_OCTETS
	openssl asn1parse -inform DER -in "$1.sig" | awk -F: -v n=$(($2 * 2)) '
		/INTEGER/ { v = $NF; while (length(v) < n) v = "0" v;
			    if (length(v) > n) exit 1; printf "%s", v }
		END { print "" }' >"$1.raw.hex"
}
raw_ecdsa ec256_sha256 32
raw_ecdsa ec384_sha384 48
raw_ecdsa ec521_sha512 66

# Taken last: every certificate made above is valid from before this time.
date +%s >now.txt
rm -f cmd.log ./*.csr
