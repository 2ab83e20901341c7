/*
 * libFuzzer target for the EAP peer: one fresh client per input, fed a sequence of packets.
 * Input: one octet choosing the allowed methods, then records of a 2-octet big-endian length
 * followed by that many octets (cut short at the end of the input), each one EAP packet.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_eap.c \
 *         client/eap/[a-z]*.c crypto/random.c -lcrypto -o fuzz_eap
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/eap/eap.h"

enum { FUZZ_MAX_PACKETS = 16 };

/* Deterministic randomness keeps runs reproducible. */
static int fixed_rand(void *arg, uint8_t *buf, size_t len)
{
	(void)arg;
	memset(buf, 0x5a, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t allowed[4] = {
	    0,
	    EAP_ALLOW(EAP_TYPE_MSCHAPV2),
	    EAP_ALLOW(EAP_TYPE_MD5),
	    EAP_ALLOW(EAP_TYPE_MSCHAPV2) | EAP_ALLOW(EAP_TYPE_MD5),
	};
	struct eap_client_config cfg = {"EXAMPLE\\carol", "carol-password", 0, fixed_rand, NULL};
	struct eap_client *c;
	uint8_t out[1500];
	size_t out_len;

	if (size < 1)
		return 0;
	cfg.allowed = allowed[data[0] & 3];
	data++;
	size--;
	if (eap_client_new(&c, &cfg) != 0)
		abort();

	for (int i = 0; i < FUZZ_MAX_PACKETS && size >= 2; i++) {
		size_t n = (size_t)data[0] << 8 | data[1];
		int res;

		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		res = eap_client_process(c, data, n, out, sizeof(out), &out_len);
		if (res != EAP_RESULT_SEND && out_len != 0)
			abort();
		if (out_len > sizeof(out))
			abort();
		if (res == EAP_RESULT_SEND && (out_len < 5 || out[0] != 2))
			abort();
		(void)eap_client_reason(c);
		(void)eap_client_method(c);
		data += n;
		size -= n;
		if (res == EAP_RESULT_SUCCESS || res == EAP_RESULT_FAILURE)
			break;
	}
	eap_client_free(c);
	return 0;
}
