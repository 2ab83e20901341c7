/* Formats the status report. */
#include "client/status.h"

#include <inttypes.h>
#include <stdio.h>

int status_format_text(const struct status_info *si, char *out, size_t cap)
{
	int n = snprintf(out, cap,
			 "state: %s\n"
			 "gateway: %s\n"
			 "user: %s\n",
			 si->state, si->server, si->user);
	if (si->ike_algorithms[0] && n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, "ike: %s\n", si->ike_algorithms);
	if (si->has_datapath && n >= 0 && (size_t)n < cap) {
		const struct dp_stats *d = &si->dp;
		n += snprintf(out + n, cap - (size_t)n,
			      "interface: %s\n"
			      "virtual ip: %s%s%s\n"
			      "connected for: %lld s\n"
			      "in: %" PRIu64 " packets, %" PRIu64 " bytes\n"
			      "out: %" PRIu64 " packets, %" PRIu64 " bytes\n"
			      "dropped: replay %" PRIu64 ", icv %" PRIu64 ", unknown spi %" PRIu64
			      ", malformed %" PRIu64 ", traffic selector %" PRIu64
			      ", no sa %" PRIu64 "\n",
			      si->ifname, si->vip4, si->vip4[0] && si->vip6[0] ? " " : "", si->vip6,
			      (long long)(si->now - si->connected_at), d->packets_in, d->bytes_in,
			      d->packets_out, d->bytes_out, d->drop_replay, d->drop_icv,
			      d->drop_unknown_spi, d->drop_malformed, d->drop_ts, d->drop_no_sa);
	}
	if (n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n,
			      "ike messages: %" PRIu64 " in, %" PRIu64 " out, %" PRIu64
			      " retransmitted, %" PRIu64 " dropped\n",
			      si->ike.rx, si->ike.tx, si->ike.retransmits, si->ike.dropped);
	return n;
}

/* The strings here are host names, user names and fixed words; quotes and backslashes are
 * escaped so that any user name still gives valid JSON. */
static int json_str(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	if (cap < 3)
		return -1;
	out[n++] = '"';
	for (; *s && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n++] = '"';
	out[n] = 0;
	return (int)n;
}

int status_format_json(const struct status_info *si, char *out, size_t cap)
{
	char state[64], server[600], user[600], ifname[64], vip4[64], vip6[96], algs[256];
	json_str(state, sizeof(state), si->state);
	json_str(server, sizeof(server), si->server);
	json_str(user, sizeof(user), si->user);
	json_str(ifname, sizeof(ifname), si->ifname);
	json_str(vip4, sizeof(vip4), si->vip4);
	json_str(vip6, sizeof(vip6), si->vip6);
	json_str(algs, sizeof(algs), si->ike_algorithms);
	const struct dp_stats *d = &si->dp;
	return snprintf(
	    out, cap,
	    "{\"state\":%s,\"gateway\":%s,\"user\":%s,\"ike\":%s,\"interface\":%s,"
	    "\"virtual_ip4\":%s,\"virtual_ip6\":%s,\"connected_seconds\":%lld,"
	    "\"packets_in\":%" PRIu64 ",\"bytes_in\":%" PRIu64 ",\"packets_out\":%" PRIu64
	    ",\"bytes_out\":%" PRIu64 ",\"drops\":{\"replay\":%" PRIu64 ",\"icv\":%" PRIu64
	    ",\"unknown_spi\":%" PRIu64 ",\"malformed\":%" PRIu64 ",\"ts\":%" PRIu64
	    ",\"no_sa\":%" PRIu64 "},\"ike_messages\":{\"in\":%" PRIu64 ",\"out\":%" PRIu64
	    ",\"retransmitted\":%" PRIu64 ",\"dropped\":%" PRIu64 "}}\n",
	    state, server, user, algs, ifname, vip4, vip6,
	    si->has_datapath ? (long long)(si->now - si->connected_at) : 0LL, d->packets_in,
	    d->bytes_in, d->packets_out, d->bytes_out, d->drop_replay, d->drop_icv,
	    d->drop_unknown_spi, d->drop_malformed, d->drop_ts, d->drop_no_sa, si->ike.rx,
	    si->ike.tx, si->ike.retransmits, si->ike.dropped);
}
