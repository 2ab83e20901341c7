/* Trust anchors, CERTREQ key identifiers and chain verification of the gateway's certificate. */
#include "crypto/cert.h"
#include "crypto/cert_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define CERT_SYSTEM_DIR "/etc/ssl/certs"

enum {
	CERT_SHA1_LEN = 20,
	/* OpenSSL security level 2: 112-bit keys, no SHA-1 or MD5 certificate signatures. */
	CERT_AUTH_LEVEL = 2,
};

struct cert_trust {
	X509_STORE *store;
	STACK_OF(X509) * cas; /* the CA file's certificates, in file order; empty for the system */
};

void cert_trust_free(struct cert_trust *t)
{
	if (!t)
		return;
	X509_STORE_free(t->store);
	sk_X509_pop_free(t->cas, X509_free);
	free(t);
}

/* Reads every PEM certificate of path into t->cas and t->store. */
static int load_ca_file(struct cert_trust *t, const char *path, char *reason, size_t reason_len)
{
	errno = 0;
	BIO *b = BIO_new_file(path, "r");
	if (!b) {
		int err = errno ? errno : ENOENT;
		cert_reason(reason, reason_len, "cannot open CA file %s: %s", path, strerror(err));
		return -err;
	}
	int rc = 0;
	X509 *x;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(t->cas, x)) {
			X509_free(x);
			rc = -ENOMEM;
			break;
		}
		if (!X509_STORE_add_cert(t->store, x)) {
			rc = -ENOMEM;
			break;
		}
	}
	/* The loop ends on "no start line" once the file is used up; anything else is damage. */
	unsigned long e = ERR_peek_last_error();
	if (rc == 0 && e &&
	    !(ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)) {
		cert_reason(reason, reason_len, "CA file %s: certificate %d is damaged", path,
			    sk_X509_num(t->cas) + 1);
		rc = -EINVAL;
	} else if (rc == 0 && sk_X509_num(t->cas) == 0) {
		cert_reason(reason, reason_len, "CA file %s holds no PEM certificate", path);
		rc = -EINVAL;
	} else if (rc) {
		cert_reason(reason, reason_len, "out of memory loading CA file %s", path);
	}
	BIO_free(b);
	ERR_clear_error();
	return rc;
}

int cert_trust_load(struct cert_trust **out, const char *ca_file, char *reason, size_t reason_len)
{
	*out = NULL;
	struct cert_trust *t = calloc(1, sizeof(*t));
	if (!t || !(t->store = X509_STORE_new()) || !(t->cas = sk_X509_new_null())) {
		cert_trust_free(t);
		cert_reason(reason, reason_len, "out of memory loading trust anchors");
		return -ENOMEM;
	}
	/* A certificate the user lists is an anchor even if it is not self-signed. */
	X509_STORE_set_flags(t->store, X509_V_FLAG_PARTIAL_CHAIN);
	int rc = 0;
	if (ca_file) {
		rc = load_ca_file(t, ca_file, reason, reason_len);
	} else if (!X509_STORE_load_path(t->store, CERT_SYSTEM_DIR)) {
		cert_reason(reason, reason_len, "cannot use the system certificate store %s",
			    CERT_SYSTEM_DIR);
		rc = -ENOENT;
	}
	if (rc) {
		cert_trust_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

int cert_trust_keyids(const struct cert_trust *t, uint8_t *out, size_t cap)
{
	size_t pos = 0;
	for (int i = 0; i < sk_X509_num(t->cas); i++) {
		unsigned char *spki = NULL;
		int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(sk_X509_value(t->cas, i)), &spki);
		if (n <= 0) {
			ERR_clear_error();
			return -EINVAL;
		}
		if (pos + CERT_SHA1_LEN > cap) {
			OPENSSL_free(spki);
			return -ENOSPC;
		}
		int ok = EVP_Digest(spki, (size_t)n, out + pos, NULL, EVP_sha1(), NULL);
		OPENSSL_free(spki);
		if (!ok) {
			ERR_clear_error();
			return -EIO;
		}
		pos += CERT_SHA1_LEN;
	}
	return (int)pos;
}

/* Turns X509_verify_cert's verdict into a reason naming the certificate at fault. */
static int explain_failure(X509_STORE_CTX *ctx, X509 *leaf, char *reason, size_t reason_len)
{
	int err = X509_STORE_CTX_get_error(ctx);
	X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
	if (!cur)
		cur = leaf;
	char who[CERT_TEXT_MAX], when[64], issuer[CERT_TEXT_MAX];
	cert_subject_text(cur, who, sizeof(who));
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		cert_time_text(X509_get0_notAfter(cur), when, sizeof(when));
		cert_reason(reason, reason_len, "certificate of %s has expired (not after %s)", who,
			    when);
		return -EACCES;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		cert_time_text(X509_get0_notBefore(cur), when, sizeof(when));
		cert_reason(reason, reason_len,
			    "certificate of %s is not valid yet (not before %s)", who, when);
		return -EACCES;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
		cert_name_text(X509_get_issuer_name(cur), issuer, sizeof(issuer));
		cert_reason(reason, reason_len,
			    "certificate chain does not lead to a trusted CA (issuer %s)", issuer);
		return -EACCES;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		cert_reason(reason, reason_len,
			    "signature on the certificate of %s does not verify", who);
		return -EACCES;
	case X509_V_ERR_EE_KEY_TOO_SMALL:
	case X509_V_ERR_CA_KEY_TOO_SMALL:
	case X509_V_ERR_CA_MD_TOO_WEAK:
		cert_reason(reason, reason_len, "certificate of %s is too weak: %s", who,
			    X509_verify_cert_error_string(err));
		return -EACCES;
	case X509_V_ERR_INVALID_CA:
		cert_reason(reason, reason_len, "%s issued a certificate but is not a CA", who);
		return -EACCES;
	case X509_V_ERR_OUT_OF_MEM:
		cert_reason(reason, reason_len, "out of memory verifying certificate chain");
		return -ENOMEM;
	default:
		cert_reason(reason, reason_len, "certificate of %s is not accepted: %s", who,
			    X509_verify_cert_error_string(err));
		return -EACCES;
	}
}

/* Parses certs[1..n-1] into a stack of untrusted certificates. */
static int parse_others(const uint8_t *const certs[], const size_t lens[], unsigned n,
			STACK_OF(X509) * *out, char *reason, size_t reason_len)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	if (!sk)
		return -ENOMEM;
	for (unsigned i = 1; i < n; i++) {
		X509 *x = cert_parse_der(certs[i], lens[i]);
		if (!x) {
			sk_X509_pop_free(sk, X509_free);
			cert_reason(reason, reason_len,
				    "certificate %u the gateway sent is not valid DER", i + 1);
			return -EINVAL;
		}
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			sk_X509_pop_free(sk, X509_free);
			return -ENOMEM;
		}
	}
	*out = sk;
	return 0;
}

/* RFC 5280 4.2.1.3: a key used for AUTH signatures needs digitalSignature, if keyUsage is set. */
static int check_leaf_usage(X509 *leaf, char *reason, size_t reason_len)
{
	uint32_t ku = X509_get_key_usage(leaf);
	if (ku == UINT32_MAX || (ku & KU_DIGITAL_SIGNATURE))
		return 0;
	char who[CERT_TEXT_MAX];
	cert_subject_text(leaf, who, sizeof(who));
	cert_reason(reason, reason_len,
		    "certificate of %s may not sign (keyUsage lacks digitalSignature)", who);
	return -EACCES;
}

int cert_verify_chain(const struct cert_trust *t, const uint8_t *const certs[], const size_t lens[],
		      unsigned n, int64_t now, char *reason, size_t reason_len)
{
	if (!t || n == 0 || n > CERT_CHAIN_MAX) {
		cert_reason(reason, reason_len, "the gateway sent %u certificates (1 to %d usable)",
			    n, CERT_CHAIN_MAX);
		return -EINVAL;
	}
	X509 *leaf = cert_parse_der(certs[0], lens[0]);
	if (!leaf) {
		cert_reason(reason, reason_len, "the gateway's certificate is not valid DER");
		return -EINVAL;
	}
	STACK_OF(X509) *others = NULL;
	int rc = parse_others(certs, lens, n, &others, reason, reason_len);
	X509_STORE_CTX *ctx = rc ? NULL : X509_STORE_CTX_new();
	if (!rc && (!ctx || !X509_STORE_CTX_init(ctx, t->store, leaf, others)))
		rc = -ENOMEM;
	if (!rc) {
		X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
		X509_VERIFY_PARAM_set_time(param, (time_t)now);
		X509_VERIFY_PARAM_set_auth_level(param, CERT_AUTH_LEVEL);
		if (X509_verify_cert(ctx) <= 0)
			rc = explain_failure(ctx, leaf, reason, reason_len);
		else
			rc = check_leaf_usage(leaf, reason, reason_len);
	}
	if (rc == -ENOMEM)
		cert_reason(reason, reason_len, "out of memory verifying certificate chain");
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(others, X509_free);
	X509_free(leaf);
	ERR_clear_error();
	return rc;
}
