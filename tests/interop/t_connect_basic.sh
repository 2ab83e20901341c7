#!/bin/bash
# Connect with the defaults (ECDSA gateway cert, EAP-MSCHAPv2, tern's default proposals): the
# gateway (strongSwan, checked with swanctl --list-sas) shows carol's IKE_SA with a virtual IP
# from the pool; tern status answers; tern disconnect removes the SA and ends tern. Then again
# by name (vpn.example.test via the namespace's /etc/hosts), with --server-id and the password
# on standard input.
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

lab_need_tern
lab_init
gw_config
gw_start

tern_connect -v
tern_expect_connected
tern_expect_sa_up
[ -n "$(tern_pids)" ] || lab_fail "tern connect returned 0 but no tern process runs"
tern_status
[ "$TERN_RC" = 0 ] || lab_fail "tern status returned $TERN_RC while connected"
tern_status --json
[ "$TERN_RC" = 0 ] || lab_fail "tern status --json returned $TERN_RC while connected"
grep -q '203\.0\.113\.' "$TERN_OUT" || lab_fail "tern status --json does not show the virtual IP"
tern_disconnect_check

TERN_STDIN=$LAB_DIR/password tern_connect -v --server "$SERVER_ID" --server-id "$SERVER_ID" \
	--password-stdin
tern_expect_connected "tern connect --server $SERVER_ID --password-stdin"
tern_expect_sa_up
tern_disconnect_check
lab_pass
