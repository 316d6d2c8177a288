/* HMAC-BLAKE2s and the WireGuard KDF built on it (the paper's HKDF with BLAKE2s). */
#ifndef WG_CRYPTO_KDF_H
#define WG_CRYPTO_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/blake2s.h"

void wg_hmac_blake2s(uint8_t out[WG_BLAKE2S_HASH_LEN], const void *key, size_t keylen,
		     const void *in, size_t inlen);

/*
 * KDFn(key, input) of the paper: up to three 32-byte outputs, each NULL when not wanted
 * (t2 and t3 only if the earlier ones are requested). Intermediate values are wiped.
 */
void wg_kdf(uint8_t *t1, uint8_t *t2, uint8_t *t3, const uint8_t key[WG_BLAKE2S_HASH_LEN],
	    const void *input, size_t inlen);

#endif
