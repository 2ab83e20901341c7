#!/bin/bash
# The lab itself: a strongSwan client (kernel-libipsec, EAP-MSCHAPv2 as carol) connects to the
# strongSwan gateway and pings 203.0.113.254 (the gateway's lo) through the tunnel. Needs no
# tern: when this fails, every other interop result is meaningless.
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

lab_init
gw_config
gw_start
cl_config
cl_start
cl_initiate || lab_fail "strongSwan client could not connect: $(tail -n 1 "$LAB_LOGS/swanctl-cl-initiate.log")"
tern_expect_sa_up
lab_nsexec_cl ping -c 3 -i 0.2 -W 2 "$INNER_PROBE" >"$LAB_LOGS/ping.log" 2>&1 ||
	lab_fail "no ping reply from $INNER_PROBE through the strongSwan tunnel"
lab_pass
