#!/bin/bash
# INVALID_KE_PAYLOAD (RFC 7296 1.2): tern sends a x25519 key share first; the gateway accepts
# only ecp256, answers INVALID_KE_PAYLOAD, and tern retries with ecp256.
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

lab_need_tern
lab_init
gw_config --ike "aes256gcm16-prfsha256-ecp256"
gw_start
tern_connect -v --ike "aes256gcm16-prfsha256-x25519-ecp256"
tern_expect_connected "tern connect --ike aes256gcm16-prfsha256-x25519-ecp256"
tern_expect_sa_up
gw_log_has 'generating IKE_SA_INIT response 0 \[ N\(INVAL_KE\) \]' ||
	lab_fail "the gateway never sent INVALID_KE_PAYLOAD (did tern offer x25519 first?)"
[ "$(gw_sa_field dh-group)" = ECP_256 ] || lab_fail "the IKE_SA does not use ECP_256"
tern_disconnect_check
lab_pass
