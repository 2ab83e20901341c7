/* tern: an IKEv2 VPN client. */
#include <stdio.h>
#include <string.h>

#include "client/cli.h"
#include "client/daemon.h"
#include "client/password.h"
#include "client/session.h"
#include "crypto/cert.h"

int main(int argc, char *argv[])
{
	static struct cli_opts o;
	bool done = false;
	int code = cli_main(argc, argv, &o, &done);
	if (done)
		return code;

	char password[PASSWORD_MAX], reason[256];
	char prompt[CLI_NAME_MAX + 32];
	snprintf(prompt, sizeof(prompt), "Password for %s: ", o.user);
	if (password_get(o.password_source, o.password_file, prompt, password, sizeof(password),
			 reason, sizeof(reason)) < 0) {
		fprintf(stderr, "tern: %s\n", reason);
		return TERN_EXIT_USAGE;
	}
	/* Checked before going to the background, like every other configuration error. */
	struct cert_trust *trust;
	if (cert_trust_load(&trust, o.ca[0] ? o.ca : NULL, reason, sizeof(reason))) {
		fprintf(stderr, "tern: %s\n", reason);
		password_wipe(password, sizeof(password));
		return TERN_EXIT_USAGE;
	}
	int notify_fd = -1;
	if (!o.foreground &&
	    daemon_start(&notify_fd, o.log_file[0] ? o.log_file : NULL, reason, sizeof(reason))) {
		fprintf(stderr, "tern: %s\n", reason);
		password_wipe(password, sizeof(password));
		cert_trust_free(trust);
		return TERN_EXIT_FAILURE;
	}
	code = session_run(&o, password, trust, notify_fd);
	password_wipe(password, sizeof(password));
	return code;
}
