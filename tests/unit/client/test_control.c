/* Control socket: round trips through a real unix socket in a temporary directory, served by a
 * forked process; the request parser and reply builder against the protocol in control.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client/control.h"
#include "tests/unit/check.h"

static char dir[] = "/tmp/tern-ctl-XXXXXX";

/* Serves one connection the way the session would: read until a full line, answer, close. */
static void serve_one(int lfd)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	if (poll(&p, 1, 5000) != 1)
		_exit(10);
	int fd = control_accept(lfd);
	if (fd < 0)
		_exit(11);
	char buf[CONTROL_LINE_MAX];
	size_t len = 0;
	int used;
	enum control_cmd cmd;
	char reason[128];
	for (;;) {
		struct pollfd q = {.fd = fd, .events = POLLIN};
		if (poll(&q, 1, 5000) != 1)
			_exit(12);
		ssize_t r = read(fd, buf + len, sizeof(buf) - len);
		if (r <= 0)
			_exit(13);
		len += (size_t)r;
		used = control_parse_command(buf, len, &cmd, reason, sizeof(reason));
		if (used != -EAGAIN)
			break;
	}
	char out[2048];
	int n;
	if (used < 0)
		n = control_format_reply(out, sizeof(out), false, reason);
	else if (cmd == CONTROL_CMD_STATUS)
		n = control_format_reply(out, sizeof(out), true, "state: up\nserver: 192.0.2.1\n");
	else if (cmd == CONTROL_CMD_STATUS_JSON)
		n = control_format_reply(out, sizeof(out), true, "{\"state\":\"up\"}\n");
	else
		n = control_format_reply(out, sizeof(out), false, "no tunnel to close");
	if (n < 0 || write(fd, out, (size_t)n) != n)
		_exit(14);
	close(fd);
}

static void test_round_trip(void)
{
	char path[96], reason[256] = "";
	snprintf(path, sizeof(path), "%s/run/tern/tern.sock", dir);
	int lfd = control_listen(path, reason, sizeof(reason));
	if (lfd < 0)
		fprintf(stderr, "  listen: %s\n", reason);
	CHECK(lfd >= 0);
	if (lfd < 0)
		return;

	struct stat st;
	char sub[96];
	snprintf(sub, sizeof(sub), "%s/run/tern", dir);
	CHECK_EQ(stat(sub, &st), 0);
	CHECK_EQ(st.st_mode & 07777, 0700);
	CHECK_EQ(lstat(path, &st), 0);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0600);

	/* a second tern refuses to start */
	char r2[256] = "";
	CHECK_EQ(control_listen(path, r2, sizeof(r2)), -EADDRINUSE);
	CHECK(strstr(r2, "tern is already running") != NULL);
	/* control_listen's probe connected once: take that connection off the queue */
	int probe = control_accept(lfd);
	if (probe >= 0)
		close(probe);

	enum { CONNECTIONS = 5 };
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < CONNECTIONS; i++)
			serve_one(lfd);
		_exit(0);
	}

	char reply[512];
	int rc = control_request(path, "status", reply, sizeof(reply));
	CHECK_EQ(rc, (int)strlen("state: up\nserver: 192.0.2.1\n"));
	CHECK(strcmp(reply, "state: up\nserver: 192.0.2.1\n") == 0);

	rc = control_request(path, "status-json", reply, sizeof(reply));
	CHECK_EQ(rc, 15);
	CHECK(strcmp(reply, "{\"state\":\"up\"}\n") == 0);

	rc = control_request(path, "disconnect", reply, sizeof(reply));
	CHECK_EQ(rc, -EREMOTEIO);
	CHECK(strcmp(reply, "no tunnel to close") == 0);

	rc = control_request(path, "reboot", reply, sizeof(reply));
	CHECK_EQ(rc, -EREMOTEIO);
	CHECK(strcmp(reply, "unknown command 'reboot'") == 0);

	/* a reply larger than the buffer */
	rc = control_request(path, "status", reply, 8);
	CHECK_EQ(rc, -EMSGSIZE);

	int st_code = -1;
	CHECK_EQ(waitpid(pid, &st_code, 0), pid);
	CHECK(WIFEXITED(st_code) && WEXITSTATUS(st_code) == 0);

	/* tern died without removing its socket: requests see "not running", and the next
	 * control_listen removes the stale file */
	close(lfd);
	CHECK_EQ(control_request(path, "status", reply, sizeof(reply)), -ECONNREFUSED);
	lfd = control_listen(path, reason, sizeof(reason));
	CHECK(lfd >= 0);
	control_unlisten(lfd, path);
	CHECK_EQ(lstat(path, &st), -1);
	CHECK_EQ(control_request(path, "status", reply, sizeof(reply)), -ENOENT);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/run", dir);
	rmdir(sub);
}

static void test_not_a_socket(void)
{
	char path[96], reason[256] = "";
	snprintf(path, sizeof(path), "%s/file", dir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	CHECK_EQ(control_listen(path, reason, sizeof(reason)), -EEXIST);
	CHECK(strstr(reason, "not a socket") != NULL);
	struct stat st;
	CHECK_EQ(stat(path, &st), 0); /* left alone */
	unlink(path);

	char longpath[200];
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	CHECK_EQ(control_listen(longpath, reason, sizeof(reason)), -ENAMETOOLONG);
}

struct parse_case {
	const char *buf;
	size_t len;
	int rc;
	enum control_cmd cmd;
};

#define S(x) x, sizeof(x) - 1

static void test_parse(void)
{
	char longline[CONTROL_LINE_MAX + 4];
	memset(longline, 's', sizeof(longline));
	const struct parse_case cases[] = {
	    {S("status\n"), 7, CONTROL_CMD_STATUS},
	    {S("status-json\n"), 12, CONTROL_CMD_STATUS_JSON},
	    {S("status-json\r\n"), 13, CONTROL_CMD_STATUS_JSON},
	    {S("disconnect\nstatus\n"), 11, CONTROL_CMD_DISCONNECT},
	    {S("status"), -EAGAIN, 0},
	    {S(""), -EAGAIN, 0},
	    {S("stat\n"), -EINVAL, 0},
	    {S("status \n"), -EINVAL, 0},
	    {S("\n"), -EINVAL, 0},
	    {S("STATUS\n"), -EINVAL, 0},
	    {longline, sizeof(longline), -EMSGSIZE, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum control_cmd cmd = 0;
		char reason[128] = "";
		int rc =
		    control_parse_command(cases[i].buf, cases[i].len, &cmd, reason, sizeof(reason));
		if (rc != cases[i].rc)
			fprintf(stderr, "  case %zu: rc %d\n", i, rc);
		CHECK_EQ(rc, cases[i].rc);
		if (rc > 0)
			CHECK_EQ(cmd, cases[i].cmd);
		if (rc == -EINVAL)
			CHECK(strstr(reason, "unknown command") != NULL);
	}
	char reason[128];
	enum control_cmd cmd;
	CHECK_EQ(control_parse_command(S("st\x01tus\n"), &cmd, reason, sizeof(reason)), -EINVAL);
	CHECK(strcmp(reason, "unknown command 'st?tus'") == 0);
}

static void test_format(void)
{
	char out[64];
	CHECK_EQ(control_format_reply(out, sizeof(out), true, "a\nb\n"), 7);
	CHECK(strcmp(out, "ok\na\nb\n") == 0);
	CHECK_EQ(control_format_reply(out, sizeof(out), true, NULL), 3);
	CHECK(strcmp(out, "ok\n") == 0);
	CHECK_EQ(control_format_reply(out, sizeof(out), false, "bad thing\nsecond line"), 16);
	CHECK(strcmp(out, "error bad thing\n") == 0);
	CHECK_EQ(control_format_reply(out, 4, true, "abc"), -ENOSPC);
	CHECK(strcmp(control_cmd_name(CONTROL_CMD_STATUS_JSON), "status-json") == 0);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_round_trip();
	test_not_a_socket();
	test_parse();
	test_format();
	rmdir(dir);
	return check_done("control");
}
