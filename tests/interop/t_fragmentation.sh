#!/bin/bash
# IKEv2 fragmentation (RFC 7383): a 1280-byte MTU path and a gateway that sends an RSA-4096
# server cert plus its RSA-4096 intermediate in IKE_AUTH: the message does not fit, the
# gateway's log shows it split into fragments, and tern reassembles them and connects.
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

lab_need_tern
lab_init
lab_set_mtu 1280
gw_config --cert chain --fragmentation yes
gw_start
tern_connect -v --ca "$(lab_ca chain)"
tern_expect_connected "tern connect over a 1280-byte path with an RSA-4096 chain"
tern_expect_sa_up
gw_log_has 'sending issuer cert' || lab_fail "the gateway did not send the intermediate cert"
gw_log_has 'splitting IKE message .* into [0-9]+ fragments' ||
	lab_fail "the gateway's log shows no fragmented IKE message (did tern send FRAGMENTATION_SUPPORTED?)"
tern_disconnect_check
lab_pass
