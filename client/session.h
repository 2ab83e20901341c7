/* The running client: a libuv loop that feeds the IKE core (UDP socket, timer, signals,
 * control socket) and brings the tunnel up when the IKE SA is established. */
#ifndef TERN_CLIENT_SESSION_H
#define TERN_CLIENT_SESSION_H

#include "client/cli.h"

struct cert_trust;

/* Connects and runs until disconnected or failed. trust: the CAs the gateway must chain to
 * (taken over: freed here). notify_fd: the daemon's report pipe (-1 in the foreground).
 * Returns the exit code (enum tern_exit). */
int session_run(const struct cli_opts *o, const char *password, struct cert_trust *trust,
		int notify_fd);

#endif
