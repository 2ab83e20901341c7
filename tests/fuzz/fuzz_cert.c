/* libFuzzer target: the gateway certificate checks of crypto/cert.h on arbitrary DER and AUTH
 * data, against a fixed trust store (certs/ca.pem, made by certs/gen.sh) loaded at startup.
 *
 * Input: [ID type (1)][AUTH method (1)][number of certificates (1), mod 5]
 *        { [length (2)][DER] } per certificate, [length (2)][ID data], then the AUTH data.
 * The AUTH data is checked over fixed octets (the ones certs/gen.sh signs for the seeds). */
#include "crypto/cert.h"
#include "fuzz_util.h"

#ifndef FUZZ_CERT_DIR
#define FUZZ_CERT_DIR "tests/fuzz/certs"
#endif

enum { MAX_CERTS = 4 };
static const int64_t fixed_now = 1893456000; /* 2030-01-01, inside the certificates' dates */
static const char octets[] = "tern fuzz: signed octets";
static struct cert_trust *trust;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char reason[256];
	(void)argc;
	(void)argv;
	if (cert_trust_load(&trust, FUZZ_CERT_DIR "/ca.pem", reason, sizeof(reason)) != 0)
		abort();
	return 0;
}

static void check_reason(int r, const char *reason, size_t cap)
{
	if (r != 0 && (reason[0] == '\0' || !memchr(reason, 0, cap)))
		abort(); /* every refusal says why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t id_type, method, n;
	const uint8_t *certs[MAX_CERTS], *id = NULL;
	size_t lens[MAX_CERTS], id_len;
	char reason[256], text[128];

	if (!fuzz_u8(&in, &id_type) || !fuzz_u8(&in, &method) || !fuzz_u8(&in, &n))
		return 0;
	n %= MAX_CERTS + 1;
	for (unsigned i = 0; i < n; i++)
		if (!fuzz_record(&in, &certs[i], &lens[i]))
			return 0;
	if (!fuzz_record(&in, &id, &id_len))
		id_len = 0;

	reason[0] = '\0';
	int r = cert_verify_chain(trust, certs, lens, n, fixed_now, reason, sizeof(reason));
	check_reason(r, reason, sizeof(reason));
	if (n == 0)
		return 0;
	reason[0] = '\0';
	r = cert_match_name(certs[0], lens[0], "vpn.example.test", reason, sizeof(reason));
	check_reason(r, reason, sizeof(reason));
	reason[0] = '\0';
	r = cert_match_name(certs[0], lens[0], "192.0.2.1", reason, sizeof(reason));
	check_reason(r, reason, sizeof(reason));
	reason[0] = '\0';
	r = cert_match_id(certs[0], lens[0], id_type, id, id_len, reason, sizeof(reason));
	check_reason(r, reason, sizeof(reason));
	reason[0] = '\0';
	r = cert_verify_auth(certs[0], lens[0], method, in.p, in.left, (const uint8_t *)octets,
			     sizeof(octets) - 1, reason, sizeof(reason));
	check_reason(r, reason, sizeof(reason));
	int d = cert_describe(certs[0], lens[0], text, 1 + id_type % sizeof(text));
	if (d >= 0 && !memchr(text, 0, 1 + id_type % sizeof(text)))
		abort();
	return 0;
}
