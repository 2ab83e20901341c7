#!/bin/bash
# No common proposal ends with exit code 5 and one line on stderr: for the IKE_SA (the
# gateway answers IKE_SA_INIT with NO_PROPOSAL_CHOSEN) and for the CHILD_SA (IKE_AUTH succeeds,
# the gateway refuses the ESP proposal).
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

lab_need_tern
lab_init
gw_config --ike "aes256gcm16-prfsha256-x25519" --esp "aes256gcm16"
gw_start

tern_connect --ike "aes128-sha256-modp2048"
tern_expect_failure 5 "no common IKE proposal"
gw_log_has 'N\(NO_PROP\)' || lab_fail "the gateway did not answer NO_PROPOSAL_CHOSEN"
lab_wait 5 tern_gone || lab_fail "a tern process is left after a failed connect"

tern_connect --esp "chacha20poly1305"
tern_expect_failure 5 "no common ESP proposal"
lab_wait 5 tern_gone || lab_fail "a tern process is left after a failed connect"
lab_wait 5 gw_has_no_sa || lab_fail "the gateway keeps an IKE_SA after the CHILD_SA failed"
lab_pass
