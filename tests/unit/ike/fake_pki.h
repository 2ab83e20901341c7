/* Test PKI for the exchange tests, made with OpenSSL at run time. */
#ifndef TERN_TESTS_IKE_FAKE_PKI_H
#define TERN_TESTS_IKE_FAKE_PKI_H

#include <stdbool.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

struct cert_trust;

/* Test PKI made with OpenSSL at run time: P-256 keys and X.509 v3 certificates. */
EVP_PKEY *fake_pki_key(void);
/* issuer NULL: self-signed CA. dns: subjectAltName dNSName (NULL: none). */
X509 *fake_pki_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
		    const char *dns, bool ca);
/* Loads ca into a cert_trust through a temporary PEM file. 0 or -1. */
int fake_pki_trust(X509 *ca, struct cert_trust **out);

#endif
