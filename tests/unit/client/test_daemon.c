/* daemon_start/daemon_ready: a forked "tern" (process P) calls daemon_start(); its background
 * child reports a code; P, the waiting parent, must exit with exactly that code. The codes are
 * the exit codes of cli.h's enum tern_exit (TERN_EXIT_NO_PROPOSAL = 5). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/cli.h"
#include "client/daemon.h"
#include "tests/unit/check.h"

enum child_action { REPORT, CLOSE_SILENTLY, WAIT_FOR_SIGNAL };

static char dir[] = "/tmp/tern-dmn-XXXXXX";

/* Runs P; returns P's wait status. marker: file the background child writes once it is past
 * daemon_ready (to check it survives and has its own session), or NULL. */
static int run(enum child_action action, int code, const char *log_path, const char *marker)
{
	pid_t p = fork();
	if (p == 0) {
		int fd = -1;
		char reason[128];
		if (daemon_start(&fd, log_path, reason, sizeof(reason)) < 0)
			_exit(100);
		/* background child from here on */
		if (action == CLOSE_SILENTLY)
			_exit(0);
		if (action == WAIT_FOR_SIGNAL) {
			pause(); /* SIGTERM from the parent ends us, no report */
			_exit(0);
		}
		fprintf(stderr, "progress line before ready\n");
		int rc = daemon_ready(fd, code);
		if (marker) {
			char text[128];
			snprintf(text, sizeof(text), "rc=%d sid=%d pid=%d cwd_root=%d\n", rc,
				 getsid(0) == getpid(), getpid(),
				 access("tern-test-relative", F_OK));
			fprintf(stdout, "to the log\n");
			fflush(stdout);
			FILE *m = fopen(marker, "w");
			if (m) {
				fputs(text, m);
				fclose(m);
			}
		}
		_exit(0);
	}
	int st = -1;
	if (action == WAIT_FOR_SIGNAL) {
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
		kill(p, SIGINT); /* Ctrl-C on the waiting parent */
	}
	waitpid(p, &st, 0);
	return st;
}

static int wait_for_file(const char *path)
{
	for (int i = 0; i < 200; i++) {
		struct stat st;
		if (stat(path, &st) == 0 && st.st_size > 0)
			return 0;
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

static void test_codes(void)
{
	int st = run(REPORT, TERN_EXIT_NO_PROPOSAL, NULL, NULL);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 5);

	st = run(REPORT, TERN_EXIT_AUTH, NULL, NULL);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 3);

	/* the child dies without reporting: the parent says so and exits 1 */
	st = run(CLOSE_SILENTLY, 0, NULL, NULL);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 1);

	/* Ctrl-C while waiting: passed on to the background child, then exit 1 */
	st = run(WAIT_FOR_SIGNAL, 0, NULL, NULL);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 1);
}

static void test_ready_with_log(void)
{
	char log_path[96], marker[96];
	snprintf(log_path, sizeof(log_path), "%s/tern.log", dir);
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	int st = run(REPORT, TERN_EXIT_OK, log_path, marker);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
	CHECK_EQ(wait_for_file(marker), 0);

	char text[256] = "";
	FILE *m = fopen(marker, "r");
	CHECK(m != NULL);
	if (m) {
		if (!fgets(text, sizeof(text), m))
			text[0] = '\0';
		fclose(m);
	}
	/* reported fine, in its own session, working directory "/" (relative file not found) */
	CHECK(strncmp(text, "rc=0 sid=1 ", 11) == 0);
	CHECK(strstr(text, "cwd_root=-1") != NULL);

	char logtext[256] = "";
	FILE *l = fopen(log_path, "r");
	CHECK(l != NULL);
	if (l) {
		size_t n = fread(logtext, 1, sizeof(logtext) - 1, l);
		logtext[n] = '\0';
		fclose(l);
	}
	CHECK(strcmp(logtext, "to the log\n") == 0);
	struct stat sb;
	CHECK_EQ(stat(log_path, &sb), 0);
	CHECK_EQ(sb.st_mode & 0777, 0600);
	unlink(marker);
	unlink(log_path);
}

static void test_foreground(void)
{
	/* --foreground: no notify fd, daemon_ready does nothing */
	CHECK_EQ(daemon_ready(-1, 0), 0);
	CHECK_EQ(daemon_ready(-1, 4), 0);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	/* a file that exists relative to the test's directory but not relative to "/" */
	if (chdir(dir) < 0)
		return 1;
	FILE *f = fopen("tern-test-relative", "w");
	if (f)
		fclose(f);
	test_codes();
	test_ready_with_log();
	test_foreground();
	unlink("tern-test-relative");
	if (chdir("/") == 0)
		rmdir(dir);
	return check_done("daemon");
}
