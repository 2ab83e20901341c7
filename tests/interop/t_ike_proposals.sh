#!/bin/bash
# One tern connect per IKE proposal; together they cover every algorithm tern offers:
# AES-GCM-16 (128, 256), ChaCha20-Poly1305, AES-CBC (128, 256) with HMAC-SHA2-256/384/512,
# PRF-HMAC-SHA2-256/384/512, and the groups x25519, ecp256, ecp384, modp2048/3072/4096.
# Expected: the algorithms strongSwan's gateway reports for the IKE_SA (swanctl --list-sas --raw,
# names as strongSwan prints them).
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

CASES=(
	"aes128gcm16-prfsha256-x25519|encr-alg=AES_GCM_16 encr-keysize=128 prf-alg=PRF_HMAC_SHA2_256 dh-group=CURVE_25519"
	"aes256gcm16-prfsha384-ecp256|encr-alg=AES_GCM_16 encr-keysize=256 prf-alg=PRF_HMAC_SHA2_384 dh-group=ECP_256"
	"chacha20poly1305-prfsha512-ecp384|encr-alg=CHACHA20_POLY1305 prf-alg=PRF_HMAC_SHA2_512 dh-group=ECP_384"
	"aes128-sha256-modp2048|encr-alg=AES_CBC encr-keysize=128 integ-alg=HMAC_SHA2_256_128 prf-alg=PRF_HMAC_SHA2_256 dh-group=MODP_2048"
	"aes256-sha384-modp3072|encr-alg=AES_CBC encr-keysize=256 integ-alg=HMAC_SHA2_384_192 prf-alg=PRF_HMAC_SHA2_384 dh-group=MODP_3072"
	"aes256-sha512-modp4096|encr-alg=AES_CBC encr-keysize=256 integ-alg=HMAC_SHA2_512_256 prf-alg=PRF_HMAC_SHA2_512 dh-group=MODP_4096"
	"chacha20poly1305-prfsha256-x25519|encr-alg=CHACHA20_POLY1305 prf-alg=PRF_HMAC_SHA2_256 dh-group=CURVE_25519"
	"aes256gcm16-prfsha512-modp2048|encr-alg=AES_GCM_16 encr-keysize=256 prf-alg=PRF_HMAC_SHA2_512 dh-group=MODP_2048"
)

lab_need_tern
lab_init
all=""
for c in "${CASES[@]}"; do all="$all${all:+, }${c%%|*}"; done
gw_config --ike "$all"
gw_start

for c in "${CASES[@]}"; do
	prop=${c%%|*}
	tern_connect -v --ike "$prop"
	tern_expect_connected "tern connect --ike $prop"
	tern_expect_sa_up
	raw=$(gw_list_sas_raw | head -n 1)
	ike=${raw%%child-sas*}
	for kv in ${c#*|}; do
		case " $ike " in
		*" $kv "*) ;;
		*) lab_fail "--ike $prop: the gateway's IKE_SA lacks $kv: $ike" ;;
		esac
	done
	lab_log "ok: $prop"
	tern_disconnect_check
done
lab_pass
