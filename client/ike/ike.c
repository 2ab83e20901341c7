/* The IKE initiator's dispatcher: state setter, message intake (parse, decrypt, reassemble,
 * route to the exchange), requests with retransmission, responses, events and the out queue. */
#include "client/ike/sa.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/ike/sk.h"

static const char *const state_names[] = {
    [IKE_S_IDLE] = "idle",
    [IKE_S_INIT_SENT] = "IKE_SA_INIT sent",
    [IKE_S_AUTH_SENT] = "IKE_AUTH sent",
    [IKE_S_EAP] = "EAP",
    [IKE_S_AUTH_FINAL_SENT] = "IKE_AUTH (AUTH) sent",
    [IKE_S_ESTABLISHED] = "established",
    [IKE_S_DELETING] = "deleting",
    [IKE_S_CLOSED] = "closed",
    [IKE_S_FAILED] = "failed",
};

/* Legal transitions: a bit per target state. */
static const unsigned transitions[] = {
    [IKE_S_IDLE] = 1u << IKE_S_INIT_SENT | 1u << IKE_S_CLOSED | 1u << IKE_S_FAILED,
    [IKE_S_INIT_SENT] = 1u << IKE_S_AUTH_SENT | 1u << IKE_S_CLOSED | 1u << IKE_S_FAILED,
    [IKE_S_AUTH_SENT] = 1u << IKE_S_EAP | 1u << IKE_S_AUTH_FINAL_SENT | 1u << IKE_S_DELETING |
			1u << IKE_S_CLOSED | 1u << IKE_S_FAILED,
    [IKE_S_EAP] = 1u << IKE_S_AUTH_FINAL_SENT | 1u << IKE_S_DELETING | 1u << IKE_S_CLOSED |
		  1u << IKE_S_FAILED,
    [IKE_S_AUTH_FINAL_SENT] =
	1u << IKE_S_ESTABLISHED | 1u << IKE_S_DELETING | 1u << IKE_S_CLOSED | 1u << IKE_S_FAILED,
    [IKE_S_ESTABLISHED] = 1u << IKE_S_DELETING | 1u << IKE_S_CLOSED | 1u << IKE_S_FAILED,
    [IKE_S_DELETING] = 1u << IKE_S_CLOSED | 1u << IKE_S_FAILED,
    [IKE_S_CLOSED] = 0,
    [IKE_S_FAILED] = 0,
};

void ike_set_state(struct ike_sa *sa, enum ike_state s)
{
	if (!(transitions[sa->state] & (1u << s))) {
		ike_log(sa, IKE_LOG_INFO, "refused state change %s -> %s", state_names[sa->state],
			state_names[s]);
		return;
	}
	ike_log(sa, IKE_LOG_DEBUG, "state %s -> %s", state_names[sa->state], state_names[s]);
	sa->state = s;
}

const char *ike_state_name(const struct ike_sa *sa)
{
	return state_names[sa->state];
}

static void vlog(struct ike_sa *sa, int level, const char *fmt, va_list ap)
{
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	if (sa->cfg.log)
		sa->cfg.log(sa->cfg.log_arg, level, line);
}

void ike_log(struct ike_sa *sa, int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(sa, level, fmt, ap);
	va_end(ap);
}

struct ike_event *ike_push_event(struct ike_sa *sa, enum ike_event_type type)
{
	if (sa->evq_n == IKE_EVQ) {
		/* The caller drains after every call; losing a progress line is harmless. */
		sa->evq_head = (sa->evq_head + 1) % IKE_EVQ;
		sa->evq_n--;
	}
	struct ike_event *ev = &sa->evq[(sa->evq_head + sa->evq_n++) % IKE_EVQ];
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	return ev;
}

void ike_progress(struct ike_sa *sa, const char *fmt, ...)
{
	struct ike_event *ev = ike_push_event(sa, IKE_EV_PROGRESS);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ev->text, sizeof(ev->text), fmt, ap);
	va_end(ap);
	ike_log(sa, IKE_LOG_INFO, "%s", ev->text);
}

static void request_free(struct ike_request *r)
{
	for (unsigned i = 0; i < r->n; i++)
		free(r->dgram[i]);
	memset(r, 0, sizeof(*r));
}

void ike_request_done(struct ike_sa *sa)
{
	request_free(&sa->req);
}

/* No more retransmissions; the datagrams stay valid for the out queue until the next request. */
static void stop_request(struct ike_sa *sa)
{
	sa->req.active = false;
}

void ike_fail(struct ike_sa *sa, enum ike_fail why, const char *fmt, ...)
{
	if (sa->state == IKE_S_FAILED || sa->state == IKE_S_CLOSED)
		return;
	struct ike_event *ev = ike_push_event(sa, IKE_EV_FAILED);
	ev->fail = why;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ev->text, sizeof(ev->text), fmt, ap);
	va_end(ap);
	/* An IKE SA the gateway already holds is deleted (best effort, not retransmitted). */
	if (sa->have_keys && sa->state != IKE_S_DELETING && sa->state != IKE_S_INIT_SENT)
		ike_delete_start(sa, 0);
	stop_request(sa);
	ike_set_state(sa, IKE_S_FAILED);
}

static void queue_dgram(struct ike_sa *sa, const uint8_t *data, size_t len)
{
	if (sa->outq_n == IKE_OUTQ)
		return;
	struct ike_datagram *d = &sa->outq[(sa->outq_head + sa->outq_n++) % IKE_OUTQ];
	d->data = data;
	d->len = len;
	d->nat_t = sa->nat_t;
	sa->stats.tx++;
}

static void send_request_dgrams(struct ike_sa *sa)
{
	for (unsigned i = 0; i < sa->req.n; i++)
		queue_dgram(sa, sa->req.dgram[i], sa->req.len[i]);
}

static void arm_request(struct ike_sa *sa, uint64_t now, uint8_t exchange)
{
	sa->req.active = true;
	sa->req.exchange = exchange;
	sa->req.tries = 0;
	sa->req.next_ms = now + RETRANSMIT_BASE_MS;
	if (sa->state == IKE_S_DELETING)
		sa->req.give_up_ms = now + DELETE_TIMEOUT_MS;
	else if (sa->state != IKE_S_ESTABLISHED && sa->connect_deadline_ms)
		sa->req.give_up_ms = sa->connect_deadline_ms;
	else
		sa->req.give_up_ms = now + sa->cfg.timeout_ms;
	send_request_dgrams(sa);
}

int ike_send_plain_request(struct ike_sa *sa, uint64_t now, const uint8_t *msg, size_t len)
{
	request_free(&sa->req);
	sa->req.dgram[0] = malloc(len);
	if (!sa->req.dgram[0])
		return -ENOMEM;
	memcpy(sa->req.dgram[0], msg, len);
	sa->req.len[0] = len;
	sa->req.n = 1;
	sa->req.msg_id = 0;
	arm_request(sa, now, IKE_SA_INIT);
	return 0;
}

/* Seals `inner` as one SK message, or as SKF fragments when it would exceed max_msg and the
 * gateway supports fragmentation (RFC 7383 2.5). Each datagram is malloc'd into dgrams[]. */
static int seal_message(struct ike_sa *sa, struct ike_keys *keys, const struct ike_hdr *h,
			struct ikb *inner, uint8_t **dgrams, size_t *lens, unsigned *n)
{
	if (inner->w.err)
		return -EMSGSIZE;
	size_t whole = inner->w.len + ike_sk_overhead(keys, false);
	size_t chunk = inner->w.len ? inner->w.len : 1;
	unsigned total = 1;
	bool frag = false;
	if (whole > sa->cfg.max_msg && sa->frag_ok && h->exchange != IKE_SA_INIT) {
		size_t room = sa->cfg.max_msg - ike_sk_overhead(keys, true);
		total = (unsigned)((inner->w.len + room - 1) / room);
		if (total > IKE_MAX_FRAGS)
			return -EMSGSIZE;
		chunk = room;
		frag = true;
	}
	*n = 0;
	for (unsigned i = 0; i < total; i++) {
		size_t off = i * chunk;
		size_t len = inner->w.len - off < chunk ? inner->w.len - off : chunk;
		size_t cap = len + ike_sk_overhead(keys, frag);
		uint8_t *d = malloc(cap);
		if (!d)
			return -ENOMEM;
		int r = ike_sk_seal(keys, h, inner->first, frag ? (uint16_t)(i + 1) : 0,
				    frag ? (uint16_t)total : 0, inner->w.buf + off, len,
				    sa->iv_counter++, sa->cfg.rnd, sa->cfg.rnd_arg, d, cap);
		if (r < 0) {
			free(d);
			return r;
		}
		dgrams[*n] = d;
		lens[(*n)++] = (size_t)r;
	}
	return 0;
}

int ike_send_request(struct ike_sa *sa, uint64_t now, uint8_t exchange, struct ikb *inner)
{
	struct ike_hdr h = {.spi_i = sa->spi_i,
			    .spi_r = sa->spi_r,
			    .version = IKE_VERSION_2,
			    .exchange = exchange,
			    .flags = sa->initiator ? IKE_FLAG_INITIATOR : 0,
			    .msg_id = sa->next_msg_id};
	request_free(&sa->req);
	int err = seal_message(sa, &sa->keys, &h, inner, sa->req.dgram, sa->req.len, &sa->req.n);
	if (err) {
		request_free(&sa->req);
		return err;
	}
	sa->req.msg_id = sa->next_msg_id++;
	if (sa->req.n > 1)
		ike_log(sa, IKE_LOG_INFO, "%s request sent in %u fragments",
			ike_exchange_name(exchange), sa->req.n);
	arm_request(sa, now, exchange);
	return 0;
}

/* Seals a response with the given SA's keys and SPIs and caches it for retransmissions. */
static int send_response(struct ike_sa *sa, struct ike_keys *keys, bool initiator, uint64_t spi_i,
			 uint64_t spi_r, struct ike_response *cache, uint8_t exchange,
			 uint32_t msg_id, struct ikb *inner)
{
	struct ike_hdr h = {.spi_i = spi_i,
			    .spi_r = spi_r,
			    .version = IKE_VERSION_2,
			    .exchange = exchange,
			    .flags = (initiator ? IKE_FLAG_INITIATOR : 0) | IKE_FLAG_RESPONSE,
			    .msg_id = msg_id};
	uint8_t *d[IKE_MAX_FRAGS];
	size_t len[IKE_MAX_FRAGS];
	unsigned n = 0;
	int err = seal_message(sa, keys, &h, inner, d, len, &n);
	if (err || n != 1) {
		for (unsigned i = 0; i < n; i++)
			free(d[i]);
		return err ? err : -EMSGSIZE; /* tern's responses are small */
	}
	free(cache->dgram);
	*cache =
	    (struct ike_response){.valid = true, .msg_id = msg_id, .dgram = d[0], .len = len[0]};
	queue_dgram(sa, cache->dgram, cache->len);
	return 0;
}

int ike_send_response(struct ike_sa *sa, uint8_t exchange, uint32_t msg_id, struct ikb *inner)
{
	return send_response(sa, &sa->keys, sa->initiator, sa->spi_i, sa->spi_r, &sa->resp,
			     exchange, msg_id, inner);
}

int ike_random_spi(struct ike_sa *sa, uint8_t *spi, size_t n)
{
	for (;;) {
		int err = sa->cfg.rnd(sa->cfg.rnd_arg, spi, n);
		if (err)
			return err;
		uint64_t v = 0;
		for (size_t i = 0; i < n; i++)
			v = v << 8 | spi[i];
		if (n == 4 ? v >= 256 : v != 0)
			return 0;
	}
}

int ike_check_payloads(struct ike_sa *sa, const struct ike_msg *m, const struct ike_pl_rule *r)
{
	unsigned first = m->sk_index >= 0 ? (unsigned)m->sk_index + 1 : 0;
	for (const struct ike_pl_rule *rule = r; rule->type; rule++) {
		unsigned count = 0;
		for (unsigned i = first; i < m->n; i++)
			count += m->pl[i].type == rule->type;
		if (count < rule->min || count > rule->max) {
			ike_log(sa, IKE_LOG_INFO, "%s: %u %s payloads (allowed %u..%u)",
				ike_exchange_name(m->hdr.exchange), count,
				ike_payload_name(rule->type), rule->min, rule->max);
			return -EBADMSG;
		}
	}
	for (unsigned i = first; i < m->n; i++) {
		const struct ike_pl_rule *rule = r;
		while (rule->type && rule->type != m->pl[i].type)
			rule++;
		/* Unknown, non-critical payloads are skipped (RFC 7296 2.5); vendor IDs too. */
		if (!rule->type && m->pl[i].type != PL_VENDOR && m->pl[i].type >= PL_SA &&
		    m->pl[i].type <= PL_EAP) {
			ike_log(sa, IKE_LOG_INFO, "%s: unexpected %s payload",
				ike_exchange_name(m->hdr.exchange),
				ike_payload_name(m->pl[i].type));
			return -EBADMSG;
		}
	}
	return 0;
}

/* Counts a dropped datagram. Its log line is rate-limited: a flood of forged datagrams must
 * not become a flood of log lines. */
static void drop(struct ike_sa *sa, const char *why)
{
	sa->stats.dropped++;
	uint64_t second = sa->now_ms / 1000;
	if (second != sa->drop_log_second) {
		if (sa->drop_unlogged)
			ike_log(sa, IKE_LOG_DEBUG, "%u more dropped datagrams not logged",
				sa->drop_unlogged);
		sa->drop_log_second = second;
		sa->drop_logs = sa->drop_unlogged = 0;
	}
	if (sa->drop_logs++ < DROP_LOGS_PER_SEC)
		ike_log(sa, IKE_LOG_DEBUG, "dropped a datagram: %s", why);
	else
		sa->drop_unlogged++;
}

static void reassembly_reset(struct ike_reassembly *rs)
{
	for (unsigned i = 0; i <= IKE_MAX_FRAGS; i++)
		free(rs->frag[i]);
	memset(rs, 0, sizeof(*rs));
}

/* Stores a verified fragment. Returns 1 when the message is whole (in sa->plain), 0 while
 * more are missing, or -errno for a fragment to drop. */
static int reassemble(struct ike_sa *sa, const struct ike_hdr *h, uint16_t no, uint16_t total,
		      uint8_t first, const uint8_t *p, size_t len, size_t *out_len,
		      uint8_t *out_first)
{
	struct ike_reassembly *rs = &sa->rs;
	bool response = h->flags & IKE_FLAG_RESPONSE;
	if (total > IKE_MAX_FRAGS)
		return -EMSGSIZE;
	if (rs->total && (rs->msg_id != h->msg_id || rs->response != response)) {
		/* Another message while one is incomplete: the newer exchange wins. */
		reassembly_reset(rs);
	} else if (rs->total && rs->total != total) {
		if (total < rs->total)
			return -ESTALE;
		reassembly_reset(rs); /* RFC 7383 2.6.1: a larger total restarts reassembly */
	}
	if (!rs->total) {
		rs->msg_id = h->msg_id;
		rs->response = response;
		rs->total = total;
	}
	if (rs->frag[no])
		return 0; /* duplicate */
	if (rs->bytes + len > IKE_MAX_REASSEMBLY)
		return -EMSGSIZE;
	rs->frag[no] = malloc(len ? len : 1);
	if (!rs->frag[no])
		return -ENOMEM;
	memcpy(rs->frag[no], p, len);
	rs->len[no] = len;
	rs->bytes += len;
	rs->have++;
	if (no == 1)
		rs->first = first;
	if (rs->have < rs->total)
		return 0;
	size_t off = 0;
	for (unsigned i = 1; i <= rs->total; i++) {
		memcpy(sa->plain + off, rs->frag[i], rs->len[i]);
		off += rs->len[i];
	}
	*out_len = off;
	*out_first = rs->first;
	reassembly_reset(rs);
	return 1;
}

/* Decrypts (and reassembles) an encrypted message and parses its inner payloads into m.
 * Returns 1 when m is complete, 0 when waiting for fragments, -errno to drop. */
static int open_message(struct ike_sa *sa, struct ike_keys *keys, struct ike_msg *m)
{
	if (!sa->have_keys || m->sk_index != 0 || m->n != 1)
		return -EBADMSG; /* every payload after IKE_SA_INIT must be inside SK */
	uint8_t first;
	const uint8_t *inner;
	size_t inner_len;
	uint16_t no, total;
	int err = ike_sk_open(keys, m, sa->rxbuf, &first, &inner, &inner_len, &no, &total);
	if (err)
		return err;
	if (total == 0) {
		memcpy(sa->plain, inner, inner_len);
	} else {
		err =
		    reassemble(sa, &m->hdr, no, total, first, inner, inner_len, &inner_len, &first);
		if (err <= 0)
			return err;
		ike_log(sa, IKE_LOG_INFO, "reassembled %s message from %u fragments",
			ike_exchange_name(m->hdr.exchange), total);
	}
	err = ike_chain_parse(m, first, sa->plain, inner_len);
	return err ? err : 1;
}

static void handle_response(struct ike_sa *sa, uint64_t now, struct ike_msg *m)
{
	if (!sa->req.active || m->hdr.msg_id != sa->req.msg_id ||
	    m->hdr.exchange != sa->req.exchange) {
		drop(sa, "response to no request of ours");
		return;
	}
	if (m->hdr.exchange == IKE_SA_INIT) {
		ike_init_response(sa, now, m);
		return;
	}
	if (m->hdr.spi_r != sa->spi_r) {
		drop(sa, "wrong responder SPI");
		return;
	}
	int r = open_message(sa, &sa->keys, m);
	if (r <= 0) {
		if (r < 0)
			drop(sa, "cannot decrypt or parse the response");
		return;
	}
	sa->alive_ms = now;
	uint8_t crit = ike_msg_unknown_critical(m);
	if (crit) {
		ike_fail(sa, IKE_FAIL_OTHER,
			 "gateway sent an unsupported critical payload (type %u)", crit);
		return;
	}
	switch (m->hdr.exchange) {
	case IKE_AUTH:
		ike_auth_response(sa, now, m);
		break;
	case INFORMATIONAL:
		ike_info_response(sa, now, m);
		break;
	default:
		drop(sa, "response to an exchange tern did not start");
	}
}

static void handle_request(struct ike_sa *sa, uint64_t now, struct ike_msg *m)
{
	if (!sa->have_keys || m->hdr.spi_r != sa->spi_r) {
		drop(sa, "request for an unknown IKE SA");
		return;
	}
	if (sa->resp.valid && m->hdr.msg_id == sa->resp.msg_id) {
		/* A retransmitted request: our cached answer goes out again (RFC 7296 2.1). */
		queue_dgram(sa, sa->resp.dgram, sa->resp.len);
		return;
	}
	if (m->hdr.msg_id != sa->peer_msg_id) {
		drop(sa, "request with an unexpected message ID");
		return;
	}
	int r = open_message(sa, &sa->keys, m);
	if (r <= 0) {
		if (r < 0)
			drop(sa, "cannot decrypt or parse the request");
		return;
	}
	sa->alive_ms = now;
	ike_log(sa, IKE_LOG_DEBUG, "received %s request, message ID %u",
		ike_exchange_name(m->hdr.exchange), m->hdr.msg_id);
	sa->peer_msg_id++;
	struct ikb b;
	uint8_t buf[64];
	uint8_t crit = ike_msg_unknown_critical(m);
	if (crit) {
		ikb_chain(&b, buf, sizeof(buf));
		ikb_notify(&b, 0, NULL, 0, N_UNSUPPORTED_CRITICAL_PAYLOAD, &crit, 1);
		ike_send_response(sa, m->hdr.exchange, m->hdr.msg_id, &b);
		return;
	}
	switch (m->hdr.exchange) {
	case INFORMATIONAL:
		ike_info_request(sa, now, m);
		break;
	case CREATE_CHILD_SA:
		ike_create_child_request(sa, now, m);
		break;
	default:
		ikb_chain(&b, buf, sizeof(buf));
		ikb_notify(&b, 0, NULL, 0, N_INVALID_SYNTAX, NULL, 0);
		ike_send_response(sa, m->hdr.exchange, m->hdr.msg_id, &b);
	}
}

static void old_sa_free(struct ike_old_sa *o)
{
	free(o->resp.dgram);
	ike_keys_wipe(&o->keys);
	memset(o, 0, sizeof(*o));
}

/* A request on the IKE SA a rekey replaced: the gateway deletes it (2.18). Answered with the
 * old keys; nothing else is done on it. */
static void handle_old_request(struct ike_sa *sa, struct ike_msg *m)
{
	struct ike_old_sa *o = &sa->old;
	if (o->resp.valid && m->hdr.msg_id == o->resp.msg_id) {
		queue_dgram(sa, o->resp.dgram, o->resp.len);
		return;
	}
	if (m->hdr.msg_id != o->peer_msg_id || m->hdr.exchange != INFORMATIONAL ||
	    open_message(sa, &o->keys, m) <= 0) {
		drop(sa, "request on the replaced IKE SA");
		return;
	}
	o->peer_msg_id++;
	uint8_t buf[16];
	struct ikb b;
	ikb_chain(&b, buf, sizeof(buf));
	send_response(sa, &o->keys, o->initiator, o->spi_i, o->spi_r, &o->resp, INFORMATIONAL,
		      m->hdr.msg_id, &b);
	ike_log(sa, IKE_LOG_INFO, "the replaced IKE SA was deleted");
	/* The response stays cached in case the gateway retransmits its Delete. */
	ike_keys_wipe(&o->keys);
	memset(&o->keys, 0, sizeof(o->keys));
}

void ike_receive(struct ike_sa *sa, uint64_t now, const uint8_t *buf, size_t len)
{
	sa->now_ms = now;
	sa->stats.rx++;
	if (sa->state == IKE_S_CLOSED || sa->state == IKE_S_FAILED || sa->state == IKE_S_IDLE) {
		drop(sa, "no IKE SA");
		return;
	}
	if (len > sizeof(sa->rxbuf) || len < IKE_HDR_LEN) {
		drop(sa, "bad length");
		return;
	}
	memcpy(sa->rxbuf, buf, len);
	struct ike_msg m;
	int err = ike_msg_parse(sa->rxbuf, len, &m);
	if (err) {
		drop(sa, "malformed IKE message");
		return;
	}
	bool from_initiator = m.hdr.flags & IKE_FLAG_INITIATOR;
	if (sa->old.valid && m.hdr.spi_i == sa->old.spi_i && m.hdr.spi_r == sa->old.spi_r &&
	    from_initiator != sa->old.initiator && !(m.hdr.flags & IKE_FLAG_RESPONSE)) {
		handle_old_request(sa, &m);
		return;
	}
	if (m.hdr.spi_i != sa->spi_i || from_initiator == sa->initiator) {
		drop(sa, "not for this IKE SA");
		return;
	}
	if (m.hdr.flags & IKE_FLAG_RESPONSE)
		handle_response(sa, now, &m);
	else
		handle_request(sa, now, &m);
}

static uint64_t dpd_deadline(const struct ike_sa *sa)
{
	return sa->alive_ms + (sa->cfg.dpd_ms ? sa->cfg.dpd_ms : DPD_DEFAULT_MS);
}

void ike_peer_alive(struct ike_sa *sa, uint64_t now)
{
	if (now > sa->alive_ms)
		sa->alive_ms = now;
}

void ike_tick(struct ike_sa *sa, uint64_t now)
{
	sa->now_ms = now;
	if (sa->state == IKE_S_ESTABLISHED && !sa->req.active && now >= dpd_deadline(sa)) {
		if (ike_liveness_start(sa, now))
			ike_fail(sa, IKE_FAIL_OTHER, "cannot build a liveness check");
		return;
	}
	if (!sa->req.active || now < sa->req.next_ms)
		return;
	if (sa->state == IKE_S_INIT_SENT && sa->init_error) {
		ike_init_error(sa);
		return;
	}
	if (now >= sa->req.give_up_ms) {
		if (sa->state == IKE_S_DELETING) {
			ike_request_done(sa);
			ike_set_state(sa, IKE_S_CLOSED);
			ike_push_event(sa, IKE_EV_CLOSED);
			return;
		}
		if (sa->state == IKE_S_INIT_SENT && !sa->init_resp)
			ike_fail(sa, IKE_FAIL_UNREACHABLE, "no answer from the gateway in %u s",
				 sa->cfg.timeout_ms / 1000);
		else
			ike_fail(sa, IKE_FAIL_UNREACHABLE, "the gateway stopped answering (%s)",
				 ike_exchange_name(sa->req.exchange));
		return;
	}
	sa->req.tries++;
	sa->stats.retransmits++;
	uint64_t wait = (uint64_t)RETRANSMIT_BASE_MS << (sa->req.tries < 4 ? sa->req.tries : 4);
	if (wait > RETRANSMIT_MAX_MS)
		wait = RETRANSMIT_MAX_MS;
	sa->req.next_ms = now + wait;
	if (sa->req.next_ms > sa->req.give_up_ms)
		sa->req.next_ms = sa->req.give_up_ms;
	ike_log(sa, IKE_LOG_INFO, "retransmitting %s request (try %u)",
		ike_exchange_name(sa->req.exchange), sa->req.tries + 1);
	send_request_dgrams(sa);
}

uint64_t ike_deadline(const struct ike_sa *sa)
{
	if (sa->req.active)
		return sa->req.next_ms;
	return sa->state == IKE_S_ESTABLISHED ? dpd_deadline(sa) : UINT64_MAX;
}

int ike_new(struct ike_sa **out, const struct ike_config *cfg)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return -ENOMEM;
	sa->cfg = *cfg;
	if (!sa->cfg.max_msg)
		sa->cfg.max_msg = IKE_DEFAULT_MAX_MSG;
	if (!sa->cfg.timeout_ms)
		sa->cfg.timeout_ms = 30000;
	if (!sa->cfg.rnd)
		sa->cfg.rnd = crypto_rand;
	sa->state = IKE_S_IDLE;
	sa->initiator = true;
	*out = sa;
	return 0;
}

void ike_free(struct ike_sa *sa)
{
	if (!sa)
		return;
	request_free(&sa->req);
	reassembly_reset(&sa->rs);
	free(sa->resp.dgram);
	old_sa_free(&sa->old);
	free(sa->init_req);
	free(sa->init_resp);
	if (sa->dh)
		dh_free(sa->dh);
	if (sa->eap)
		eap_client_free(sa->eap);
	ike_keys_wipe(&sa->keys);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

int ike_connect(struct ike_sa *sa, uint64_t now)
{
	sa->connect_deadline_ms = now + sa->cfg.timeout_ms;
	return ike_init_start(sa, now);
}

void ike_disconnect(struct ike_sa *sa, uint64_t now)
{
	switch (sa->state) {
	case IKE_S_CLOSED:
	case IKE_S_FAILED:
	case IKE_S_DELETING:
		return;
	case IKE_S_ESTABLISHED:
		if (ike_delete_start(sa, now) == 0)
			return;
		break;
	default:
		if (sa->have_keys && sa->state != IKE_S_INIT_SENT)
			ike_delete_start(sa, 0); /* best effort while connecting */
		break;
	}
	stop_request(sa);
	ike_set_state(sa, IKE_S_CLOSED);
	ike_push_event(sa, IKE_EV_CLOSED);
}

bool ike_next_datagram(struct ike_sa *sa, struct ike_datagram *d)
{
	if (!sa->outq_n)
		return false;
	*d = sa->outq[sa->outq_head];
	sa->outq_head = (sa->outq_head + 1) % IKE_OUTQ;
	sa->outq_n--;
	return true;
}

bool ike_next_event(struct ike_sa *sa, struct ike_event *ev)
{
	if (!sa->evq_n)
		return false;
	*ev = sa->evq[sa->evq_head];
	sa->evq_head = (sa->evq_head + 1) % IKE_EVQ;
	sa->evq_n--;
	return true;
}

void ike_get_stats(const struct ike_sa *sa, struct ike_stats *st)
{
	*st = sa->stats;
}

const char *ike_algorithms(const struct ike_sa *sa)
{
	return sa->algs_text;
}
