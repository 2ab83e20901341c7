/* Fork to the background; the parent exits with the code the child reports through a socket
 * pair. */
#include "client/daemon.h"
#include "client/reason.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/cli.h"

enum {
	REAP_TRIES = 20, /* after EOF, look for the child's exit status this many times */
	REAP_STEP_MS = 5,
	FAILED_CHILD_WAIT_MS = 10000, /* how long a failed connect waits for the clean-up */
};

static char log_file[PATH_MAX]; /* empty: /dev/null */

static volatile sig_atomic_t parent_signal;

static void on_parent_signal(int sig)
{
	parent_signal = sig;
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_parent_signal; /* no SA_RESTART: read() returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Waits up to ms for the child to exit; returns waitpid's answer (0: still running). */
static pid_t reap(pid_t child, unsigned ms, int *st)
{
	pid_t r = 0;
	for (unsigned waited = 0; r == 0; waited += REAP_STEP_MS) {
		r = waitpid(child, st, WNOHANG);
		if (r == 0 && waited >= ms)
			break;
		if (r == 0)
			nanosleep(&(struct timespec){0, REAP_STEP_MS * 1000000L}, NULL);
	}
	return r;
}

/* Explains a child that closed the pipe without a word. */
static void report_silent_exit(pid_t child, bool interrupted)
{
	int st = 0;
	pid_t r = reap(child, REAP_TRIES * REAP_STEP_MS, &st);
	if (interrupted)
		fprintf(stderr, "tern: interrupted\n");
	else if (r == child && WIFSIGNALED(st))
		fprintf(stderr, "tern exited unexpectedly (signal %d)\n", WTERMSIG(st));
	else
		fprintf(stderr, "tern exited unexpectedly\n");
}

/* Parent: waits for the child's code. A signal (Ctrl-C) is passed on to the child, which is in
 * its own session and would not see it; the wait then goes on for its answer. */
static _Noreturn void wait_child(int rfd, pid_t child)
{
	bool interrupted = false;
	catch_signals();
	for (;;) {
		uint8_t code;
		ssize_t r = read(rfd, &code, 1);
		if (r == 1) {
			/* A failed child is cleaning up (routes, rules, resolv.conf): return only
			 * once it is gone, so the caller sees the system as it was. */
			if (code != 0)
				reap(child, FAILED_CHILD_WAIT_MS, NULL);
			_exit(code);
		}
		if (r < 0 && errno == EINTR) {
			if (parent_signal && !interrupted) {
				interrupted = true;
				kill(child, SIGTERM);
			}
			continue;
		}
		report_silent_exit(child, interrupted);
		_exit(TERN_EXIT_FAILURE);
	}
}

static int redirect(int target, const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	int rc = 0;
	if (fd != target && dup2(fd, target) < 0)
		rc = -errno;
	if (fd != target)
		close(fd);
	return rc;
}

int daemon_start(int *notify_fd, const char *log_path, char *reason, size_t rlen)
{
	if (log_path && strlen(log_path) >= sizeof(log_file)) {
		reason_set(reason, rlen, "log file path too long");
		return -ENAMETOOLONG;
	}
	snprintf(log_file, sizeof(log_file), "%s", log_path ? log_path : "");

	/* A socket pair, not a pipe: send(MSG_NOSIGNAL) cannot raise SIGPIPE if the parent is
	 * gone. */
	int p[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0) {
		int rc = -errno;
		reason_set(reason, rlen, "cannot create a socket pair: %s", strerror(errno));
		return rc;
	}
	fflush(NULL); /* or both processes would write what stdio still holds */
	pid_t pid = fork();
	if (pid < 0) {
		int rc = -errno;
		reason_set(reason, rlen, "cannot fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return rc;
	}
	if (pid > 0) {
		close(p[1]);
		wait_child(p[0], pid);
	}

	close(p[0]);
	if (setsid() < 0) {
		int rc = -errno;
		reason_set(reason, rlen, "cannot start a new session: %s", strerror(errno));
		close(p[1]);
		return rc;
	}
	int rc = redirect(STDIN_FILENO, "/dev/null", O_RDONLY);
	if (rc == 0 && chdir("/") < 0)
		rc = -errno;
	if (rc < 0) {
		reason_set(reason, rlen, "cannot detach: %s", strerror(-rc));
		close(p[1]);
		return rc;
	}
	*notify_fd = p[1];
	return 0;
}

int daemon_ready(int notify_fd, int code)
{
	if (notify_fd < 0)
		return 0;
	uint8_t c = (uint8_t)code;
	ssize_t w;
	do
		w = send(notify_fd, &c, 1, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	int rc = w == 1 ? 0 : -errno;
	close(notify_fd);
	if (code != 0)
		return rc;

	fflush(stdout);
	fflush(stderr);
	const char *out = log_file[0] ? log_file : "/dev/null";
	int flags = log_file[0] ? O_WRONLY | O_CREAT | O_APPEND : O_WRONLY;
	int r1 = redirect(STDOUT_FILENO, out, flags);
	int r2 = redirect(STDERR_FILENO, out, flags);
	if (rc == 0)
		rc = r1 < 0 ? r1 : r2;
	return rc;
}
