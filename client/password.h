/* Reading the EAP password: from a file, from standard input, or from a prompt on the terminal
 * (echo off). Never prompts when standard input is not a terminal. */
#ifndef TERN_CLIENT_PASSWORD_H
#define TERN_CLIENT_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum password_source {
	PASSWORD_PROMPT = 0, /* ask on the terminal, only if stdin is a TTY */
	PASSWORD_FILE,	     /* first line of a file */
	PASSWORD_STDIN,	     /* first line of standard input */
};

enum password_limits {
	PASSWORD_MAX = 256, /* bytes, terminating NUL included */
};

/* Each reader stores the first line, without its "\n" or "\r\n", NUL-terminated, in out and
 * returns its length (> 0); or a negative errno with a reason in words. An empty password is
 * an error (-ENODATA), as is one that does not fit in cap (-EMSGSIZE). out is wiped on error. */
int password_read_file(const char *path, char *out, size_t cap, char *reason, size_t rlen);
int password_read_fd(int fd, char *out, size_t cap, char *reason, size_t rlen);
int password_prompt(const char *prompt, char *out, size_t cap, char *reason, size_t rlen);

/* Dispatches on src (path is used by PASSWORD_FILE, prompt by PASSWORD_PROMPT). */
int password_get(enum password_source src, const char *path, const char *prompt, char *out,
		 size_t cap, char *reason, size_t rlen);

/* True when a file with this mode is readable by its owner only (a warning is printed
 * otherwise when the file is read). */
bool password_mode_is_private(mode_t mode);

/* Wipes a password buffer (OPENSSL_cleanse). */
void password_wipe(char *buf, size_t cap);

#endif
