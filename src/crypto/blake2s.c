/* BLAKE2s as specified by RFC 7693, written for clarity: WireGuard hashes only short inputs. */
#include "crypto/blake2s.h"

#include <string.h>

#include "crypto/secret.h"

static const uint32_t blake2s_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static const uint8_t blake2s_sigma[10][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
};

static inline uint32_t ror32(uint32_t w, unsigned c)
{
	return (w >> c) | (w << (32 - c));
}

static inline uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define G(a, b, c, d, x, y) do {                 \
		a += b + (x); d = ror32(d ^ a, 16); \
		c += d; b = ror32(b ^ c, 12);       \
		a += b + (y); d = ror32(d ^ a, 8);  \
		c += d; b = ror32(b ^ c, 7);        \
	} while (0)

static void compress(struct wg_blake2s_state *state, const uint8_t block[WG_BLAKE2S_BLOCK_LEN])
{
	uint32_t m[16], v[16];

	for (int i = 0; i < 16; ++i)
		m[i] = load_le32(block + 4 * i);
	memcpy(v, state->h, sizeof(state->h));
	memcpy(v + 8, blake2s_iv, sizeof(blake2s_iv));
	v[12] ^= state->t[0];
	v[13] ^= state->t[1];
	v[14] ^= state->f[0];
	v[15] ^= state->f[1];
	for (int r = 0; r < 10; ++r) {
		const uint8_t *s = blake2s_sigma[r];

		G(v[0], v[4], v[8], v[12], m[s[0]], m[s[1]]);
		G(v[1], v[5], v[9], v[13], m[s[2]], m[s[3]]);
		G(v[2], v[6], v[10], v[14], m[s[4]], m[s[5]]);
		G(v[3], v[7], v[11], v[15], m[s[6]], m[s[7]]);
		G(v[0], v[5], v[10], v[15], m[s[8]], m[s[9]]);
		G(v[1], v[6], v[11], v[12], m[s[10]], m[s[11]]);
		G(v[2], v[7], v[8], v[13], m[s[12]], m[s[13]]);
		G(v[3], v[4], v[9], v[14], m[s[14]], m[s[15]]);
	}
	for (int i = 0; i < 8; ++i)
		state->h[i] ^= v[i] ^ v[i + 8];
	wg_secret_wipe(m, sizeof(m));
	wg_secret_wipe(v, sizeof(v));
}

static void increment_counter(struct wg_blake2s_state *state, uint32_t inc)
{
	state->t[0] += inc;
	state->t[1] += state->t[0] < inc;
}

void wg_blake2s_init(struct wg_blake2s_state *state, size_t outlen)
{
	wg_blake2s_init_key(state, outlen, NULL, 0);
}

void wg_blake2s_init_key(struct wg_blake2s_state *state, size_t outlen, const void *key, size_t keylen)
{
	memset(state, 0, sizeof(*state));
	memcpy(state->h, blake2s_iv, sizeof(state->h));
	/* Parameter block: digest length, key length, fanout 1, depth 1. */
	state->h[0] ^= 0x01010000u ^ (uint32_t)(keylen << 8) ^ (uint32_t)outlen;
	state->outlen = outlen;
	if (keylen) {
		/* The key is the first block on its own, zero padded. */
		memcpy(state->buf, key, keylen);
		state->buflen = WG_BLAKE2S_BLOCK_LEN;
	}
}

void wg_blake2s_update(struct wg_blake2s_state *state, const void *in, size_t inlen)
{
	const uint8_t *p = in;

	while (inlen) {
		/* A full buffer is compressed only once more input arrives: the last block is special. */
		if (state->buflen == WG_BLAKE2S_BLOCK_LEN) {
			increment_counter(state, WG_BLAKE2S_BLOCK_LEN);
			compress(state, state->buf);
			state->buflen = 0;
		}
		size_t take = WG_BLAKE2S_BLOCK_LEN - state->buflen;
		if (take > inlen)
			take = inlen;
		memcpy(state->buf + state->buflen, p, take);
		state->buflen += take;
		p += take;
		inlen -= take;
	}
}

void wg_blake2s_final(struct wg_blake2s_state *state, uint8_t *out)
{
	uint8_t full[WG_BLAKE2S_HASH_LEN];

	increment_counter(state, (uint32_t)state->buflen);
	memset(state->buf + state->buflen, 0, WG_BLAKE2S_BLOCK_LEN - state->buflen);
	state->f[0] = 0xffffffffu;
	compress(state, state->buf);
	for (int i = 0; i < 8; ++i) {
		full[4 * i + 0] = (uint8_t)(state->h[i]);
		full[4 * i + 1] = (uint8_t)(state->h[i] >> 8);
		full[4 * i + 2] = (uint8_t)(state->h[i] >> 16);
		full[4 * i + 3] = (uint8_t)(state->h[i] >> 24);
	}
	memcpy(out, full, state->outlen);
	wg_secret_wipe(full, sizeof(full));
	wg_secret_wipe(state, sizeof(*state));
}

void wg_blake2s(uint8_t *out, size_t outlen, const void *in, size_t inlen, const void *key, size_t keylen)
{
	struct wg_blake2s_state state;

	wg_blake2s_init_key(&state, outlen, key, keylen);
	wg_blake2s_update(&state, in, inlen);
	wg_blake2s_final(&state, out);
}
