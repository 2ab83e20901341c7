/* Randomness hook: every consumer of random bytes takes a rand_fn so tests can pin it. */
#ifndef TERN_CRYPTO_RANDOM_H
#define TERN_CRYPTO_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Fills buf with len random bytes; returns 0 or a negative errno. */
typedef int (*rand_fn)(void *arg, uint8_t *buf, size_t len);

/* The production rand_fn: OpenSSL's RAND_bytes (CSPRNG). arg is unused. 0 or -EIO. */
int crypto_rand(void *arg, uint8_t *buf, size_t len);

#endif
