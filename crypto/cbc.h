/* AES-CBC for the IKE SK payload (ENCR_AES_CBC = 12): in place, no padding (IKE pads itself). */
#ifndef TERN_CRYPTO_CBC_H
#define TERN_CRYPTO_CBC_H

#include <stddef.h>
#include <stdint.h>

#define AES_CBC_BLOCK 16

/* key_len 16, 24 or 32; len a multiple of 16. 0, -EINVAL or -EIO. */
int aes_cbc_encrypt(const uint8_t *key, size_t key_len, const uint8_t iv[16], uint8_t *data,
		    size_t len);
int aes_cbc_decrypt(const uint8_t *key, size_t key_len, const uint8_t iv[16], uint8_t *data,
		    size_t len);

#endif
