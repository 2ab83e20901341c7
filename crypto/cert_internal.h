/* Helpers shared by the cert_*.c files; not part of the module's interface. */
#ifndef TERN_CRYPTO_CERT_INTERNAL_H
#define TERN_CRYPTO_CERT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

/* Longest text kept for one name in a reason. */
enum { CERT_TEXT_MAX = 256 };

/* Parses one DER certificate; NULL when malformed or followed by extra octets. */
X509 *cert_parse_der(const uint8_t *der, size_t len);

/* snprintf into reason when one is wanted; always clears OpenSSL's error queue. */
void cert_reason(char *reason, size_t reason_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A name in RFC 2253 form, control and non-ASCII characters escaped. */
void cert_name_text(const X509_NAME *name, char *out, size_t cap);

/* "CN=..." when the subject has a common name, else the whole subject, else the first SAN. */
void cert_subject_text(X509 *x, char *out, size_t cap);

/* The subjectAltName entries this module matches, e.g. "DNS:a.example.test, IP:192.0.2.1",
 * or "no subjectAltName". */
void cert_san_text(X509 *x, char *out, size_t cap);

/* "2025-01-01 00:00:00 UTC" */
void cert_time_text(const ASN1_TIME *t, char *out, size_t cap);

/* Copies len octets of untrusted text, escaping anything but printable ASCII as \xNN. */
void cert_escape(const uint8_t *in, size_t len, char *out, size_t cap);

#endif
