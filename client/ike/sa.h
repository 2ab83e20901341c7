/* Internal state of the IKE initiator, shared by the exchange files (init.c, auth.c, info.c)
 * and the dispatcher (ike.c). Not for use outside client/ike/. */
#ifndef TERN_IKE_SA_H
#define TERN_IKE_SA_H

#include "client/eap/eap.h"
#include "client/ike/ike.h"
#include "client/ike/keys.h"
#include "crypto/dh.h"

/* Limits, with units in their names. */
enum {
	IKE_NONCE_LEN = 32,
	IKE_MAX_DGRAM = 65535,
	IKE_MAX_FRAGS = 64,	    /* fragments of one message, either way */
	IKE_MAX_REASSEMBLY = 65536, /* bytes of one reassembled message */
	IKE_OUTQ = 72,		    /* datagrams queued for the caller */
	IKE_EVQ = 8,		    /* events queued for the caller */
	RETRANSMIT_BASE_MS = 500,   /* RFC 7296 2.1: first retransmission */
	RETRANSMIT_MAX_MS = 4000,   /* cap of the exponential backoff */
	DELETE_TIMEOUT_MS = 3000,   /* how long a Delete waits for its answer */
	DPD_DEFAULT_MS = 30000,	    /* liveness check after this long without a sign of life */
	DROP_LOGS_PER_SEC = 10,	    /* log lines about dropped datagrams, at most */
	IKE_MAX_COOKIE_TRIES = 3,
	IKE_MAX_KE_TRIES = 2,
	INIT_ERROR_GRACE_MS = 300, /* wait for a better IKE_SA_INIT answer than an error */
	IKE_DEFAULT_MAX_MSG = 1280 - 40 - 8 - 4, /* fits an IPv6 minimum MTU with UDP + marker */
};

enum ike_state {
	IKE_S_IDLE,
	IKE_S_INIT_SENT,       /* IKE_SA_INIT request out */
	IKE_S_AUTH_SENT,       /* first IKE_AUTH request (IDi, SA, TS, CP) out */
	IKE_S_EAP,	       /* EAP rounds */
	IKE_S_AUTH_FINAL_SENT, /* AUTH from the MSK out */
	IKE_S_ESTABLISHED,
	IKE_S_DELETING,
	IKE_S_CLOSED,
	IKE_S_FAILED,
};

/* Our request in flight (window size 1): its datagrams (fragments) and retransmission timer. */
struct ike_request {
	bool active;
	uint8_t exchange;
	uint32_t msg_id;
	uint8_t *dgram[IKE_MAX_FRAGS];
	size_t len[IKE_MAX_FRAGS];
	unsigned n;
	unsigned tries;
	uint64_t next_ms;
	uint64_t give_up_ms;
};

/* Our last response to a request of the gateway, resent when the request is retransmitted. */
struct ike_response {
	bool valid;
	uint32_t msg_id;
	uint8_t *dgram;
	size_t len;
};

/* Fragments of one incoming message being reassembled (RFC 7383 2.6). */
struct ike_reassembly {
	uint32_t msg_id;
	bool response; /* fragments of our request's response, or of a request of the gateway */
	uint16_t total;
	uint16_t have;
	uint8_t first;
	size_t bytes;
	uint8_t *frag[IKE_MAX_FRAGS + 1];
	size_t len[IKE_MAX_FRAGS + 1];
};

/* The IKE SA a rekey replaced (2.18), kept to answer the gateway's Delete for it. */
struct ike_old_sa {
	bool valid;
	bool initiator;
	uint64_t spi_i, spi_r;
	uint32_t peer_msg_id;
	struct ike_keys keys;
	struct ike_response resp;
};

struct ike_sa {
	struct ike_config cfg;
	enum ike_state state;
	bool initiator; /* we are the original initiator of the current IKE SA */
	uint64_t spi_i, spi_r;
	struct ike_old_sa old;
	uint32_t next_msg_id; /* our next request */
	uint32_t peer_msg_id; /* the gateway's next request */
	bool nat_t;	      /* moved to port 4500 */
	bool behind_nat, frag_ok, mobike_ok;
	uint64_t iv_counter;
	uint64_t connect_deadline_ms;
	uint64_t alive_ms; /* last sign of life from the gateway */

	struct dh *dh;
	uint16_t dh_group;
	unsigned ke_tries, cookie_tries;
	uint16_t init_error; /* an unprotected error notify answered IKE_SA_INIT */
	uint8_t cookie[64];
	size_t cookie_len;
	uint8_t ni[IKE_NONCE_LEN];
	uint8_t nr[256];
	size_t nr_len;
	uint8_t *init_req, *init_resp; /* RealMessage1 and RealMessage2, signed by AUTH */
	size_t init_req_len, init_resp_len;
	struct ike_keys keys;
	bool have_keys;
	char algs_text[96];

	uint8_t idi_body[256], idr_body[256];
	size_t idi_len, idr_len;
	bool gw_signed; /* the gateway's certificate AUTH verified */
	struct eap_client *eap;

	uint32_t child_spi_in;
	struct ike_child child;
	uint32_t old_spi_in, old_spi_out; /* the CHILD SA pair the last rekey replaced */
	struct ike_vconfig vcfg;

	struct ike_request req;
	struct ike_response resp;
	struct ike_reassembly rs;

	struct ike_datagram outq[IKE_OUTQ];
	unsigned outq_n, outq_head;
	struct ike_event evq[IKE_EVQ];
	unsigned evq_n, evq_head;
	struct ike_stats stats;
	uint64_t now_ms;	  /* time of the current call into the core */
	uint64_t drop_log_second; /* which second the drop log budget is for */
	unsigned drop_logs, drop_unlogged;

	uint8_t rxbuf[IKE_MAX_DGRAM];
	uint8_t plain[IKE_MAX_REASSEMBLY];
};

/* ike.c: state, logging, events, sending */
void ike_set_state(struct ike_sa *sa, enum ike_state s);
void ike_log(struct ike_sa *sa, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ike_progress(struct ike_sa *sa, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ike_fail(struct ike_sa *sa, enum ike_fail why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
struct ike_event *ike_push_event(struct ike_sa *sa, enum ike_event_type type);
/* Seals an inner payload chain as a new request (fragmenting if needed) and sends it. */
int ike_send_request(struct ike_sa *sa, uint64_t now, uint8_t exchange, struct ikb *inner);
/* Seals and sends a response to the gateway's request msg_id. */
int ike_send_response(struct ike_sa *sa, uint8_t exchange, uint32_t msg_id, struct ikb *inner);
/* Sends an unencrypted datagram as the current request (IKE_SA_INIT). */
int ike_send_plain_request(struct ike_sa *sa, uint64_t now, const uint8_t *msg, size_t len);
void ike_request_done(struct ike_sa *sa);
/* Payload count rules: type, min, max; checked before a handler runs. */
struct ike_pl_rule {
	uint8_t type, min, max;
};
int ike_check_payloads(struct ike_sa *sa, const struct ike_msg *m, const struct ike_pl_rule *r);

/* proposal_check.c: is the responder's choice one of our offers? need_dh for IKE_SA_INIT. */
int ike_prop_accept(const struct prop_list *offered, const struct ike_chosen *c, bool ike,
		    char *reason, size_t reason_len);
void ike_prop_list_text(const struct prop_list *l, char *out, size_t cap);
/* The CHILD SA's cipher, key length and ESN from a chosen ESP proposal; -ENOTSUP for a
 * cipher the datapath lacks. */
int ike_child_algs(const struct prop *p, struct ike_child *c);
/* Chooses one of the gateway's offers (a CREATE_CHILD_SA request) that our proposals answer.
 * any_dh: accept any DH group tern supports (PFS the user did not configure). -ENOENT if none. */
int ike_prop_select(const struct prop_list *ours, const struct ike_chosen *offers, unsigned n,
		    uint8_t protocol, bool any_dh, struct ike_chosen *out);

/* init.c */
int ike_init_start(struct ike_sa *sa, uint64_t now);
void ike_init_response(struct ike_sa *sa, uint64_t now, const struct ike_msg *m);
/* Fails with the error an IKE_SA_INIT answer carried, once no better answer came. */
void ike_init_error(struct ike_sa *sa);

/* auth.c */
int ike_auth_start(struct ike_sa *sa, uint64_t now);
void ike_auth_response(struct ike_sa *sa, uint64_t now, const struct ike_msg *m);

/* rekey.c: CREATE_CHILD_SA requests from the gateway (rekeying the CHILD or the IKE SA) */
void ike_create_child_request(struct ike_sa *sa, uint64_t now, const struct ike_msg *m);
/* ike.c: a random SPI of n bytes, never 0 (and >= 256 for 4-byte SPIs, RFC 4303 2.1) */
int ike_random_spi(struct ike_sa *sa, uint8_t *spi, size_t n);

/* info.c */
void ike_info_request(struct ike_sa *sa, uint64_t now, const struct ike_msg *m);
void ike_info_response(struct ike_sa *sa, uint64_t now, const struct ike_msg *m);
int ike_delete_start(struct ike_sa *sa, uint64_t now);
int ike_liveness_start(struct ike_sa *sa, uint64_t now);

#endif
