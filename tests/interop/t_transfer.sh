#!/bin/bash
# Bulk data through tern's datapath, once with an AES-GCM-256 CHILD SA and once with
# ChaCha20-Poly1305: 200 MB over TCP from the client to a listener behind the gateway
# (203.0.113.254), whose SHA-256 must match at both ends (sha256sum on each side), and a
# download the other way. Meanwhile tcpdump on the client's underlay link must see IP traffic
# to the gateway only as UDP port 4500: no inner packet in the clear. After disconnect the
# policy rules, table 29797, the virtual IP and the TUN device are gone.
. "$(dirname "$0")/lib.sh"

MB=${TRANSFER_MB:-200}
PORT=5001

lab_need_tern
[ -z "${TERN_IS_SW:-}" ] || lab_skip "tern's datapath"
command -v socat >/dev/null || lab_fail "socat is not installed (scripts/test.sh installs it)"
lab_init
gw_config --esp "aes256gcm16, chacha20poly1305"
gw_start
head -c "${MB}M" /dev/urandom >"$LAB_DIR/data" || lab_fail "cannot make test data"
want=$(sha256sum <"$LAB_DIR/data" | cut -d' ' -f1)

for esp in aes256gcm16 chacha20poly1305; do
	tern_connect -v --esp "$esp"
	tern_expect_connected "tern connect --esp $esp"
	tern_expect_sa_up
	cap=$LAB_LOGS/underlay-$esp.pcap
	lab_nsexec_cl tcpdump -i cl0 -n -s 96 -w "$cap" ip >/dev/null 2>&1 &
	dump=$!
	sleep 0.5

	# Upload: the gateway side hashes what arrives.
	lab_nsexec_gw sh -c "socat -u TCP-LISTEN:$PORT,bind=$INNER_PROBE,reuseaddr - | sha256sum >'$LAB_DIR/got-up'" &
	srv=$!
	sleep 0.3
	t0=$(date +%s%N)
	lab_nsexec_cl socat -u "FILE:$LAB_DIR/data" "TCP:$INNER_PROBE:$PORT,connect-timeout=5" ||
		lab_fail "$esp: upload through the tunnel failed"
	wait "$srv"
	t1=$(date +%s%N)
	got=$(cut -d' ' -f1 <"$LAB_DIR/got-up")
	[ "$got" = "$want" ] || lab_fail "$esp: upload SHA-256 differs: sent $want, received $got"

	# Download: the gateway side sends the same file, the client hashes it.
	lab_nsexec_gw socat -u "FILE:$LAB_DIR/data" "TCP-LISTEN:$PORT,bind=$INNER_PROBE,reuseaddr" &
	srv=$!
	sleep 0.3
	got=$(lab_nsexec_cl socat -u "TCP:$INNER_PROBE:$PORT,connect-timeout=5" - | sha256sum | cut -d' ' -f1)
	wait "$srv"
	[ "$got" = "$want" ] || lab_fail "$esp: download SHA-256 differs: sent $want, received $got"

	sleep 0.3
	kill "$dump" 2>/dev/null
	wait "$dump" 2>/dev/null
	total=$(tcpdump -n -r "$cap" "host $GW_ADDR" 2>/dev/null | wc -l)
	clear=$(tcpdump -n -r "$cap" "host $GW_ADDR and not udp port 4500" 2>/dev/null | wc -l)
	[ "$total" -gt 1000 ] || lab_fail "$esp: the capture saw only $total packets"
	[ "$clear" = 0 ] || lab_fail "$esp: $clear packets to the gateway outside UDP 4500: $(tcpdump -n -r "$cap" "host $GW_ADDR and not udp port 4500" 2>/dev/null | head -n 3)"
	inner=$(tcpdump -n -r "$cap" "host $INNER_PROBE" 2>/dev/null | wc -l)
	[ "$inner" = 0 ] || lab_fail "$esp: $inner inner packets ($INNER_PROBE) in the clear on the underlay"
	lab_log "ok: $esp: $MB MB up and down, SHA-256 $want, upload $(((MB * 8000) / (((t1 - t0) / 1000000) + 1))) Mbit/s, $total packets on the underlay, all UDP 4500"

	tern_disconnect_check
	ip -n "$NS_CL" link show tern0 >/dev/null 2>&1 && lab_fail "$esp: tern0 is still there"
	ip -n "$NS_CL" rule | grep -c 'lookup 29797' >/dev/null && lab_fail "$esp: tern's policy rules are left"
	[ -z "$(ip -n "$NS_CL" route show table 29797 2>/dev/null)" ] || lab_fail "$esp: routes left in table 29797"
	ip -n "$NS_CL" addr | grep -c ' 203\.0\.113\.' >/dev/null && lab_fail "$esp: the virtual IP is left"
done
lab_pass
