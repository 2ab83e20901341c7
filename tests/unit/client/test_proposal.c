/* Proposal parser table. Expected transform types and IDs are copied from the IANA "Internet
 * Key Exchange Version 2 (IKEv2) Parameters" registry (Transform Type Values; Transform Type 1
 * Encryption Algorithm, 2 PRF, 3 Integrity Algorithm, 4 Key Exchange Method, 5 Extended
 * Sequence Numbers) and written as plain numbers here, not through tern's enums. Key lengths
 * are the Key Length attribute of RFC 7296 3.3.5 (bits). Keywords are strongSwan's proposal
 * keywords (strongSwan wiki, "IKEv2 Cipher Suites"). */
#include <errno.h>
#include <string.h>

#include "client/proposal.h"
#include "tests/unit/check.h"

struct want {
	uint8_t type;
	uint16_t id;
	uint16_t key_bits;
};

struct valid_case {
	const char *s;
	uint8_t protocol;
	unsigned proposals;
	unsigned n[3];	      /* transforms per proposal */
	struct want t[3][16]; /* expected, in order */
};

static const struct valid_case valid[] = {
    {"aes256gcm16-prfsha256-x25519", 1, 1, {3}, {{{1, 20, 256}, {2, 5, 0}, {4, 31, 0}}}},
    /* CBC: PRF follows the integrity algorithm's hash */
    {"aes128-sha256-modp2048", 1, 1, {4}, {{{1, 12, 128}, {2, 5, 0}, {3, 12, 0}, {4, 14, 0}}}},
    {"chacha20poly1305-prfsha384-ecp384", 1, 1, {3}, {{{1, 28, 0}, {2, 6, 0}, {4, 20, 0}}}},
    {"aes128gcm16-aes256gcm16-prfsha256-x25519-ecp256",
     1,
     1,
     {5},
     {{{1, 20, 128}, {1, 20, 256}, {2, 5, 0}, {4, 31, 0}, {4, 19, 0}}}},
    {"aes256-sha384-sha512-ecp384",
     1,
     1,
     {6},
     {{{1, 12, 256}, {2, 6, 0}, {2, 7, 0}, {3, 13, 0}, {3, 14, 0}, {4, 20, 0}}}},
    /* an explicit PRF replaces the derived one */
    {"aes192-sha512-prfsha256-modp4096",
     1,
     1,
     {4},
     {{{1, 12, 192}, {2, 5, 0}, {3, 14, 0}, {4, 16, 0}}}},
    {"modp3072-prfsha512-aes256gcm16", 1, 1, {3}, {{{1, 20, 256}, {2, 7, 0}, {4, 15, 0}}}},
    {"AES256GCM16-PRFSHA256-X25519", 1, 1, {3}, {{{1, 20, 256}, {2, 5, 0}, {4, 31, 0}}}},
    {"aes256gcm16-aes256gcm16-prfsha256-x25519-x25519",
     1,
     1,
     {3},
     {{{1, 20, 256}, {2, 5, 0}, {4, 31, 0}}}},
    {"aes256gcm16-prfsha256-x25519 , aes128-sha256-modp3072",
     1,
     2,
     {3, 4},
     {{{1, 20, 256}, {2, 5, 0}, {4, 31, 0}}, {{1, 12, 128}, {2, 5, 0}, {3, 12, 0}, {4, 15, 0}}}},
    /* ESP: the ESN transform is always present (RFC 7296 3.3.3), "no" by default */
    {"aes256gcm16", 3, 1, {2}, {{{1, 20, 256}, {5, 0, 0}}}},
    {"aes128gcm16-esn", 3, 1, {2}, {{{1, 20, 128}, {5, 1, 0}}}},
    {"chacha20poly1305-noesn-esn", 3, 1, {3}, {{{1, 28, 0}, {5, 0, 0}, {5, 1, 0}}}},
    {"aes256gcm16-x25519", 3, 1, {3}, {{{1, 20, 256}, {4, 31, 0}, {5, 0, 0}}}},
    {"aes256gcm16,chacha20poly1305-modp2048",
     3,
     2,
     {2, 3},
     {{{1, 20, 256}, {5, 0, 0}}, {{1, 28, 0}, {4, 14, 0}, {5, 0, 0}}}},
};

struct invalid_case {
	const char *s;
	uint8_t protocol;
	int err;
	const char *in_reason; /* must appear in the reason */
};

static const struct invalid_case invalid[] = {
    {"aes256gcm16-sha256-prfsha256-x25519", 1, -EINVAL, "AEAD"},
    {"aes128-modp2048", 1, -EINVAL, "integrity"},
    {"aes256gcm16-x25519", 1, -EINVAL, "PRF"},
    {"aes256gcm16-prfsha256", 1, -EINVAL, "key exchange"},
    {"foo-sha256-modp2048", 1, -EINVAL, "'foo'"},
    {"aes128-sha256-modp1024", 1, -EINVAL, "'modp1024'"},
    {"aes128--sha256-modp2048", 1, -EINVAL, "empty"},
    {"", 1, -EINVAL, "empty"},
    {"aes256gcm16-prfsha256-x25519,", 1, -EINVAL, "empty"},
    {"aes256gcm16-prfsha256-x25519-esn", 1, -EINVAL, "'esn'"},
    {"aes256-aes256gcm16-sha256-prfsha256-x25519", 1, -EINVAL, "mixes"},
    {"prfsha256-x25519", 1, -EINVAL, "encryption"},
    {"aes256gcm16-prfsha256-x25519,aes256gcm16-prfsha256-x25519,aes256gcm16-prfsha256-x25519,"
     "aes256gcm16-prfsha256-x25519,aes256gcm16-prfsha256-x25519,aes256gcm16-prfsha256-x25519,"
     "aes256gcm16-prfsha256-x25519,aes256gcm16-prfsha256-x25519,aes256gcm16-prfsha256-x25519",
     1, -E2BIG, "too many"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-sha256", 1, -EINVAL, "unknown"},
    {"aes128-sha256", 3, -EINVAL, "'aes128'"},
    {"aes256gcm16-prfsha256", 3, -EINVAL, "'prfsha256'"},
    {"aes256gcm16-sha256", 3, -EINVAL, "'sha256'"},
    {"x25519", 3, -EINVAL, "encryption"},
    {"aes256gcm16 x25519", 3, -EINVAL, "unknown"},
};

static void check_prop(const struct prop *p, uint8_t protocol, unsigned n, const struct want *w,
		       const char *s)
{
	CHECK_EQ(p->protocol, protocol);
	CHECK_EQ(p->n, n);
	for (unsigned i = 0; i < n && i < p->n; i++) {
		if (p->t[i].type != w[i].type || p->t[i].id != w[i].id ||
		    p->t[i].key_bits != w[i].key_bits)
			fprintf(stderr, "  in '%s', transform %u\n", s, i);
		CHECK_EQ(p->t[i].type, w[i].type);
		CHECK_EQ(p->t[i].id, w[i].id);
		CHECK_EQ(p->t[i].key_bits, w[i].key_bits);
	}
}

static void test_valid(void)
{
	for (size_t k = 0; k < sizeof(valid) / sizeof(valid[0]); k++) {
		const struct valid_case *c = &valid[k];
		struct prop_list l;
		char reason[256] = "";
		int rc = prop_parse(c->s, c->protocol, &l, reason, sizeof(reason));
		if (rc != 0)
			fprintf(stderr, "  '%s': %s\n", c->s, reason);
		CHECK_EQ(rc, 0);
		if (rc != 0)
			continue;
		CHECK_EQ(l.n, c->proposals);
		for (unsigned i = 0; i < c->proposals && i < l.n; i++)
			check_prop(&l.p[i], c->protocol, c->n[i], c->t[i], c->s);
	}
}

static void test_invalid(void)
{
	for (size_t k = 0; k < sizeof(invalid) / sizeof(invalid[0]); k++) {
		const struct invalid_case *c = &invalid[k];
		struct prop_list l;
		char reason[256] = "";
		int rc = prop_parse(c->s, c->protocol, &l, reason, sizeof(reason));
		if (rc != c->err || !strstr(reason, c->in_reason))
			fprintf(stderr, "  '%s': rc %d, reason '%s'\n", c->s, rc, reason);
		CHECK_EQ(rc, c->err);
		CHECK(strstr(reason, c->in_reason) != NULL);
	}
}

/* The defaults named in the design: an AEAD and a CBC proposal for IKE, one AEAD proposal with
 * and without ESN for ESP. */
static void test_defaults(void)
{
	static const struct want ike0[] = {
	    {1, 20, 256}, {1, 20, 128}, {1, 28, 0}, {2, 5, 0},	{2, 6, 0},  {2, 7, 0},
	    {4, 31, 0},	  {4, 19, 0},	{4, 20, 0}, {4, 15, 0}, {4, 14, 0},
	};
	static const struct want ike1[] = {
	    {1, 12, 256}, {1, 12, 128}, {2, 5, 0},  {2, 6, 0},	{2, 7, 0},  {3, 12, 0}, {3, 13, 0},
	    {3, 14, 0},	  {4, 31, 0},	{4, 19, 0}, {4, 20, 0}, {4, 15, 0}, {4, 14, 0},
	};
	static const struct want esp0[] = {
	    {1, 20, 256}, {1, 20, 128}, {1, 28, 0}, {5, 0, 0}, {5, 1, 0},
	};
	struct prop_list l;
	memset(&l, 0xa5, sizeof(l));
	prop_default_ike(&l);
	CHECK_EQ(l.n, 2);
	check_prop(&l.p[0], 1, 11, ike0, "default IKE 0");
	check_prop(&l.p[1], 1, 13, ike1, "default IKE 1");
	memset(&l, 0xa5, sizeof(l));
	prop_default_esp(&l);
	CHECK_EQ(l.n, 1);
	check_prop(&l.p[0], 3, 5, esp0, "default ESP");
}

static void test_format(void)
{
	struct prop_list l;
	char out[PROP_FORMAT_MAX];
	const char *s = "aes128-sha256-modp2048";
	CHECK_EQ(prop_parse(s, 1, &l, NULL, 0), 0);
	/* transforms come out grouped ENCR, PRF, INTEG, DH, with the derived PRF */
	const char *want = "aes128-prfsha256-sha256-modp2048";
	CHECK_EQ(prop_format(&l.p[0], out, sizeof(out)), (int)strlen(want));
	CHECK(strcmp(out, want) == 0);

	/* what prop_format writes parses back to the same transforms */
	struct prop_list back;
	CHECK_EQ(prop_parse(out, 1, &back, NULL, 0), 0);
	CHECK_EQ(back.p[0].n, l.p[0].n);
	CHECK_MEM(back.p[0].t, l.p[0].t, sizeof(l.p[0].t[0]) * l.p[0].n);

	CHECK_EQ(prop_parse("aes256gcm16-prfsha256-x25519,chacha20poly1305-prfsha384-ecp384", 1, &l,
			    NULL, 0),
		 0);
	const char *want2 = "aes256gcm16-prfsha256-x25519, chacha20poly1305-prfsha384-ecp384";
	CHECK_EQ(prop_list_format(&l, out, sizeof(out)), (int)strlen(want2));
	CHECK(strcmp(out, want2) == 0);

	char small[10];
	CHECK_EQ(prop_format(&l.p[0], small, sizeof(small)), -ENOSPC);
	CHECK_EQ(strlen(small), sizeof(small) - 1);

	struct prop_transform t = {4, 31, 0};
	const char *name = prop_transform_name(&t);
	CHECK(name && strcmp(name, "x25519") == 0);
	struct prop_transform bad = {4, 2, 0};
	CHECK(prop_transform_name(&bad) == NULL);
}

int main(void)
{
	test_valid();
	test_invalid();
	test_defaults();
	test_format();
	return check_done("proposal");
}
