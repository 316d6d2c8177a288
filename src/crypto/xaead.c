/* XChaCha20-Poly1305: HChaCha20 derives a subkey, ChaCha20-Poly1305 does the rest. */
#include "crypto/xaead.h"

#include <string.h>

#include "crypto/secret.h"

static inline uint32_t rol32(uint32_t w, unsigned c)
{
	return (w << c) | (w >> (32 - c));
}

static inline uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void store_le32(uint8_t *p, uint32_t w)
{
	p[0] = (uint8_t)w;
	p[1] = (uint8_t)(w >> 8);
	p[2] = (uint8_t)(w >> 16);
	p[3] = (uint8_t)(w >> 24);
}

#define QUARTER_ROUND(a, b, c, d) do {                     \
		a += b; d = rol32(d ^ a, 16);                 \
		c += d; b = rol32(b ^ c, 12);                 \
		a += b; d = rol32(d ^ a, 8);                  \
		c += d; b = rol32(b ^ c, 7);                  \
	} while (0)

void wg_hchacha20(uint8_t out[WG_AEAD_KEY_LEN], const uint8_t nonce[WG_HCHACHA20_NONCE_LEN],
		  const uint8_t key[WG_AEAD_KEY_LEN])
{
	/* "expand 32-byte k" */
	uint32_t x[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };

	for (int i = 0; i < 8; ++i)
		x[4 + i] = load_le32(key + 4 * i);
	for (int i = 0; i < 4; ++i)
		x[12 + i] = load_le32(nonce + 4 * i);
	for (int i = 0; i < 10; ++i) {
		QUARTER_ROUND(x[0], x[4], x[8], x[12]);
		QUARTER_ROUND(x[1], x[5], x[9], x[13]);
		QUARTER_ROUND(x[2], x[6], x[10], x[14]);
		QUARTER_ROUND(x[3], x[7], x[11], x[15]);
		QUARTER_ROUND(x[0], x[5], x[10], x[15]);
		QUARTER_ROUND(x[1], x[6], x[11], x[12]);
		QUARTER_ROUND(x[2], x[7], x[8], x[13]);
		QUARTER_ROUND(x[3], x[4], x[9], x[14]);
	}
	/* No feed-forward: the first and last rows are the subkey. */
	for (int i = 0; i < 4; ++i) {
		store_le32(out + 4 * i, x[i]);
		store_le32(out + 16 + 4 * i, x[12 + i]);
	}
	wg_secret_wipe(x, sizeof(x));
}

/* The inner nonce is four zero bytes and the last 8 bytes of the extended nonce. */
static void derive(uint8_t subkey[WG_AEAD_KEY_LEN], uint8_t inner[WG_AEAD_NONCE_LEN],
		   const uint8_t nonce[WG_XAEAD_NONCE_LEN], const uint8_t key[WG_AEAD_KEY_LEN])
{
	wg_hchacha20(subkey, nonce, key);
	memset(inner, 0, 4);
	memcpy(inner + 4, nonce + WG_HCHACHA20_NONCE_LEN, 8);
}

int wg_xaead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		  const uint8_t nonce[WG_XAEAD_NONCE_LEN], const uint8_t key[WG_AEAD_KEY_LEN])
{
	uint8_t subkey[WG_AEAD_KEY_LEN], inner[WG_AEAD_NONCE_LEN];
	int ret;

	derive(subkey, inner, nonce, key);
	ret = wg_aead_seal_once(dst, src, len, ad, adlen, inner, subkey);
	wg_secret_wipe(subkey, sizeof(subkey));
	return ret;
}

int wg_xaead_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		  const uint8_t nonce[WG_XAEAD_NONCE_LEN], const uint8_t key[WG_AEAD_KEY_LEN])
{
	uint8_t subkey[WG_AEAD_KEY_LEN], inner[WG_AEAD_NONCE_LEN];
	int ret;

	derive(subkey, inner, nonce, key);
	ret = wg_aead_open_once(dst, src, len, ad, adlen, inner, subkey);
	wg_secret_wipe(subkey, sizeof(subkey));
	return ret;
}
