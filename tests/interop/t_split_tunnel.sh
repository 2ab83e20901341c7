#!/bin/bash
# A gateway that protects only 203.0.113.0/24 (local_ts) narrows the traffic selectors: tern
# routes just that prefix through its TUN device; everything else keeps the ordinary routes
# (here 198.51.100.0/24 behind the gateway's second link stays outside the tunnel), and
# traffic to the protected prefix still flows.
. "$(dirname "$0")/lib.sh"

lab_need_tern
[ -z "${TERN_IS_SW:-}" ] || lab_skip "tern's routing"
lab_init
lab_add_path2
gw_config --local-ts 203.0.113.0/24
gw_start

tern_connect -v
tern_expect_connected
tern_expect_sa_up
grep -q 'local-ts=\[203.0.113.0/24\]' <<<"$(gw_list_sas_raw)" || lab_fail "the gateway's CHILD SA is not narrowed: $(gw_list_sas_raw | head -c 300)"
table=$(ip -n "$NS_CL" -4 route show table 29797)
grep -q '^203\.0\.113\.0/24 dev tern0' <<<"$table" || lab_fail "no route for 203.0.113.0/24 via tern0 in table 29797: $table"
grep -q '^default' <<<"$table" && lab_fail "a split tunnel must not carry the default route: $table"
dev=$(ip -n "$NS_CL" route get "$INNER_PROBE" | sed -n 's/.* dev \([^ ]*\).*/\1/p')
[ "$dev" = tern0 ] || lab_fail "$INNER_PROBE goes through '$dev', not tern0"
dev=$(ip -n "$NS_CL" route get "$GW_ADDR2" | sed -n 's/.* dev \([^ ]*\).*/\1/p')
[ "$dev" = cl1 ] || lab_fail "$GW_ADDR2 goes through '$dev', not cl1 (outside the tunnel)"
lab_nsexec_cl ping -c 3 -i 0.2 -W 2 "$INNER_PROBE" >/dev/null 2>&1 || lab_fail "no ping through the split tunnel"
lab_nsexec_cl ping -c 2 -i 0.2 -W 2 "$GW_ADDR2" >/dev/null 2>&1 || lab_fail "no ping to $GW_ADDR2 outside the tunnel"
tern_disconnect_check
lab_pass
