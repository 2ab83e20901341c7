/* Verification of the gateway's AUTH payload with its certificate's key (RFC 7296 2.15,
 * RFC 4754 for ECDSA, RFC 7427 for "Digital Signature", RFC 8420 for EdDSA). */
#include "crypto/cert.h"
#include "crypto/cert_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

enum {
	PSS_SALT_MAX_BYTES = 1024,
	PSS_DEFAULT_SALT_BYTES = 20, /* RFC 8017 A.2.3 */
};

/* How to check one signature. */
struct sig_alg {
	char name[96];	  /* for reasons */
	const EVP_MD *md; /* NULL for EdDSA, which hashes internally */
	const char *key;  /* EVP key type the algorithm needs, "RSA" also admits "RSA-PSS" */
	int curve_nid;	  /* RFC 4754 methods: the curve the key must be on */
	size_t raw_field; /* RFC 4754 methods: octets of r and of s */
	int pss;	  /* RSASSA-PSS with mgf1_md and salt_len */
	const EVP_MD *mgf1_md;
	int salt_len;
};

size_t cert_sig_hash_algs(uint16_t *out, size_t cap)
{
	static const uint16_t algs[] = {CERT_HASH_SHA2_256, CERT_HASH_SHA2_384, CERT_HASH_SHA2_512,
					CERT_HASH_IDENTITY};
	size_t n = sizeof(algs) / sizeof(algs[0]);
	for (size_t i = 0; i < n && i < cap; i++)
		out[i] = algs[i];
	return n;
}

/* SHA-2 only: SHA-1 is not among the hashes the client announces (RFC 7427 4). */
static const EVP_MD *sha2_by_nid(int nid)
{
	switch (nid) {
	case NID_sha256:
		return EVP_sha256();
	case NID_sha384:
		return EVP_sha384();
	case NID_sha512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/* Methods 1, 9, 10, 11 of RFC 7296 3.8 / RFC 4754. */
static int fixed_method(uint8_t method, struct sig_alg *alg)
{
	memset(alg, 0, sizeof(*alg));
	switch (method) {
	case CERT_AUTH_RSA_SIG:
		*alg = (struct sig_alg){
		    .name = "RSA signature (PKCS#1 v1.5, SHA-1)", .md = EVP_sha1(), .key = "RSA"};
		return 0;
	case CERT_AUTH_ECDSA_256:
		*alg = (struct sig_alg){.name = "ECDSA with SHA-256 on P-256",
					.md = EVP_sha256(),
					.key = "EC",
					.curve_nid = NID_X9_62_prime256v1,
					.raw_field = 32};
		return 0;
	case CERT_AUTH_ECDSA_384:
		*alg = (struct sig_alg){.name = "ECDSA with SHA-384 on P-384",
					.md = EVP_sha384(),
					.key = "EC",
					.curve_nid = NID_secp384r1,
					.raw_field = 48};
		return 0;
	case CERT_AUTH_ECDSA_521:
		*alg = (struct sig_alg){.name = "ECDSA with SHA-512 on P-521",
					.md = EVP_sha512(),
					.key = "EC",
					.curve_nid = NID_secp521r1,
					.raw_field = 66};
		return 0;
	default:
		return -ENOTSUP;
	}
}

static int params_absent_or_null(const X509_ALGOR *a)
{
	int ptype;
	X509_ALGOR_get0(NULL, &ptype, NULL, a);
	return ptype == V_ASN1_UNDEF || ptype == V_ASN1_NULL;
}

/* The hash of a hashAlgorithm field (absent = SHA-1); NULL when not SHA-2. */
static const EVP_MD *pss_hash(const X509_ALGOR *a, const char **name)
{
	const ASN1_OBJECT *obj;
	if (!a) {
		*name = "SHA1";
		return NULL;
	}
	X509_ALGOR_get0(&obj, NULL, NULL, a);
	int nid = OBJ_obj2nid(obj);
	*name = nid != NID_undef ? OBJ_nid2sn(nid) : "an unknown hash";
	return params_absent_or_null(a) ? sha2_by_nid(nid) : NULL;
}

/* maskGenAlgorithm: only MGF1 (RFC 8017 B.2.1), its parameter being the hash. */
static const EVP_MD *pss_mgf1(const X509_ALGOR *mgf, const char **name)
{
	const ASN1_OBJECT *obj;
	int ptype;
	const void *pval;
	if (!mgf)
		return pss_hash(NULL, name);
	X509_ALGOR_get0(&obj, &ptype, &pval, mgf);
	*name = "a mask generation function other than MGF1";
	if (OBJ_obj2nid(obj) != NID_mgf1 || ptype != V_ASN1_SEQUENCE)
		return NULL;
	X509_ALGOR *h = ASN1_item_unpack(pval, ASN1_ITEM_rptr(X509_ALGOR));
	const EVP_MD *md = h ? pss_hash(h, name) : NULL;
	X509_ALGOR_free(h);
	return md;
}

/* RSASSA-PSS-params (RFC 8017 A.2.3) into alg. */
static int pss_params(const X509_ALGOR *a, struct sig_alg *alg, char *reason, size_t reason_len)
{
	int ptype;
	const void *pval;
	X509_ALGOR_get0(NULL, &ptype, &pval, a);
	RSA_PSS_PARAMS *p = NULL;
	if (ptype == V_ASN1_SEQUENCE)
		p = ASN1_item_unpack(pval, ASN1_ITEM_rptr(RSA_PSS_PARAMS));
	else if (ptype == V_ASN1_UNDEF)
		p = RSA_PSS_PARAMS_new(); /* every field at its default */
	if (!p) {
		cert_reason(reason, reason_len, "AUTH RSASSA-PSS parameters are malformed");
		return -EINVAL;
	}
	const char *hname, *mname;
	int64_t salt = PSS_DEFAULT_SALT_BYTES, trailer = 1;
	int rc = 0;
	alg->md = pss_hash(p->hashAlgorithm, &hname);
	alg->mgf1_md = pss_mgf1(p->maskGenAlgorithm, &mname);
	if ((p->saltLength && !ASN1_INTEGER_get_int64(&salt, p->saltLength)) ||
	    (p->trailerField && !ASN1_INTEGER_get_int64(&trailer, p->trailerField)) || salt < 0 ||
	    salt > PSS_SALT_MAX_BYTES) {
		cert_reason(reason, reason_len, "AUTH RSASSA-PSS parameters are malformed");
		rc = -EINVAL;
	} else if (!alg->md || !alg->mgf1_md || trailer != 1) {
		cert_reason(reason, reason_len,
			    "AUTH RSASSA-PSS with hash %s, MGF1 with %s, trailer %lld is not "
			    "supported (SHA-256/384/512 only)",
			    hname, mname, (long long)trailer);
		rc = -ENOTSUP;
	} else {
		alg->pss = 1;
		alg->salt_len = (int)salt;
		alg->key = "RSA";
		snprintf(alg->name, sizeof(alg->name), "RSASSA-PSS with %s, MGF1 with %s, salt %d",
			 hname, mname, alg->salt_len);
	}
	RSA_PSS_PARAMS_free(p);
	return rc;
}

/* The algorithm named by an RFC 7427 AlgorithmIdentifier. */
static int algorithm_from_id(const X509_ALGOR *a, struct sig_alg *alg, char *reason,
			     size_t reason_len)
{
	const ASN1_OBJECT *obj;
	X509_ALGOR_get0(&obj, NULL, NULL, a);
	int nid = OBJ_obj2nid(obj), md_nid = NID_undef;
	memset(alg, 0, sizeof(*alg));
	switch (nid) {
	case NID_sha256WithRSAEncryption:
	case NID_sha384WithRSAEncryption:
	case NID_sha512WithRSAEncryption:
		alg->key = "RSA";
		OBJ_find_sigid_algs(nid, &md_nid, NULL);
		break;
	case NID_ecdsa_with_SHA256:
	case NID_ecdsa_with_SHA384:
	case NID_ecdsa_with_SHA512:
		alg->key = "EC";
		OBJ_find_sigid_algs(nid, &md_nid, NULL);
		break;
	case NID_ED25519:
		alg->key = "ED25519";
		break;
	case NID_ED448:
		alg->key = "ED448";
		break;
	case NID_rsassaPss:
		return pss_params(a, alg, reason, reason_len);
	default: {
		char oid[80];
		OBJ_obj2txt(oid, sizeof(oid), obj, 0);
		cert_reason(reason, reason_len, "AUTH signature algorithm %s is not supported",
			    oid);
		return -ENOTSUP;
	}
	}
	if (!params_absent_or_null(a)) {
		cert_reason(reason, reason_len, "AUTH signature algorithm %s has parameters",
			    OBJ_nid2ln(nid));
		return -EINVAL;
	}
	alg->md = sha2_by_nid(md_nid);
	snprintf(alg->name, sizeof(alg->name), "%s", OBJ_nid2ln(nid));
	return 0;
}

/* RFC 7427 3: one octet length, AlgorithmIdentifier, signature. */
static int parse_digital_signature(const uint8_t *data, size_t len, struct sig_alg *alg,
				   const uint8_t **sig, size_t *sig_len, char *reason,
				   size_t reason_len)
{
	size_t id_len = len > 0 ? data[0] : 0;
	if (id_len == 0 || 1 + id_len >= len) {
		cert_reason(reason, reason_len, "AUTH data is too short for RFC 7427");
		return -EINVAL;
	}
	const unsigned char *p = data + 1;
	X509_ALGOR *a = d2i_X509_ALGOR(NULL, &p, (long)id_len);
	if (!a || p != data + 1 + id_len) {
		X509_ALGOR_free(a);
		cert_reason(reason, reason_len, "AUTH AlgorithmIdentifier is not valid DER");
		return -EINVAL;
	}
	int rc = algorithm_from_id(a, alg, reason, reason_len);
	X509_ALGOR_free(a);
	*sig = data + 1 + id_len;
	*sig_len = len - 1 - id_len;
	return rc;
}

/* RFC 4754 7: r and s as fixed-size big-endian integers, into an ECDSA-Sig-Value. */
static int raw_ecdsa_to_der(const uint8_t *raw, size_t len, size_t field, uint8_t **der,
			    size_t *der_len)
{
	if (len != 2 * field)
		return -EINVAL;
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)field, NULL);
	BIGNUM *sv = BN_bin2bn(raw + field, (int)field, NULL);
	if (!s || !r || !sv || !ECDSA_SIG_set0(s, r, sv)) {
		BN_free(r);
		BN_free(sv);
		ECDSA_SIG_free(s);
		return -ENOMEM;
	}
	unsigned char *out = NULL;
	int n = i2d_ECDSA_SIG(s, &out);
	ECDSA_SIG_free(s);
	if (n <= 0)
		return -ENOMEM;
	*der = out;
	*der_len = (size_t)n;
	return 0;
}

static int curve_of(const EVP_PKEY *pkey)
{
	char group[64];
	if (!EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL))
		return NID_undef;
	int nid = OBJ_sn2nid(group);
	return nid != NID_undef ? nid : EC_curve_nist2nid(group);
}

/* The certificate's key must be of the kind the algorithm signs with. */
static int key_fits(const EVP_PKEY *pkey, const struct sig_alg *alg)
{
	if (strcmp(alg->key, "RSA") == 0 && EVP_PKEY_is_a(pkey, "RSA-PSS"))
		return alg->pss;
	if (!EVP_PKEY_is_a(pkey, alg->key))
		return 0;
	return alg->curve_nid == NID_undef || curve_of(pkey) == alg->curve_nid;
}

static int verify(EVP_PKEY *pkey, const struct sig_alg *alg, const uint8_t *sig, size_t sig_len,
		  const uint8_t *data, size_t data_len)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int rc = -EACCES;
	if (!mctx || EVP_DigestVerifyInit(mctx, &pctx, alg->md, NULL, pkey) <= 0)
		goto out;
	if (alg->pss) {
		if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, alg->mgf1_md) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, alg->salt_len) <= 0)
			goto out;
	} else if (EVP_PKEY_is_a(pkey, "RSA") &&
		   EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0) {
		goto out;
	}
	if (EVP_DigestVerify(mctx, sig, sig_len, data, data_len) == 1)
		rc = 0;
out:
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return rc;
}

static void key_text(EVP_PKEY *pkey, char *out, size_t cap)
{
	const char *type = EVP_PKEY_get0_type_name(pkey);
	char group[64];
	if (EVP_PKEY_is_a(pkey, "EC") && EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL))
		snprintf(out, cap, "an EC %s key", group);
	else
		snprintf(out, cap, "a %d-bit %s key", EVP_PKEY_get_bits(pkey), type ? type : "?");
}

/* Checks sig over data with the key of x; the method's needs are in alg. */
static int check_signature(X509 *x, const struct sig_alg *alg, const uint8_t *sig, size_t sig_len,
			   const uint8_t *data, size_t data_len, char *reason, size_t reason_len)
{
	EVP_PKEY *pkey = X509_get0_pubkey(x);
	char who[CERT_TEXT_MAX], key[96];
	cert_subject_text(x, who, sizeof(who));
	if (!pkey) {
		cert_reason(reason, reason_len, "the public key of %s cannot be read", who);
		return -EINVAL;
	}
	if (!key_fits(pkey, alg)) {
		key_text(pkey, key, sizeof(key));
		cert_reason(reason, reason_len, "AUTH uses %s but the certificate of %s has %s",
			    alg->name, who, key);
		return -EACCES;
	}
	uint8_t *der = NULL;
	if (alg->raw_field) {
		int rc = raw_ecdsa_to_der(sig, sig_len, alg->raw_field, &der, &sig_len);
		if (rc) {
			cert_reason(reason, reason_len,
				    "AUTH %s signature must be %zu octets, not %zu", alg->name,
				    2 * alg->raw_field, sig_len);
			return rc;
		}
		sig = der;
	}
	int rc = verify(pkey, alg, sig, sig_len, data, data_len);
	OPENSSL_free(der);
	if (rc)
		cert_reason(reason, reason_len, "AUTH signature (%s) of %s does not verify",
			    alg->name, who);
	return rc;
}

int cert_verify_auth(const uint8_t *der, size_t len, uint8_t auth_method, const uint8_t *auth_data,
		     size_t auth_len, const uint8_t *signed_octets, size_t signed_len, char *reason,
		     size_t reason_len)
{
	struct sig_alg alg;
	const uint8_t *sig = auth_data;
	size_t sig_len = auth_len;
	int rc;
	if (auth_method == CERT_AUTH_DIGITAL_SIGNATURE) {
		rc = parse_digital_signature(auth_data, auth_len, &alg, &sig, &sig_len, reason,
					     reason_len);
		if (rc)
			return rc;
	} else if (fixed_method(auth_method, &alg) != 0) {
		cert_reason(reason, reason_len, "AUTH method %u is not supported", auth_method);
		return -ENOTSUP;
	}
	if (!auth_data || auth_len == 0 || (!signed_octets && signed_len)) {
		cert_reason(reason, reason_len, "AUTH data is empty");
		return -EINVAL;
	}
	X509 *x = cert_parse_der(der, len);
	if (!x) {
		cert_reason(reason, reason_len, "the gateway's certificate is not valid DER");
		return -EINVAL;
	}
	rc = check_signature(x, &alg, sig, sig_len, signed_octets, signed_len, reason, reason_len);
	X509_free(x);
	return rc;
}
