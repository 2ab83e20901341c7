/* Traffic selectors (RFC 7296 section 3.13.1, RFC 4301 section 4.4.1) and the inner-packet
 * fields they are matched against.
 *
 * An SA carries one list holding both sides' selectors, each entry tagged LOCAL (our side:
 * e.g. the virtual IP) or REMOTE (the gateway's side: e.g. 0.0.0.0/0). The same list serves
 * both directions:
 *   inbound  (after decryption): source in a REMOTE entry, destination in a LOCAL entry;
 *   outbound (before encryption): source in a LOCAL entry, destination in a REMOTE entry.
 * Protocol 0 matches any protocol; ports 0..65535 match anything, including packets without
 * ports (other protocols, non-first fragments). For ICMP and ICMPv6, type << 8 | code stands
 * for both ports (RFC 7296 section 3.13.1). A side with no entries matches nothing. */
#ifndef TERN_DATAPATH_TS_H
#define TERN_DATAPATH_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum esp_ts_side { ESP_TS_LOCAL, ESP_TS_REMOTE };
enum { ESP_TS_MAX = 8 };

struct esp_ts {
	uint8_t side;			  /* enum esp_ts_side */
	uint8_t family;			  /* AF_INET or AF_INET6 */
	uint8_t proto;			  /* IP protocol number, 0 = any */
	uint16_t port_lo, port_hi;	  /* host order, inclusive */
	uint8_t addr_lo[16], addr_hi[16]; /* network order, inclusive; IPv4 in the first 4 bytes */
};

/* What the selectors look at in an inner IP packet. */
struct esp_flow {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t proto;	/* transport protocol (after IPv6 extension headers) */
	bool has_ports;
	uint16_t sport, dport;
	uint32_t ip_len;	  /* packet length the IP header claims */
	const uint8_t *src, *dst; /* point into the packet: 4 or 16 bytes */
};

/* Parses an IPv4 or IPv6 header. 0, or -EBADMSG when the header is short or inconsistent
 * (bad version, IHL, or a length field larger than len). */
int esp_flow_parse(const uint8_t *pkt, size_t len, struct esp_flow *f);

/* Whether the flow is covered by the list in the given direction (see above). */
bool esp_ts_match(const struct esp_ts *ts, unsigned n, const struct esp_flow *f, bool inbound);

/* Fills ts with a whole address family (0.0.0.0/0 or ::/0, any protocol and port). */
void esp_ts_any(struct esp_ts *ts, enum esp_ts_side side, int family);

/* Fills ts with one address (a /32 or /128), any protocol and port. */
void esp_ts_host(struct esp_ts *ts, enum esp_ts_side side, int family, const void *addr);

#endif
