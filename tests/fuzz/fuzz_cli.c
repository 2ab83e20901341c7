/* libFuzzer target: the command line parser (cli_parse). The input is argv without argv[0],
 * its arguments separated by NUL octets. */
#include "client/cli.h"
#include "fuzz_util.h"

enum { MAX_ARGS = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	if (!copy)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = "tern";
	for (size_t off = 0; off <= size && argc <= MAX_ARGS; off += strlen(copy + off) + 1)
		argv[argc++] = copy + off;
	argv[argc] = NULL;

	struct cli_opts *o = malloc(sizeof(*o));
	char reason[256];
	if (!o)
		abort();
	cli_defaults(o);
	reason[0] = '\0';
	int r = cli_parse(argc, argv, o, reason, sizeof(reason));
	if (r != 0 && (r != -EINVAL || reason[0] == '\0' || !memchr(reason, 0, sizeof(reason))))
		abort(); /* every refusal says why */
	if (r == 0) {
		if (!memchr(o->server, 0, sizeof(o->server)) ||
		    !memchr(o->user, 0, sizeof(o->user)) ||
		    !memchr(o->ifname, 0, sizeof(o->ifname)) ||
		    !memchr(o->socket_path, 0, sizeof(o->socket_path)))
			abort();
		if (o->ike.n > PROP_MAX_PROPOSALS || o->esp.n > PROP_MAX_PROPOSALS)
			abort();
		(void)cli_exit_name(TERN_EXIT_USAGE);
	}
	free(o);
	free(copy);
	return 0;
}
