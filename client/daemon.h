/* Going to the background once connected.
 *
 * daemon_start() forks. The parent waits on a socket pair and exits with the code the child
 * reports: so `tern connect` returns only when the tunnel is up (0) or has failed (the failure's
 * exit code), while the child goes on in its own session. Progress and error lines written by the
 * child to stderr before it reports still reach the user's terminal: write the error line
 * first, then call daemon_ready() with the code. In --foreground mode don't call
 * daemon_start(); pass notify_fd = -1 to daemon_ready(), which then does nothing. */
#ifndef TERN_CLIENT_DAEMON_H
#define TERN_CLIENT_DAEMON_H

#include <stddef.h>

/* In the child, returns 0 with *notify_fd set: the child has its own session, stdin on
 * /dev/null and "/" as working directory. The parent never returns. On failure (pipe, fork)
 * returns a negative errno with a reason, still in the original process.
 * log_path: where stdout/stderr go once connected (NULL: /dev/null); copied. */
int daemon_start(int *notify_fd, const char *log_path, char *reason, size_t rlen);

/* Child: reports code (enum tern_exit) to the waiting parent and closes notify_fd. When code
 * is 0, stdout and stderr then move to the log file (or /dev/null). Returns 0 or a negative
 * errno. Does nothing when notify_fd < 0. */
int daemon_ready(int notify_fd, int code);

#endif
