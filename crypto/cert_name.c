/* Does a certificate name the gateway: the configured server id, and the IKE ID it sent. */
#include "crypto/cert.h"
#include "crypto/cert_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

enum name_kind { NAME_DNS, NAME_IPV4, NAME_IPV6, NAME_EMAIL };

static const char *const kind_words[] = {
    [NAME_DNS] = "DNS name",
    [NAME_IPV4] = "IPv4 address",
    [NAME_IPV6] = "IPv6 address",
    [NAME_EMAIL] = "email address",
};

/* The subject is consulted only when the certificate carries no subjectAltName at all. */
static unsigned int check_flags(X509 *x)
{
	unsigned int flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
	if (X509_get_ext_by_NID(x, NID_subject_alt_name, -1) >= 0)
		flags |= X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;
	return flags;
}

/* name is len octets, no NUL inside; for the IP kinds, the 4 or 16 address octets. */
static int match(X509 *x, enum name_kind kind, const uint8_t *name, size_t len)
{
	switch (kind) {
	case NAME_DNS:
		/* A leading dot would ask OpenSSL for any subdomain: not a server id. */
		if (len == 0 || name[0] == '.')
			return 0;
		return X509_check_host(x, (const char *)name, len, check_flags(x), NULL) == 1;
	case NAME_EMAIL:
		return len > 0 && X509_check_email(x, (const char *)name, len, check_flags(x)) == 1;
	case NAME_IPV4:
	case NAME_IPV6:
		return X509_check_ip(x, name, len, 0) == 1;
	}
	return 0;
}

/* Writes "<kind> <text> does not match certificate <subject> (<SANs>)". */
static int mismatch(X509 *x, const char *what, const char *kind, const char *text, char *reason,
		    size_t reason_len)
{
	char subject[CERT_TEXT_MAX], sans[2 * CERT_TEXT_MAX];
	cert_subject_text(x, subject, sizeof(subject));
	cert_san_text(x, sans, sizeof(sans));
	cert_reason(reason, reason_len, "%s %s %s does not match certificate %s (%s)", what, kind,
		    text, subject, sans);
	return -EACCES;
}

int cert_match_name(const uint8_t *der, size_t len, const char *expected, char *reason,
		    size_t reason_len)
{
	if (!expected || !expected[0]) {
		cert_reason(reason, reason_len, "no server id to match the certificate against");
		return -EINVAL;
	}
	X509 *x = cert_parse_der(der, len);
	if (!x) {
		cert_reason(reason, reason_len, "the gateway's certificate is not valid DER");
		return -EINVAL;
	}
	uint8_t addr[16];
	enum name_kind kind;
	const uint8_t *name = addr;
	size_t name_len;
	if (inet_pton(AF_INET, expected, addr) == 1) {
		kind = NAME_IPV4;
		name_len = 4;
	} else if (inet_pton(AF_INET6, expected, addr) == 1) {
		kind = NAME_IPV6;
		name_len = 16;
	} else {
		kind = strchr(expected, '@') ? NAME_EMAIL : NAME_DNS;
		name = (const uint8_t *)expected;
		name_len = strlen(expected);
	}
	int rc = 0;
	if (!match(x, kind, name, name_len)) {
		char text[CERT_TEXT_MAX];
		cert_escape((const uint8_t *)expected, strlen(expected), text, sizeof(text));
		rc = mismatch(x, "server id", kind_words[kind], text, reason, reason_len);
	}
	X509_free(x);
	ERR_clear_error();
	return rc;
}

/* Matches an ID of type DER_ASN1_DN against the subject. */
static int match_dn(X509 *x, const uint8_t *id, size_t id_len, char *reason, size_t reason_len)
{
	const unsigned char *p = id;
	X509_NAME *dn = id_len <= INT32_MAX ? d2i_X509_NAME(NULL, &p, (long)id_len) : NULL;
	if (!dn || p != id + id_len) {
		X509_NAME_free(dn);
		cert_reason(reason, reason_len, "the gateway's ID (DN) is not valid DER");
		return -EINVAL;
	}
	int rc = 0;
	if (X509_NAME_cmp(dn, X509_get_subject_name(x)) != 0) {
		char want[CERT_TEXT_MAX], have[CERT_TEXT_MAX];
		cert_name_text(dn, want, sizeof(want));
		cert_name_text(X509_get_subject_name(x), have, sizeof(have));
		cert_reason(reason, reason_len,
			    "gateway ID DN %s does not match certificate subject %s", want, have);
		rc = -EACCES;
	}
	X509_NAME_free(dn);
	return rc;
}

static int id_kind(uint8_t id_type, size_t id_len, enum name_kind *kind)
{
	switch (id_type) {
	case CERT_ID_IPV4_ADDR:
		*kind = NAME_IPV4;
		return id_len == 4 ? 0 : -EINVAL;
	case CERT_ID_IPV6_ADDR:
		*kind = NAME_IPV6;
		return id_len == 16 ? 0 : -EINVAL;
	case CERT_ID_FQDN:
		*kind = NAME_DNS;
		return 0;
	case CERT_ID_RFC822_ADDR:
		*kind = NAME_EMAIL;
		return 0;
	default:
		return -EACCES;
	}
}

static int is_ip(enum name_kind kind)
{
	return kind == NAME_IPV4 || kind == NAME_IPV6;
}

/* The ID's value as text for a reason. */
static void id_text(enum name_kind kind, const uint8_t *id, size_t id_len, char *out, size_t cap)
{
	if (is_ip(kind) &&
	    inet_ntop(kind == NAME_IPV4 ? AF_INET : AF_INET6, id, out, (socklen_t)cap))
		return;
	cert_escape(id, id_len, out, cap);
}

int cert_match_id(const uint8_t *der, size_t len, uint8_t id_type, const uint8_t *id, size_t id_len,
		  char *reason, size_t reason_len)
{
	X509 *x = cert_parse_der(der, len);
	if (!x) {
		cert_reason(reason, reason_len, "the gateway's certificate is not valid DER");
		return -EINVAL;
	}
	int rc;
	enum name_kind kind = NAME_DNS;
	if (id_type == CERT_ID_DER_ASN1_DN) {
		rc = match_dn(x, id, id_len, reason, reason_len);
	} else if ((rc = id_kind(id_type, id_len, &kind)) == -EACCES) {
		cert_reason(reason, reason_len, "gateway ID of type %u cannot name a certificate",
			    id_type);
	} else if (rc == -EINVAL || (!is_ip(kind) && id_len > 0 && memchr(id, 0, id_len))) {
		cert_reason(reason, reason_len, "the gateway's ID (%s) is malformed",
			    kind_words[kind]);
		rc = -EINVAL;
	} else if (!match(x, kind, id, id_len)) {
		char text[CERT_TEXT_MAX];
		id_text(kind, id, id_len, text, sizeof(text));
		rc = mismatch(x, "gateway ID", kind_words[kind], text, reason, reason_len);
	}
	X509_free(x);
	ERR_clear_error();
	return rc;
}
