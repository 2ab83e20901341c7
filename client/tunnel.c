/* Brings the tunnel up from the IKE SA's configuration and takes it down again. */
#include "client/tunnel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "client/ike/ikev2.h"
#include "platform/dns.h"
#include "platform/netcfg.h"
#include "platform/tun.h"

/* Bytes ESP-in-UDP adds to an inner packet with the AEAD suites (RFC 3948, 4303, 4106, 7634):
 * UDP header 8, SPI + sequence 8, IV 8, pad length + next header 2, ICV 16, and up to 3 bytes
 * of padding to a 4-byte boundary. */
enum { ESP_UDP_OVERHEAD = 8 + 8 + 8 + 2 + 16 + 3, DEFAULT_LINK_MTU = 1500 };

void tunnel_sweep(const char *ifname)
{
	struct net_ctx *net;
	struct net_policy p;
	char reason[160];
	dns_restore(reason, sizeof(reason));
	if (net_open(&net, reason, sizeof(reason)) == 0) {
		net_policy_init(&p, ifname);
		net_cleanup(net, &p, 0, reason, sizeof(reason));
		net_close(net);
	}
}

static unsigned link_mtu(const char *ifname)
{
	char path[64];
	char text[16] = "";
	snprintf(path, sizeof(path), "/sys/class/net/%s/mtu", ifname);
	FILE *f = fopen(path, "r");
	if (f) {
		if (!fgets(text, sizeof(text), f))
			text[0] = 0;
		fclose(f);
	}
	char *end;
	unsigned long mtu = strtoul(text, &end, 10);
	return end != text && mtu >= 1280 && mtu <= 65535 ? (unsigned)mtu : DEFAULT_LINK_MTU;
}

static unsigned tunnel_mtu(struct tunnel *t, const struct tunnel_params *p)
{
	if (p->mtu)
		return p->mtu;
	struct net_path path;
	char reason[128];
	unsigned under = DEFAULT_LINK_MTU;
	if (net_route_get(t->net, (const struct sockaddr *)p->gateway, t->policy.fwmark, &path,
			  reason, sizeof(reason)) == 0)
		under = link_mtu(path.ifname);
	unsigned ip = p->gateway->ss_family == AF_INET6 ? 40 : 20;
	return (under - ip - ESP_UDP_OVERHEAD) & ~3u;
}

/* A traffic selector range as a prefix, if it is one. */
static bool ts_prefix(const struct ike_ts *ts, struct net_prefix *out)
{
	size_t alen = ts->type == TS_IPV4_ADDR_RANGE ? 4 : 16;
	unsigned bits = 0;
	memset(out, 0, sizeof(*out));
	out->family = alen == 4 ? AF_INET : AF_INET6;
	memcpy(out->addr, ts->start, alen);
	/* The common leading bits; every bit after them must be 0 in start and 1 in end. */
	while (bits < alen * 8) {
		unsigned byte = bits / 8, bit = 7 - bits % 8;
		if (((ts->start[byte] >> bit) & 1) != ((ts->end[byte] >> bit) & 1))
			break;
		bits++;
	}
	for (unsigned b = bits; b < alen * 8; b++) {
		unsigned byte = b / 8, bit = 7 - b % 8;
		if (((ts->start[byte] >> bit) & 1) || !((ts->end[byte] >> bit) & 1))
			return false;
	}
	out->len = (uint8_t)bits;
	return true;
}

/* The prefixes to route into the tunnel. block6: a full IPv4 tunnel without IPv6 from the
 * gateway, whose IPv6 must be dropped rather than leak around the tunnel. */
static size_t tunnel_routes(const struct ike_event *up, struct net_prefix *r, size_t cap,
			    bool *block6)
{
	size_t n = 0;
	const struct ike_vconfig *v = &up->cfg;
	/* INTERNAL_IP4_SUBNET narrows the tunnel to what the gateway protects (RFC 7296 3.15.1);
	 * otherwise the remote traffic selectors say what goes through it. */
	for (unsigned i = 0; i < v->n_subnet4 && n < cap; i++) {
		r[n] = (struct net_prefix){.family = AF_INET, .len = v->subnet4[i].prefix};
		memcpy(r[n++].addr, v->subnet4[i].addr, 4);
	}
	if (n)
		return n;
	bool full4 = false;
	for (unsigned i = 0; i < up->child.ts_remote.n && n < cap; i++) {
		const struct ike_ts *ts = &up->child.ts_remote.ts[i];
		if (ts->type == TS_IPV6_ADDR_RANGE && !v->has_ip6)
			continue;
		if (ts_prefix(ts, &r[n])) {
			full4 |= r[n].family == AF_INET && r[n].len == 0;
			n++;
		}
	}
	*block6 = full4 && !v->has_ip6;
	return n;
}

static void fill_ts(struct esp_sa_params *sp, const struct ike_child *c)
{
	const struct ike_ts_list *lists[2] = {&c->ts_local, &c->ts_remote};
	sp->n_ts = 0;
	for (int side = 0; side < 2; side++) {
		for (unsigned i = 0; i < lists[side]->n && sp->n_ts < ESP_TS_MAX; i++) {
			const struct ike_ts *ts = &lists[side]->ts[i];
			struct esp_ts *e = &sp->ts[sp->n_ts++];
			memset(e, 0, sizeof(*e));
			e->side = side == 0 ? ESP_TS_LOCAL : ESP_TS_REMOTE;
			e->family = ts->type == TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6;
			e->proto = ts->ip_proto;
			e->port_lo = ts->start_port;
			e->port_hi = ts->end_port;
			memcpy(e->addr_lo, ts->start, 16);
			memcpy(e->addr_hi, ts->end, 16);
		}
	}
}

/* The datapath's view of one direction of a CHILD SA. */
static void sa_params(struct esp_sa_params *sp, const struct ike_child *c, bool inbound)
{
	memset(sp, 0, sizeof(*sp));
	sp->spi = inbound ? c->spi_in : c->spi_out;
	sp->alg = c->encr == ENCR_CHACHA20_POLY1305 ? AEAD_CHACHA20_POLY1305 : AEAD_AES_GCM_16;
	sp->esn = c->esn;
	sp->keymat_len = c->key_len;
	memcpy(sp->keymat, inbound ? c->key_in : c->key_out, c->key_len);
	fill_ts(sp, c);
}

static int install(struct tunnel *t, const struct ike_child *c, bool in, bool out)
{
	struct esp_sa_params pin, pout;
	sa_params(&pin, c, true);
	sa_params(&pout, c, false);
	int err = dp_install_sa(t->dp, in ? &pin : NULL, out ? &pout : NULL);
	OPENSSL_cleanse(&pin, sizeof(pin));
	OPENSSL_cleanse(&pout, sizeof(pout));
	return err;
}

int tunnel_rekeyed(struct tunnel *t, const struct ike_child *c)
{
	return t->dp ? install(t, c, true, false) : -ENOTCONN;
}

int tunnel_retired(struct tunnel *t, const struct ike_child *c, uint32_t old_spi_in)
{
	if (!t->dp)
		return -ENOTCONN;
	int err = install(t, c, false, true);
	dp_retire_inbound(t->dp, old_spi_in);
	return err;
}

static int start_datapath(struct tunnel *t, const struct tunnel_params *p,
			  const struct ike_child *c, bool keepalive, char *reason, size_t rlen)
{
	struct dp_config cfg = {.tun_fd = t->tun_fd,
				.udp_fd = p->udp_fd,
				.peer_len = p->gateway_len,
				.ike_rx = p->ike_rx,
				.ike_rx_arg = p->ike_rx_arg};
	cfg.peer = *p->gateway;
	int err = dp_new(&t->dp, &cfg);
	if (err) {
		snprintf(reason, rlen, "cannot create the datapath: %s", strerror(-err));
		return err;
	}
	err = install(t, c, true, true);
	if (!err)
		err = dp_start(t->dp);
	if (err) {
		snprintf(reason, rlen, "cannot start the datapath: %s", dp_last_error(t->dp));
		return err;
	}
	dp_set_keepalive(t->dp, keepalive);
	return 0;
}

static int apply_dns(struct tunnel *t, const struct ike_vconfig *v, char *reason, size_t rlen)
{
	char text[2 * IKE_MAX_DNS][INET6_ADDRSTRLEN];
	const char *servers[2 * IKE_MAX_DNS];
	size_t n = 0;
	for (unsigned i = 0; i < v->n_dns4; i++, n++)
		servers[n] = inet_ntop(AF_INET, v->dns4[i], text[n], sizeof(text[n]));
	for (unsigned i = 0; i < v->n_dns6; i++, n++)
		servers[n] = inet_ntop(AF_INET6, v->dns6[i], text[n], sizeof(text[n]));
	if (!n)
		return 0;
	int err = dns_apply(servers, n, NULL, reason, rlen);
	t->dns_set = err == 0;
	return err;
}

int tunnel_up(struct tunnel *t, const struct tunnel_params *p, const struct ike_event *up,
	      char *reason, size_t rlen)
{
	const struct ike_vconfig *v = &up->cfg;
	struct net_prefix routes[IKE_MAX_SUBNETS + IKE_MAX_TS], addr;
	memset(t, 0, sizeof(*t));
	t->tun_fd = -1;
	if (!v->has_ip4 && !v->has_ip6) {
		snprintf(reason, rlen, "the gateway assigned no virtual IP address");
		return -EADDRNOTAVAIL;
	}
	int err = net_open(&t->net, reason, rlen);
	if (err)
		return err;
	net_policy_init(&t->policy, p->ifname);
	err = tun_open(p->ifname, TUN_OPEN_VNET_HDR, t->ifname);
	if (err < 0) {
		snprintf(reason, rlen, "cannot create the TUN device %s: %s", p->ifname,
			 strerror(-err));
		return err;
	}
	t->tun_fd = err;
	t->mtu = tunnel_mtu(t, p);
	err = v->has_ip6 ? 0 : net_link_disable_ipv6(t->ifname, reason, rlen);
	if (!err)
		err = net_link_up(t->net, t->ifname, t->mtu, reason, rlen);
	if (!err && v->has_ip4) {
		addr = (struct net_prefix){.family = AF_INET, .len = 32};
		memcpy(addr.addr, v->ip4, 4);
		inet_ntop(AF_INET, v->ip4, t->vip4, sizeof(t->vip4));
		err = net_addr_add(t->net, t->ifname, &addr, reason, rlen);
	}
	if (!err && v->has_ip6) {
		addr = (struct net_prefix){.family = AF_INET6, .len = 128};
		memcpy(addr.addr, v->ip6, 16);
		inet_ntop(AF_INET6, v->ip6, t->vip6, sizeof(t->vip6));
		err = net_addr_add(t->net, t->ifname, &addr, reason, rlen);
	}
	if (!err)
		err = start_datapath(t, p, &up->child, up->behind_nat, reason, rlen);
	bool block6 = false;
	if (!err) {
		size_t n = tunnel_routes(up, routes, sizeof(routes) / sizeof(routes[0]), &block6);
		err = net_policy_apply(t->net, &t->policy, routes, n, reason, rlen);
	}
	if (!err && block6)
		err = net_policy_block(t->net, &t->policy, AF_INET6, reason, rlen);
	if (!err)
		err = apply_dns(t, v, reason, rlen);
	if (err)
		tunnel_down(t);
	return err;
}

void tunnel_down(struct tunnel *t)
{
	char reason[160];
	if (t->dp) {
		dp_free(t->dp);
		t->dp = NULL;
	}
	if (t->dns_set)
		dns_restore(reason, sizeof(reason));
	t->dns_set = false;
	if (t->net)
		net_cleanup(t->net, &t->policy, 0, reason, sizeof(reason));
	if (t->tun_fd >= 0)
		close(t->tun_fd);
	t->tun_fd = -1;
	net_close(t->net);
	t->net = NULL;
}
