#!/bin/bash
# tern's exits other than `tern disconnect`:
#   - SIGTERM and SIGINT: tern deletes the IKE SA on the gateway and removes its TUN device,
#     rules, routes and resolv.conf change before it exits;
#   - SIGKILL (a crash): the rules and resolv.conf change stay behind; the next tern connect
#     removes them first, connects, and on disconnect everything is as before the crash.
. "$(dirname "$0")/lib.sh"

lab_need_tern
[ -z "${TERN_IS_SW:-}" ] || lab_skip "tern's own clean-up"
lab_init
gw_start
ns_before=$(lab_nsexec_cl cat /etc/resolv.conf)

clean() { # WHAT
	ip -n "$NS_CL" link show tern0 >/dev/null 2>&1 && lab_fail "$1: tern0 is still there"
	ip -n "$NS_CL" rule | grep -c 'lookup 29797' >/dev/null && lab_fail "$1: tern's rules are left"
	ip -n "$NS_CL" -6 rule | grep -c 'lookup 29797' >/dev/null && lab_fail "$1: tern's IPv6 rules are left"
	[ -z "$(ip -n "$NS_CL" route show table 29797 2>/dev/null)" ] || lab_fail "$1: routes left in table 29797"
	[ "$(lab_nsexec_cl cat /etc/resolv.conf)" = "$ns_before" ] || lab_fail "$1: resolv.conf not restored"
	return 0
}

for sig in TERM INT; do
	tern_connect -v
	tern_expect_connected "tern connect (before SIG$sig)"
	tern_expect_sa_up
	kill -"$sig" "$(tern_pids | head -n 1)"
	lab_wait 10 tern_gone || lab_fail "tern still runs 10 s after SIG$sig"
	lab_wait 5 gw_has_no_sa || lab_fail "the gateway still has the SA after SIG$sig (no Delete?)"
	clean "after SIG$sig"
done

tern_connect -v
tern_expect_connected "tern connect (before SIGKILL)"
tern_expect_sa_up
kill -KILL "$(tern_pids | head -n 1)"
lab_wait 5 tern_gone || lab_fail "tern survived SIGKILL"
ip -n "$NS_CL" rule | grep -c 'lookup 29797' >/dev/null || lab_fail "expected leftover rules after SIGKILL (test premise)"
[ "$(lab_nsexec_cl cat /etc/resolv.conf)" != "$ns_before" ] || lab_fail "expected a leftover resolv.conf (test premise)"

tern_connect -v
tern_expect_connected "tern connect after a crash"
tern_expect_sa_up
[ "$(ip -n "$NS_CL" rule | grep -c 'lookup 29797')" = 1 ] || lab_fail "rules doubled after the crash: $(ip -n "$NS_CL" rule)"
lab_nsexec_cl ping -c 2 -i 0.2 -W 2 "$INNER_PROBE" >/dev/null 2>&1 || lab_fail "no ping after reconnecting"
tern_disconnect_check
clean "after the crash and a new session"
lab_pass
