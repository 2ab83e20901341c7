#!/bin/bash
# Gateway certificates: ECDSA P-256, RSA-2048, and an RSA-4096 root -> intermediate -> server
# chain (tern trusts only the root). All made with strongSwan's pki.
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

lab_need_tern
lab_init
for set in ecdsa rsa chain; do
	gw_stop
	gw_config --cert "$set"
	gw_start
	tern_connect -v --ca "$(lab_ca "$set")"
	tern_expect_connected "tern connect to a gateway with the $set certificate"
	tern_expect_sa_up
	tern_disconnect_check
	lab_log "ok: $set"
done
lab_pass
