/* X.509 checks of the gateway's certificate and verification of its IKEv2 AUTH payload.
 *
 * Everything here is I/O-free except cert_trust_load(), which the caller runs once at start.
 * Every function that can fail returns a negative errno and, when a reason buffer is given,
 * a one-line reason in words (names taken from certificates are escaped for logs). */
#ifndef TERN_CRYPTO_CERT_H
#define TERN_CRYPTO_CERT_H

#include <stddef.h>
#include <stdint.h>

/* IKEv2 authentication methods (RFC 7296 3.8, RFC 4754, RFC 7427). */
enum cert_auth_method {
	CERT_AUTH_RSA_SIG = 1,
	CERT_AUTH_ECDSA_256 = 9,
	CERT_AUTH_ECDSA_384 = 10,
	CERT_AUTH_ECDSA_521 = 11,
	CERT_AUTH_DIGITAL_SIGNATURE = 14,
};

/* IKEv2 identification types (RFC 7296 3.5). */
enum cert_id_type {
	CERT_ID_IPV4_ADDR = 1,
	CERT_ID_FQDN = 2,
	CERT_ID_RFC822_ADDR = 3,
	CERT_ID_IPV6_ADDR = 5,
	CERT_ID_DER_ASN1_DN = 9,
};

/* Hash algorithm identifiers for SIGNATURE_HASH_ALGORITHMS (RFC 7427 4, RFC 8420). */
enum cert_hash_alg {
	CERT_HASH_SHA2_256 = 2,
	CERT_HASH_SHA2_384 = 3,
	CERT_HASH_SHA2_512 = 4,
	CERT_HASH_IDENTITY = 5,
};

/* Upper bound on the number of certificates accepted by cert_verify_chain(). */
enum { CERT_CHAIN_MAX = 16 };

struct cert_trust;

/* Loads the CA file (PEM, may hold several CAs) or, when ca_file is NULL, the system store
 * (/etc/ssl/certs). 0 or -errno with a reason. */
int cert_trust_load(struct cert_trust **out, const char *ca_file, char *reason, size_t reason_len);
void cert_trust_free(struct cert_trust *t);

/* For a CERTREQ payload (RFC 7296 3.7, encoding 4): concatenated SHA-1 hashes of the
 * SubjectPublicKeyInfo of each CA in the CA file (none for the system store).
 * Returns the length, or -ENOSPC when cap is too small. */
int cert_trust_keyids(const struct cert_trust *t, uint8_t *out, size_t cap);

/* certs[0] = the gateway's end-entity certificate (DER), certs[1..n-1] = further certificates
 * it sent (intermediates, any order). Verifies the chain to a trusted CA, validity dates at
 * `now` (unix seconds), and that the end-entity may sign (keyUsage digitalSignature if
 * present). 0, -EACCES (untrusted) or -EINVAL (not parseable), always with a reason. */
int cert_verify_chain(const struct cert_trust *t, const uint8_t *const certs[], const size_t lens[],
		      unsigned n, int64_t now, char *reason, size_t reason_len);

/* Does the certificate stand for the identity the user expects (the --server-id string)?
 * DNS name against dNSName SANs (a leading "*." in the certificate matches one label; the
 * subject CN only when the certificate has no SAN at all), IPv4/IPv6 literal against iPAddress
 * SANs, email against rfc822Name SANs. 0, -EACCES (no match) or -EINVAL (bad DER). */
int cert_match_name(const uint8_t *der, size_t len, const char *expected, char *reason,
		    size_t reason_len);

/* Does the IKE ID payload the gateway sent (enum cert_id_type) name this certificate?
 * FQDN/IP/email against SAN as above, DN against the subject (X509_NAME_cmp).
 * 0, -EACCES (no match, or an ID type that cannot name a certificate) or -EINVAL (bad DER). */
int cert_match_id(const uint8_t *der, size_t len, uint8_t id_type, const uint8_t *id, size_t id_len,
		  char *reason, size_t reason_len);

/* Verifies the gateway's AUTH payload data (RFC 7296 2.15) over signed_octets with the
 * certificate's key: method 1 (RSA PKCS#1 v1.5 with SHA-1), 9/10/11 (ECDSA P-256/P-384/P-521,
 * raw r||s, RFC 4754), 14 (RFC 7427: sha256/384/512WithRSAEncryption, RSASSA-PSS,
 * ecdsa-with-SHA256/384/512, Ed25519, Ed448). 0, -EACCES (signature does not verify, or the
 * key does not fit the method), -ENOTSUP (method or algorithm not supported), -EINVAL
 * (malformed certificate or AUTH data). */
int cert_verify_auth(const uint8_t *der, size_t len, uint8_t auth_method, const uint8_t *auth_data,
		     size_t auth_len, const uint8_t *signed_octets, size_t signed_len, char *reason,
		     size_t reason_len);

/* One-line description for logs: "CN=vpn.example.test", else the whole subject, else the first
 * SAN. Returns the length written (truncated to fit cap like snprintf) or -EINVAL. */
int cert_describe(const uint8_t *der, size_t len, char *out, size_t cap);

/* The SIGNATURE_HASH_ALGORITHMS the client announces (RFC 7427 4): SHA2-256, SHA2-384,
 * SHA2-512, Identity. Fills up to cap entries; returns the full count. */
size_t cert_sig_hash_algs(uint16_t *out, size_t cap);

#endif
