/* The control socket: a unix SOCK_STREAM socket (mode 0600, in a 0700 directory) through which
 * `tern status` and `tern disconnect` talk to the running tern.
 *
 *   request := command "\n"                 command: status | status-json | disconnect
 *   reply   := "ok\n" body | "error " reason "\n"
 *
 * The server closes the connection after its reply; the client reads until then. The server
 * side is I/O-agnostic: control_listen() gives a non-blocking listening fd for the caller's
 * event loop, control_parse_command() reads a request from the bytes received so far, and
 * control_format_reply() builds the reply to write. */
#ifndef TERN_CLIENT_CONTROL_H
#define TERN_CLIENT_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#define CONTROL_DEFAULT_PATH "/run/tern/tern.sock"

enum control_cmd {
	CONTROL_CMD_STATUS = 1,
	CONTROL_CMD_STATUS_JSON,
	CONTROL_CMD_DISCONNECT,
};

enum control_limits {
	CONTROL_LINE_MAX = 64,	    /* a request line, "\n" included */
	CONTROL_REPLY_MAX = 16384,  /* a reply, header included */
	CONTROL_TIMEOUT_MS = 15000, /* client: whole request, a disconnect included */
	CONTROL_BACKLOG = 8,
};

/* Client. Sends cmd and reads the reply. Returns the body's length (body NUL-terminated in
 * reply) when the server answered "ok"; -EREMOTEIO when it answered "error" (reply then holds
 * its reason); -ENOENT or -ECONNREFUSED when no tern listens at path; -ETIMEDOUT; -EMSGSIZE
 * when the reply does not fit in cap; -EPROTO for a malformed reply. */
int control_request(const char *path, const char *cmd, char *reply, size_t cap);

/* Server. Creates the socket's directory (0700) if missing, removes a stale socket nobody
 * answers on, binds (0600) and listens. Returns a non-blocking, close-on-exec fd, or a negative
 * errno with a reason: -EADDRINUSE "tern is already running ..." when another tern answers. */
int control_listen(const char *path, char *reason, size_t rlen);

/* Closes the listening fd and removes the socket file. */
void control_unlisten(int fd, const char *path);

/* Accepts one connection (non-blocking, close-on-exec) from root or our own user. Returns the
 * fd, -EAGAIN when none is pending, -EPERM (connection closed) for another user. */
int control_accept(int listen_fd);

/* True when the peer of a connected unix socket is root or has our effective uid. */
bool control_peer_allowed(int fd);

/* Looks for a complete request line in buf[0..len). Returns the bytes it used (> 0) and sets
 * *cmd; -EAGAIN when the line is not complete yet; -EMSGSIZE when it is too long; -EINVAL
 * for an unknown command (reason set). */
int control_parse_command(const char *buf, size_t len, enum control_cmd *cmd, char *reason,
			  size_t rlen);

/* Builds a reply: "ok\n" body when ok, else "error " body "\n". Returns its length, or
 * -ENOSPC. body may be NULL (empty). */
int control_format_reply(char *out, size_t cap, bool ok, const char *body);

/* The wire name of a command ("status", "status-json", "disconnect"), or NULL. */
const char *control_cmd_name(enum control_cmd cmd);

#endif
