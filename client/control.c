/* The control socket: client request, server listen/accept, and the line protocol. */
#include "client/control.h"
#include "client/reason.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const struct {
	enum control_cmd cmd;
	const char *name;
} commands[] = {
    {CONTROL_CMD_STATUS, "status"},
    {CONTROL_CMD_STATUS_JSON, "status-json"},
    {CONTROL_CMD_DISCONNECT, "disconnect"},
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

const char *control_cmd_name(enum control_cmd cmd)
{
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return NULL;
}

static int make_addr(const char *path, struct sockaddr_un *sa)
{
	size_t n = strlen(path);
	if (n == 0)
		return -EINVAL;
	if (n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, n + 1);
	return 0;
}

/* Opens a blocking client socket connected to path. */
static int dial(const char *path)
{
	struct sockaddr_un sa;
	int rc = make_addr(path, &sa);
	if (rc < 0)
		return rc;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads until the peer closes, into buf (cap - 1 bytes at most, NUL-terminated). */
static int read_all(int fd, char *buf, size_t cap, int64_t deadline)
{
	size_t n = 0;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int pr = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return -errno;
		if (pr == 0)
			return -ETIMEDOUT;
		char sink[256];
		char *dst = n + 1 < cap ? buf + n : sink;
		size_t room = n + 1 < cap ? cap - 1 - n : sizeof(sink);
		ssize_t r = read(fd, dst, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		if (dst == sink) {
			n = cap; /* overflowed: keep draining to the close */
			continue;
		}
		n += (size_t)r;
	}
	if (n >= cap)
		return -EMSGSIZE;
	buf[n] = '\0';
	return (int)n;
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Splits "ok\n" body / "error reason\n" in place: the body or reason moves to buf's start. */
static int parse_reply(char *buf, size_t n)
{
	char *nl = memchr(buf, '\n', n);
	if (!nl)
		return -EPROTO;
	if (nl - buf == 2 && memcmp(buf, "ok", 2) == 0) {
		size_t body = n - 3;
		memmove(buf, nl + 1, body + 1);
		return (int)body;
	}
	if (nl - buf >= 6 && memcmp(buf, "error ", 6) == 0) {
		size_t len = (size_t)(nl - buf) - 6;
		memmove(buf, buf + 6, len);
		buf[len] = '\0';
		return -EREMOTEIO;
	}
	return -EPROTO;
}

int control_request(const char *path, const char *cmd, char *reply, size_t cap)
{
	char line[CONTROL_LINE_MAX];
	size_t cl = strlen(cmd);
	if (cl == 0 || cl + 1 >= sizeof(line) || memchr(cmd, '\n', cl) || cap == 0)
		return -EINVAL;
	memcpy(line, cmd, cl);
	line[cl] = '\n';

	int64_t deadline = now_ms() + CONTROL_TIMEOUT_MS;
	int fd = dial(path);
	if (fd < 0)
		return fd;
	int rc = send_all(fd, line, cl + 1);
	if (rc == 0)
		rc = read_all(fd, reply, cap, deadline);
	close(fd);
	if (rc < 0) {
		reply[0] = '\0';
		return rc;
	}
	rc = parse_reply(reply, (size_t)rc);
	if (rc == -EPROTO)
		reply[0] = '\0';
	return rc;
}

/* mkdir -p for the socket's directory; directories it creates get mode 0700. */
static int make_dirs(const char *path, char *reason, size_t rlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			int rc = -errno;
			reason_set(reason, rlen, "cannot create directory '%s': %s", dir,
				   strerror(errno));
			return rc;
		}
		*p = saved;
		if (saved == '\0')
			return 0;
	}
}

/* What is at path: 0 free, 1 a stale socket (removed), or a negative errno with a reason. */
static int clear_stale(const char *path, char *reason, size_t rlen)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		reason_set(reason, rlen, "'%s' exists and is not a socket", path);
		return -EEXIST;
	}
	int fd = dial(path);
	if (fd >= 0) {
		close(fd);
		reason_set(reason, rlen, "tern is already running (control socket %s)", path);
		return -EADDRINUSE;
	}
	if (fd != -ECONNREFUSED && fd != -ENOENT) {
		reason_set(reason, rlen, "cannot check control socket '%s': %s", path,
			   strerror(-fd));
		return fd;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		int rc = -errno;
		reason_set(reason, rlen, "cannot remove stale control socket '%s': %s", path,
			   strerror(errno));
		return rc;
	}
	return 1;
}

int control_listen(const char *path, char *reason, size_t rlen)
{
	if (!path) {
		reason_set(reason, rlen, "no control socket path");
		return -EINVAL;
	}
	struct sockaddr_un sa;
	int rc = make_addr(path, &sa);
	if (rc < 0) {
		reason_set(reason, rlen, "invalid control socket path '%s'", path);
		return rc;
	}
	rc = make_dirs(path, reason, rlen);
	if (rc < 0)
		return rc;
	rc = clear_stale(path, reason, rlen);
	if (rc < 0)
		return rc;

	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		rc = -errno;
		reason_set(reason, rlen, "cannot create control socket: %s", strerror(errno));
		return rc;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		if (rc == -EADDRINUSE) /* another tern won the race since clear_stale() */
			reason_set(reason, rlen, "tern is already running (control socket %s)",
				   path);
		else
			reason_set(reason, rlen, "cannot bind control socket '%s': %s", path,
				   strerror(errno));
		close(fd);
		return rc;
	}
	/* The directory is 0700, so the socket is private before chmod too. */
	if (chmod(path, 0600) < 0 || listen(fd, CONTROL_BACKLOG) < 0) {
		rc = -errno;
		reason_set(reason, rlen, "cannot set up control socket '%s': %s", path,
			   strerror(errno));
		close(fd);
		unlink(path);
		return rc;
	}
	return fd;
}

void control_unlisten(int fd, const char *path)
{
	if (fd >= 0)
		close(fd);
	if (path)
		unlink(path);
}

bool control_peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred))
		return false;
	return cred.uid == 0 || cred.uid == geteuid();
}

int control_accept(int listen_fd)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (!control_peer_allowed(fd)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int control_parse_command(const char *buf, size_t len, enum control_cmd *cmd, char *reason,
			  size_t rlen)
{
	const char *nl = memchr(buf, '\n', len < CONTROL_LINE_MAX ? len : CONTROL_LINE_MAX);
	if (!nl) {
		if (len >= CONTROL_LINE_MAX) {
			reason_set(reason, rlen, "request line too long");
			return -EMSGSIZE;
		}
		return -EAGAIN;
	}
	size_t n = (size_t)(nl - buf);
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	for (size_t i = 0; i < COMMAND_COUNT; i++) {
		if (strlen(commands[i].name) == n && memcmp(commands[i].name, buf, n) == 0) {
			*cmd = commands[i].cmd;
			return (int)(nl - buf) + 1;
		}
	}
	char shown[CONTROL_LINE_MAX];
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < sizeof(shown); i++)
		shown[k++] = (buf[i] >= 0x20 && buf[i] < 0x7f) ? buf[i] : '?';
	shown[k] = '\0';
	reason_set(reason, rlen, "unknown command '%s'", shown);
	return -EINVAL;
}

int control_format_reply(char *out, size_t cap, bool ok, const char *body)
{
	const char *b = body ? body : "";
	int n;
	if (ok) {
		n = snprintf(out, cap, "ok\n%s", b);
	} else {
		/* a reason is one line: cut it at the first line end */
		int bl = (int)strcspn(b, "\r\n");
		n = snprintf(out, cap, "error %.*s\n", bl, b);
	}
	if (n < 0 || (size_t)n >= cap)
		return -ENOSPC;
	return n;
}
