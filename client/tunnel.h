/* The tunnel around a connected IKE SA: TUN device, virtual addresses, policy routes, DNS and
 * the ESP datapath. Everything tunnel_up() adds, tunnel_down() removes; tunnel_sweep() removes
 * what a crashed run left behind. */
#ifndef TERN_CLIENT_TUNNEL_H
#define TERN_CLIENT_TUNNEL_H

#include <net/if.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "client/ike/ike.h"
#include "datapath/dp.h"
#include "platform/netpolicy.h"

struct tunnel {
	struct net_ctx *net;
	struct net_policy policy;
	struct dp *dp;
	int tun_fd;
	unsigned mtu;
	bool dns_set;
	char ifname[IFNAMSIZ];
	char vip4[16], vip6[48];
};

struct tunnel_params {
	const char *ifname;
	unsigned mtu; /* 0: from the path to the gateway */
	int udp_fd;
	const struct sockaddr_storage *gateway; /* port 4500 */
	socklen_t gateway_len;
	void (*ike_rx)(void *arg, const uint8_t *msg, size_t len);
	void *ike_rx_arg;
};

/* Removes leftovers of an earlier run (rules, routes, TUN, resolv.conf). */
void tunnel_sweep(const char *ifname);
int tunnel_up(struct tunnel *t, const struct tunnel_params *p, const struct ike_event *up,
	      char *reason, size_t reason_len);
void tunnel_down(struct tunnel *t);
/* A rekeyed CHILD SA: its inbound half is installed at once (the old one stays accepted). */
int tunnel_rekeyed(struct tunnel *t, const struct ike_child *c);
/* The old CHILD SA is deleted: outbound moves to the new one, the old inbound SPI goes. */
int tunnel_retired(struct tunnel *t, const struct ike_child *c, uint32_t old_spi_in);

#endif
