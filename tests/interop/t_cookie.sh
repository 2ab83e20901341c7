#!/bin/bash
# COOKIE (RFC 7296 2.6): with charon.cookie_threshold = 1 and one half-open IKE_SA on the
# gateway (a raw IKE_SA_INIT that is never continued), the gateway answers tern's IKE_SA_INIT
# with a COOKIE notify; tern must repeat its request with the cookie and connect.
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

lab_need_tern
lab_init
gw_config --opt 'cookie_threshold = 1'
gw_start
lab_send_half_open
lab_wait 5 gw_log_has 'generating IKE_SA_INIT response 0 \[ SA KE No' ||
	lab_fail "the gateway did not answer the half-open IKE_SA_INIT"
tern_connect -v
tern_expect_connected "tern connect (gateway demanding a cookie)"
tern_expect_sa_up
gw_log_has 'sending COOKIE notify' || lab_fail "the gateway's log shows no COOKIE sent"
gw_log_has 'parsed IKE_SA_INIT request 0 \[ N\(COOKIE\)' ||
	lab_fail "tern's repeated IKE_SA_INIT does not start with the COOKIE notify"
tern_disconnect_check
lab_pass
