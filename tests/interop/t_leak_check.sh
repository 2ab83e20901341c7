#!/bin/bash
# A whole session under valgrind's memcheck: connect (in the foreground), traffic, a CHILD
# rekey, disconnect. Memcheck must report no errors and no definitely or indirectly lost
# memory, and tern must exit 0.
. "$(dirname "$0")/lib.sh"

lab_need_tern
[ -z "${TERN_IS_SW:-}" ] || lab_skip "tern itself runs under valgrind"
[ -z "${TERN_SANITIZED:-}" ] || lab_skip "a sanitizer build has its own leak checker (LeakSanitizer)"
command -v valgrind >/dev/null || lab_fail "valgrind is not installed (scripts/test.sh installs it)"
lab_init
gw_config --child "rekey_time = 8s" --child "rand_time = 0" --child "life_time = 60s"
gw_start
tern_prepare

vlog=$LAB_LOGS/valgrind.log
lab_nsexec_cl valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file="$vlog" \
	"$TERN" connect --foreground --server "$GW_ADDR" --user "$EAP_USER" \
	--password-file "$TERN_PWFILE" --ca "$(lab_ca ecdsa)" --socket "$TERN_SOCK" --timeout 60 \
	>"$LAB_LOGS/tern-valgrind.out" 2>&1 &
vg=$!
lab_wait 60 gw_has_sa || lab_fail "no SA on the gateway with tern under valgrind: $(tail -n 2 "$LAB_LOGS/tern-valgrind.out")"
lab_wait 30 test -S "$TERN_SOCK" || lab_fail "no control socket"
# Under valgrind the tunnel comes up some time after the gateway's SA.
lab_wait 30 lab_nsexec_cl ping -c 1 -W 1 "$INNER_PROBE" >/dev/null 2>&1 || lab_fail "no ping through the tunnel"
lab_nsexec_cl ping -c 10 -i 0.2 -W 3 "$INNER_PROBE" >/dev/null 2>&1 || lab_fail "pings lost through the tunnel"
sleep 9 # one CHILD rekey
lab_nsexec_cl ping -c 3 -i 0.2 -W 3 "$INNER_PROBE" >/dev/null 2>&1 || lab_fail "no ping after the rekey"
TERN_RUN_TIMEOUT=60 tern_disconnect
[ "$TERN_RC" = 0 ] || lab_fail "tern disconnect returned $TERN_RC"
wait "$vg"
rc=$?
[ "$rc" = 0 ] || lab_fail "tern under valgrind exited $rc: $(grep -m 3 -E 'lost|Invalid|uninitialised' "$vlog")"
grep -q . "$vlog" && lab_fail "memcheck reported: $(head -n 5 "$vlog")"
gw_has_no_sa || lab_fail "the gateway still has an SA"
lab_pass
