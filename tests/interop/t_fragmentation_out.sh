#!/bin/bash
# IKEv2 fragmentation from tern's side (RFC 7383): a CA file with 70 CAs makes tern's CERTREQ
# (a SHA-1 key hash per CA) and so its first IKE_AUTH request larger than a 1280-byte path
# carries; tern sends it as fragments, and the gateway's log shows it reassembled them.
. "$(dirname "$0")/lib.sh"

lab_need_tern
[ -z "${TERN_IS_SW:-}" ] || lab_skip "tern's own fragmentation"
lab_init
lab_set_mtu 1280
gw_config --fragmentation yes
gw_start

cas=$LAB_DIR/many-cas.pem
cp "$(lab_ca ecdsa)" "$cas"
for i in $(seq 1 70); do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=extra CA $i" -keyout /dev/null -out - 2>/dev/null >>"$cas" ||
		lab_fail "cannot make extra CA $i"
done

tern_connect -v --ca "$cas"
tern_expect_connected "tern connect with 71 CAs in its CERTREQ over a 1280-byte path"
tern_expect_sa_up
grep -q 'IKE_AUTH request sent in [0-9]* fragments' "$TERN_ERR" ||
	lab_fail "tern did not say it fragmented its IKE_AUTH request"
gw_log_has 'received fragment #1 of [0-9]+' || lab_fail "the gateway received no fragment from tern"
gw_log_has 'IKE_AUTH request 1 .*CERTREQ' || lab_fail "the gateway did not reassemble tern's IKE_AUTH request"
tern_disconnect_check
lab_pass
