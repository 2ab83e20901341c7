#!/bin/bash
# Gateways tern must not trust end with exit code 4 and one line on stderr: a certificate from
# another CA, an expired certificate (valid only in 2020, from the trusted CA), and a gateway
# whose certificate does not name the identity given with --server-id.
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

lab_need_tern
lab_init

gw_config --cert other
gw_start
tern_connect
tern_expect_failure 4 "gateway cert from another CA"
lab_wait 5 tern_gone || lab_fail "a tern process is left after a failed connect"

tern_connect --ca "$(lab_ca rsa)"
tern_expect_failure 4 "--ca naming a CA that did not sign the gateway's cert"

gw_stop
gw_config --cert expired
gw_start
tern_connect
tern_expect_failure 4 "expired gateway cert"

gw_stop
gw_config --cert ecdsa
gw_start
tern_connect --server-id other.example.test
tern_expect_failure 4 "--server-id other.example.test (cert names vpn.example.test)"
lab_wait 5 tern_gone || lab_fail "a tern process is left after a failed connect"
lab_pass
