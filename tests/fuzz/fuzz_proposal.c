/* libFuzzer target: proposal strings (prop_parse). Input: one octet choosing IKE or ESP, then
 * the string. A list that parses is formatted back; that text must parse to the same list. */
#include "client/proposal.h"
#include "fuzz_util.h"

enum { TEXT_MAX = PROP_MAX_PROPOSALS * (PROP_FORMAT_MAX + 2) };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t protocol = data[0] & 1 ? PROP_PROTO_ESP : PROP_PROTO_IKE;
	char *s = malloc(size);
	if (!s)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';

	static struct prop_list l, again;
	static char text[TEXT_MAX], reason[256];
	reason[0] = '\0';
	int r = prop_parse(s, protocol, &l, reason, sizeof(reason));
	if (r != 0 && (reason[0] == '\0' || !memchr(reason, 0, sizeof(reason))))
		abort(); /* every refusal says why */
	if (r == 0) {
		if (l.n == 0 || l.n > PROP_MAX_PROPOSALS)
			abort();
		for (unsigned i = 0; i < l.n; i++) {
			if (l.p[i].n == 0 || l.p[i].n > PROP_MAX_TRANSFORMS)
				abort();
			for (unsigned j = 0; j < l.p[i].n; j++)
				if (!prop_transform_name(&l.p[i].t[j]))
					abort();
		}
		int n = prop_list_format(&l, text, sizeof(text));
		if (n < 0 || (size_t)n >= sizeof(text) || strlen(text) != (size_t)n)
			abort();
		if (prop_parse(text, protocol, &again, reason, sizeof(reason)) != 0 ||
		    again.n != l.n || memcmp(again.p, l.p, l.n * sizeof(l.p[0])) != 0)
			abort(); /* the formatted text must mean the same list */
	}
	free(s);
	return 0;
}
