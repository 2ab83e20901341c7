/* Network configuration over rtnetlink (libnl-3): a context holding the netlink sockets, the
 * link's MTU and state, addresses, the kernel's route to a destination, and the fwmark that keeps
 * tern's own UDP socket out of the tunnel. Policy routing is in netpolicy.h, change events in
 * netevents.h. Every function returns 0 (or what it documents) or a negative errno, and fills
 * `reason` (when not NULL) with a sentence a user can act on. */
#ifndef TERN_PLATFORM_NETCFG_H
#define TERN_PLATFORM_NETCFG_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct net_ctx;

/* An IPv4 or IPv6 prefix; an address is a prefix of 32 or 128 bits. */
struct net_prefix {
	int family;	  /* AF_INET or AF_INET6 */
	uint8_t len;	  /* prefix length in bits */
	uint8_t addr[16]; /* network byte order; AF_INET uses the first 4 bytes */
};

/* Longest text of net_prefix_format(): an IPv6 address, '/', 3 digits. */
enum { NET_PREFIX_STRLEN = 46 + 4 };

/* Parses "192.0.2.7", "192.0.2.0/24", "2001:db8::/32" (no "/len": a host prefix). Host bits
 * are kept as given. Returns 0 or -EINVAL. */
int net_prefix_parse(const char *text, struct net_prefix *out);
/* Writes "addr/len" into buf; returns buf (a placeholder text on a bad prefix). */
const char *net_prefix_format(const struct net_prefix *p, char *buf, size_t len);

/* Opens the rtnetlink socket used for requests. */
int net_open(struct net_ctx **out, char *reason, size_t reason_len);
/* Closes the sockets (also the event socket) and frees ctx; NULL is fine. */
void net_close(struct net_ctx *ctx);

/* Sets the link's MTU (mtu 0: leave it) and brings it up. */
int net_link_up(struct net_ctx *ctx, const char *ifname, unsigned mtu, char *reason,
		size_t reason_len);

/* Turns IPv6 off on a link (net.ipv6.conf.IF.disable_ipv6 = 1): a tunnel without IPv6 then
 * sends no link-local traffic (router solicitations) into it. 0, or -errno with a reason. */
int net_link_disable_ipv6(const char *ifname, char *reason, size_t reason_len);

/* Adds (or refreshes) an address on the link, e.g. the virtual IP as /32 or /128. IPv6
 * addresses are added without duplicate address detection, so they are usable at once. */
int net_addr_add(struct net_ctx *ctx, const char *ifname, const struct net_prefix *addr,
		 char *reason, size_t reason_len);
/* Removes an address; -EADDRNOTAVAIL if it was not there. */
int net_addr_del(struct net_ctx *ctx, const char *ifname, const struct net_prefix *addr,
		 char *reason, size_t reason_len);

/* The kernel's answer to "how would a packet to dst leave?" (RTM_GETROUTE). */
struct net_path {
	struct sockaddr_storage src;	 /* the source address it would use (port 0) */
	struct sockaddr_storage gateway; /* next hop; ss_family AF_UNSPEC when on-link */
	int ifindex;			 /* output interface */
	char ifname[IFNAMSIZ];
	uint32_t table; /* the routing table that answered */
};

/* Asks the kernel for the route to dst (AF_INET or AF_INET6, port ignored) as a packet
 * carrying fwmark `mark` would take it: pass tern's socket mark to see the path to the gateway
 * outside the tunnel, 0 for ordinary traffic. -ENETUNREACH / -EHOSTUNREACH when there is none. */
int net_route_get(struct net_ctx *ctx, const struct sockaddr *dst, uint32_t mark,
		  struct net_path *path, char *reason, size_t reason_len);

/* SO_MARK on a socket (needs CAP_NET_ADMIN): its packets skip the tunnel's routing rule. */
int net_socket_mark(int fd, uint32_t mark);

#endif
