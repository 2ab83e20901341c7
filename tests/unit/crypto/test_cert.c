/* Certificate chain, name/ID matching and AUTH signature checks.
 *
 * Every certificate, key, DN, PSS AlgorithmIdentifier and signature is made at test time by
 * independent implementations (the OpenSSL command line and strongSwan's pki), see
 * certs/gen.sh; test_cert.sh runs it into a temporary directory given here as argv[1].
 * Fixed AlgorithmIdentifier encodings come from RFC 7427 Appendix A and RFC 8420 section 2. */
#include "crypto/cert.h"
#include "tests/unit/check.h"

#include <errno.h>

static const char *dir;

struct blob {
	uint8_t *p;
	size_t n;
};

static struct blob load(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(2);
	}
	struct blob b = {malloc(65536), 0};
	b.n = fread(b.p, 1, 65536, f);
	fclose(f);
	return b;
}

static struct blob load_hex(const char *name)
{
	struct blob text = load(name);
	struct blob b = {malloc(text.n / 2 + 1), 0};
	text.p[text.n < 65536 ? text.n : 65535] = 0;
	b.n = check_unhex((const char *)text.p, b.p, text.n / 2 + 1);
	free(text.p);
	return b;
}

static struct blob unhex(const char *hex)
{
	struct blob b = {malloc(strlen(hex) / 2 + 1), 0};
	b.n = check_unhex(hex, b.p, strlen(hex) / 2 + 1);
	return b;
}

static int contains(const char *s, const char *word)
{
	if (!strstr(s, word)) {
		fprintf(stderr, "  reason \"%s\" lacks \"%s\"\n", s, word);
		return 0;
	}
	return 1;
}

static int64_t gen_time;

enum { DAY = 86400 };

/* RFC 7427 Appendix A and RFC 8420 section 2: DER of AlgorithmIdentifiers. */
#define ALG_SHA1_RSA   "300d06092a864886f70d0101050500"
#define ALG_SHA256_RSA "300d06092a864886f70d01010b0500"
#define ALG_SHA384_RSA "300d06092a864886f70d01010c0500"
#define ALG_SHA512_RSA "300d06092a864886f70d01010d0500"
#define ALG_SHA224_RSA "300d06092a864886f70d01010e0500"
#define ALG_ECDSA_256  "300a06082a8648ce3d040302"
#define ALG_ECDSA_384  "300a06082a8648ce3d040303"
#define ALG_ECDSA_512  "300a06082a8648ce3d040304"
#define ALG_ED25519    "300506032b6570"

/* ---- trust store ---- */

static struct cert_trust *test_trust(void)
{
	struct cert_trust *t = NULL;
	char reason[256] = "", path[512];

	snprintf(path, sizeof(path), "%s/trust.pem", dir);
	CHECK_EQ(cert_trust_load(&t, path, reason, sizeof(reason)), 0);

	/* SHA-1 of each CA's SubjectPublicKeyInfo, computed by openssl pkey | dgst -sha1. */
	struct blob want = load_hex("keyids.hex");
	uint8_t ids[64];
	CHECK_EQ(want.n, 40);
	CHECK_EQ(cert_trust_keyids(t, ids, sizeof(ids)), 40);
	CHECK_MEM(ids, want.p, 40);
	CHECK_EQ(cert_trust_keyids(t, ids, 39), -ENOSPC);
	free(want.p);

	struct cert_trust *bad = NULL;
	snprintf(path, sizeof(path), "%s/missing.pem", dir);
	CHECK_EQ(cert_trust_load(&bad, path, reason, sizeof(reason)), -ENOENT);
	CHECK(bad == NULL && contains(reason, "missing.pem"));
	snprintf(path, sizeof(path), "%s/msg.bin", dir);
	CHECK_EQ(cert_trust_load(&bad, path, reason, sizeof(reason)), -EINVAL);
	CHECK(contains(reason, "no PEM certificate"));
	snprintf(path, sizeof(path), "%s/openssl.cnf", dir);
	CHECK_EQ(cert_trust_load(&bad, path, NULL, 0), -EINVAL);

	struct cert_trust *sys = NULL;
	CHECK_EQ(cert_trust_load(&sys, NULL, reason, sizeof(reason)), 0);
	CHECK_EQ(cert_trust_keyids(sys, ids, sizeof(ids)), 0);
	cert_trust_free(sys);
	return t;
}

/* ---- chains ---- */

/* Verifies the chain of files (space separated) at time now. */
static int chain(const struct cert_trust *t, const char *files, int64_t now, char *reason,
		 size_t reason_len)
{
	struct blob b[8];
	const uint8_t *certs[8];
	size_t lens[8];
	unsigned n = 0;
	char list[256];
	snprintf(list, sizeof(list), "%s", files);
	for (char *save, *f = strtok_r(list, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
		b[n] = load(f);
		certs[n] = b[n].p;
		lens[n] = b[n].n;
		n++;
	}
	reason[0] = 0;
	int rc = cert_verify_chain(t, certs, lens, n, now, reason, reason_len);
	for (unsigned i = 0; i < n; i++)
		free(b[i].p);
	return rc;
}

static void test_chains(const struct cert_trust *t)
{
	char r[512];
	int64_t now = gen_time + 60;
	static const char *const good[] = {
	    "ec256.der",   "ec384.der", "ec521.der", "rsa2048.der", "rsapss.der",
	    "ed25519.der", "wild.der",	"nosan.der", "ipcn.der",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int rc = chain(t, good[i], now, r, sizeof(r));
		if (rc)
			fprintf(stderr, "  %s: %s\n", good[i], r);
		CHECK_EQ(rc, 0);
	}

	/* root -> intermediate -> leaf, all RSA-4096; the extra certificates in any order. */
	CHECK_EQ(chain(t, "rsa4096.der interR.der", now, r, sizeof(r)), 0);
	CHECK_EQ(chain(t, "rsa4096.der caO.der interR.der", now, r, sizeof(r)), 0);
	CHECK_EQ(chain(t, "rsa4096.der", now, r, sizeof(r)), -EACCES);
	CHECK(contains(r, "does not lead to a trusted CA") &&
	      contains(r, "CN=Tern Test Intermediate R"));

	/* Issued by a CA that is not trusted, with and without that CA sent along. */
	CHECK_EQ(chain(t, "other.der", now, r, sizeof(r)), -EACCES);
	CHECK(contains(r, "trusted CA (issuer CN=Other CA)"));
	CHECK_EQ(chain(t, "other.der caO.der", now, r, sizeof(r)), -EACCES);
	CHECK(contains(r, "CN=Other CA"));

	/* Dates set by pki; and dates reached by moving `now`. */
	CHECK_EQ(chain(t, "expired.der", now, r, sizeof(r)), -EACCES);
	CHECK(contains(r, "certificate of CN=old.example.test has expired") &&
	      contains(r, "2020-01-01 00:00:00 UTC"));
	CHECK_EQ(chain(t, "future.der", now, r, sizeof(r)), -EACCES);
	CHECK(contains(r, "CN=new.example.test is not valid yet") && contains(r, "2100-01-01"));
	CHECK_EQ(chain(t, "ec256.der", gen_time + 400 * DAY, r, sizeof(r)), -EACCES);
	CHECK(contains(r, "CN=vpn.example.test has expired"));
	CHECK_EQ(chain(t, "ec256.der", gen_time - 2 * DAY, r, sizeof(r)), -EACCES);
	CHECK(contains(r, "not valid yet"));
	CHECK_EQ(chain(t, "rsa4096.der interR.der", gen_time + 364 * DAY, r, sizeof(r)), 0);

	/* RSA-1024 is below 112-bit security. */
	CHECK_EQ(chain(t, "rsa1024.der", now, r, sizeof(r)), -EACCES);
	CHECK(contains(r, "CN=weak.example.test is too weak"));

	/* keyUsage without digitalSignature. */
	CHECK_EQ(chain(t, "noku.der", now, r, sizeof(r)), -EACCES);
	CHECK(contains(r, "digitalSignature"));

	/* Not parseable. */
	struct blob ec = load("ec256.der");
	const uint8_t *certs[2] = {ec.p, ec.p};
	size_t lens[2] = {ec.n - 1, ec.n};
	CHECK_EQ(cert_verify_chain(t, certs, lens, 1, now, r, sizeof(r)), -EINVAL);
	CHECK(contains(r, "not valid DER"));
	lens[0] = ec.n + 1; /* one trailing octet */
	ec.p[ec.n] = 0;
	CHECK_EQ(cert_verify_chain(t, certs, lens, 1, now, r, sizeof(r)), -EINVAL);
	lens[0] = ec.n;
	lens[1] = 20;
	CHECK_EQ(cert_verify_chain(t, certs, lens, 2, now, r, sizeof(r)), -EINVAL);
	CHECK(contains(r, "certificate 2"));
	CHECK_EQ(cert_verify_chain(t, certs, lens, 0, now, r, sizeof(r)), -EINVAL);
	CHECK_EQ(cert_verify_chain(t, certs, lens, 1, now, NULL, 0), 0);
	free(ec.p);
}

/* ---- names and IDs ---- */

static int name(const char *file, const char *expected, char *r, size_t rlen)
{
	struct blob b = load(file);
	r[0] = 0;
	int rc = cert_match_name(b.p, b.n, expected, r, rlen);
	free(b.p);
	return rc;
}

static void test_names(void)
{
	char r[512];
	CHECK_EQ(name("ec256.der", "vpn.example.test", r, sizeof(r)), 0);
	CHECK_EQ(name("ec256.der", "VPN.Example.TEST", r, sizeof(r)), 0);
	CHECK_EQ(name("ec256.der", "192.0.2.1", r, sizeof(r)), 0);
	CHECK_EQ(name("ec256.der", "2001:db8::1", r, sizeof(r)), 0);
	CHECK_EQ(name("ec256.der", "2001:DB8:0::1", r, sizeof(r)), 0);
	CHECK_EQ(name("ec256.der", "gw@example.test", r, sizeof(r)), 0);
	CHECK_EQ(name("ec256.der", "other.example.test", r, sizeof(r)), -EACCES);
	CHECK(contains(r, "other.example.test") && contains(r, "CN=vpn.example.test") &&
	      contains(r, "DNS:vpn.example.test"));
	CHECK_EQ(name("ec256.der", "192.0.2.2", r, sizeof(r)), -EACCES);
	CHECK(contains(r, "192.0.2.2") && contains(r, "IP:192.0.2.1"));
	CHECK_EQ(name("ec256.der", "example.test", r, sizeof(r)), -EACCES);
	CHECK_EQ(name("ec256.der", ".example.test", r, sizeof(r)), -EACCES);
	CHECK_EQ(name("ec256.der", "other@example.test", r, sizeof(r)), -EACCES);
	CHECK_EQ(name("rsa2048.der", "198.51.100.7", r, sizeof(r)), 0);
	CHECK_EQ(name("rsa2048.der", "vpn.example.test", r, sizeof(r)), -EACCES);

	/* "*.example.test" stands for exactly one label. */
	CHECK_EQ(name("wild.der", "a.example.test", r, sizeof(r)), 0);
	CHECK_EQ(name("wild.der", "VPN.EXAMPLE.TEST", r, sizeof(r)), 0);
	CHECK_EQ(name("wild.der", "a.b.example.test", r, sizeof(r)), -EACCES);
	CHECK_EQ(name("wild.der", "example.test", r, sizeof(r)), -EACCES);
	CHECK_EQ(name("wild.der", "a.example.org", r, sizeof(r)), -EACCES);

	/* The subject CN only counts when there is no subjectAltName at all. */
	CHECK_EQ(name("nosan.der", "nosan.example.test", r, sizeof(r)), 0);
	CHECK_EQ(name("nosan.der", "other.example.test", r, sizeof(r)), -EACCES);
	CHECK(contains(r, "no subjectAltName"));
	CHECK_EQ(name("ipcn.der", "vpn.example.test", r, sizeof(r)), -EACCES);
	CHECK_EQ(name("ipcn.der", "203.0.113.9", r, sizeof(r)), 0);

	CHECK_EQ(name("msg.bin", "vpn.example.test", r, sizeof(r)), -EINVAL);
	CHECK_EQ(name("ec256.der", "", r, sizeof(r)), -EINVAL);
}

static int id(const char *file, uint8_t type, const void *v, size_t n, char *r, size_t rlen)
{
	struct blob b = load(file);
	r[0] = 0;
	int rc = cert_match_id(b.p, b.n, type, v, n, r, rlen);
	free(b.p);
	return rc;
}

static void test_ids(void)
{
	char r[512];
	static const uint8_t v4[] = {192, 0, 2, 1}, v4_other[] = {192, 0, 2, 2};
	static const uint8_t v6[] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	CHECK_EQ(id("ec256.der", CERT_ID_FQDN, "vpn.example.test", 16, r, sizeof(r)), 0);
	CHECK_EQ(id("ec256.der", CERT_ID_FQDN, "other.example.test", 18, r, sizeof(r)), -EACCES);
	CHECK(contains(r, "gateway ID DNS name"));
	CHECK(contains(r, "other.example.test") && contains(r, "vpn.example.test"));
	CHECK_EQ(id("ec256.der", CERT_ID_IPV4_ADDR, v4, 4, r, sizeof(r)), 0);
	CHECK_EQ(id("ec256.der", CERT_ID_IPV4_ADDR, v4_other, 4, r, sizeof(r)), -EACCES);
	CHECK(contains(r, "192.0.2.2"));
	CHECK_EQ(id("ec256.der", CERT_ID_IPV4_ADDR, v4, 3, r, sizeof(r)), -EINVAL);
	CHECK_EQ(id("ec256.der", CERT_ID_IPV6_ADDR, v6, 16, r, sizeof(r)), 0);
	CHECK_EQ(id("ec256.der", CERT_ID_RFC822_ADDR, "gw@example.test", 15, r, sizeof(r)), 0);
	CHECK_EQ(id("ec256.der", CERT_ID_FQDN, "vpn.example.test\0x", 18, r, sizeof(r)), -EINVAL);
	CHECK_EQ(id("ec256.der", 11 /* KEY_ID */, "abc", 3, r, sizeof(r)), -EACCES);
	CHECK(contains(r, "type 11"));
	CHECK_EQ(id("wild.der", CERT_ID_FQDN, "x.example.test", 14, r, sizeof(r)), 0);

	/* DER_ASN1_DN: DNs built by openssl asn1parse -genconf. */
	struct blob dn = load("dn_match.der"), other = load("dn_other.der");
	CHECK_EQ(id("ec256.der", CERT_ID_DER_ASN1_DN, dn.p, dn.n, r, sizeof(r)), 0);
	CHECK_EQ(id("ec256.der", CERT_ID_DER_ASN1_DN, other.p, other.n, r, sizeof(r)), -EACCES);
	CHECK(contains(r, "CN=other.example.test") && contains(r, "CN=vpn.example.test"));
	CHECK_EQ(id("rsa4096.der", CERT_ID_DER_ASN1_DN, dn.p, dn.n, r, sizeof(r)), -EACCES);
	CHECK_EQ(id("ec256.der", CERT_ID_DER_ASN1_DN, dn.p, dn.n - 1, r, sizeof(r)), -EINVAL);
	CHECK_EQ(id("msg.bin", CERT_ID_DER_ASN1_DN, dn.p, dn.n, r, sizeof(r)), -EINVAL);
	free(dn.p);
	free(other.p);
}

/* ---- AUTH ---- */

struct auth_case {
	const char *cert;
	uint8_t method;
	const char *alg_hex;  /* RFC 7427 AlgorithmIdentifier as hex, or */
	const char *alg_file; /* as a DER file */
	const char *sig;      /* signature file; ".hex" files hold hex text */
};

/* Builds AUTH data: for method 14, length octet || AlgorithmIdentifier || signature. */
static struct blob auth_data(const struct auth_case *c)
{
	struct blob sig = strstr(c->sig, ".hex") ? load_hex(c->sig) : load(c->sig);
	struct blob alg = {NULL, 0};
	if (c->alg_hex)
		alg = unhex(c->alg_hex);
	else if (c->alg_file)
		alg = load(c->alg_file);
	struct blob a = {malloc(1 + alg.n + sig.n), 0};
	if (c->method == CERT_AUTH_DIGITAL_SIGNATURE)
		a.p[a.n++] = (uint8_t)alg.n;
	if (alg.n)
		memcpy(a.p + a.n, alg.p, alg.n);
	a.n += alg.n;
	memcpy(a.p + a.n, sig.p, sig.n);
	a.n += sig.n;
	free(sig.p);
	free(alg.p);
	return a;
}

static int auth(const struct auth_case *c, struct blob *a, struct blob *msg, char *r, size_t rlen)
{
	struct blob cert = load(c->cert);
	r[0] = 0;
	int rc = cert_verify_auth(cert.p, cert.n, c->method, a->p, a->n, msg->p, msg->n, r, rlen);
	free(cert.p);
	return rc;
}

static void test_auth_valid(void)
{
	static const struct auth_case cases[] = {
	    {"rsa2048.der", 1, NULL, NULL, "rsa2048_sha1.sig"},
	    {"ec256.der", 9, NULL, NULL, "ec256_sha256.raw.hex"},
	    {"ec384.der", 10, NULL, NULL, "ec384_sha384.raw.hex"},
	    {"ec521.der", 11, NULL, NULL, "ec521_sha512.raw.hex"},
	    {"rsa2048.der", 14, ALG_SHA256_RSA, NULL, "rsa2048_sha256.sig"},
	    {"rsa2048.der", 14, ALG_SHA384_RSA, NULL, "rsa2048_sha384.sig"},
	    {"rsa2048.der", 14, ALG_SHA512_RSA, NULL, "rsa2048_sha512.sig"},
	    {"rsa4096.der", 14, ALG_SHA256_RSA, NULL, "rsa4096_sha256.sig"},
	    {"rsa2048.der", 14, NULL, "pss256_algid.der", "rsa2048_pss256.sig"},
	    {"rsapss.der", 14, NULL, "pss384_algid.der", "rsapss_pss384.sig"},
	    {"rsa4096.der", 14, NULL, "pss512_algid.der", "rsa4096_pss512.sig"},
	    {"ec256.der", 14, ALG_ECDSA_256, NULL, "ec256_sha256.sig"},
	    {"ec384.der", 14, ALG_ECDSA_384, NULL, "ec384_sha384.sig"},
	    {"ec521.der", 14, ALG_ECDSA_512, NULL, "ec521_sha512.sig"},
	    {"ed25519.der", 14, ALG_ED25519, NULL, "ed25519.sig"},
	};
	struct blob msg = load("msg.bin");
	char r[512];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct auth_case *c = &cases[i];
		struct blob a = auth_data(c);
		int rc = auth(c, &a, &msg, r, sizeof(r));
		if (rc)
			fprintf(stderr, "  case %zu (%s): %s\n", i, c->sig, r);
		CHECK_EQ(rc, 0);

		/* One bit flipped in the signed octets, then in the signature. */
		msg.p[17] ^= 0x01;
		CHECK_EQ(auth(c, &a, &msg, r, sizeof(r)), -EACCES);
		CHECK(contains(r, "does not verify"));
		msg.p[17] ^= 0x01;
		a.p[a.n - 5] ^= 0x10;
		rc = auth(c, &a, &msg, r, sizeof(r));
		if (rc != -EACCES)
			fprintf(stderr, "  case %zu (%s) flipped: %d %s\n", i, c->sig, rc, r);
		CHECK_EQ(rc, -EACCES);
		a.p[a.n - 5] ^= 0x10;
		msg.n--;
		CHECK_EQ(auth(c, &a, &msg, r, sizeof(r)), -EACCES);
		msg.n++;
		CHECK_EQ(auth(c, &a, &msg, r, sizeof(r)), 0);
		free(a.p);
	}
	free(msg.p);
}

struct bad_case {
	struct auth_case c;
	int want;
	const char *word; /* expected in the reason */
};

static void test_auth_invalid(void)
{
	static const struct bad_case cases[] = {
	    /* Parameters that do not fit the signature. */
	    {{"rsa2048.der", 14, NULL, "pss_salt20_algid.der", "rsa2048_pss256.sig"},
	     -EACCES,
	     "salt 20"},
	    {{"rsa2048.der", 14, ALG_SHA384_RSA, NULL, "rsa2048_sha256.sig"}, -EACCES, "verify"},
	    {{"rsa2048.der", 14, NULL, "pss256_algid.der", "rsa2048_sha256.sig"},
	     -EACCES,
	     "verify"},
	    /* Key of the wrong kind for the method. */
	    {{"rsa2048.der", 9, NULL, NULL, "ec256_sha256.raw.hex"}, -EACCES, "RSA"},
	    {{"ec256.der", 10, NULL, NULL, "ec256_sha256.raw.hex"}, -EACCES, "P-384"},
	    {{"ec384.der", 9, NULL, NULL, "ec256_sha256.raw.hex"}, -EACCES, "secp384r1"},
	    {{"rsapss.der", 1, NULL, NULL, "rsa2048_sha1.sig"}, -EACCES, "RSA-PSS"},
	    {{"rsa2048.der", 14, ALG_ECDSA_256, NULL, "ec256_sha256.sig"}, -EACCES, "ecdsa"},
	    {{"ec256.der", 14, ALG_ED25519, NULL, "ed25519.sig"}, -EACCES, "ED25519"},
	    {{"ed25519.der", 14, ALG_SHA256_RSA, NULL, "rsa2048_sha256.sig"}, -EACCES, "RSA"},
	    /* Unsupported methods and algorithms. */
	    {{"rsa2048.der", 2, NULL, NULL, "rsa2048_sha1.sig"}, -ENOTSUP, "method 2"},
	    {{"ec256.der", 12, NULL, NULL, "ec256_sha256.sig"}, -ENOTSUP, "method 12"},
	    {{"rsa2048.der", 14, ALG_SHA1_RSA, NULL, "rsa2048_sha1.sig"},
	     -ENOTSUP,
	     "sha1WithRSAEncryption"},
	    {{"rsa2048.der", 14, ALG_SHA224_RSA, NULL, "rsa2048_sha1.sig"},
	     -ENOTSUP,
	     "sha224WithRSAEncryption"},
	    {{"rsa2048.der", 14, NULL, "pss_sha1_algid.der", "rsa2048_sha1.sig"}, -ENOTSUP, "SHA1"},
	    {{"rsa2048.der", 14, NULL, "unknown_algid.der", "rsa2048_sha1.sig"},
	     -ENOTSUP,
	     "1.3.6.1.4.1.99999.1"},
	    /* Malformed. */
	    {{"ec256.der", 9, NULL, NULL, "ec256_sha256.sig"}, -EINVAL, "64 octets"},
	    {{"rsa2048.der", 14, "3003020100", NULL, "rsa2048_sha256.sig"},
	     -EINVAL,
	     "AlgorithmIdentifier"},
	    {{"rsa2048.der", 14, "300e06092a864886f70d01010b020100", NULL, "rsa2048_sha256.sig"},
	     -EINVAL,
	     "parameters"},
	    {{"rsa2048.der", 14, "300e06092a864886f70d01010a020100", NULL, "rsa2048_sha256.sig"},
	     -EINVAL,
	     "PSS"},
	    {{"rsa2048.der", 14, ALG_SHA256_RSA "00", NULL, "rsa2048_sha256.sig"},
	     -EINVAL,
	     "AlgorithmIdentifier"},
	    {{"msg.bin", 14, ALG_SHA256_RSA, NULL, "rsa2048_sha256.sig"}, -EINVAL, "DER"},
	};
	struct blob msg = load("msg.bin");
	char r[512];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *b = &cases[i];
		struct blob a = auth_data(&b->c);
		int rc = auth(&b->c, &a, &msg, r, sizeof(r));
		if (rc != b->want)
			fprintf(stderr, "  bad case %zu: %d (%s)\n", i, rc, r);
		CHECK_EQ(rc, b->want);
		CHECK(contains(r, b->word));
		free(a.p);
	}

	/* The length octet of RFC 7427 pointing past the data, zero, or no data at all. */
	struct blob cert = load("rsa2048.der");
	uint8_t d[] = {0x40, 0x30, 0x03, 0x02, 0x01, 0x00};
	CHECK_EQ(cert_verify_auth(cert.p, cert.n, 14, d, sizeof(d), msg.p, msg.n, r, sizeof(r)),
		 -EINVAL);
	d[0] = 0;
	CHECK_EQ(cert_verify_auth(cert.p, cert.n, 14, d, sizeof(d), msg.p, msg.n, r, sizeof(r)),
		 -EINVAL);
	CHECK_EQ(cert_verify_auth(cert.p, cert.n, 14, d, 0, msg.p, msg.n, r, sizeof(r)), -EINVAL);
	CHECK_EQ(cert_verify_auth(cert.p, cert.n, 1, d, 0, msg.p, msg.n, r, sizeof(r)), -EINVAL);
	/* An AlgorithmIdentifier with nothing after it. */
	struct blob alg = unhex("0f" ALG_SHA256_RSA);
	CHECK_EQ(cert_verify_auth(cert.p, cert.n, 14, alg.p, alg.n, msg.p, msg.n, r, sizeof(r)),
		 -EINVAL);
	free(alg.p);
	free(cert.p);
	free(msg.p);
}

/* ---- logs and announcements ---- */

static void test_describe(void)
{
	char out[128];
	struct blob b = load("ec256.der");
	CHECK_EQ(cert_describe(b.p, b.n, out, sizeof(out)), 19);
	CHECK(strcmp(out, "CN=vpn.example.test") == 0);
	CHECK_EQ(cert_describe(b.p, b.n, out, 8), 7);
	CHECK(strcmp(out, "CN=vpn.") == 0);
	CHECK_EQ(cert_describe(b.p, b.n - 3, out, sizeof(out)), -EINVAL);
	free(b.p);
	b = load("caA.pem"); /* PEM, not DER */
	CHECK_EQ(cert_describe(b.p, b.n, out, sizeof(out)), -EINVAL);
	free(b.p);
	b = load("interR.der");
	CHECK(cert_describe(b.p, b.n, out, sizeof(out)) > 0);
	CHECK(strcmp(out, "CN=Tern Test Intermediate R") == 0);
	free(b.p);
}

static void test_hash_algs(void)
{
	/* RFC 7427 section 7 (2 SHA2-256, 3 SHA2-384, 4 SHA2-512) and RFC 8420 (5 Identity). */
	uint16_t algs[8];
	CHECK_EQ(cert_sig_hash_algs(algs, 8), 4);
	CHECK(algs[0] == 2 && algs[1] == 3 && algs[2] == 4 && algs[3] == 5);
	CHECK_EQ(cert_sig_hash_algs(algs, 1), 4);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR (made by certs/gen.sh)\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	struct blob now = load("now.txt");
	now.p[now.n < 65536 ? now.n : 65535] = 0;
	gen_time = strtoll((const char *)now.p, NULL, 10);
	free(now.p);

	struct cert_trust *t = test_trust();
	if (t)
		test_chains(t);
	cert_trust_free(t);
	test_names();
	test_ids();
	test_auth_valid();
	test_auth_invalid();
	test_describe();
	test_hash_algs();
	return check_done("test_cert");
}
