/* Helpers for the datapath tests: packet buffers, SA parameters, inner packets, and an
 * independent ESP sealer written directly on OpenSSL EVP from the RFC 4303 layout (the
 * reference the datapath's output is compared with). */
#ifndef TERN_TESTS_DP_TESTUTIL_H
#define TERN_TESTS_DP_TESTUTIL_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/evp.h>

#include "datapath/esp.h"

struct tu_buf {
	struct pkt pkt;
	uint8_t mem[PKT_BUF_SIZE];
};

/* Makes b's packet hold a copy of data (with the standard headroom). */
static inline struct pkt *tu_pkt(struct tu_buf *b, const uint8_t *data, size_t len)
{
	b->pkt.head = b->mem;
	pkt_reset(&b->pkt);
	memcpy(b->pkt.data, data, len);
	b->pkt.len = (uint32_t)len;
	return &b->pkt;
}

/* SA parameters with selectors covering everything (IPv4 and IPv6, both sides). */
static inline void tu_params(struct esp_sa_params *p, uint32_t spi, enum aead_alg alg,
			     const uint8_t *keymat, size_t keymat_len, bool esn)
{
	memset(p, 0, sizeof(*p));
	p->spi = spi;
	p->alg = alg;
	memcpy(p->keymat, keymat, keymat_len);
	p->keymat_len = keymat_len;
	p->esn = esn;
	esp_ts_any(&p->ts[0], ESP_TS_LOCAL, AF_INET);
	esp_ts_any(&p->ts[1], ESP_TS_REMOTE, AF_INET);
	esp_ts_any(&p->ts[2], ESP_TS_LOCAL, AF_INET6);
	esp_ts_any(&p->ts[3], ESP_TS_REMOTE, AF_INET6);
	p->n_ts = 4;
}

static inline void tu_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Builds an IPv4/UDP packet of payload_len bytes (payload byte i = fill + i); returns its
 * length. Header fields per RFC 791 / RFC 768; checksums are not needed by the datapath. */
static inline size_t tu_ipv4_udp(uint8_t *buf, const char *src, const char *dst, uint16_t sport,
				 uint16_t dport, size_t payload_len, uint8_t fill)
{
	size_t total = 20 + 8 + payload_len;

	memset(buf, 0, 28);
	buf[0] = 0x45;
	tu_be16(buf + 2, (uint16_t)total);
	buf[8] = 64;
	buf[9] = 17;
	inet_pton(AF_INET, src, buf + 12);
	inet_pton(AF_INET, dst, buf + 16);
	tu_be16(buf + 20, sport);
	tu_be16(buf + 22, dport);
	tu_be16(buf + 24, (uint16_t)(8 + payload_len));
	for (size_t i = 0; i < payload_len; i++)
		buf[28 + i] = (uint8_t)(fill + i);
	return total;
}

/* Builds an IPv6/UDP packet, as tu_ipv4_udp (RFC 8200). */
static inline size_t tu_ipv6_udp(uint8_t *buf, const char *src, const char *dst, uint16_t sport,
				 uint16_t dport, size_t payload_len, uint8_t fill)
{
	memset(buf, 0, 48);
	buf[0] = 0x60;
	tu_be16(buf + 4, (uint16_t)(8 + payload_len));
	buf[6] = 17;
	buf[7] = 64;
	inet_pton(AF_INET6, src, buf + 8);
	inet_pton(AF_INET6, dst, buf + 24);
	tu_be16(buf + 40, sport);
	tu_be16(buf + 42, dport);
	tu_be16(buf + 44, (uint16_t)(8 + payload_len));
	for (size_t i = 0; i < payload_len; i++)
		buf[48 + i] = (uint8_t)(fill + i);
	return 48 + payload_len;
}

static inline const EVP_CIPHER *tu_cipher(enum aead_alg alg, size_t keymat_len)
{
	if (alg == AEAD_CHACHA20_POLY1305)
		return EVP_chacha20_poly1305();
	switch (keymat_len) {
	case 20:
		return EVP_aes_128_gcm();
	case 28:
		return EVP_aes_192_gcm();
	default:
		return EVP_aes_256_gcm();
	}
}

/* Reference ESP sealer (RFC 4303 section 2, RFC 4106 sections 3-5, RFC 7634 sections 2-3):
 * out = SPI | Seq low | IV | AEAD(key, nonce = salt | IV, aad, plaintext) | tag, where the
 * plaintext already carries its padding and trailer, and aad = SPI | Seq low, or
 * SPI | Seq high | Seq low with ESN. Returns the length, 0 on error. */
static inline size_t tu_ref_seal(enum aead_alg alg, const uint8_t *keymat, size_t keymat_len,
				 uint32_t spi, uint64_t seq, bool esn, uint64_t iv,
				 const uint8_t *pt, size_t pt_len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[12], aad[12];
	size_t aad_len = 0, key_len = keymat_len - 4;
	int l, ok;

	for (int i = 0; i < 4; i++)
		out[i] = (uint8_t)(spi >> (24 - 8 * i));
	for (int i = 0; i < 4; i++)
		out[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		out[8 + i] = (uint8_t)(iv >> (56 - 8 * i));
	memcpy(nonce, keymat + key_len, 4);
	memcpy(nonce + 4, out + 8, 8);
	memcpy(aad, out, 4);
	if (esn) {
		for (int i = 0; i < 8; i++)
			aad[4 + i] = (uint8_t)(seq >> (56 - 8 * i));
		aad_len = 12;
	} else {
		memcpy(aad + 4, out + 4, 4);
		aad_len = 8;
	}
	ok = ctx != NULL && EVP_EncryptInit_ex(ctx, tu_cipher(alg, keymat_len), NULL, NULL, NULL) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) &&
	     EVP_EncryptInit_ex(ctx, NULL, NULL, keymat, nonce) &&
	     EVP_EncryptUpdate(ctx, NULL, &l, aad, (int)aad_len) &&
	     EVP_EncryptUpdate(ctx, out + 16, &l, pt, (int)pt_len) &&
	     EVP_EncryptFinal_ex(ctx, out + 16 + l, &l) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out + 16 + pt_len);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 16 + pt_len + 16 : 0;
}

/* Appends RFC 4303 padding (1, 2, 3...) to 4-byte alignment, pad length and next header
 * after the inner packet in buf; returns the plaintext length. */
static inline size_t tu_trailer(uint8_t *buf, size_t inner_len, uint8_t next_header)
{
	size_t pad = (4 - (inner_len + 2) % 4) % 4;

	for (size_t i = 0; i < pad; i++)
		buf[inner_len + i] = (uint8_t)(i + 1);
	buf[inner_len + pad] = (uint8_t)pad;
	buf[inner_len + pad + 1] = next_header;
	return inner_len + pad + 2;
}

#endif
