/* libFuzzer target: the IKEv2 message codec. Parses the input as a datagram (header and outer
 * payload chain), then runs every payload parser of client/ike/message.h on what it finds;
 * the body of an SK/SKF payload is also parsed as a plaintext inner chain, as after
 * decryption. Parsed traffic selectors are encoded again and must parse back the same. */
#include "client/ike/message.h"
#include "fuzz_util.h"

static void check_ts(const struct ike_pl *pl)
{
	struct ike_ts_list l, again;
	uint8_t buf[1024];
	struct ikb b;
	if (ike_ts_parse(pl, &l) != 0)
		return;
	if (l.n == 0 || l.n > IKE_MAX_TS)
		abort();
	ikb_chain(&b, buf, sizeof(buf));
	ikb_ts(&b, pl->type, &l);
	if (b.w.err)
		abort(); /* 8 selectors of at most 40 bytes fit */
	struct ike_pl re = {pl->type, false, buf + IKE_GENERIC_HDR_LEN,
			    b.w.len - IKE_GENERIC_HDR_LEN};
	if (ike_ts_parse(&re, &again) != 0 || again.n != l.n ||
	    memcmp(again.ts, l.ts, l.n * sizeof(l.ts[0])) != 0)
		abort();
}

static void parse_payload(const struct ike_pl *pl)
{
	struct ike_notify n;
	struct ike_ke ke;
	struct ike_id id;
	struct ike_cert c;
	struct ike_auth a;
	struct ike_delete d;
	struct ike_chosen ch;
	struct ike_cp cp;
	char text[PROP_FORMAT_MAX];

	fuzz_touch(pl->body, pl->len);
	(void)ike_payload_name(pl->type);
	switch (pl->type) {
	case PL_NOTIFY:
		if (ike_notify_parse(pl, &n) == 0) {
			fuzz_touch(n.spi, n.spi_size);
			fuzz_touch(n.data, n.data_len);
			(void)ike_notify_name(n.type);
		}
		break;
	case PL_KE:
		if (ike_ke_parse(pl, &ke) == 0)
			fuzz_touch(ke.data, ke.len);
		break;
	case PL_IDI:
	case PL_IDR:
		if (ike_id_parse(pl, &id) == 0) {
			fuzz_touch(id.data, id.len);
			fuzz_touch(id.body, id.body_len);
		}
		break;
	case PL_CERT:
	case PL_CERTREQ:
		if (ike_cert_parse(pl, &c) == 0)
			fuzz_touch(c.data, c.len);
		break;
	case PL_AUTH:
		if (ike_auth_parse(pl, &a) == 0)
			fuzz_touch(a.data, a.len);
		break;
	case PL_DELETE:
		if (ike_delete_parse(pl, &d) == 0)
			fuzz_touch(d.spis, (size_t)d.spi_size * d.n_spis);
		break;
	case PL_SA:
		if (ike_sa_parse_reply(pl, &ch) == 0) {
			if (ch.prop.n == 0 || ch.prop.n > PROP_MAX_TRANSFORMS)
				abort();
			if (prop_format(&ch.prop, text, sizeof(text)) >= (int)sizeof(text))
				abort();
		}
		break;
	case PL_TSI:
	case PL_TSR:
		check_ts(pl);
		break;
	case PL_CP:
		if (ike_cp_parse(pl, &cp) == 0)
			for (unsigned i = 0; i < cp.n; i++)
				fuzz_touch(cp.attr[i].value, cp.attr[i].len);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_msg m;
	struct ike_hdr h;

	(void)ike_hdr_parse(data, size, &h);
	if (ike_msg_parse(data, size, &m) != 0)
		return 0;
	if (m.n > IKE_MAX_PAYLOADS || m.raw != data || m.raw_len != size)
		abort();
	(void)ike_exchange_name(m.hdr.exchange);
	(void)ike_msg_unknown_critical(&m);
	(void)ike_msg_error(&m);
	(void)ike_msg_notify(&m, N_COOKIE, NULL);
	for (int i = -1; ike_msg_find(&m, PL_NOTIFY, &i);)
		;
	for (unsigned i = 0; i < m.n; i++)
		parse_payload(&m.pl[i]);
	if (m.sk_index >= 0) {
		/* As if the SK body were the decrypted inner chain; its Next Payload names the
		 * first inner payload (the octet before the payload length). */
		const struct ike_pl *sk = &m.pl[m.sk_index];
		uint8_t first = sk->body[-IKE_GENERIC_HDR_LEN];
		unsigned before = m.n;
		(void)ike_chain_parse(&m, first, sk->body, sk->len);
		/* Payloads read before an error are still well-formed ones. */
		for (unsigned i = before; i < m.n; i++)
			parse_payload(&m.pl[i]);
	}
	return 0;
}
