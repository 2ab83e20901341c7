/* libFuzzer target: the control socket's request parser (control_parse_command) and reply
 * builder (control_format_reply). The input is the bytes received so far. */
#include "client/control.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum control_cmd cmd = 0;
	char reason[128];
	reason[0] = '\0';
	int r = control_parse_command((const char *)data, size, &cmd, reason, sizeof(reason));
	if (r > 0) {
		if ((size_t)r > size || (size_t)r > CONTROL_LINE_MAX || data[r - 1] != '\n')
			abort();
		if (!control_cmd_name(cmd))
			abort();
	} else if (r != -EAGAIN && r != -EMSGSIZE && r != -EINVAL) {
		abort();
	}
	if (r == -EINVAL && (reason[0] == '\0' || !memchr(reason, 0, sizeof(reason))))
		abort(); /* an unknown command says which */

	/* The input as a reply body, into a buffer that may be too small. */
	char *body = malloc(size + 1);
	char out[256];
	if (!body)
		abort();
	memcpy(body, data, size);
	body[size] = '\0';
	size_t cap = size ? data[0] % sizeof(out) : 0;
	int n = control_format_reply(out, cap, size & 1, body);
	if (n >= 0 && ((size_t)n >= cap || strlen(out) != (size_t)n))
		abort();
	if (n < 0 && n != -ENOSPC)
		abort();
	free(body);
	return 0;
}
