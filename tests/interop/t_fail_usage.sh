#!/bin/bash
# Usage and configuration errors end with exit code 2 and one line on stderr, before any
# packet is sent.
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

lab_need_tern
lab_init

tern_prepare
tern_run frobnicate
tern_expect_failure 2 "unknown command"
tern_run connect --user carol --password-file "$TERN_PWFILE"
tern_expect_failure 2 "connect without --server"
tern_run connect --server "$GW_ADDR" --password-file "$TERN_PWFILE"
tern_expect_failure 2 "connect without --user"
tern_connect --frobnicate
tern_expect_failure 2 "unknown option"
tern_connect --password-file "$LAB_DIR/no-such-file"
tern_expect_failure 2 "missing password file"
tern_connect --ike "aes999-sha7-modp1"
tern_expect_failure 2 "unknown IKE algorithm"
tern_connect --esp "rot13"
tern_expect_failure 2 "unknown ESP algorithm"
tern_connect --eap pap
tern_expect_failure 2 "unknown EAP method"
tern_connect --timeout soon
tern_expect_failure 2 "non-numeric --timeout"
tern_connect --ca "$LAB_DIR/no-such-ca.pem"
tern_expect_failure 2 "missing CA file"
[ -z "$(tern_pids)" ] || lab_fail "a tern process is left after usage errors"
lab_pass
