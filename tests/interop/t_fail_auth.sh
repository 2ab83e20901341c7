#!/bin/bash
# Authentication failures end with exit code 3 and one line on stderr: a wrong password, and
# a user the gateway does not know. The gateway keeps no SA and no tern process is left.
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

lab_need_tern
lab_init
gw_config
gw_start

printf 'not-carols-password\n' >"$LAB_DIR/wrong"
chmod 600 "$LAB_DIR/wrong"
tern_connect --password-file "$LAB_DIR/wrong"
tern_expect_failure 3 "wrong password"
gw_log_has 'EAP_MSCHAPV2' || lab_fail "the gateway never ran EAP-MSCHAPv2"
lab_wait 5 tern_gone || lab_fail "a tern process is left after a failed connect"
gw_has_no_sa || lab_fail "the gateway keeps an IKE_SA after a failed authentication"

tern_connect --user mallory
tern_expect_failure 3 "unknown user"
lab_wait 5 tern_gone || lab_fail "a tern process is left after a failed connect"
lab_pass
