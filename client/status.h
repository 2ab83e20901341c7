/* `tern status`: what the running client reports, as text for people and JSON for scripts. */
#ifndef TERN_CLIENT_STATUS_H
#define TERN_CLIENT_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "client/ike/ike.h"
#include "datapath/dp.h"

struct status_info {
	const char *state;
	const char *server, *user;
	const char *ifname, *vip4, *vip6;
	const char *ike_algorithms;
	time_t connected_at, now;
	bool has_datapath;
	struct dp_stats dp;
	struct ike_stats ike;
};

int status_format_text(const struct status_info *si, char *out, size_t cap);
int status_format_json(const struct status_info *si, char *out, size_t cap);

#endif
