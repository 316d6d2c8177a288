/* BLAKE2s (RFC 7693): the hash of WireGuard, plain and keyed. */
#ifndef WG_CRYPTO_BLAKE2S_H
#define WG_CRYPTO_BLAKE2S_H

#include <stddef.h>
#include <stdint.h>

enum wg_blake2s_lengths {
	WG_BLAKE2S_BLOCK_LEN = 64,
	WG_BLAKE2S_HASH_LEN = 32,
	WG_BLAKE2S_KEY_LEN = 32,
};

struct wg_blake2s_state {
	uint32_t h[8];
	uint32_t t[2];
	uint32_t f[2];
	uint8_t buf[WG_BLAKE2S_BLOCK_LEN];
	size_t buflen;
	size_t outlen;
};

/* outlen is 1..32 and enters the parameter block: a 16-byte keyed MAC is not a truncated 32-byte one. */
void wg_blake2s_init(struct wg_blake2s_state *state, size_t outlen);
void wg_blake2s_init_key(struct wg_blake2s_state *state, size_t outlen, const void *key, size_t keylen);
void wg_blake2s_update(struct wg_blake2s_state *state, const void *in, size_t inlen);
/* Writes outlen bytes and wipes the state. */
void wg_blake2s_final(struct wg_blake2s_state *state, uint8_t *out);

/* One call: keylen 0 for the plain hash. */
void wg_blake2s(uint8_t *out, size_t outlen, const void *in, size_t inlen, const void *key, size_t keylen);

#endif
