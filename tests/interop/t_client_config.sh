#!/bin/bash
# What tern sets up in the client namespace, and undoes on disconnect: the virtual IP the
# gateway assigned (swanctl's remote-vips) on tern's TUN device, the route to 203.0.113.254
# through that device, the gateway's DNS server (203.0.113.53, from the pool's dns) in the
# namespace's /etc/resolv.conf; after tern disconnect: the device gone, the route back on cl0,
# resolv.conf as it was. The machine's own /etc/resolv.conf is never touched. IPv6, which the
# gateway does not carry here, goes to a blackhole in tern's table (dropped, not leaked).
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

lab_need_tern
[ -z "${TERN_IS_SW:-}" ] || lab_skip "sw-tern.sh (strongSwan) sets no DNS and names its device ipsec0"
lab_init
gw_start
host_sum=$(md5sum </etc/resolv.conf 2>/dev/null)
ns_before=$(lab_nsexec_cl cat /etc/resolv.conf)

tern_connect -v --ifname tern7
tern_expect_connected "tern connect --ifname tern7"
tern_expect_sa_up
vip=$(gw_sa_field remote-vips | tr -d '[]' | cut -d, -f1)
ip -n "$NS_CL" -4 addr show dev tern7 >"$LAB_LOGS/addr.log" 2>&1 ||
	lab_fail "no device tern7 (--ifname) in the client namespace"
grep -q "inet $vip/" "$LAB_LOGS/addr.log" ||
	lab_fail "tern7 does not carry the virtual IP $vip: $(tr '\n' ' ' <"$LAB_LOGS/addr.log")"
dev=$(ip -n "$NS_CL" route get "$INNER_PROBE" | sed -n 's/.* dev \([^ ]*\).*/\1/p')
[ "$dev" = tern7 ] || lab_fail "the route to $INNER_PROBE goes through '$dev', not tern7"
lab_nsexec_cl grep -q "^nameserver $POOL_DNS" /etc/resolv.conf ||
	lab_fail "the client namespace's resolv.conf does not name $POOL_DNS"
# The gateway gave no IPv6 address: IPv6 must not leak around the tunnel; tern's table drops it.
ip -n "$NS_CL" -6 route show table 29797 | grep -c '^blackhole' >/dev/null ||
	lab_fail "no IPv6 blackhole in table 29797: $(ip -n "$NS_CL" -6 route show table 29797 | head -n 2)"
ip -n "$NS_CL" -6 rule | grep -c 'lookup 29797' >/dev/null || lab_fail "no IPv6 rule sends traffic to table 29797"
[ -z "$(ip -n "$NS_CL" -6 addr show dev tern7 2>/dev/null)" ] ||
	lab_fail "tern7 has IPv6 addresses although the tunnel carries no IPv6"
[ "$(lab_nsexec_cl cat /proc/sys/net/ipv6/conf/tern7/disable_ipv6)" = 1 ] ||
	lab_fail "IPv6 is not turned off on tern7"

tern_disconnect_check
ip -n "$NS_CL" link show tern7 >/dev/null 2>&1 && lab_fail "tern7 is still there after disconnect"
dev=$(ip -n "$NS_CL" route get "$INNER_PROBE" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p')
[ -z "$dev" ] || [ "$dev" = cl0 ] || lab_fail "after disconnect $INNER_PROBE still routes via $dev"
[ "$(lab_nsexec_cl cat /etc/resolv.conf)" = "$ns_before" ] ||
	lab_fail "the client namespace's resolv.conf was not restored"
[ "$(md5sum </etc/resolv.conf 2>/dev/null)" = "$host_sum" ] ||
	lab_fail "the machine's own /etc/resolv.conf changed"
lab_pass
