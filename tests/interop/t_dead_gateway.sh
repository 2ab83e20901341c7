#!/bin/bash
# The gateway dies without a word (charon killed; its SAs vanish): tern's liveness check
# (--dpd 2) goes unanswered, tern gives up after --timeout 4, and removes everything it set
# up: the TUN device, the policy rules and routes, the resolv.conf change.
. "$(dirname "$0")/lib.sh"

lab_need_tern
[ -z "${TERN_IS_SW:-}" ] || lab_skip "tern's own liveness options"
lab_init
gw_start
ns_before=$(lab_nsexec_cl cat /etc/resolv.conf)

tern_connect -v --dpd 2 --timeout 4 --log-file "$LAB_LOGS/tern-daemon.log"
tern_expect_connected
tern_expect_sa_up
ip -n "$NS_CL" link show tern0 >/dev/null 2>&1 || lab_fail "no tern0 while connected"
[ -n "$(ip -n "$NS_CL" rule | grep 'lookup 29797')" ] || lab_fail "no policy rule while connected"

kill -KILL "$GW_PID"
lab_wait 5 lab_pid_gone "$GW_PID" || lab_fail "charon did not die"
# Liveness check after 2 s idle, then 4 s of retransmissions: gone well within 15 s.
lab_wait 15 tern_gone || lab_fail "tern still runs 15 s after the gateway died"
grep -q 'stopped answering' "$LAB_LOGS/tern-daemon.log" ||
	lab_fail "tern's log does not say the gateway stopped answering: $(tail -n 2 "$LAB_LOGS/tern-daemon.log")"
ip -n "$NS_CL" link show tern0 >/dev/null 2>&1 && lab_fail "tern0 is still there"
ip -n "$NS_CL" rule | grep -c 'lookup 29797' >/dev/null && lab_fail "tern's policy rule is still there"
[ -z "$(ip -n "$NS_CL" route show table 29797 2>/dev/null)" ] || lab_fail "routes left in table 29797"
[ "$(lab_nsexec_cl cat /etc/resolv.conf)" = "$ns_before" ] || lab_fail "resolv.conf not restored"
lab_pass
