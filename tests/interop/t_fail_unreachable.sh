#!/bin/bash
# An unreachable gateway ends with exit code 6 and one line on stderr, within --timeout 3
# (plus 4 s of slack): no IKE daemon on the gateway (ICMP port unreachable), a gateway that
# silently drops everything (blackhole route on its side), and a blackhole route to the
# gateway in the client namespace (sendto fails).
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

lab_need_tern
lab_init

timed_connect() {
	local what=$1 t0=$SECONDS
	tern_connect --timeout 3
	tern_expect_failure 6 "$what"
	[ $((SECONDS - t0)) -le 7 ] || lab_fail "$what: tern took $((SECONDS - t0)) s with --timeout 3"
	lab_wait 5 tern_gone || lab_fail "$what: a tern process is left after a failed connect"
}

timed_connect "no IKE daemon on the gateway"

ip -n "$NS_GW" route add blackhole "$CL_ADDR/32" || lab_fail "cannot add a blackhole route"
timed_connect "gateway dropping everything"
ip -n "$NS_GW" route del blackhole "$CL_ADDR/32"

ip -n "$NS_CL" route add blackhole "$GW_ADDR/32" || lab_fail "cannot add a blackhole route"
timed_connect "blackhole route to the gateway"
lab_pass
