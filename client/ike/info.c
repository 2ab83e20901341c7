/* INFORMATIONAL exchanges (RFC 7296 1.4): the gateway's liveness checks and Deletes, and
 * tern's Delete of the IKE SA on disconnect. */
#include "client/ike/sa.h"

#include <stdio.h>
#include <string.h>

static void closed(struct ike_sa *sa, const char *why)
{
	ike_request_done(sa);
	ike_set_state(sa, IKE_S_CLOSED);
	struct ike_event *ev = ike_push_event(sa, IKE_EV_CLOSED);
	snprintf(ev->text, sizeof(ev->text), "%s", why); /* the caller shows it */
}

void ike_info_request(struct ike_sa *sa, uint64_t now, const struct ike_msg *m)
{
	(void)now;
	uint8_t buf[128];
	struct ikb b;
	ikb_chain(&b, buf, sizeof(buf));
	bool ike_deleted = false, child_deleted = false, old_deleted = false;
	for (int i = -1;;) {
		const struct ike_pl *pl = ike_msg_find(m, PL_DELETE, &i);
		struct ike_delete d;
		if (!pl)
			break;
		if (ike_delete_parse(pl, &d))
			continue;
		if (d.protocol == PROTO_IKE) {
			ike_deleted = true;
			continue;
		}
		for (unsigned k = 0; k < d.n_spis && d.protocol == PROTO_ESP; k++) {
			uint32_t spi = get_u32(d.spis + 4 * k);
			if (spi == sa->child.spi_out)
				child_deleted = true;
			else if (sa->old_spi_out && spi == sa->old_spi_out)
				old_deleted = true;
		}
	}
	/* Answer with our inbound SPI of each deleted pair (RFC 7296 1.4.1). */
	uint8_t spis[8];
	uint16_t n = 0;
	if (child_deleted)
		put_u32(spis + 4 * n++, sa->child.spi_in);
	if (old_deleted)
		put_u32(spis + 4 * n++, sa->old_spi_in);
	if (n && !ike_deleted)
		ikb_delete(&b, PROTO_ESP, spis, 4, n);
	ike_send_response(sa, INFORMATIONAL, m->hdr.msg_id, &b);
	if (old_deleted) {
		/* The gateway now sends on the new CHILD SA only: our outbound switches too. */
		struct ike_event *ev = ike_push_event(sa, IKE_EV_RETIRED);
		ev->child = sa->child;
		ev->old_spi_in = sa->old_spi_in;
		sa->old_spi_in = sa->old_spi_out = 0;
	}
	if (ike_deleted)
		closed(sa, "the gateway closed the connection");
	else if (child_deleted && sa->state == IKE_S_ESTABLISHED)
		closed(sa, "the gateway deleted the tunnel");
	else
		ike_log(sa, IKE_LOG_DEBUG, "answered an INFORMATIONAL request");
}

void ike_info_response(struct ike_sa *sa, uint64_t now, const struct ike_msg *m)
{
	(void)now;
	(void)m;
	if (sa->state == IKE_S_DELETING)
		closed(sa, "disconnected");
	else
		ike_request_done(sa); /* the answer to a liveness check */
}

/* An empty INFORMATIONAL request: the gateway must answer it (RFC 7296 1.4). */
int ike_liveness_start(struct ike_sa *sa, uint64_t now)
{
	uint8_t buf[8];
	struct ikb b;
	ikb_chain(&b, buf, sizeof(buf));
	ike_log(sa, IKE_LOG_DEBUG, "liveness check");
	return ike_send_request(sa, now, INFORMATIONAL, &b);
}

int ike_delete_start(struct ike_sa *sa, uint64_t now)
{
	uint8_t buf[64];
	struct ikb b;
	ikb_chain(&b, buf, sizeof(buf));
	ikb_delete(&b, PROTO_IKE, NULL, 0, 0);
	ike_set_state(sa, IKE_S_DELETING);
	return ike_send_request(sa, now, INFORMATIONAL, &b);
}
