/* libFuzzer target: the Configuration payload parser (ike_cp_parse, RFC 7296 3.15). The input
 * is a CP payload body; every attribute value handed out is read in full. */
#include "client/ike/message.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_pl pl = {PL_CP, false, data, size};
	struct ike_cp cp;
	if (ike_cp_parse(&pl, &cp) != 0)
		return 0;
	if (cp.n > IKE_MAX_CP_ATTRS)
		abort();
	size_t total = 4;
	for (unsigned i = 0; i < cp.n; i++) {
		const struct ike_cp_attr *a = &cp.attr[i];
		if (a->type & 0x8000 || a->value < data || a->value + a->len > data + size)
			abort();
		fuzz_touch(a->value, a->len);
		total += 4 + a->len;
	}
	if (total > size)
		abort();
	return 0;
}
