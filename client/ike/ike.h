/* The IKEv2 initiator: an I/O-free core.
 *
 * The caller feeds it the time and received datagrams; it returns datagrams to send, the next
 * deadline, and events (progress, SA up with the CHILD SA keys and configuration, failure with
 * a reason, closed). It never touches a socket, a clock, or a file; randomness comes through
 * the config's rand hook so tests can pin it.
 *
 *   ike_new -> ike_connect -> { ike_receive | ike_tick } ... -> ike_disconnect -> ike_free
 *   after each call: drain ike_next_datagram() and ike_next_event(); sleep until ike_deadline().
 */
#ifndef TERN_IKE_IKE_H
#define TERN_IKE_IKE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "client/ike/message.h"
#include "client/proposal.h"
#include "crypto/random.h"

struct cert_trust;

/* Why an attempt failed; the values are tern's exit codes. */
enum ike_fail {
	IKE_FAIL_OTHER = 1,
	IKE_FAIL_AUTH = 3,
	IKE_FAIL_UNTRUSTED = 4,
	IKE_FAIL_NO_PROPOSAL = 5,
	IKE_FAIL_UNREACHABLE = 6,
};

enum ike_log_level { IKE_LOG_INFO = 1, IKE_LOG_DEBUG = 2 };

struct ike_config {
	const char *identity;  /* IDi and EAP identity */
	const char *password;  /* for EAP */
	const char *server_id; /* the name the gateway's certificate must carry */
	const struct prop_list *ike_props;
	const struct prop_list *esp_props;
	uint32_t eap_allowed; /* EAP_ALLOW() mask, 0 = every method tern has */
	const struct cert_trust *trust;
	struct sockaddr_storage local;	/* our address and port, for NAT detection */
	struct sockaddr_storage remote; /* the gateway (port 500) */
	unsigned timeout_ms;		/* give up connecting after this long */
	unsigned max_msg;		/* largest IKE datagram to send before fragmenting */
	unsigned dpd_ms;		/* liveness check after this long without a sign of
					   life from the gateway (0: 30 s) */
	int64_t unix_now;		/* wall clock for certificate dates */
	rand_fn rnd;
	void *rnd_arg;
	void (*log)(void *arg, int level, const char *line);
	void *log_arg;
};

struct ike_child {
	uint32_t spi_in, spi_out;
	uint16_t encr, key_bits;
	bool esn;
	uint8_t key_in[36];
	uint8_t key_out[36];
	size_t key_len;
	struct ike_ts_list ts_local, ts_remote;
};

enum { IKE_MAX_DNS = 4, IKE_MAX_SUBNETS = 16 };

struct ike_vconfig {
	bool has_ip4, has_ip6;
	uint8_t ip4[4];
	uint8_t ip6[16], ip6_prefix;
	uint8_t dns4[IKE_MAX_DNS][4];
	unsigned n_dns4;
	uint8_t dns6[IKE_MAX_DNS][16];
	unsigned n_dns6;
	struct {
		uint8_t addr[4], prefix;
	} subnet4[IKE_MAX_SUBNETS];
	unsigned n_subnet4;
};

enum ike_event_type {
	IKE_EV_PROGRESS,
	IKE_EV_UP,	/* child: the CHILD SA to install; cfg: addresses, DNS, routes */
	IKE_EV_REKEYED, /* child: the new CHILD SA; install its inbound half now */
	IKE_EV_RETIRED, /* the old CHILD SA is gone: switch outbound to child, drop old_spi_in */
	IKE_EV_FAILED,
	IKE_EV_CLOSED,
};

struct ike_event {
	enum ike_event_type type;
	enum ike_fail fail; /* IKE_EV_FAILED */
	char text[256];	    /* progress line or reason */
	struct ike_child child;
	struct ike_vconfig cfg;
	bool behind_nat;     /* our address is translated: send NAT-T keepalives */
	bool mobike;	     /* the gateway supports MOBIKE */
	uint32_t old_spi_in; /* IKE_EV_RETIRED: our inbound SPI of the replaced CHILD SA */
};

struct ike_datagram {
	const uint8_t *data; /* valid until the next call into the core */
	size_t len;
	bool nat_t; /* to port 4500 with the non-ESP marker (added by the caller) */
};

struct ike_stats {
	uint64_t rx, tx, retransmits, dropped;
};

struct ike_sa;

int ike_new(struct ike_sa **out, const struct ike_config *cfg);
void ike_free(struct ike_sa *sa);
int ike_connect(struct ike_sa *sa, uint64_t now_ms);
/* A datagram from the gateway (without the non-ESP marker). Bad input is dropped and counted. */
void ike_receive(struct ike_sa *sa, uint64_t now_ms, const uint8_t *buf, size_t len);
void ike_tick(struct ike_sa *sa, uint64_t now_ms);
/* The gateway showed it is alive another way (ESP arrived): postpones the liveness check. */
void ike_peer_alive(struct ike_sa *sa, uint64_t now_ms);
uint64_t ike_deadline(const struct ike_sa *sa); /* UINT64_MAX: none */
/* Sends a Delete for the IKE SA and closes (IKE_EV_CLOSED once answered or timed out). */
void ike_disconnect(struct ike_sa *sa, uint64_t now_ms);
bool ike_next_datagram(struct ike_sa *sa, struct ike_datagram *d);
bool ike_next_event(struct ike_sa *sa, struct ike_event *ev);
const char *ike_state_name(const struct ike_sa *sa);
void ike_get_stats(const struct ike_sa *sa, struct ike_stats *st);
/* Negotiated IKE algorithms as a proposal string (for status), "" before IKE_SA_INIT. */
const char *ike_algorithms(const struct ike_sa *sa);

#endif
