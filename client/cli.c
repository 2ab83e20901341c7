/* The tern command line: a table of subcommands and a table of options. */
#include "client/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/control.h"

/* Bit masks of the commands an option applies to. */
#define ON(cmd)	   (1u << (cmd))
#define ON_CONNECT ON(CLI_CMD_CONNECT)
#define ON_ALL	   (ON(CLI_CMD_CONNECT) | ON(CLI_CMD_DISCONNECT) | ON(CLI_CMD_STATUS))

struct command {
	const char *name;
	enum cli_command cmd;
	const char *args; /* positional arguments, for usage */
	const char *summary;
};

static const struct command commands[] = {
    {"connect", CLI_CMD_CONNECT, "[options] SERVER", "connect to an IKEv2 gateway"},
    {"disconnect", CLI_CMD_DISCONNECT, "[options]", "close the tunnel of the running tern"},
    {"status", CLI_CMD_STATUS, "[options]", "show the state of the running tern"},
    {"help", CLI_CMD_HELP, "[COMMAND]", "show this help, or a command's options"},
    {"version", CLI_CMD_VERSION, "", "show the version"},
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

/* State of one parse, beyond the options themselves. */
struct parse {
	struct cli_opts *o;
	char *reason;
	size_t rlen;
	bool help, version;
	bool pw_file, pw_stdin;
	unsigned positional; /* positional arguments after the command */
};

struct option {
	const char *name; /* long name, without "--" */
	char short_name;  /* 0: none */
	const char *arg;  /* value name for usage; NULL: a flag */
	unsigned cmds;	  /* ON(...) mask; 0: everywhere, before or after the command */
	int (*set)(struct parse *p, const char *val);
	const char *help;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parse *p, const char *fmt, ...)
{
	if (p->reason && p->rlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->reason, p->rlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Copies val into dst (cap bytes); names the option in the error when it does not fit. */
static int copy(struct parse *p, char *dst, size_t cap, const char *val, const char *what)
{
	size_t n = strlen(val);
	if (n == 0)
		return fail(p, "%s must not be empty", what);
	if (n >= cap)
		return fail(p, "%s is too long (at most %zu bytes)", what, cap - 1);
	memcpy(dst, val, n + 1);
	return 0;
}

/* Like copy(), but a relative path is made absolute: tern changes directory once in the
 * background. */
static int copy_path(struct parse *p, char *dst, size_t cap, const char *val, const char *what)
{
	if (val[0] == '/' || val[0] == '\0')
		return copy(p, dst, cap, val, what);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return fail(p, "cannot resolve %s '%s': %s", what, val, strerror(errno));
	int n = snprintf(dst, cap, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, val);
	if (n < 0 || (size_t)n >= cap)
		return fail(p, "%s is too long", what);
	return 0;
}

static int parse_uint(struct parse *p, const char *val, unsigned lo, unsigned hi, const char *what,
		      unsigned *out)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)val[0]))
		return fail(p, "%s must be a number, not '%s'", what, val);
	unsigned long v = strtoul(val, &end, 10);
	if (errno || *end != '\0')
		return fail(p, "%s must be a number, not '%s'", what, val);
	if (v < lo || v > hi)
		return fail(p, "%s must be between %u and %u, not '%s'", what, lo, hi, val);
	*out = (unsigned)v;
	return 0;
}

static bool has_space(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s) || iscntrl((unsigned char)*s))
			return true;
	return false;
}

static int set_server(struct parse *p, const char *v)
{
	if (v[0] == '\0' || has_space(v))
		return fail(p, "invalid server '%s'", v);
	return copy(p, p->o->server, sizeof(p->o->server), v, "server");
}

static int set_user(struct parse *p, const char *v)
{
	if (has_space(v))
		return fail(p, "user name must not contain spaces or control characters");
	return copy(p, p->o->user, sizeof(p->o->user), v, "user name");
}

static int set_password_file(struct parse *p, const char *v)
{
	p->pw_file = true;
	p->o->password_source = PASSWORD_FILE;
	return copy_path(p, p->o->password_file, sizeof(p->o->password_file), v, "password file");
}

static int set_password_stdin(struct parse *p, const char *v)
{
	(void)v;
	p->pw_stdin = true;
	p->o->password_source = PASSWORD_STDIN;
	return 0;
}

static int set_ca(struct parse *p, const char *v)
{
	return copy_path(p, p->o->ca, sizeof(p->o->ca), v, "CA file");
}

static int set_server_id(struct parse *p, const char *v)
{
	if (has_space(v))
		return fail(p, "server identity must not contain spaces or control characters");
	return copy(p, p->o->server_id, sizeof(p->o->server_id), v, "server identity");
}

static int set_port(struct parse *p, const char *v)
{
	unsigned port;
	int rc = parse_uint(p, v, 1, 65535, "port", &port);
	if (rc == 0)
		p->o->port = (uint16_t)port;
	return rc;
}

static int set_proposals(struct parse *p, const char *v, uint8_t protocol, struct prop_list *l)
{
	char why[256] = "";
	if (prop_parse(v, protocol, l, why, sizeof(why)) < 0)
		return fail(p, "--%s: %s", protocol == PROP_PROTO_IKE ? "ike" : "esp", why);
	return 0;
}

static int set_ike(struct parse *p, const char *v)
{
	return set_proposals(p, v, PROP_PROTO_IKE, &p->o->ike);
}

static int set_esp(struct parse *p, const char *v)
{
	return set_proposals(p, v, PROP_PROTO_ESP, &p->o->esp);
}

static const struct {
	const char *name;
	unsigned type;
} eap_names[] = {
    {"mschapv2", CLI_EAP_TYPE_MSCHAPV2},
    {"md5", CLI_EAP_TYPE_MD5},
};

static int set_eap(struct parse *p, const char *v)
{
	uint32_t mask = 0;
	const char *s = v;
	for (;;) {
		size_t n = strcspn(s, ",");
		bool found = false;
		for (size_t i = 0; i < sizeof(eap_names) / sizeof(eap_names[0]); i++) {
			if (strlen(eap_names[i].name) == n &&
			    strncasecmp(eap_names[i].name, s, n) == 0) {
				mask |= CLI_EAP_BIT(eap_names[i].type);
				found = true;
			}
		}
		if (!found)
			return fail(p, "unknown EAP method '%.*s' (known: mschapv2, md5)", (int)n,
				    s);
		if (s[n] == '\0')
			break;
		s += n + 1;
	}
	p->o->eap_methods = mask;
	return 0;
}

static int set_timeout(struct parse *p, const char *v)
{
	return parse_uint(p, v, 1, CLI_TIMEOUT_MAX_S, "timeout", &p->o->timeout_s);
}

static int set_dpd(struct parse *p, const char *v)
{
	return parse_uint(p, v, 1, CLI_TIMEOUT_MAX_S, "liveness interval", &p->o->dpd_s);
}

static int set_mtu(struct parse *p, const char *v)
{
	return parse_uint(p, v, CLI_MTU_MIN, CLI_MTU_MAX, "MTU", &p->o->mtu);
}

static int set_ifname(struct parse *p, const char *v)
{
	if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0 || strchr(v, '/') || strchr(v, ':') ||
	    has_space(v))
		return fail(p, "invalid interface name '%s'", v);
	return copy(p, p->o->ifname, sizeof(p->o->ifname), v, "interface name");
}

static int set_foreground(struct parse *p, const char *v)
{
	(void)v;
	p->o->foreground = true;
	return 0;
}

static int set_log_file(struct parse *p, const char *v)
{
	return copy_path(p, p->o->log_file, sizeof(p->o->log_file), v, "log file");
}

static int set_socket(struct parse *p, const char *v)
{
	return copy_path(p, p->o->socket_path, sizeof(p->o->socket_path), v, "control socket path");
}

static int set_verbose(struct parse *p, const char *v)
{
	(void)v;
	p->o->verbose++;
	return 0;
}

static int set_json(struct parse *p, const char *v)
{
	(void)v;
	p->o->json = true;
	return 0;
}

static int set_help(struct parse *p, const char *v)
{
	(void)v;
	p->help = true;
	return 0;
}

static int set_version(struct parse *p, const char *v)
{
	(void)v;
	p->version = true;
	return 0;
}

static const struct option options[] = {
    {"server", 's', "HOST", ON_CONNECT, set_server, "gateway host name or address (or as SERVER)"},
    {"user", 'u', "NAME", ON_CONNECT, set_user, "EAP identity (required)"},
    {"password-file", 0, "FILE", ON_CONNECT, set_password_file,
     "read the password from the first line of FILE"},
    {"password-stdin", 0, NULL, ON_CONNECT, set_password_stdin,
     "read the password from the first line of standard input"},
    {"ca", 0, "FILE", ON_CONNECT, set_ca,
     "trust gateway certificates issued by this CA (PEM; default: system store)"},
    {"server-id", 0, "ID", ON_CONNECT, set_server_id,
     "identity the gateway must prove (default: SERVER)"},
    {"port", 0, "PORT", ON_CONNECT, set_port, "IKE port of the gateway (default 500)"},
    {"ike", 0, "PROPOSALS", ON_CONNECT, set_ike,
     "IKE proposals, e.g. aes256gcm16-prfsha256-x25519,aes128-sha256-modp2048"},
    {"esp", 0, "PROPOSALS", ON_CONNECT, set_esp,
     "ESP proposals, e.g. aes256gcm16,chacha20poly1305-x25519"},
    {"eap", 0, "METHODS", ON_CONNECT, set_eap,
     "EAP methods to accept: mschapv2,md5 (default: both)"},
    {"timeout", 0, "SECONDS", ON_CONNECT, set_timeout, "stop trying to connect after (default 30)"},
    {"dpd", 0, "SECONDS", ON_CONNECT, set_dpd,
     "check the gateway is alive after this long without traffic (default 30)"},
    {"mtu", 0, "BYTES", ON_CONNECT, set_mtu, "MTU of the tunnel interface (default: automatic)"},
    {"ifname", 0, "NAME", ON_CONNECT, set_ifname, "tunnel interface name (default tern0)"},
    {"foreground", 'f', NULL, ON_CONNECT, set_foreground, "stay in the foreground"},
    {"log-file", 0, "FILE", ON_CONNECT, set_log_file,
     "once in the background, append messages to FILE"},
    {"json", 0, NULL, ON(CLI_CMD_STATUS), set_json, "machine-readable output (JSON)"},
    {"socket", 0, "PATH", ON_ALL, set_socket, "control socket (default " CONTROL_DEFAULT_PATH ")"},
    {"verbose", 'v', NULL, ON_ALL, set_verbose, "more messages (repeat for more)"},
    {"help", 'h', NULL, 0, set_help, "show help"},
    {"version", 0, NULL, 0, set_version, "show the version"},
};

#define OPTION_COUNT (sizeof(options) / sizeof(options[0]))

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static const char *command_name(enum cli_command cmd)
{
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return "?";
}

static const struct option *find_long(const char *name, size_t n)
{
	for (size_t i = 0; i < OPTION_COUNT; i++)
		if (strlen(options[i].name) == n && strncmp(options[i].name, name, n) == 0)
			return &options[i];
	return NULL;
}

static const struct option *find_short(char c)
{
	for (size_t i = 0; i < OPTION_COUNT; i++)
		if (options[i].short_name == c)
			return &options[i];
	return NULL;
}

void cli_defaults(struct cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->port = CLI_PORT_DEFAULT;
	o->password_source = PASSWORD_PROMPT;
	prop_default_ike(&o->ike);
	prop_default_esp(&o->esp);
	o->eap_methods = CLI_EAP_DEFAULT;
	o->timeout_s = CLI_TIMEOUT_DEFAULT_S;
	o->dpd_s = CLI_DPD_DEFAULT_S;
	snprintf(o->ifname, sizeof(o->ifname), "%s", CLI_IFNAME_DEFAULT);
	snprintf(o->socket_path, sizeof(o->socket_path), "%s", CONTROL_DEFAULT_PATH);
}

/* Options are applied as they come; which command they belong to is checked at the end. */
struct seen {
	const struct option *opt[64];
	unsigned n;
};

static int apply(struct parse *p, struct seen *seen, const struct option *opt, const char *val)
{
	if (seen->n < sizeof(seen->opt) / sizeof(seen->opt[0]))
		seen->opt[seen->n++] = opt;
	return opt->set(p, val);
}

static int long_option(struct parse *p, struct seen *seen, int argc, char *const argv[], int *i)
{
	const char *a = argv[*i] + 2;
	const char *eq = strchr(a, '=');
	size_t n = eq ? (size_t)(eq - a) : strlen(a);
	const struct option *opt = find_long(a, n);
	if (!opt)
		return fail(p, "unknown option '--%.*s'", (int)n, a);
	if (!opt->arg) {
		if (eq)
			return fail(p, "option '--%s' takes no value", opt->name);
		return apply(p, seen, opt, NULL);
	}
	if (eq)
		return apply(p, seen, opt, eq + 1);
	if (*i + 1 >= argc)
		return fail(p, "option '--%s' needs a value (%s)", opt->name, opt->arg);
	return apply(p, seen, opt, argv[++*i]);
}

/* "-v", "-vvf", "-u carol", "-ucarol". */
static int short_options(struct parse *p, struct seen *seen, int argc, char *const argv[], int *i)
{
	for (const char *c = argv[*i] + 1; *c; c++) {
		const struct option *opt = find_short(*c);
		if (!opt)
			return fail(p, "unknown option '-%c'", *c);
		if (!opt->arg) {
			int rc = apply(p, seen, opt, NULL);
			if (rc < 0)
				return rc;
			continue;
		}
		if (c[1])
			return apply(p, seen, opt, c + 1);
		if (*i + 1 >= argc)
			return fail(p, "option '-%c' needs a value (%s)", *c, opt->arg);
		return apply(p, seen, opt, argv[++*i]);
	}
	return 0;
}

static int positional(struct parse *p, const char *a)
{
	struct cli_opts *o = p->o;
	if (o->command == CLI_CMD_NONE) {
		const struct command *c = find_command(a);
		if (!c)
			return fail(p, "unknown command '%s'", a);
		o->command = c->cmd;
		return 0;
	}
	p->positional++;
	if (o->command == CLI_CMD_CONNECT && p->positional == 1) {
		if (a[0] == '\0' || has_space(a))
			return fail(p, "invalid server '%s'", a);
		return copy(p, o->server, sizeof(o->server), a, "server");
	}
	if (o->command == CLI_CMD_HELP && p->positional == 1) {
		const struct command *c = find_command(a);
		if (!c)
			return fail(p, "unknown command '%s'", a);
		o->help_topic = c->cmd;
		return 0;
	}
	return fail(p, "unexpected argument '%s'", a);
}

static int check_seen(struct parse *p, const struct seen *seen)
{
	enum cli_command cmd = p->o->command;
	for (unsigned i = 0; i < seen->n; i++) {
		const struct option *opt = seen->opt[i];
		if (opt->cmds && !(opt->cmds & ON(cmd)))
			return fail(p, "option '--%s' does not apply to '%s'", opt->name,
				    command_name(cmd));
	}
	return 0;
}

static int check_connect(struct parse *p)
{
	struct cli_opts *o = p->o;
	if (o->server[0] == '\0')
		return fail(p, "connect: missing SERVER (tern connect [options] SERVER)");
	if (o->user[0] == '\0')
		return fail(p, "connect: missing --user");
	if (p->pw_file && p->pw_stdin)
		return fail(p, "use either --password-file or --password-stdin, not both");
	if (o->server_id[0] == '\0')
		snprintf(o->server_id, sizeof(o->server_id), "%s", o->server);
	return 0;
}

int cli_parse(int argc, char *const argv[], struct cli_opts *o, char *reason, size_t rlen)
{
	struct parse p = {.o = o, .reason = reason, .rlen = rlen};
	struct seen seen = {.n = 0};
	bool options_done = false;
	int rc = 0;

	if (reason && rlen)
		reason[0] = '\0';
	cli_defaults(o);
	for (int i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i];
		if (!options_done && strcmp(a, "--") == 0)
			options_done = true;
		else if (!options_done && strncmp(a, "--", 2) == 0)
			rc = long_option(&p, &seen, argc, argv, &i);
		else if (!options_done && a[0] == '-' && a[1] != '\0')
			rc = short_options(&p, &seen, argc, argv, &i);
		else
			rc = positional(&p, a);
	}
	if (rc < 0)
		return rc;

	if (p.help) {
		o->help_topic = o->command == CLI_CMD_HELP ? o->help_topic : o->command;
		o->command = CLI_CMD_HELP;
		return 0;
	}
	if (p.version) {
		o->command = CLI_CMD_VERSION;
		return 0;
	}
	if (o->command == CLI_CMD_NONE)
		return fail(&p, "no command given (try 'tern help')");
	rc = check_seen(&p, &seen);
	if (rc == 0 && o->command == CLI_CMD_CONNECT)
		rc = check_connect(&p);
	return rc;
}

static void usage_options(FILE *f, enum cli_command cmd)
{
	for (size_t i = 0; i < OPTION_COUNT; i++) {
		const struct option *opt = &options[i];
		if (!opt->cmds || !(opt->cmds & ON(cmd)))
			continue;
		char left[48];
		int n = 0;
		if (opt->short_name)
			n = snprintf(left, sizeof(left), "-%c, ", opt->short_name);
		snprintf(left + n, sizeof(left) - (size_t)n, "--%s%s%s", opt->name,
			 opt->arg ? " " : "", opt->arg ? opt->arg : "");
		fprintf(f, "  %-26s %s\n", left, opt->help);
	}
}

void cli_usage(FILE *f, enum cli_command topic)
{
	if (topic != CLI_CMD_NONE && topic != CLI_CMD_HELP && topic != CLI_CMD_VERSION) {
		for (size_t i = 0; i < COMMAND_COUNT; i++) {
			if (commands[i].cmd != topic)
				continue;
			const char *s = commands[i].summary;
			fprintf(f, "Usage: tern %s %s\n%c%s.\n\nOptions:\n", commands[i].name,
				commands[i].args, toupper((unsigned char)s[0]), s + 1);
			usage_options(f, topic);
		}
		return;
	}
	fprintf(f, "Usage: tern COMMAND [options]\n\n"
		   "tern is an IKEv2 VPN client (EAP authentication, ESP in UDP on a TUN "
		   "device).\n\nCommands:\n");
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'tern help COMMAND' for a command's options.\n"
		   "Exit codes: 0 ok, 1 failure, 2 usage, 3 authentication failed, 4 gateway not "
		   "trusted,\n5 no acceptable proposal, 6 gateway unreachable.\n");
}

const char *cli_exit_name(int code)
{
	switch (code) {
	case TERN_EXIT_OK:
		return "ok";
	case TERN_EXIT_FAILURE:
		return "failure";
	case TERN_EXIT_USAGE:
		return "usage";
	case TERN_EXIT_AUTH:
		return "auth";
	case TERN_EXIT_UNTRUSTED:
		return "untrusted";
	case TERN_EXIT_NO_PROPOSAL:
		return "no-proposal";
	case TERN_EXIT_UNREACHABLE:
		return "unreachable";
	}
	return "unknown";
}

/* Sends cmd to the running tern and prints the answer. */
static int ask(const struct cli_opts *o, const char *cmd, FILE *out, FILE *err)
{
	char *reply = malloc(CONTROL_REPLY_MAX);
	if (!reply) {
		fprintf(err, "tern: out of memory\n");
		return TERN_EXIT_FAILURE;
	}
	int rc = control_request(o->socket_path, cmd, reply, CONTROL_REPLY_MAX);
	int code = TERN_EXIT_OK;
	if (rc >= 0) {
		fputs(reply, out);
		if (rc > 0 && reply[rc - 1] != '\n')
			fputc('\n', out);
	} else if (rc == -ENOENT || rc == -ECONNREFUSED) {
		fprintf(err, "tern: not connected\n");
		code = TERN_EXIT_FAILURE;
	} else if (rc == -EACCES || rc == -EPERM) {
		fprintf(err, "tern: permission denied on %s (run as root?)\n", o->socket_path);
		code = TERN_EXIT_FAILURE;
	} else if (rc == -EREMOTEIO) {
		fprintf(err, "tern: %s\n", reply[0] ? reply : "request failed");
		code = TERN_EXIT_FAILURE;
	} else {
		fprintf(err, "tern: no answer on %s: %s\n", o->socket_path, strerror(-rc));
		code = TERN_EXIT_FAILURE;
	}
	free(reply);
	return code;
}

int cli_status(const struct cli_opts *o, FILE *out, FILE *err)
{
	return ask(o, control_cmd_name(o->json ? CONTROL_CMD_STATUS_JSON : CONTROL_CMD_STATUS), out,
		   err);
}

int cli_disconnect(const struct cli_opts *o, FILE *out, FILE *err)
{
	return ask(o, control_cmd_name(CONTROL_CMD_DISCONNECT), out, err);
}

int cli_main(int argc, char *const argv[], struct cli_opts *o, bool *done)
{
	char reason[512];
	*done = true;
	if (cli_parse(argc, argv, o, reason, sizeof(reason)) < 0) {
		fprintf(stderr, "tern: %s\n", reason);
		return TERN_EXIT_USAGE;
	}
	switch (o->command) {
	case CLI_CMD_HELP:
		cli_usage(stdout, o->help_topic);
		return TERN_EXIT_OK;
	case CLI_CMD_VERSION:
		printf("tern %s\n", TERN_VERSION);
		return TERN_EXIT_OK;
	case CLI_CMD_STATUS:
		return cli_status(o, stdout, stderr);
	case CLI_CMD_DISCONNECT:
		return cli_disconnect(o, stdout, stderr);
	case CLI_CMD_CONNECT:
		*done = false;
		return TERN_EXIT_OK;
	case CLI_CMD_NONE:
		break;
	}
	fprintf(stderr, "tern: no command given (try 'tern help')\n");
	return TERN_EXIT_USAGE;
}
