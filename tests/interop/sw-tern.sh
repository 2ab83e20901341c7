#!/bin/bash
# A stand-in for tern made of strongSwan's charon, with tern's command line and exit codes.
# It exists to check the interop tests themselves: `run.sh --sw-client` runs every test
# against it, and a test that fails with a client that strongSwan's own initiator drives
# correctly is a broken test. Not a model of tern's internals.
#
#   sw-tern.sh connect --server HOST --user NAME (--password-file F | --password-stdin) [--ca F]
#              [--server-id ID] [--ike P] [--esp P] [--eap mschapv2|md5] [--timeout S]
#              [--socket PATH] [--mtu N] [--ifname NAME] [--foreground] [-v]
#   sw-tern.sh disconnect [--socket PATH]
#   sw-tern.sh status [--socket PATH] [--json]
#
# Exit codes as tern's: 0 connected, 2 usage/configuration, 3 authentication, 4 gateway not
# trusted, 5 no proposal chosen, 6 unreachable/timeout, 1 else. State (charon's config, log
# and vici socket) lives in a directory next to --socket.
set -u -o pipefail

CHARON=${CHARON:-/usr/lib/ipsec/charon}

die() {
	echo "sw-tern: $2" >&2
	exit "$1"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
connect | disconnect | status) ;;
*) die 2 "unknown command '$cmd' (connect, disconnect, status)" ;;
esac

server="" user="" pwfile="" pwstdin=0 ca="" server_id="" ike="" esp="" eap=mschapv2
timeout=10 sock=/run/sw-tern/ctl json=0 verbose=0
while [ $# -gt 0 ]; do
	case $1 in
	--server | --user | --password-file | --ca | --server-id | --ike | --esp | --eap | --timeout | \
		--socket | --mtu | --ifname)
		[ $# -ge 2 ] || die 2 "option $1 needs a value"
		case $1 in
		--server) server=$2 ;;
		--user) user=$2 ;;
		--password-file) pwfile=$2 ;;
		--ca) ca=$2 ;;
		--server-id) server_id=$2 ;;
		--ike) ike=$2 ;;
		--esp) esp=$2 ;;
		--eap) eap=$2 ;;
		--timeout) timeout=$2 ;;
		--socket) sock=$2 ;;
		esac
		shift 2
		;;
	--password-stdin) pwstdin=1 && shift ;;
	--foreground) shift ;;
	--json) json=1 && shift ;;
	-v) verbose=1 && shift ;;
	*) die 2 "unknown option '$1'" ;;
	esac
done

state=${sock}.sw
vici="unix://$state/charon.vici"

swanctl_() {
	STRONGSWAN_CONF=$state/strongswan.conf SWANCTL_DIR=$state/swanctl swanctl "$@" --uri "$vici"
}

stop_charon() {
	local pid
	pid=$(cat "$state/charon.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	rm -f "$state/charon.pid"
}

case $cmd in
disconnect)
	[ -f "$state/charon.pid" ] || die 1 "not connected"
	swanctl_ --terminate --ike sw --timeout 5 >/dev/null 2>&1
	stop_charon
	exit 0
	;;
status)
	[ -f "$state/charon.pid" ] || die 1 "not connected"
	out=$(swanctl_ --list-sas --raw 2>/dev/null) || die 1 "no answer from charon"
	grep -q 'state=ESTABLISHED' <<<"$out" || die 1 "not connected"
	if [ "$json" = 1 ]; then
		vip=$(tr ' ' '\n' <<<"$out" | sed -n 's/^local-vips=\[\([0-9.]*\).*/\1/p' | head -n 1)
		printf '{"state":"connected","virtual_ip":"%s"}\n' "$vip"
	else
		printf 'connected\n%s\n' "$out"
	fi
	exit 0
	;;
esac

[ -n "$server" ] || die 2 "connect needs --server"
[ -n "$user" ] || die 2 "connect needs --user"
case $eap in mschapv2 | md5) ;; *) die 2 "unknown EAP method '$eap'" ;; esac
case $timeout in '' | *[!0-9]*) die 2 "--timeout needs a number of seconds" ;; esac
if [ "$pwstdin" = 1 ]; then
	IFS= read -r password || [ -n "${password:-}" ] || die 2 "no password on standard input"
elif [ -n "$pwfile" ]; then
	[ -r "$pwfile" ] || die 2 "cannot read the password file $pwfile"
	IFS= read -r password <"$pwfile" || [ -n "${password:-}" ] || die 2 "empty password file"
else
	die 2 "connect needs --password-file or --password-stdin"
fi
[ -z "$ca" ] || [ -r "$ca" ] || die 2 "cannot read the CA file $ca"

rm -rf "$state"
mkdir -p "$state/swanctl/x509ca" || die 1 "cannot make $state"
[ -z "$ca" ] || cp "$ca" "$state/swanctl/x509ca/ca.crt"
ln -s "$CHARON" "$state/tern"

cat >"$state/strongswan.conf" <<EOF
charon {
  load = random nonce openssl pem pkcs1 pkcs8 x509 revocation constraints pubkey gcm aes sha1 sha2 md5 hmac kdf kernel-libipsec kernel-netlink socket-default vici eap-identity eap-mschapv2 eap-md5 attr updown
  retransmit_tries = 2
  retransmit_timeout = 1.0
  retransmit_base = 1.4
  filelog {
    sw {
      path = $state/charon.log
      append = no
      flush_line = yes
      default = 1
      ike = 2
    }
  }
  plugins {
    vici { socket = $vici }
    openssl { load_legacy = yes }
  }
}
swanctl {
  load = random openssl pem pkcs1 pkcs8 x509 pubkey
}
EOF

cat >"$state/swanctl/swanctl.conf" <<EOF
connections {
  sw {
    remote_addrs = $server
    vips = 0.0.0.0
    encap = yes
    fragmentation = yes
    ${ike:+proposals = $ike}
    local {
      auth = eap-$eap
      eap_id = $user
    }
    remote {
      auth = pubkey
      id = %any
    }
    children {
      sw {
        remote_ts = 203.0.113.0/24
        ${esp:+esp_proposals = $esp}
      }
    }
  }
}
secrets {
  eap-user {
    id = $user
    secret = "$password"
  }
}
EOF

# charon runs as a process named "tern" (through the symlink), in the background.
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m sh -c 'mount -t tmpfs none /run && exec env STRONGSWAN_CONF="$1/strongswan.conf" "$1/tern"' \
	sh "$state" </dev/null >"$state/charon.out" 2>&1 &
echo $! >"$state/charon.pid"

for _ in $(seq 100); do
	swanctl_ --stats >/dev/null 2>&1 && break
	sleep 0.1
done
if ! swanctl_ --load-all --noprompt --file "$state/swanctl/swanctl.conf" >"$state/load.log" 2>&1; then
	stop_charon
	die 2 "invalid configuration: $(grep -m 1 -iE 'invalid|failed' "$state/load.log")"
fi

if swanctl_ --initiate --child sw --timeout "$timeout" >"$state/initiate.log" 2>&1 &&
	grep -q 'state=ESTABLISHED' <(swanctl_ --list-sas --raw 2>/dev/null); then
	# No IDr is sent (remote id %any); the gateway's identity is checked here instead.
	rid=$(swanctl_ --list-sas --raw 2>/dev/null | tr ' ' '\n' | sed -n 's/^remote-id=//p' | head -n 1)
	if [ -n "$server_id" ] && [ "$rid" != "$server_id" ]; then
		swanctl_ --terminate --ike sw --timeout 5 >/dev/null 2>&1
		stop_charon
		die 4 "the gateway is '$rid', not '$server_id'"
	fi
	[ "$verbose" = 1 ] && echo "sw-tern: connected" >&2
	exit 0
fi

log=$state/charon.log
stop_charon
[ -n "${SW_TERN_LOGDIR:-}" ] && cp "$log" "$SW_TERN_LOGDIR/sw-tern-charon.log"
if grep -qE 'constraint check failed|no trusted .* public key|certificate .* (expired|not valid)|no issuer certificate|not trusted' "$log"; then
	die 4 "the gateway is not trusted"
elif grep -qE 'received AUTHENTICATION_FAILED|EAP method .* failed|N\(AUTH_FAILED\)' "$log"; then
	die 3 "authentication failed"
elif grep -qE 'NO_PROPOSAL_CHOSEN|N\(NO_PROP\)' "$log"; then
	die 5 "no proposal chosen"
elif ! grep -q 'parsed IKE_SA_INIT response' "$log"; then
	die 6 "the gateway did not answer within $timeout s"
fi
die 1 "connect failed: $(tail -n 1 "$state/initiate.log")"
