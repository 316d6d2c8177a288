/* Secrets: wiped when done with, compared in constant time. */
#ifndef WG_CRYPTO_SECRET_H
#define WG_CRYPTO_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <openssl/crypto.h>

/* explicit_bzero is not removed by the optimiser even when the buffer dies right after. */
static inline void wg_secret_wipe(void *secret, size_t len)
{
	explicit_bzero(secret, len);
}

static inline bool wg_secret_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

/* True when every byte is zero, without branching on the contents. */
static inline bool wg_secret_is_zero(const void *secret, size_t len)
{
	const unsigned char *p = secret;
	unsigned char acc = 0;

	for (size_t i = 0; i < len; ++i)
		acc |= p[i];
	return acc == 0;
}

#endif
