/* XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha): the cookie reply's cipher, 24-byte nonces. */
#ifndef WG_CRYPTO_XAEAD_H
#define WG_CRYPTO_XAEAD_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/aead.h"

enum wg_xaead_lengths {
	WG_XAEAD_NONCE_LEN = 24,
	WG_HCHACHA20_NONCE_LEN = 16,
};

/* HChaCha20: 32-byte subkey from a key and the first 16 bytes of an extended nonce. */
void wg_hchacha20(uint8_t out[WG_AEAD_KEY_LEN], const uint8_t nonce[WG_HCHACHA20_NONCE_LEN],
		  const uint8_t key[WG_AEAD_KEY_LEN]);

/* Same contracts as wg_aead_seal_once / wg_aead_open_once, with a 24-byte nonce. */
int wg_xaead_seal(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		  const uint8_t nonce[WG_XAEAD_NONCE_LEN], const uint8_t key[WG_AEAD_KEY_LEN]);
int wg_xaead_open(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		  const uint8_t nonce[WG_XAEAD_NONCE_LEN], const uint8_t key[WG_AEAD_KEY_LEN]);

#endif
