/* MD4 message digest (RFC 1320), needed by MSCHAPv2's NtPasswordHash (RFC 2759 8.3).
   OpenSSL 3 offers MD4 only through its legacy provider, hence this small implementation. */
#ifndef TERN_CLIENT_EAP_MD4_H
#define TERN_CLIENT_EAP_MD4_H

#include <stddef.h>
#include <stdint.h>

#define EAP_MD4_LEN 16

void eap_md4(const void *data, size_t len, uint8_t digest[EAP_MD4_LEN]);

#endif
