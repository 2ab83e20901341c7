/* Parsing and log text for certificates: the shared part of the cert_*.c files. */
#include "crypto/cert.h"
#include "crypto/cert_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

X509 *cert_parse_der(const uint8_t *der, size_t len)
{
	if (!der || len == 0 || len > LONG_MAX)
		return NULL;
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	if (x && p != der + len) {
		X509_free(x);
		x = NULL;
	}
	if (!x)
		ERR_clear_error();
	return x;
}

void cert_reason(char *reason, size_t reason_len, const char *fmt, ...)
{
	ERR_clear_error();
	if (!reason || reason_len == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, reason_len, fmt, ap);
	va_end(ap);
}

void cert_escape(const uint8_t *in, size_t len, char *out, size_t cap)
{
	size_t o = 0;
	if (cap == 0)
		return;
	for (size_t i = 0; i < len; i++) {
		char tmp[5];
		size_t n;
		if (in[i] >= 0x20 && in[i] < 0x7f && in[i] != '\\') {
			tmp[0] = (char)in[i];
			n = 1;
		} else {
			snprintf(tmp, sizeof(tmp), "\\x%02x", in[i]);
			n = 4;
		}
		if (o + n >= cap)
			break;
		memcpy(out + o, tmp, n);
		o += n;
	}
	out[o] = '\0';
}

void cert_name_text(const X509_NAME *name, char *out, size_t cap)
{
	if (cap == 0)
		return;
	out[0] = '\0';
	BIO *b = BIO_new(BIO_s_mem());
	if (!b)
		return;
	/* RFC 2253 order and escapes; ESC_MSB keeps the text ASCII. */
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
		char *data;
		long n = BIO_get_mem_data(b, &data);
		if (n > 0)
			cert_escape((const uint8_t *)data, (size_t)n, out, cap);
	}
	BIO_free(b);
	ERR_clear_error();
}

static void first_cn_text(const X509_NAME *subject, int idx, char *out, size_t cap)
{
	X509_NAME *one = X509_NAME_new();
	if (one && X509_NAME_add_entry(one, X509_NAME_get_entry(subject, idx), -1, 0))
		cert_name_text(one, out, cap);
	X509_NAME_free(one);
}

void cert_subject_text(X509 *x, char *out, size_t cap)
{
	if (cap == 0)
		return;
	out[0] = '\0';
	const X509_NAME *subject = X509_get_subject_name(x);
	int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
	if (idx >= 0)
		first_cn_text(subject, idx, out, cap);
	else if (X509_NAME_entry_count(subject) > 0)
		cert_name_text(subject, out, cap);
	if (out[0] == '\0') {
		cert_san_text(x, out, cap);
		char *comma = strchr(out, ',');
		if (comma)
			*comma = '\0';
	}
}

/* Appends one "TAG:value" entry to out at *pos. */
static void san_append(char *out, size_t cap, size_t *pos, const char *tag, const uint8_t *v,
		       size_t vlen)
{
	char val[CERT_TEXT_MAX];
	cert_escape(v, vlen, val, sizeof(val));
	int n = snprintf(out + *pos, cap - *pos, "%s%s:%s", *pos ? ", " : "", tag, val);
	if (n > 0)
		*pos = *pos + (size_t)n < cap ? *pos + (size_t)n : cap - 1;
}

void cert_san_text(X509 *x, char *out, size_t cap)
{
	if (cap == 0)
		return;
	out[0] = '\0';
	GENERAL_NAMES *sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	size_t pos = 0;
	for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
		int type;
		const ASN1_STRING *s = GENERAL_NAME_get0_value(gn, &type);
		const uint8_t *d = ASN1_STRING_get0_data(s);
		int dlen = ASN1_STRING_length(s);
		if (dlen < 0)
			continue;
		if (type == GEN_DNS) {
			san_append(out, cap, &pos, "DNS", d, (size_t)dlen);
		} else if (type == GEN_EMAIL) {
			san_append(out, cap, &pos, "email", d, (size_t)dlen);
		} else if (type == GEN_IPADD && (dlen == 4 || dlen == 16)) {
			char ip[INET6_ADDRSTRLEN];
			if (inet_ntop(dlen == 4 ? AF_INET : AF_INET6, d, ip, sizeof(ip)))
				san_append(out, cap, &pos, "IP", (const uint8_t *)ip, strlen(ip));
		}
	}
	GENERAL_NAMES_free(sans);
	if (pos == 0)
		snprintf(out, cap, "no subjectAltName");
	ERR_clear_error();
}

void cert_time_text(const ASN1_TIME *t, char *out, size_t cap)
{
	struct tm tm;
	if (cap == 0)
		return;
	if (!t || !ASN1_TIME_to_tm(t, &tm) || !strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(out, cap, "an unreadable date");
	ERR_clear_error();
}

int cert_describe(const uint8_t *der, size_t len, char *out, size_t cap)
{
	X509 *x = cert_parse_der(der, len);
	if (!x)
		return -EINVAL;
	char text[CERT_TEXT_MAX];
	cert_subject_text(x, text, sizeof(text));
	X509_free(x);
	if (text[0] == '\0')
		snprintf(text, sizeof(text), "certificate without subject");
	if (cap > 0)
		snprintf(out, cap, "%s", text);
	size_t n = strlen(text);
	return (int)(cap > 0 && n >= cap ? cap - 1 : n);
}
