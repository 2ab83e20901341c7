#!/bin/bash
# tern in five minutes: installs what is missing, builds tern, starts a strongSwan gateway in a
# network namespace (its own certificate authority, an EAP-MSCHAPv2 user "carol"), connects tern
# from a second namespace, shows the tunnel working, disconnects, and removes everything it
# started. Run as root on Debian 12:  scripts/demo.sh
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}

say() { printf '\n== %s\n' "$*"; }
run() {
	printf '   $ %s\n' "$*"
	"$@" 2>&1 | sed 's/^/     /'
	return "${PIPESTATUS[0]}"
}

[ "$(id -u)" = 0 ] || {
	echo "demo.sh needs root (network namespaces, a TUN device)" >&2
	exit 1
}

# shellcheck source=scripts/packages.sh
. "$ROOT/scripts/packages.sh"
say "Checking the Debian packages tern needs"
install_missing || exit 1

say "Building tern in $BUILD"
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" "$ROOT" >/dev/null || exit 1
ninja -C "$BUILD" -j 2 client/tern >/dev/null || exit 1
TERN=$BUILD/client/tern
export TERN
echo "   built $TERN"

# The lab: two namespaces joined by a veth pair, and everything removed on exit.
# shellcheck source=tests/interop/lib.sh
. "$ROOT/tests/interop/lib.sh"
lab_init

say "A gateway: strongSwan in namespace $NS_GW (192.0.2.1), user carol (EAP-MSCHAPv2)"
echo "   making a certificate authority and the gateway's certificate (vpn.example.test)"
gw_config
gw_start
echo "   the gateway runs; behind it, 203.0.113.254 stands for the network the VPN reaches"

say "Connecting tern from namespace $NS_CL (192.0.2.2)"
tern_prepare
run ip netns exec "$NS_CL" "$TERN" connect --server "$GW_ADDR" --user "$EAP_USER" \
	--password-file "$TERN_PWFILE" --ca "$(lab_ca ecdsa)" --server-id "$SERVER_ID" \
	--socket "$TERN_SOCK" -v || lab_fail "tern could not connect"

say "tern status"
run ip netns exec "$NS_CL" "$TERN" status --socket "$TERN_SOCK"

say "The tunnel as the system sees it"
run ip -n "$NS_CL" -brief addr show dev tern0
run ip -n "$NS_CL" rule show
run ip -n "$NS_CL" route get "$INNER_PROBE"
run ip netns exec "$NS_CL" cat /etc/resolv.conf

say "Ping through the tunnel"
run ip netns exec "$NS_CL" ping -c 3 -i 0.2 "$INNER_PROBE" || lab_fail "no ping reply through the tunnel"

say "Fetching 50 MB through the tunnel (from a server at $INNER_PROBE behind the gateway)"
head -c 50M /dev/urandom >"$LAB_DIR/file"
sent=$(sha256sum <"$LAB_DIR/file" | cut -d' ' -f1)
ip netns exec "$NS_GW" socat -u "FILE:$LAB_DIR/file" "TCP-LISTEN:8080,bind=$INNER_PROBE,reuseaddr" &
server=$!
sleep 0.3
start=$(date +%s%N)
got=$(ip netns exec "$NS_CL" socat -u "TCP:$INNER_PROBE:8080" - | sha256sum | cut -d' ' -f1)
ms=$((($(date +%s%N) - start) / 1000000))
wait "$server"
echo "   SHA-256 sent:     $sent"
echo "   SHA-256 received: $got"
[ "$sent" = "$got" ] || lab_fail "the data arrived damaged"
echo "   50 MB in $ms ms ($((50 * 8000 / (ms + 1))) Mbit/s), intact"

say "The gateway's view (swanctl --list-sas)"
gw_list_sas | sed 's/^/     /'

say "tern status after the traffic"
run ip netns exec "$NS_CL" "$TERN" status --socket "$TERN_SOCK"

say "Disconnecting"
run ip netns exec "$NS_CL" "$TERN" disconnect --socket "$TERN_SOCK"
lab_wait 5 gw_has_no_sa && echo "   the gateway has no SA left" || lab_fail "the gateway still has an SA"
ip -n "$NS_CL" link show tern0 >/dev/null 2>&1 && lab_fail "tern0 is still there"
echo "   tern0, its routes and rules are gone; resolv.conf is as before"

say "Cleaning up: stopping the gateway and removing both namespaces"
lab_pass
