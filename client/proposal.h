/* Proposal strings ("aes256gcm16-prfsha256-x25519, aes128-sha256-modp2048") to IKEv2 transforms.
 *
 * Transform type and ID values are those of the IANA "IKEv2 Parameters" registry
 * (RFC 7296 section 3.3.2 and its updates). No I/O; no dependency on the IKE core.
 */
#ifndef TERN_CLIENT_PROPOSAL_H
#define TERN_CLIENT_PROPOSAL_H

#include <stddef.h>
#include <stdint.h>

/* Security protocol IDs (RFC 7296 3.3.1). */
enum prop_protocol {
	PROP_PROTO_IKE = 1,
	PROP_PROTO_ESP = 3,
};

/* Transform types (RFC 7296 3.3.2). */
enum prop_transform_type {
	PROP_T_ENCR = 1,
	PROP_T_PRF = 2,
	PROP_T_INTEG = 3,
	PROP_T_DH = 4,
	PROP_T_ESN = 5,
};

/* Transform IDs from the IANA registry. */
enum prop_id {
	PROP_ENCR_AES_CBC = 12,
	PROP_ENCR_AES_GCM_16 = 20,
	PROP_ENCR_CHACHA20_POLY1305 = 28,

	PROP_PRF_HMAC_SHA2_256 = 5,
	PROP_PRF_HMAC_SHA2_384 = 6,
	PROP_PRF_HMAC_SHA2_512 = 7,

	PROP_AUTH_HMAC_SHA2_256_128 = 12,
	PROP_AUTH_HMAC_SHA2_384_192 = 13,
	PROP_AUTH_HMAC_SHA2_512_256 = 14,

	PROP_DH_MODP2048 = 14,
	PROP_DH_MODP3072 = 15,
	PROP_DH_MODP4096 = 16,
	PROP_DH_ECP256 = 19,
	PROP_DH_ECP384 = 20,
	PROP_DH_CURVE25519 = 31,

	PROP_ESN_NO = 0,
	PROP_ESN_YES = 1,
};

enum prop_limits {
	PROP_MAX_TRANSFORMS = 16,
	PROP_MAX_PROPOSALS = 8,
	PROP_FORMAT_MAX = 256, /* enough for any single proposal's string */
};

struct prop_transform {
	uint8_t type;	   /* enum prop_transform_type */
	uint16_t id;	   /* enum prop_id, read together with type */
	uint16_t key_bits; /* Key Length attribute; 0 = none */
};

/* One proposal. Transforms are grouped by type (ENCR, PRF, INTEG, DH, ESN), in the order the
 * user gave them within each type (most preferred first). */
struct prop {
	uint8_t protocol; /* enum prop_protocol */
	struct prop_transform t[PROP_MAX_TRANSFORMS];
	unsigned n;
};

struct prop_list {
	struct prop p[PROP_MAX_PROPOSALS];
	unsigned n;
};

/* Parses a comma-separated list of proposals for protocol PROP_PROTO_IKE or PROP_PROTO_ESP.
 * Returns 0, or -EINVAL / -E2BIG with a reason in words (naming the offending token). */
int prop_parse(const char *s, uint8_t protocol, struct prop_list *out, char *reason, size_t rlen);

/* Writes p back as a proposal string ("aes256gcm16-prfsha256-x25519"). Returns the length, or
 * -ENOSPC if cap is too small (out is then truncated but terminated). */
int prop_format(const struct prop *p, char *out, size_t cap);

/* Same for a whole list, proposals separated by ", ". */
int prop_list_format(const struct prop_list *l, char *out, size_t cap);

/* Name of one transform as used in proposal strings ("aes256gcm16", "prfsha256", "x25519"),
 * or NULL if unknown. */
const char *prop_transform_name(const struct prop_transform *t);

/* The proposals offered when the user gives none. */
void prop_default_ike(struct prop_list *out);
void prop_default_esp(struct prop_list *out);

#endif
