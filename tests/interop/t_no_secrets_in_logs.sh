#!/bin/bash
# tern's most verbose log (-vv, the connect output and the daemon's log file) over a whole
# session — connect, traffic, a CHILD rekey, disconnect — holds neither the EAP password nor
# any key. The keys come from the gateway: charon at log level 4 prints SK_d, SK_ei, SK_er,
# ... and the CHILD SA keys; each is looked for in tern's logs as hex (any case, with or without
# separators).
. "$(dirname "$0")/lib.sh"

lab_need_tern
[ -z "${TERN_IS_SW:-}" ] || lab_skip "tern's own logs"
lab_init
gw_config --opt "filelog { lab { ike = 4
    chd = 4 } }" --child "rekey_time = 4s" --child "rand_time = 0" \
	--child "life_time = 60s"
gw_start

tern_connect -vv --log-file "$LAB_LOGS/tern-daemon.log"
tern_expect_connected
tern_expect_sa_up
connect_log=$TERN_ERR
lab_nsexec_cl ping -c 20 -i 0.3 -W 1 "$INNER_PROBE" >/dev/null 2>&1 || lab_fail "no ping through the tunnel"
tern_disconnect_check

# strongSwan's hex dumps: "  0: 1F 2E ..." lines after "... secret =>" / "... key =>" lines.
keys=$(awk '
	/(secret|key) => [0-9]+ bytes/ {
		if (grab && length(hex) >= 32) print tolower(hex)
		grab = 1; hex = ""; next
	}
	grab && /\[(IKE|CHD)\] +[0-9]+: / {
		line = $0; sub(/.*\] +[0-9]+: /, "", line); line = substr(line, 1, 47)
		gsub(/ /, "", line); hex = hex line; next
	}
	grab { if (length(hex) >= 32) print tolower(hex); grab = 0 }
	END { if (grab && length(hex) >= 32) print tolower(hex) }' "$GW_LOG" | sort -u)
n=$(grep -c . <<<"$keys")
[ "$n" -ge 8 ] || lab_fail "found only $n keys in charon's log (level 4) to look for"

tern_logs=$(cat "$connect_log" "$LAB_LOGS/tern-daemon.log" 2>/dev/null)
[ "$(grep -c . <<<"$tern_logs")" -ge 10 ] || lab_fail "tern's -vv logs are nearly empty"
flat=$(tr -d ' :\n' <<<"$tern_logs" | tr 'A-F' 'a-f')
grep -qF "$EAP_PASSWORD" <<<"$tern_logs" && lab_fail "the EAP password is in tern's log"
while read -r k; do
	[ -n "$k" ] || continue
	grep -qF "${k:0:16}" <<<"$flat" && lab_fail "a key (${k:0:8}...) from charon's log is in tern's log"
done <<<"$keys"
lab_log "ok: $n keys and the password looked for in $(grep -c . <<<"$tern_logs") lines of tern's -vv logs"
lab_pass
