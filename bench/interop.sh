#!/bin/bash
# Throughput and latency through the tunnel to a strongSwan gateway (kernel-libipsec, in a
# network namespace), for strongSwan's own client and, when given, for tern.
#
#   bench/interop.sh [TERN_BINARY]        (or TERN=... bench/interop.sh)
#
# Each client connects (time to connect measured), then: ping RTT to 203.0.113.254 through the
# tunnel (BENCH_PINGS pings, 20), iperf3 TCP client -> gateway and back (BENCH_SECONDS, 10 s,
# each way). One
# table row per client. Environment: BENCH_IKE, BENCH_ESP (proposals for both clients and the
# gateway; default aes256gcm16-prfsha256-x25519 / aes256gcm16), BENCH_BASELINE=1 adds a row
# for the bare veth path (no tunnel). Needs root, strongSwan, iperf3 (scripts/test.sh installs
# them).
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TERN=${1:-${TERN:-}}
[ -n "$TERN" ] && TERN=$(cd "$(dirname "$TERN")" && pwd)/$(basename "$TERN")
export TERN
# shellcheck source=tests/interop/lib.sh
. "$HERE/../tests/interop/lib.sh"

SECS=${BENCH_SECONDS:-10}
PINGS=${BENCH_PINGS:-20}
IKE=${BENCH_IKE:-aes256gcm16-prfsha256-x25519}
ESP=${BENCH_ESP:-aes256gcm16}

command -v iperf3 >/dev/null || lab_skip "iperf3 is not installed"
[ -z "$TERN" ] || [ -x "$TERN" ] || lab_fail "not an executable: $TERN"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ping_avg DEST: average RTT in ms of PINGS pings, or "-".
ping_avg() {
	lab_nsexec_cl ping -c "$PINGS" -i 0.05 -W 2 "$1" 2>/dev/null |
		sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p' | grep . || echo -
}

# tcp_mbit DEST [-R]: iperf3 TCP throughput (receiver side) in Mbit/s, or "-"; -R: from the
# gateway's side to the client (download).
tcp_mbit() {
	lab_nsexec_cl iperf3 -c "$1" -t "$SECS" -f m ${2:-} 2>&1 | tee -a "$LAB_LOGS/iperf3.log" |
		awk '/receiver/ { v = $(NF - 2) } END { if (v != "") print v; else print "-" }'
}

ROWS=()
row() { ROWS+=("$(printf '%-22s %12s %11s %11s %12s' "$1" "$2" "$3" "$4" "$5")"); }

# measure NAME CONNECT_MS: ping and iperf3 through the tunnel that is up now.
measure() {
	local rtt up down
	rtt=$(ping_avg "$INNER_PROBE")
	up=$(tcp_mbit "$INNER_PROBE")
	down=$(tcp_mbit "$INNER_PROBE" -R)
	row "$1" "$2" "$up" "$down" "$rtt"
}

bench_strongswan() {
	local t0 t1
	cl_config --ike "$IKE" --esp "$ESP"
	cl_start
	t0=$(now_ms)
	cl_initiate || lab_fail "the strongSwan client could not connect (see $LAB_LOGS)"
	t1=$(now_ms)
	measure "strongSwan (libipsec)" "$((t1 - t0))"
	cl_swanctl --terminate --ike home --timeout 5 >/dev/null 2>&1
	cl_stop
	lab_wait 5 gw_has_no_sa || lab_fail "the gateway kept the strongSwan client's SA"
}

# The tern row: the same measurements through tern's tunnel.
bench_tern() {
	local t0 t1
	t0=$(now_ms)
	tern_connect --ike "$IKE" --esp "$ESP" --ca "$(lab_ca ecdsa)"
	t1=$(now_ms)
	[ "$TERN_RC" = 0 ] || lab_fail "tern connect returned $TERN_RC: $(tail -n 1 "$TERN_ERR")"
	measure "tern" "$((t1 - t0))"
	tern_disconnect
}

bench_baseline() {
	local rtt mbit
	rtt=$(ping_avg "$GW_ADDR")
	mbit=$(tcp_mbit "$GW_ADDR")
	row "veth (no tunnel)" "-" "$mbit" "$(tcp_mbit "$GW_ADDR" -R)" "$rtt"
}

lab_init
gw_config --ike "$IKE" --esp "$ESP"
gw_start
lab_nsexec_gw iperf3 -s >"$LAB_LOGS/iperf3-server.log" 2>&1 &
lab_wait 5 lab_nsexec_gw sh -c 'ss -ltn | grep -q ":5201 "' || lab_fail "iperf3 server did not start"

[ "${BENCH_BASELINE:-0}" = 1 ] && bench_baseline
bench_strongswan
[ -n "$TERN" ] && bench_tern

echo "IKE $IKE, ESP $ESP; TCP ${SECS}s each way (up: client -> gateway); ping avg of $PINGS"
printf '%-22s %12s %11s %11s %12s\n' "client" "connect_ms" "up_Mbit/s" "down_Mbit/s" "ping_avg_ms"
printf '%s\n' "${ROWS[@]}"
LAB_KEEP=0
exit 0
