/* The tern command line: subcommands and options, parsed into struct cli_opts, and the
 * subcommands that only talk to a running tern (status, disconnect). */
#ifndef TERN_CLIENT_CLI_H
#define TERN_CLIENT_CLI_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client/password.h"
#include "client/proposal.h"

#ifndef TERN_VERSION
#define TERN_VERSION "0.1.0"
#endif

enum tern_exit {
	TERN_EXIT_OK = 0,
	TERN_EXIT_FAILURE = 1,
	TERN_EXIT_USAGE = 2,
	TERN_EXIT_AUTH = 3,
	TERN_EXIT_UNTRUSTED = 4,
	TERN_EXIT_NO_PROPOSAL = 5,
	TERN_EXIT_UNREACHABLE = 6,
};

enum cli_command {
	CLI_CMD_NONE = 0,
	CLI_CMD_CONNECT,
	CLI_CMD_DISCONNECT,
	CLI_CMD_STATUS,
	CLI_CMD_HELP,
	CLI_CMD_VERSION,
};

/* EAP methods the user allows: bit n stands for EAP method type n (IANA "Method Types":
 * MD5-Challenge 4, EAP-MSCHAP-V2 26). */
#define CLI_EAP_BIT(type) (UINT32_C(1) << (type))
enum cli_eap_type {
	CLI_EAP_TYPE_MD5 = 4,
	CLI_EAP_TYPE_MSCHAPV2 = 26,
};
#define CLI_EAP_DEFAULT (CLI_EAP_BIT(CLI_EAP_TYPE_MSCHAPV2) | CLI_EAP_BIT(CLI_EAP_TYPE_MD5))

enum cli_defaults {
	CLI_PORT_DEFAULT = 500,
	CLI_TIMEOUT_DEFAULT_S = 30,
	CLI_DPD_DEFAULT_S = 30,
	CLI_TIMEOUT_MAX_S = 3600,
	CLI_MTU_MIN = 576,
	CLI_MTU_MAX = 9000,
};
#define CLI_IFNAME_DEFAULT "tern0"

enum cli_limits {
	CLI_NAME_MAX = 256,   /* server, user, server id: bytes with the NUL */
	CLI_SOCKET_MAX = 108, /* sizeof(sockaddr_un.sun_path) */
};

struct cli_opts {
	enum cli_command command;
	enum cli_command help_topic; /* CLI_CMD_HELP: the command asked about, or NONE */

	/* connect */
	char server[CLI_NAME_MAX];    /* gateway host name or address, as given */
	uint16_t port;		      /* IKE port, default 500 */
	char user[CLI_NAME_MAX];      /* EAP identity */
	char server_id[CLI_NAME_MAX]; /* identity the gateway must prove; default: server */
	enum password_source password_source;
	char password_file[PATH_MAX]; /* absolute; PASSWORD_FILE only */
	char ca[PATH_MAX];	      /* absolute CA file (PEM); "" = system trust store */
	struct prop_list ike;	      /* --ike or prop_default_ike() */
	struct prop_list esp;	      /* --esp or prop_default_esp() */
	uint32_t eap_methods;	      /* CLI_EAP_BIT() mask */
	unsigned timeout_s;	      /* give up connecting after this long; default 30 */
	unsigned dpd_s;		      /* liveness check after this long idle; default 30 */
	unsigned mtu;		      /* TUN MTU; 0 = automatic */
	char ifname[IFNAMSIZ];	      /* default "tern0" */
	bool foreground;	      /* stay attached to the terminal, no fork */
	char log_file[PATH_MAX];      /* absolute; "" = discard output once in background */

	/* every command */
	char socket_path[CLI_SOCKET_MAX]; /* default CONTROL_DEFAULT_PATH */
	unsigned verbose;		  /* -v count */
	bool json;			  /* status: machine-readable output */
};

/* Fills o with the defaults (command NONE). */
void cli_defaults(struct cli_opts *o);

/* Parses argv (argv[0] is the program name) into o. Returns 0, or -EINVAL with a one-line
 * reason in words. Prints nothing. */
int cli_parse(int argc, char *const argv[], struct cli_opts *o, char *reason, size_t rlen);

/* Entry point for main(): parses argv; prints an error line ("tern: ...") and returns
 * TERN_EXIT_USAGE, or prints help/version and returns 0, or runs status/disconnect and
 * returns their exit code; in all those cases *done is set. For connect, *done is false and
 * the caller goes on with o. */
int cli_main(int argc, char *const argv[], struct cli_opts *o, bool *done);

/* Prints the usage text (topic CLI_CMD_NONE: all commands). */
void cli_usage(FILE *f, enum cli_command topic);

/* `tern status` and `tern disconnect`: ask the running tern over the control socket and print
 * its answer on out; errors go to err as one line. Return an enum tern_exit code; nothing
 * running gives "tern: not connected" and TERN_EXIT_FAILURE. */
int cli_status(const struct cli_opts *o, FILE *out, FILE *err);
int cli_disconnect(const struct cli_opts *o, FILE *out, FILE *err);

/* A short name for an exit code ("auth", "no-proposal", ...), for logs and JSON. */
const char *cli_exit_name(int code);

#endif
