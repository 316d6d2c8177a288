/* HMAC (RFC 2104) over BLAKE2s, and the WireGuard KDF: HKDF-extract then up to three expands. */
#include "crypto/kdf.h"

#include <string.h>

#include "crypto/secret.h"

void wg_hmac_blake2s(uint8_t out[WG_BLAKE2S_HASH_LEN], const void *key, size_t keylen,
		     const void *in, size_t inlen)
{
	struct wg_blake2s_state state;
	uint8_t block[WG_BLAKE2S_BLOCK_LEN] = { 0 };
	uint8_t inner[WG_BLAKE2S_HASH_LEN];

	if (keylen > WG_BLAKE2S_BLOCK_LEN)
		wg_blake2s(block, WG_BLAKE2S_HASH_LEN, key, keylen, NULL, 0);
	else
		memcpy(block, key, keylen);

	for (int i = 0; i < WG_BLAKE2S_BLOCK_LEN; ++i)
		block[i] ^= 0x36;
	wg_blake2s_init(&state, WG_BLAKE2S_HASH_LEN);
	wg_blake2s_update(&state, block, sizeof(block));
	wg_blake2s_update(&state, in, inlen);
	wg_blake2s_final(&state, inner);

	/* 0x36 ^ 0x5c turns the inner pad into the outer one. */
	for (int i = 0; i < WG_BLAKE2S_BLOCK_LEN; ++i)
		block[i] ^= 0x36 ^ 0x5c;
	wg_blake2s_init(&state, WG_BLAKE2S_HASH_LEN);
	wg_blake2s_update(&state, block, sizeof(block));
	wg_blake2s_update(&state, inner, sizeof(inner));
	wg_blake2s_final(&state, out);

	wg_secret_wipe(block, sizeof(block));
	wg_secret_wipe(inner, sizeof(inner));
}

void wg_kdf(uint8_t *t1, uint8_t *t2, uint8_t *t3, const uint8_t key[WG_BLAKE2S_HASH_LEN],
	    const void *input, size_t inlen)
{
	uint8_t secret[WG_BLAKE2S_HASH_LEN];
	uint8_t output[WG_BLAKE2S_HASH_LEN + 1];

	/* Extract: the secret is HMAC(key, input). */
	wg_hmac_blake2s(secret, key, WG_BLAKE2S_HASH_LEN, input, inlen);
	if (!t1)
		goto out;

	/* Expand: t1 = HMAC(secret, 0x1). */
	output[0] = 1;
	wg_hmac_blake2s(output, secret, sizeof(secret), output, 1);
	memcpy(t1, output, WG_BLAKE2S_HASH_LEN);
	if (!t2)
		goto out;

	/* t2 = HMAC(secret, t1 || 0x2). */
	output[WG_BLAKE2S_HASH_LEN] = 2;
	wg_hmac_blake2s(output, secret, sizeof(secret), output, sizeof(output));
	memcpy(t2, output, WG_BLAKE2S_HASH_LEN);
	if (!t3)
		goto out;

	/* t3 = HMAC(secret, t2 || 0x3). */
	output[WG_BLAKE2S_HASH_LEN] = 3;
	wg_hmac_blake2s(output, secret, sizeof(secret), output, sizeof(output));
	memcpy(t3, output, WG_BLAKE2S_HASH_LEN);
out:
	wg_secret_wipe(secret, sizeof(secret));
	wg_secret_wipe(output, sizeof(output));
}
