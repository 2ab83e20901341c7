/* Tunnel routing by policy rules (the wg-quick scheme): the tunnel's routes live in their own
 * table, and a rule sends everything that does not carry tern's fwmark to that table. See the
 * comment at the top of netpolicy.c for why. */
#ifndef TERN_PLATFORM_NETPOLICY_H
#define TERN_PLATFORM_NETPOLICY_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/netcfg.h"

enum {
	NET_TABLE_DEFAULT = 0x7465,	    /* "te": routing table 29797 */
	NET_FWMARK_DEFAULT = 0x7465,	    /* mark on tern's UDP socket (net_socket_mark) */
	NET_RULE_PRIORITY_DEFAULT = 0x7465, /* "not fwmark M lookup T"; the suppress rule is P-1 */
};

struct net_policy {
	char ifname[IFNAMSIZ]; /* the TUN device */
	uint32_t table;	       /* T: 1..252 or 256.. (not main, local, default) */
	uint32_t fwmark;       /* M: non-zero */
	uint32_t priority;     /* P: 2..32765; the suppress rule takes P - 1 */
};

/* Fills p with the defaults for ifname (NULL: "tern0"). */
void net_policy_init(struct net_policy *p, const char *ifname);

/* Routes each prefix through p->ifname in table T (0.0.0.0/0 and ::/0 for a full tunnel, the
 * gateway's subnets for a split tunnel; host bits are cleared), then, for each family among the
 * prefixes, adds the rules "lookup main suppress_prefixlength 0" (priority P-1) and
 * "not fwmark M lookup T" (priority P). The link must be up. Rules that already exist are
 * fine. On failure what was added stays: call net_cleanup(). */
int net_policy_apply(struct net_ctx *ctx, const struct net_policy *p,
		     const struct net_prefix *routes, size_t n, char *reason, size_t reason_len);

/* Drops a whole address family that the tunnel does not carry instead of letting it leave
 * around it: "blackhole 0.0.0.0/0" or "::/0" in table T, plus that family's two rules. The main
 * table's more specific routes (the LAN) still win. Removed by net_cleanup(). */
int net_policy_block(struct net_ctx *ctx, const struct net_policy *p, int family, char *reason,
		     size_t reason_len);

enum net_cleanup_flags {
	NET_CLEANUP_KEEP_LINK = 1u << 0, /* remove the link's addresses but keep the device */
};

/* Removes everything tern adds, also a crashed run's leftovers: every rule that looks up table
 * T (any priority, both families), the "lookup main suppress_prefixlength 0" rule at P-1, every
 * route in T, and the TUN device p->ifname (only if it is a TUN device) or, with
 * NET_CLEANUP_KEEP_LINK, its global addresses. Idempotent: nothing to remove is success. */
int net_cleanup(struct net_ctx *ctx, const struct net_policy *p, unsigned flags, char *reason,
		size_t reason_len);

#endif
