/* A minimal in-memory IKEv2 responder for the exchange tests (a test double, not a product).
 *
 * It answers tern's IKE_SA_INIT and IKE_AUTH (certificate AUTH with RFC 7427 ECDSA P-256 +
 * EAP-Identity + EAP-MD5), can demand a COOKIE or another DH group, fragments its IKE_AUTH
 * responses (RFC 7383) on request, and sends INFORMATIONAL requests of its own. Its keys come
 * from ref_kdf.c (independent of client/ike/keys.c); it encrypts with client/ike/sk.c using a
 * struct ike_keys whose initiator and responder halves are swapped. Everything it sees that
 * it did not expect is counted in `errors` with the last reason in `error`. */
#ifndef TERN_TESTS_IKE_FAKE_GW_H
#define TERN_TESTS_IKE_FAKE_GW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "client/ike/keys.h"
#include "client/ike/message.h"

struct cert_trust;

enum { FAKE_GW_MAX_CERTS = 2, FAKE_GW_OUTQ = 128 };

struct fake_gw_config {
	const char *ike_prop; /* the one proposal it accepts, e.g. "aes256gcm16-prfsha256-x25519" */
	const char *esp_prop; /* e.g. "aes256gcm16" (noesn is added) */
	const char *password; /* EAP-MD5 secret of the user */
	const char *id;	      /* its IDr (FQDN) */
	EVP_PKEY *key;	      /* signs its AUTH */
	X509 *certs[FAKE_GW_MAX_CERTS]; /* end entity first; NULL-terminated */
	bool want_cookie;		/* answer the first IKE_SA_INIT with N(COOKIE) */
	size_t frag_size;  /* IKE_AUTH responses as SKF of at most this size (0: off) */
	bool frag_reverse; /* send those fragments last first */
	size_t vendor_pad; /* Vendor ID of this many octets in the first IKE_AUTH reply */
	struct sockaddr_storage initiator; /* where it sees the initiator (NAT detection) */
	struct sockaddr_storage self;
};

struct fake_gw_dgram {
	uint8_t *data;
	size_t len;
};

struct fake_gw {
	struct fake_gw_config cfg;
	struct prop ike, esp;
	uint64_t spi_i, spi_r;
	unsigned rnd_state;
	struct dh *dh;
	uint16_t group;
	uint8_t ni[256], nr[32];
	size_t ni_len;
	uint8_t *msg1, *msg2; /* RealMessage1 and RealMessage2 */
	size_t msg1_len, msg2_len;
	struct ike_keys k; /* swapped: seals with SK_er/SK_ar, opens with SK_ei/SK_ai */
	uint8_t sk_d[64], sk_pi[64], sk_pr[64];
	size_t prf_len;
	bool have_keys;
	uint64_t iv_counter;

	/* IKE_AUTH progress */
	uint8_t idi_body[256];
	size_t idi_len;
	uint8_t esp_number; /* proposal number of tern's ESP offer it chose */
	uint32_t tern_spi;  /* tern's inbound ESP SPI */
	uint32_t gw_spi;
	uint8_t eap_id;
	uint8_t challenge[16];
	bool eap_ok;

	/* its view of the CHILD SA: KEYMAT = prf+(SK_d, Ni | Nr) (RFC 7296 2.17) */
	uint8_t child_i2r[64], child_r2i[64];
	size_t child_key_len;
	bool established;

	/* requests from tern: the next Message ID and the cached answer (RFC 7296 2.1) */
	uint32_t expect_msg_id;
	uint32_t cached_msg_id;
	struct fake_gw_dgram cached[64];
	unsigned n_cached;
	uint8_t *init_req_copy; /* last IKE_SA_INIT request answered, for retransmissions */
	size_t init_req_copy_len;

	/* fragments of tern's current request (RFC 7383 2.6) */
	uint8_t *frag[65];
	size_t frag_len[65];
	uint16_t frag_total, frag_have;
	uint8_t frag_first;
	uint32_t frag_msg_id;
	uint8_t plain[70000];
	unsigned fragments_received;

	/* its own requests */
	uint32_t next_msg_id;

	/* what it saw */
	unsigned init_requests, cookie_requests, invalid_ke_sent, auth_requests;
	uint16_t ke_groups[8];
	bool cookie_first; /* the retried IKE_SA_INIT carried N(COOKIE) as its first payload */
	bool got_delete;   /* tern sent Delete of the IKE SA */
	unsigned fragments_sent;
	unsigned responses; /* responses from tern to its requests */
	uint8_t last_resp_plain[4096];
	struct ike_msg last_resp; /* inner payloads of tern's last response (pointers above) */
	uint8_t last_resp_raw[4096];
	size_t last_resp_raw_len;
	unsigned errors;
	char error[256];

	struct fake_gw_dgram outq[FAKE_GW_OUTQ];
	unsigned outq_n, outq_head;
};

int fake_gw_new(struct fake_gw **out, const struct fake_gw_config *cfg);
void fake_gw_free(struct fake_gw *gw);
/* One datagram from tern (without the non-ESP marker). */
void fake_gw_receive(struct fake_gw *gw, const uint8_t *buf, size_t len);
/* The next datagram for tern; the caller frees data. */
bool fake_gw_next(struct fake_gw *gw, struct fake_gw_dgram *d);
/* Seals an inner payload chain as a request of the gateway into out. msg_id < 0: the next
 * one. Returns the length, or -1. The datagram is not queued. */
int fake_gw_request(struct fake_gw *gw, uint8_t exchange, const struct ikb *inner, long msg_id,
		    uint8_t *out, size_t cap);

#endif
