/* Helpers for the platform tests: run inside a fresh network namespace (root needed; without
 * it the test exits 77, meson's "skipped"), and run `ip` as the independent checker. */
#ifndef TERN_TESTS_PLATFORM_NETNS_UTIL_H
#define TERN_TESTS_PLATFORM_NETNS_UTIL_H

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

enum { TEST_SKIP = 77, SH_OUT_MAX = 16384 };

/* Runs a shell command; its stdout goes to out (may be NULL). Returns the exit status. */
static int sh(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int sh(char *out, size_t cap, const char *fmt, ...)
{
	char cmd[1024];
	size_t len = 0;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p) {
		perror("popen");
		exit(1);
	}
	if (out && cap) {
		size_t got;
		while (len + 1 < cap && (got = fread(out + len, 1, cap - 1 - len, p)) > 0)
			len += got;
		out[len] = '\0';
	} else {
		char sink[256];
		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Moves this process into new namespaces (CLONE_NEWNET plus `extra`), brings up lo. */
static void enter_netns(int extra)
{
	if (unshare(CLONE_NEWNET | extra) < 0) {
		if (errno == EPERM) {
			printf("skipped: needs root (unshare: %s)\n", strerror(errno));
			exit(TEST_SKIP);
		}
		perror("unshare");
		exit(1);
	}
	if (sh(NULL, 0, "ip link set lo up") != 0) {
		printf("skipped: the ip command (iproute2) is needed as the checker\n");
		exit(TEST_SKIP);
	}
}

#endif
