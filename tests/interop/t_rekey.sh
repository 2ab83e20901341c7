#!/bin/bash
# The gateway rekeys the CHILD SA (every 5 s) and the IKE SA (every 12 s, with a new key
# exchange) while pings run through the tunnel: tern answers each CREATE_CHILD_SA, moves the
# datapath to the new SAs without losing packets, and answers the Delete of the old ones.
# The gateway's ESP proposal asks for PFS (x25519), so each CHILD rekey carries a key exchange.
# Checked on the gateway (strongSwan's log and swanctl --list-sas: new SPIs, the tunnel stays).
. "$(dirname "$0")/lib.sh"

lab_need_tern
lab_init
gw_config --esp "aes256gcm16-x25519" --conn "rekey_time = 12s" --conn "rand_time = 0" --conn "over_time = 60s" \
	--child "rekey_time = 5s" --child "rand_time = 0" --child "life_time = 60s"
gw_start

tern_connect -v
tern_expect_connected
tern_expect_sa_up
spi1=$(gw_sa_field spi-in)
ike1=$(gw_sa_field responder-spi)

# 25 s of pings, 10 per second: at least three CHILD rekeys and two IKE rekeys happen.
lab_nsexec_cl ping -q -c 250 -i 0.1 -W 1 "$INNER_PROBE" >"$LAB_LOGS/ping.log" 2>&1
loss=$(grep -o '[0-9.]*% packet loss' "$LAB_LOGS/ping.log" | cut -d% -f1)
lab_log "ping: $(grep 'packet loss' "$LAB_LOGS/ping.log")"

gw_log_has 'CHILD_SA net\{[0-9]+\} established' || lab_fail "no CHILD_SA rekey in charon's log"
n_child=$(grep -cE 'rekeying CHILD_SA|CHILD_SA rekeyed|establishing CHILD_SA net\{[0-9]+\}.*reqid' "$GW_LOG")
gw_log_has 'IKE_SA rw\[[0-9]+\] rekeyed between' || lab_fail "the IKE SA was not rekeyed"
gw_log_has 'CREATE_CHILD_SA request [0-9]+ \[ N\(REKEY_SA\) SA No KE' ||
	lab_fail "no CHILD rekey with a key exchange (PFS) in charon's log"
gw_has_sa || lab_fail "the gateway lost the IKE SA during the rekeys"
spi2=$(gw_sa_field spi-in)
ike2=$(gw_sa_field responder-spi)
[ "$spi1" != "$spi2" ] || lab_fail "the CHILD SA's SPI did not change ($spi1)"
[ "$ike1" != "$ike2" ] || lab_fail "the IKE SA's SPI did not change ($ike1)"
# A rekey that loses packets would show here: allow one lost ping for scheduling noise.
[ "${loss%%.*}" -le 1 ] || lab_fail "pings lost across the rekeys: $loss%"
tern_status
grep -q 'state: established' "$TERN_OUT" || lab_fail "tern is not established after rekeys"
lab_log "ok: child rekeys seen $n_child, ike $ike1 -> $ike2, child $spi1 -> $spi2, loss $loss%"
tern_disconnect_check
lab_pass
