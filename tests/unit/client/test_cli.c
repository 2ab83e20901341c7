/* Command-line parser table: argv arrays to options, or to a usage error (exit code 2).
 * Expected values come from the interface specification of tern's command line (defaults:
 * timeout 30 s, interface "tern0", socket /run/tern/tern.sock, IKE port 500 per RFC 7296 2.
 * EAP method type numbers from the IANA "Method Types" registry: MD5-Challenge 4,
 * EAP-MSCHAP-V2 26. Transform IDs from the IANA IKEv2 registry. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "client/cli.h"
#include "tests/unit/check.h"

#define ARGV(...) ((char *const[]){"tern", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *const[]){"tern", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(o, reason, ...)                                                                      \
	cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o, reason, sizeof(reason))

static void test_connect_minimal(void)
{
	struct cli_opts o;
	char reason[256] = "";
	int rc = PARSE(&o, reason, "connect", "-u", "carol", "vpn.example.test");
	CHECK_EQ(rc, 0);
	CHECK_EQ(o.command, CLI_CMD_CONNECT);
	CHECK(strcmp(o.server, "vpn.example.test") == 0);
	CHECK(strcmp(o.user, "carol") == 0);
	CHECK(strcmp(o.server_id, "vpn.example.test") == 0);
	CHECK_EQ(o.port, 500);
	CHECK_EQ(o.password_source, PASSWORD_PROMPT);
	CHECK_EQ(o.timeout_s, 30);
	CHECK_EQ(o.mtu, 0);
	CHECK(strcmp(o.ifname, "tern0") == 0);
	CHECK(strcmp(o.socket_path, "/run/tern/tern.sock") == 0);
	CHECK_EQ(o.foreground, 0);
	CHECK_EQ(o.verbose, 0);
	CHECK_EQ(o.json, 0);
	CHECK_EQ(o.ca[0], 0);
	CHECK_EQ(o.eap_methods, (1u << 26) | (1u << 4));
	CHECK_EQ(o.ike.n, 2); /* AEAD and CBC defaults */
	CHECK_EQ(o.esp.n, 1);
}

static void test_connect_full(void)
{
	struct cli_opts o;
	char reason[256] = "";
	int rc =
	    PARSE(&o, reason, "-v", "connect", "--user=carol", "--password-file", "/etc/tern/pw",
		  "--ca", "/etc/tern/ca.pem", "--server-id", "vpn.example.test", "--ike",
		  "aes128-sha256-modp2048", "--esp=aes128gcm16-esn", "--eap", "md5", "--timeout",
		  "12", "--mtu", "1400", "--ifname", "vpn1", "-fv", "--log-file",
		  "/var/log/tern.log", "--socket", "/tmp/t/s.sock", "--port", "4500", "192.0.2.1");
	if (rc)
		fprintf(stderr, "  %s\n", reason);
	CHECK_EQ(rc, 0);
	CHECK_EQ(o.command, CLI_CMD_CONNECT);
	CHECK(strcmp(o.server, "192.0.2.1") == 0);
	CHECK(strcmp(o.server_id, "vpn.example.test") == 0);
	CHECK_EQ(o.password_source, PASSWORD_FILE);
	CHECK(strcmp(o.password_file, "/etc/tern/pw") == 0);
	CHECK(strcmp(o.ca, "/etc/tern/ca.pem") == 0);
	CHECK_EQ(o.ike.n, 1);
	CHECK_EQ(o.ike.p[0].n, 4);
	CHECK_EQ(o.ike.p[0].t[0].id, 12); /* ENCR_AES_CBC */
	CHECK_EQ(o.ike.p[0].t[0].key_bits, 128);
	CHECK_EQ(o.esp.n, 1);
	CHECK_EQ(o.esp.p[0].n, 2);
	CHECK_EQ(o.esp.p[0].t[1].type, 5); /* ESN */
	CHECK_EQ(o.esp.p[0].t[1].id, 1);
	CHECK_EQ(o.eap_methods, 1u << 4);
	CHECK_EQ(o.timeout_s, 12);
	CHECK_EQ(o.mtu, 1400);
	CHECK(strcmp(o.ifname, "vpn1") == 0);
	CHECK_EQ(o.foreground, 1);
	CHECK_EQ(o.verbose, 2);
	CHECK(strcmp(o.log_file, "/var/log/tern.log") == 0);
	CHECK(strcmp(o.socket_path, "/tmp/t/s.sock") == 0);
	CHECK_EQ(o.port, 4500);
}

static void test_relative_paths(void)
{
	struct cli_opts o;
	char reason[256] = "";
	char cwd[PATH_MAX], want[PATH_MAX + 16];
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	int rc = PARSE(&o, reason, "connect", "-ucarol", "--password-stdin", "--ca", "ca.pem", "--",
		       "vpn.example.test");
	CHECK_EQ(rc, 0);
	CHECK_EQ(o.password_source, PASSWORD_STDIN);
	CHECK(strcmp(o.user, "carol") == 0);
	snprintf(want, sizeof(want), "%s/ca.pem", strcmp(cwd, "/") ? cwd : "");
	CHECK(strcmp(o.ca, want) == 0);
}

static void test_other_commands(void)
{
	struct cli_opts o;
	char reason[256] = "";
	CHECK_EQ(PARSE(&o, reason, "status", "--json"), 0);
	CHECK_EQ(o.command, CLI_CMD_STATUS);
	CHECK_EQ(o.json, 1);
	CHECK_EQ(PARSE(&o, reason, "disconnect", "--socket", "/tmp/x.sock"), 0);
	CHECK_EQ(o.command, CLI_CMD_DISCONNECT);
	CHECK(strcmp(o.socket_path, "/tmp/x.sock") == 0);
	CHECK_EQ(PARSE(&o, reason, "--help"), 0);
	CHECK_EQ(o.command, CLI_CMD_HELP);
	CHECK_EQ(o.help_topic, CLI_CMD_NONE);
	CHECK_EQ(PARSE(&o, reason, "help"), 0);
	CHECK_EQ(o.command, CLI_CMD_HELP);
	CHECK_EQ(PARSE(&o, reason, "help", "connect"), 0);
	CHECK_EQ(o.command, CLI_CMD_HELP);
	CHECK_EQ(o.help_topic, CLI_CMD_CONNECT);
	CHECK_EQ(PARSE(&o, reason, "connect", "-h"), 0);
	CHECK_EQ(o.command, CLI_CMD_HELP);
	CHECK_EQ(o.help_topic, CLI_CMD_CONNECT);
	CHECK_EQ(PARSE(&o, reason, "--version"), 0);
	CHECK_EQ(o.command, CLI_CMD_VERSION);
	CHECK_EQ(PARSE(&o, reason, "version"), 0);
	CHECK_EQ(o.command, CLI_CMD_VERSION);
}

struct bad_case {
	int argc;
	char *const *argv;
	const char *in_reason;
};

#define BAD(reason, ...)                                                                           \
	{                                                                                          \
		ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), reason                                       \
	}

static void test_errors(void)
{
	static const char *const none[] = {"tern", NULL};
	const struct bad_case bad[] = {
	    {1, (char *const *)none, "no command"},
	    BAD("unknown command 'connnect'", "connnect", "-u", "carol", "vpn.example.test"),
	    BAD("missing SERVER", "connect", "-u", "carol"),
	    BAD("missing --user", "connect", "vpn.example.test"),
	    BAD("unknown option '--usr'", "connect", "--usr", "carol", "vpn.example.test"),
	    BAD("unknown option '-x'", "connect", "-x", "vpn.example.test"),
	    BAD("needs a value", "connect", "vpn.example.test", "--user"),
	    BAD("needs a value", "connect", "vpn.example.test", "-u"),
	    BAD("takes no value", "connect", "-u", "carol", "--foreground=yes", "s"),
	    BAD("unexpected argument 'extra'", "connect", "-u", "carol", "s", "extra"),
	    BAD("unexpected argument", "status", "now"),
	    BAD("does not apply to 'status'", "status", "--mtu", "1400"),
	    BAD("does not apply to 'connect'", "connect", "-u", "c", "--json", "s"),
	    BAD("timeout must be between", "connect", "-u", "c", "--timeout", "0", "s"),
	    BAD("timeout must be a number", "connect", "-u", "c", "--timeout", "3x", "s"),
	    BAD("timeout must be a number", "connect", "-u", "c", "--timeout", "-3", "s"),
	    BAD("MTU must be between", "connect", "-u", "c", "--mtu", "100", "s"),
	    BAD("port must be between", "connect", "-u", "c", "--port", "65536", "s"),
	    BAD("interface name", "connect", "-u", "c", "--ifname", "a/b", "s"),
	    BAD("interface name is too long", "connect", "-u", "c", "--ifname", "abcdefghijklmnop",
		"s"),
	    BAD("either --password-file or --password-stdin", "connect", "-u", "c",
		"--password-stdin", "--password-file", "/pw", "s"),
	    BAD("'foo'", "connect", "-u", "c", "--ike", "foo-sha256-modp2048", "s"),
	    BAD("'sha256'", "connect", "-u", "c", "--esp", "aes256gcm16-sha256", "s"),
	    BAD("unknown EAP method 'tls'", "connect", "-u", "c", "--eap", "mschapv2,tls", "s"),
	    BAD("user name must not be empty", "connect", "-u", "", "s"),
	    BAD("spaces", "connect", "-u", "car ol", "s"),
	    BAD("unknown command 'bogus'", "help", "bogus"),
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cli_opts o;
		char reason[256] = "";
		int rc = cli_parse(bad[i].argc, bad[i].argv, &o, reason, sizeof(reason));
		if (rc != -EINVAL || !strstr(reason, bad[i].in_reason))
			fprintf(stderr, "  case %zu: rc %d, reason '%s', want '%s'\n", i, rc,
				reason, bad[i].in_reason);
		CHECK_EQ(rc, -EINVAL);
		CHECK(strstr(reason, bad[i].in_reason) != NULL);
		CHECK(strchr(reason, '\n') == NULL); /* one line */
	}
}

/* cli_main maps a parse error to exit code 2 and status with nothing running to 1. */
static void test_main_codes(void)
{
	struct cli_opts o;
	bool done = false;
	FILE *saved = stderr;
	stderr = fopen("/dev/null", "w");
	int code = cli_main(ARGC("connect", "--bogus"), ARGV("connect", "--bogus"), &o, &done);
	CHECK_EQ(code, 2);
	CHECK_EQ(done, 1);
	code = cli_main(ARGC("status", "--socket", "/nonexistent-tern-test/s.sock"),
			ARGV("status", "--socket", "/nonexistent-tern-test/s.sock"), &o, &done);
	CHECK_EQ(code, 1);
	CHECK_EQ(done, 1);
	fclose(stderr);
	stderr = saved;
	code = cli_main(ARGC("connect", "-u", "carol", "vpn.example.test"),
			ARGV("connect", "-u", "carol", "vpn.example.test"), &o, &done);
	CHECK_EQ(code, 0);
	CHECK_EQ(done, 0);
	CHECK_EQ(o.command, CLI_CMD_CONNECT);

	char buf[256] = "";
	FILE *err = fmemopen(buf, sizeof(buf), "w");
	cli_defaults(&o);
	snprintf(o.socket_path, sizeof(o.socket_path), "/nonexistent-tern-test/s.sock");
	CHECK_EQ(cli_status(&o, stdout, err), 1);
	fclose(err);
	CHECK(strcmp(buf, "tern: not connected\n") == 0);
}

int main(void)
{
	test_connect_minimal();
	test_connect_full();
	test_relative_paths();
	test_other_commands();
	test_errors();
	test_main_codes();
	return check_done("cli");
}
