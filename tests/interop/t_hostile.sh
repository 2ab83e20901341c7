#!/bin/bash
# Attacks on a connected tern while it carries an iperf3 TCP stream (hostile.py sends from the
# gateway's namespace, as if from the gateway's port 4500):
#   - 100,000 random and malformed datagrams (IKE with lying lengths, unknown SPIs, wrong
#     message IDs, garbage SK; truncated ESP, unknown SPIs, ESP with a bad ICV);
#   - ESP captured on the way in, replayed: every one counted as a replay;
#   - forged INFORMATIONAL Delete and UPDATE_SA_ADDRESSES requests without a valid ICV;
#   - 5,000 IKE fragments of messages that never complete (peak RSS must stay put).
# Afterwards tern runs, the same IKE SA is up on both sides, iperf3 finished, ping works, and
# tern status counts the drops.
. "$(dirname "$0")/lib.sh"

HOSTILE=$(dirname "$0")/hostile.py

lab_need_tern
[ -z "${TERN_IS_SW:-}" ] || lab_skip "tern's drop counters"
command -v python3 >/dev/null || lab_fail "python3 is not installed"
lab_init
gw_start
lab_nsexec_gw iperf3 -s -B "$INNER_PROBE" -D >/dev/null 2>&1 || lab_fail "cannot start iperf3 -s"

tern_connect -v
tern_expect_connected
tern_expect_sa_up
pid=$(tern_pids | head -n 1)
port=$(gw_sa_field remote-port)
ike_i=$(gw_sa_field initiator-spi)
ike_r=$(gw_sa_field responder-spi)
esp=$(gw_sa_field spi-out)
[ -n "$pid" ] && [ -n "$port" ] && [ -n "$esp" ] || lab_fail "cannot read tern's pid, port or SPI"

# ESP on its way to tern, to replay later.
cap=$LAB_LOGS/esp-in.pcap
lab_nsexec_cl tcpdump -i cl0 -n -U -w "$cap" -c 300 "udp and src host $GW_ADDR and src port 4500 and greater 100" >/dev/null 2>&1 &
dump=$!
sleep 0.5
lab_nsexec_cl ping -q -c 100 -i 0.01 -s 200 "$INNER_PROBE" >/dev/null 2>&1
lab_wait 5 lab_pid_gone "$dump" || kill "$dump" 2>/dev/null

lab_nsexec_cl iperf3 -c "$INNER_PROBE" -t 12 -f m >"$LAB_LOGS/iperf3.log" 2>&1 &
iperf=$!
sleep 1
lab_nsexec_gw python3 "$HOSTILE" flood "$CL_ADDR" "$port" 100000 --ike-spis "$ike_i" "$ike_r" \
	--esp-spi "$esp" >>"$LAB_LOGS/hostile.log" 2>&1 || lab_fail "hostile.py flood failed"
replayed=$(lab_nsexec_gw python3 "$HOSTILE" replay "$cap" "$CL_ADDR" "$port" | sed -n 's/replayed \([0-9]*\).*/\1/p')
[ "${replayed:-0}" -ge 50 ] || lab_fail "captured only ${replayed:-0} ESP packets to replay"
for kind in delete update; do
	lab_nsexec_gw python3 "$HOSTILE" forge "$CL_ADDR" "$port" --ike-spis "$ike_i" "$ike_r" \
		--kind "$kind" --count 64 >>"$LAB_LOGS/hostile.log" 2>&1 || lab_fail "forge $kind failed"
done
rss_before=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
lab_nsexec_gw python3 "$HOSTILE" forge "$CL_ADDR" "$port" --ike-spis "$ike_i" "$ike_r" \
	--kind fragments --count 5000 >>"$LAB_LOGS/hostile.log" 2>&1 || lab_fail "forge fragments failed"
sleep 0.5
rss_after=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
wait "$iperf" || lab_fail "iperf3 through the tunnel failed during the attacks: $(tail -n 3 "$LAB_LOGS/iperf3.log")"
mbit=$(sed -n 's/.* \([0-9.]*\) Mbits\/sec.*receiver/\1/p' "$LAB_LOGS/iperf3.log")

kill -0 "$pid" 2>/dev/null || lab_fail "tern died"
# Under AddressSanitizer freed memory sits in quarantine, so RSS says nothing there.
[ -n "${TERN_SANITIZED:-}" ] || [ $((rss_after - rss_before)) -lt 2048 ] ||
	lab_fail "tern's peak RSS grew from $rss_before to $rss_after KiB during the fragment flood"
gw_has_sa || lab_fail "the gateway lost the SA"
[ "$(gw_sa_field responder-spi)" = "$ike_r" ] || lab_fail "the IKE SA changed"
lab_nsexec_cl ping -c 3 -i 0.2 -W 2 "$INNER_PROBE" >/dev/null 2>&1 || lab_fail "no ping through the tunnel afterwards"
tern_status --json
json=$(cat "$TERN_OUT")
num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$json"; }
[ "$(sed -n 's/.*"state":"\([^"]*\)".*/\1/p' <<<"$json")" = established ] || lab_fail "tern is not established: $json"
[ "$(num replay)" -ge "$replayed" ] || lab_fail "replays counted $(num replay), replayed $replayed"
[ "$(num icv)" -gt 0 ] || lab_fail "no ICV failures counted"
[ "$(num unknown_spi)" -gt 0 ] || lab_fail "no unknown SPIs counted"
[ "$(num malformed)" -gt 0 ] || lab_fail "no malformed ESP counted"
ike_dropped=$(sed -n 's/.*"ike_messages":{[^}]*"dropped":\([0-9]*\).*/\1/p' <<<"$json")
[ "${ike_dropped:-0}" -gt 10000 ] || lab_fail "only ${ike_dropped:-0} IKE datagrams counted as dropped"
lab_log "ok: iperf3 $mbit Mbit/s under attack; replays $(num replay)/$replayed, icv $(num icv), unknown spi $(num unknown_spi), malformed $(num malformed), ike dropped $ike_dropped; peak RSS $rss_before -> $rss_after KiB"
tern_disconnect_check
lab_pass
