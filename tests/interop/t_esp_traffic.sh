#!/bin/bash
# One tern connect per ESP proposal (aes128gcm16, aes256gcm16, chacha20poly1305): the gateway's
# CHILD_SA uses it, and ping reaches 203.0.113.254 (the gateway's lo) through the tunnel, which
# the gateway's counters confirm. Expected names are strongSwan's (swanctl --list-sas --raw).
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

CASES=(
	"aes128gcm16|encr-alg=AES_GCM_16 encr-keysize=128"
	"aes256gcm16|encr-alg=AES_GCM_16 encr-keysize=256"
	"chacha20poly1305|encr-alg=CHACHA20_POLY1305"
)

lab_need_tern
lab_init
gw_config --esp "aes128gcm16, aes256gcm16, chacha20poly1305"
gw_start

for c in "${CASES[@]}"; do
	prop=${c%%|*}
	tern_connect -v --esp "$prop"
	tern_expect_connected "tern connect --esp $prop"
	tern_expect_sa_up
	raw=$(gw_list_sas_raw | head -n 1)
	child=${raw#*child-sas}
	for kv in ${c#*|}; do
		case " $child " in
		*" $kv "*) ;;
		*) lab_fail "--esp $prop: the gateway's CHILD_SA lacks $kv: $child" ;;
		esac
	done
	lab_nsexec_cl ping -c 3 -i 0.2 -W 2 "$INNER_PROBE" >>"$LAB_LOGS/ping.log" 2>&1 ||
		lab_fail "--esp $prop: no ping reply from $INNER_PROBE through tern's tunnel"
	in=$(gw_sa_field packets-in)
	[ "${in:-0}" -ge 3 ] || lab_fail "--esp $prop: the gateway counted ${in:-0} ESP packets in"
	lab_log "ok: $prop"
	tern_disconnect_check
done
lab_pass
