/* P-256 keys, X.509 v3 certificates and a trust store for the exchange tests. */
#include "tests/unit/ike/fake_pki.h"

#include <stdio.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/cert.h"

EVP_PKEY *fake_pki_key(void)
{
	return EVP_EC_gen("P-256");
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!e)
		return -1;
	int ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

X509 *fake_pki_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
		    const char *dns, bool ca)
{
	static long serial = 1;
	X509 *x = X509_new();
	if (!x)
		return NULL;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"tern tests", -1,
				   -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_set_pubkey(x, key);
	char san[300];
	int bad = add_ext(x, issuer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE") ||
		  add_ext(x, issuer, NID_key_usage,
			  ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") ||
		  add_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (!bad && issuer)
		bad = add_ext(x, issuer, NID_authority_key_identifier, "keyid");
	if (!bad && dns) {
		snprintf(san, sizeof(san), "DNS:%s", dns);
		bad = add_ext(x, issuer, NID_subject_alt_name, san);
	}
	if (bad || !X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int fake_pki_trust(X509 *ca, struct cert_trust **out)
{
	char path[] = "/tmp/tern-ike-test-ca-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "w");
	int ok = f && PEM_write_X509(f, ca);
	if (f)
		fclose(f);
	char reason[256];
	int r = ok ? cert_trust_load(out, path, reason, sizeof(reason)) : -1;
	unlink(path);
	if (r)
		fprintf(stderr, "fake_pki_trust: %s\n", ok ? reason : "cannot write PEM");
	return r ? -1 : 0;
}
