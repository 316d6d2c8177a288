/*
 * ChaCha20-Poly1305 (RFC 8439) over OpenSSL libcrypto.
 *
 * A wg_aead_key holds one pre-keyed OpenSSL context for one direction: the data path only
 * re-initialises the nonce. A context is not thread-safe: one key per keypair, direction and
 * thread. The one-shot functions take a raw key for handshake messages, which are rare.
 */
#ifndef WG_CRYPTO_AEAD_H
#define WG_CRYPTO_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wg_aead_lengths {
	WG_AEAD_KEY_LEN = 32,
	WG_AEAD_NONCE_LEN = 12,
	WG_AEAD_TAG_LEN = 16,
};

struct wg_aead_key {
	void *ctx; /* the provider's cipher context, keyed; NULL when no key is set */
	bool encrypting;
};

/* WireGuard's nonce: 32 zero bits then the 64-bit message counter, little-endian. */
void wg_aead_nonce(uint8_t nonce[WG_AEAD_NONCE_LEN], uint64_t counter);

/* Keys a context for one direction. 0, -ENOMEM, -EIO, or -ENOSYS when OpenSSL has no
 * ChaCha20-Poly1305. The caller may wipe its copy of key after. */
int wg_aead_key_init(struct wg_aead_key *key, const uint8_t raw[WG_AEAD_KEY_LEN], bool encrypting);
/* Frees the context; OpenSSL wipes the key schedule it held. Safe on a cleared key. */
void wg_aead_key_clear(struct wg_aead_key *key);

/* dst receives len bytes of ciphertext and then the tag; dst may equal src. 0 or -EIO. */
int wg_aead_seal(const struct wg_aead_key *key, uint8_t *dst, const uint8_t *src, size_t len,
		 const uint8_t *ad, size_t adlen, const uint8_t nonce[WG_AEAD_NONCE_LEN]);
/*
 * src holds len bytes of ciphertext followed by the tag; dst receives len bytes, and is
 * wiped when the tag does not verify (OpenSSL writes plaintext before checking). 0 or -EBADMSG.
 */
int wg_aead_open(const struct wg_aead_key *key, uint8_t *dst, const uint8_t *src, size_t len,
		 const uint8_t *ad, size_t adlen, const uint8_t nonce[WG_AEAD_NONCE_LEN]);

int wg_aead_seal_once(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		      const uint8_t nonce[WG_AEAD_NONCE_LEN], const uint8_t raw[WG_AEAD_KEY_LEN]);
int wg_aead_open_once(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		      const uint8_t nonce[WG_AEAD_NONCE_LEN], const uint8_t raw[WG_AEAD_KEY_LEN]);

#endif
