/* Reading the EAP password. Reads go straight into the caller's buffer with read(2), one byte
 * at a time, so no stdio buffer keeps a copy. */
#include "client/password.h"
#include "client/reason.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

void password_wipe(char *buf, size_t cap)
{
	if (buf && cap)
		OPENSSL_cleanse(buf, cap);
}

bool password_mode_is_private(mode_t mode)
{
	return (mode & (S_IRWXG | S_IRWXO)) == 0;
}

/* Reads one line from fd into out. Returns its length without the line end, or a negative
 * errno: -ENODATA (empty), -EMSGSIZE (too long), -EINVAL (NUL byte), or read's error. */
static int read_line(int fd, char *out, size_t cap)
{
	size_t n = 0;
	int rc = 0;
	if (cap == 0)
		return -EMSGSIZE;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0) { /* EINTR included: the prompt relies on it to stop on a signal */
			rc = -errno;
			break;
		}
		if (r == 0 || c == '\n')
			break;
		if (c == '\0' && rc == 0)
			rc = -EINVAL;
		if (n + 1 >= cap) {
			rc = -EMSGSIZE;
			continue; /* keep reading to the end of the line, storing nothing */
		}
		out[n++] = c;
		c = 0;
	}
	if (n > 0 && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	if (rc == 0 && n == 0)
		rc = -ENODATA;
	if (rc < 0) {
		password_wipe(out, cap);
		return rc;
	}
	return (int)n;
}

static void explain(int rc, const char *where, size_t cap, char *reason, size_t rlen)
{
	switch (rc) {
	case -ENODATA:
		reason_set(reason, rlen, "no password in %s (the first line is empty)", where);
		break;
	case -EMSGSIZE:
		reason_set(reason, rlen, "password in %s is too long (at most %zu bytes)", where,
			   cap ? cap - 1 : 0);
		break;
	case -EINVAL:
		reason_set(reason, rlen, "password in %s contains a NUL byte", where);
		break;
	case -EINTR:
		reason_set(reason, rlen, "interrupted while reading the password");
		break;
	default:
		reason_set(reason, rlen, "cannot read the password from %s: %s", where,
			   strerror(-rc));
		break;
	}
}

int password_read_file(const char *path, char *out, size_t cap, char *reason, size_t rlen)
{
	char where[300];
	snprintf(where, sizeof(where), "file '%s'", path);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int rc = -errno;
		reason_set(reason, rlen, "cannot open password file '%s': %s", path,
			   strerror(errno));
		return rc;
	}
	struct stat st;
	if (fstat(fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			close(fd);
			reason_set(reason, rlen, "password file '%s' is a directory", path);
			return -EISDIR;
		}
		if (S_ISREG(st.st_mode) && !password_mode_is_private(st.st_mode))
			fprintf(stderr,
				"tern: warning: password file '%s' is accessible by other users "
				"(chmod 600 it)\n",
				path);
	}
	int rc = read_line(fd, out, cap);
	close(fd);
	if (rc < 0)
		explain(rc, where, cap, reason, rlen);
	return rc;
}

int password_read_fd(int fd, char *out, size_t cap, char *reason, size_t rlen)
{
	int rc = read_line(fd, out, cap);
	if (rc < 0)
		explain(rc, "standard input", cap, reason, rlen);
	return rc;
}

static volatile sig_atomic_t prompt_signal;

static void on_prompt_signal(int sig)
{
	prompt_signal = sig;
}

static const int prompt_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
enum { PROMPT_SIGNALS = sizeof(prompt_signals) / sizeof(prompt_signals[0]) };

/* Reads a line from tty with echo off; the terminal is restored before returning, also when
 * a signal arrives (the signal is then delivered again with its previous disposition). */
static int read_noecho(int tty, char *out, size_t cap)
{
	struct termios old, quiet;
	struct sigaction sa, saved[PROMPT_SIGNALS];
	bool have_termios = tcgetattr(tty, &old) == 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_prompt_signal; /* no SA_RESTART: read() returns EINTR */
	sigemptyset(&sa.sa_mask);
	prompt_signal = 0;
	for (int i = 0; i < PROMPT_SIGNALS; i++)
		sigaction(prompt_signals[i], &sa, &saved[i]);

	if (have_termios) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(tty, TCSAFLUSH, &quiet);
	}
	int rc = read_line(tty, out, cap);
	if (have_termios)
		tcsetattr(tty, TCSAFLUSH, &old);

	for (int i = 0; i < PROMPT_SIGNALS; i++)
		sigaction(prompt_signals[i], &saved[i], NULL);
	if (prompt_signal) {
		password_wipe(out, cap);
		raise(prompt_signal);
		return -EINTR;
	}
	return rc;
}

int password_prompt(const char *prompt, char *out, size_t cap, char *reason, size_t rlen)
{
	if (!isatty(STDIN_FILENO)) {
		reason_set(reason, rlen, "no password: use --password-file or --password-stdin");
		return -ENOTTY;
	}
	int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	int fd = tty >= 0 ? tty : STDIN_FILENO;
	int out_fd = tty >= 0 ? tty : STDERR_FILENO;
	const char *p = prompt ? prompt : "Password: ";
	if (write(out_fd, p, strlen(p)) < 0) {
		/* the prompt is a courtesy; reading still works without it */
	}
	int rc = read_noecho(fd, out, cap);
	if (tty >= 0)
		close(tty);
	if (rc < 0)
		explain(rc, "the terminal", cap, reason, rlen);
	return rc;
}

int password_get(enum password_source src, const char *path, const char *prompt, char *out,
		 size_t cap, char *reason, size_t rlen)
{
	switch (src) {
	case PASSWORD_FILE:
		if (!path) {
			reason_set(reason, rlen, "no password file given");
			return -EINVAL;
		}
		return password_read_file(path, out, cap, reason, rlen);
	case PASSWORD_STDIN:
		return password_read_fd(STDIN_FILENO, out, cap, reason, rlen);
	case PASSWORD_PROMPT:
		return password_prompt(prompt, out, cap, reason, rlen);
	}
	reason_set(reason, rlen, "unknown password source");
	return -EINVAL;
}
