/* Proposal strings to IKEv2 transform lists. Names follow the strongSwan proposal keywords;
 * IDs are from the IANA "IKEv2 Parameters" registry. */
#include "client/proposal.h"
#include "client/reason.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum {
	TOKEN_MAX = 32, /* longest keyword is far shorter */
	TYPE_SLOTS = 6, /* transform types 1..5, index 0 unused */
};

enum alg_flags {
	ALG_IKE = 1 << 0,  /* allowed in IKE proposals */
	ALG_ESP = 1 << 1,  /* allowed in ESP proposals */
	ALG_AEAD = 1 << 2, /* combined-mode cipher: no INTEG transform */
};

struct alg {
	const char *name; /* the first entry for a (type, id, key_bits) is the canonical name */
	uint8_t type;
	uint16_t id;
	uint16_t key_bits;
	unsigned flags;
};

static const struct alg algs[] = {
    {"aes128", PROP_T_ENCR, PROP_ENCR_AES_CBC, 128, ALG_IKE},
    {"aes192", PROP_T_ENCR, PROP_ENCR_AES_CBC, 192, ALG_IKE},
    {"aes256", PROP_T_ENCR, PROP_ENCR_AES_CBC, 256, ALG_IKE},
    {"aes128gcm16", PROP_T_ENCR, PROP_ENCR_AES_GCM_16, 128, ALG_IKE | ALG_ESP | ALG_AEAD},
    {"aes256gcm16", PROP_T_ENCR, PROP_ENCR_AES_GCM_16, 256, ALG_IKE | ALG_ESP | ALG_AEAD},
    {"aes128gcm128", PROP_T_ENCR, PROP_ENCR_AES_GCM_16, 128, ALG_IKE | ALG_ESP | ALG_AEAD},
    {"aes256gcm128", PROP_T_ENCR, PROP_ENCR_AES_GCM_16, 256, ALG_IKE | ALG_ESP | ALG_AEAD},
    {"chacha20poly1305", PROP_T_ENCR, PROP_ENCR_CHACHA20_POLY1305, 0, ALG_IKE | ALG_ESP | ALG_AEAD},
    {"prfsha256", PROP_T_PRF, PROP_PRF_HMAC_SHA2_256, 0, ALG_IKE},
    {"prfsha384", PROP_T_PRF, PROP_PRF_HMAC_SHA2_384, 0, ALG_IKE},
    {"prfsha512", PROP_T_PRF, PROP_PRF_HMAC_SHA2_512, 0, ALG_IKE},
    {"sha256", PROP_T_INTEG, PROP_AUTH_HMAC_SHA2_256_128, 0, ALG_IKE},
    {"sha384", PROP_T_INTEG, PROP_AUTH_HMAC_SHA2_384_192, 0, ALG_IKE},
    {"sha512", PROP_T_INTEG, PROP_AUTH_HMAC_SHA2_512_256, 0, ALG_IKE},
    {"sha2_256", PROP_T_INTEG, PROP_AUTH_HMAC_SHA2_256_128, 0, ALG_IKE},
    {"sha2_384", PROP_T_INTEG, PROP_AUTH_HMAC_SHA2_384_192, 0, ALG_IKE},
    {"sha2_512", PROP_T_INTEG, PROP_AUTH_HMAC_SHA2_512_256, 0, ALG_IKE},
    {"modp2048", PROP_T_DH, PROP_DH_MODP2048, 0, ALG_IKE | ALG_ESP},
    {"modp3072", PROP_T_DH, PROP_DH_MODP3072, 0, ALG_IKE | ALG_ESP},
    {"modp4096", PROP_T_DH, PROP_DH_MODP4096, 0, ALG_IKE | ALG_ESP},
    {"ecp256", PROP_T_DH, PROP_DH_ECP256, 0, ALG_IKE | ALG_ESP},
    {"ecp384", PROP_T_DH, PROP_DH_ECP384, 0, ALG_IKE | ALG_ESP},
    {"x25519", PROP_T_DH, PROP_DH_CURVE25519, 0, ALG_IKE | ALG_ESP},
    {"curve25519", PROP_T_DH, PROP_DH_CURVE25519, 0, ALG_IKE | ALG_ESP},
    {"noesn", PROP_T_ESN, PROP_ESN_NO, 0, ALG_ESP},
    {"esn", PROP_T_ESN, PROP_ESN_YES, 0, ALG_ESP},
};

#define ALG_COUNT (sizeof(algs) / sizeof(algs[0]))

/* With a CBC cipher and no prf* keyword, the PRF follows the integrity algorithm's hash. */
static const struct {
	uint16_t integ;
	uint16_t prf;
} integ_prf[] = {
    {PROP_AUTH_HMAC_SHA2_256_128, PROP_PRF_HMAC_SHA2_256},
    {PROP_AUTH_HMAC_SHA2_384_192, PROP_PRF_HMAC_SHA2_384},
    {PROP_AUTH_HMAC_SHA2_512_256, PROP_PRF_HMAC_SHA2_512},
};

static const char *const ike_default =
    "aes256gcm16-aes128gcm16-chacha20poly1305-prfsha256-prfsha384-prfsha512-"
    "x25519-ecp256-ecp384-modp3072-modp2048,"
    "aes256-aes128-sha256-sha384-sha512-x25519-ecp256-ecp384-modp3072-modp2048";

static const char *const esp_default = "aes256gcm16-aes128gcm16-chacha20poly1305-noesn-esn";

/* Transforms of one proposal while it is being parsed, one bucket per type. */
struct buckets {
	struct prop_transform t[TYPE_SLOTS][PROP_MAX_TRANSFORMS];
	unsigned n[TYPE_SLOTS];
	unsigned total;
	bool aead, cbc;
};

static const struct alg *lookup(const char *tok)
{
	for (size_t i = 0; i < ALG_COUNT; i++)
		if (strcasecmp(algs[i].name, tok) == 0)
			return &algs[i];
	return NULL;
}

static const char *proto_name(uint8_t protocol)
{
	return protocol == PROP_PROTO_IKE ? "IKE" : "ESP";
}

static int add(struct buckets *b, uint8_t type, uint16_t id, uint16_t key_bits)
{
	for (unsigned i = 0; i < b->n[type]; i++)
		if (b->t[type][i].id == id && b->t[type][i].key_bits == key_bits)
			return 0; /* repeated keyword: offer it once */
	if (b->total >= PROP_MAX_TRANSFORMS)
		return -E2BIG;
	b->t[type][b->n[type]++] = (struct prop_transform){type, id, key_bits};
	b->total++;
	return 0;
}

static int add_token(struct buckets *b, const char *tok, uint8_t protocol, const char *whole,
		     char *reason, size_t rlen)
{
	const struct alg *a = lookup(tok);
	if (!a) {
		reason_set(reason, rlen, "unknown algorithm '%s' in proposal '%s'", tok, whole);
		return -EINVAL;
	}
	unsigned need = protocol == PROP_PROTO_IKE ? ALG_IKE : ALG_ESP;
	if (!(a->flags & need)) {
		reason_set(reason, rlen, "'%s' is not supported in %s proposals (proposal '%s')",
			   tok, proto_name(protocol), whole);
		return -EINVAL;
	}
	if (a->type == PROP_T_ENCR) {
		if (a->flags & ALG_AEAD)
			b->aead = true;
		else
			b->cbc = true;
	}
	int rc = add(b, a->type, a->id, a->key_bits);
	if (rc < 0)
		reason_set(reason, rlen, "too many algorithms in proposal '%s'", whole);
	return rc;
}

static int derive_prfs(struct buckets *b, const char *whole, char *reason, size_t rlen)
{
	for (unsigned i = 0; i < b->n[PROP_T_INTEG]; i++) {
		for (size_t k = 0; k < sizeof(integ_prf) / sizeof(integ_prf[0]); k++) {
			if (integ_prf[k].integ != b->t[PROP_T_INTEG][i].id)
				continue;
			if (add(b, PROP_T_PRF, integ_prf[k].prf, 0) < 0) {
				reason_set(reason, rlen, "too many algorithms in proposal '%s'",
					   whole);
				return -E2BIG;
			}
		}
	}
	return 0;
}

static int check_ike(struct buckets *b, const char *whole, char *reason, size_t rlen)
{
	if (b->n[PROP_T_INTEG] > 0 && b->aead) {
		reason_set(reason, rlen,
			   "proposal '%s' combines an AEAD cipher with an integrity algorithm",
			   whole);
		return -EINVAL;
	}
	if (b->cbc && b->n[PROP_T_INTEG] == 0) {
		reason_set(
		    reason, rlen,
		    "proposal '%s' has a CBC cipher but no integrity algorithm (add e.g. sha256)",
		    whole);
		return -EINVAL;
	}
	if (b->n[PROP_T_PRF] == 0 && b->cbc) {
		int rc = derive_prfs(b, whole, reason, rlen);
		if (rc < 0)
			return rc;
	}
	if (b->n[PROP_T_PRF] == 0) {
		reason_set(reason, rlen, "proposal '%s' has no PRF (add e.g. prfsha256)", whole);
		return -EINVAL;
	}
	if (b->n[PROP_T_DH] == 0) {
		reason_set(reason, rlen,
			   "IKE proposal '%s' has no key exchange group (add e.g. x25519)", whole);
		return -EINVAL;
	}
	return 0;
}

static int check_esp(struct buckets *b)
{
	/* RFC 7296 3.3.3: ESP proposals always carry an ESN transform; default to none. */
	if (b->n[PROP_T_ESN] == 0)
		return add(b, PROP_T_ESN, PROP_ESN_NO, 0);
	return 0;
}

static int check(struct buckets *b, uint8_t protocol, const char *whole, char *reason, size_t rlen)
{
	if (b->n[PROP_T_ENCR] == 0) {
		reason_set(reason, rlen, "proposal '%s' has no encryption algorithm", whole);
		return -EINVAL;
	}
	if (b->aead && b->cbc) {
		reason_set(
		    reason, rlen,
		    "proposal '%s' mixes AEAD and CBC ciphers (use two proposals separated by a "
		    "comma)",
		    whole);
		return -EINVAL;
	}
	if (protocol == PROP_PROTO_IKE)
		return check_ike(b, whole, reason, rlen);
	return check_esp(b);
}

/* Parses one proposal (no commas) of length len starting at s. */
static int parse_one(const char *s, size_t len, uint8_t protocol, struct prop *out, char *reason,
		     size_t rlen)
{
	char whole[PROP_FORMAT_MAX];
	if (len == 0) {
		reason_set(reason, rlen, "empty %s proposal", proto_name(protocol));
		return -EINVAL;
	}
	if (len >= sizeof(whole)) {
		reason_set(reason, rlen, "%s proposal too long", proto_name(protocol));
		return -EINVAL;
	}
	memcpy(whole, s, len);
	whole[len] = '\0';

	struct buckets b;
	memset(&b, 0, sizeof(b));
	const char *p = whole;
	for (;;) {
		const char *dash = strchr(p, '-');
		size_t tl = dash ? (size_t)(dash - p) : strlen(p);
		char tok[TOKEN_MAX + 1];
		if (tl == 0) {
			reason_set(reason, rlen, "empty algorithm name in proposal '%s'", whole);
			return -EINVAL;
		}
		if (tl > TOKEN_MAX) {
			memcpy(tok, p, TOKEN_MAX);
			tok[TOKEN_MAX] = '\0';
			reason_set(reason, rlen, "unknown algorithm '%s...' in proposal '%s'", tok,
				   whole);
			return -EINVAL;
		}
		memcpy(tok, p, tl);
		tok[tl] = '\0';
		int rc = add_token(&b, tok, protocol, whole, reason, rlen);
		if (rc < 0)
			return rc;
		if (!dash)
			break;
		p = dash + 1;
	}

	int rc = check(&b, protocol, whole, reason, rlen);
	if (rc < 0)
		return rc;

	memset(out, 0, sizeof(*out));
	out->protocol = protocol;
	for (unsigned type = PROP_T_ENCR; type <= PROP_T_ESN; type++)
		for (unsigned i = 0; i < b.n[type]; i++)
			out->t[out->n++] = b.t[type][i];
	return 0;
}

static bool is_space(char c)
{
	return isspace((unsigned char)c) != 0;
}

int prop_parse(const char *s, uint8_t protocol, struct prop_list *out, char *reason, size_t rlen)
{
	if (!s || !out || (protocol != PROP_PROTO_IKE && protocol != PROP_PROTO_ESP)) {
		reason_set(reason, rlen, "invalid proposal arguments");
		return -EINVAL;
	}
	struct prop_list l;
	memset(&l, 0, sizeof(l));
	const char *p = s;
	for (;;) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		while (p < end && is_space(*p))
			p++;
		const char *e = end;
		while (e > p && is_space(e[-1]))
			e--;
		if (l.n >= PROP_MAX_PROPOSALS) {
			reason_set(reason, rlen, "too many %s proposals (at most %d)",
				   proto_name(protocol), PROP_MAX_PROPOSALS);
			return -E2BIG;
		}
		int rc = parse_one(p, (size_t)(e - p), protocol, &l.p[l.n], reason, rlen);
		if (rc < 0)
			return rc;
		l.n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	*out = l;
	return 0;
}

const char *prop_transform_name(const struct prop_transform *t)
{
	for (size_t i = 0; i < ALG_COUNT; i++)
		if (algs[i].type == t->type && algs[i].id == t->id &&
		    algs[i].key_bits == t->key_bits)
			return algs[i].name;
	return NULL;
}

/* Appends str to out at *len, tracking overflow; returns -ENOSPC once out is full. */
static int append(char *out, size_t cap, size_t *len, const char *str)
{
	size_t n = strlen(str);
	if (*len + n >= cap) {
		if (*len < cap) { /* first overflow: fill what is left */
			memcpy(out + *len, str, cap - 1 - *len);
			out[cap - 1] = '\0';
		}
		*len += n;
		return -ENOSPC;
	}
	memcpy(out + *len, str, n + 1);
	*len += n;
	return 0;
}

static int format_into(const struct prop *p, char *out, size_t cap, size_t *len)
{
	int rc = 0;
	for (unsigned i = 0; i < p->n; i++) {
		char unknown[32];
		const char *name = prop_transform_name(&p->t[i]);
		if (!name) {
			snprintf(unknown, sizeof(unknown), "type%u:id%u", p->t[i].type, p->t[i].id);
			name = unknown;
		}
		if (i > 0 && append(out, cap, len, "-") < 0)
			rc = -ENOSPC;
		if (append(out, cap, len, name) < 0)
			rc = -ENOSPC;
	}
	return rc;
}

int prop_format(const struct prop *p, char *out, size_t cap)
{
	size_t len = 0;
	if (cap > 0)
		out[0] = '\0';
	int rc = format_into(p, out, cap, &len);
	return rc < 0 ? rc : (int)len;
}

int prop_list_format(const struct prop_list *l, char *out, size_t cap)
{
	size_t len = 0;
	int rc = 0;
	if (cap > 0)
		out[0] = '\0';
	for (unsigned i = 0; i < l->n; i++) {
		if (i > 0 && append(out, cap, &len, ", ") < 0)
			rc = -ENOSPC;
		if (format_into(&l->p[i], out, cap, &len) < 0)
			rc = -ENOSPC;
	}
	return rc < 0 ? rc : (int)len;
}

void prop_default_ike(struct prop_list *out)
{
	/* The constant is covered by a unit test; it cannot fail. */
	(void)prop_parse(ike_default, PROP_PROTO_IKE, out, NULL, 0);
}

void prop_default_esp(struct prop_list *out)
{
	(void)prop_parse(esp_default, PROP_PROTO_ESP, out, NULL, 0);
}
