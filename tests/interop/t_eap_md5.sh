#!/bin/bash
# EAP-MD5 (RFC 3748 5.4) instead of EAP-MSCHAPv2: the gateway asks for it, tern --eap md5
# answers, strongSwan reports the method succeeded.
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

lab_need_tern
lab_init
gw_config --eap md5
gw_start
tern_connect -v --eap md5
tern_expect_connected "tern connect --eap md5"
tern_expect_sa_up
gw_log_has 'EAP method EAP_MD5 succeeded' || lab_fail "the gateway's log shows no EAP-MD5 success"
tern_disconnect_check
lab_pass
