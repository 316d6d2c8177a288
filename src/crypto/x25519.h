/*
 * X25519 (RFC 7748) over OpenSSL libcrypto.
 *
 * OpenSSL computes the public key whenever it builds a private key object, a full scalar
 * multiplication, so a private key is built once into a handle and reused for every DH.
 */
#ifndef WG_CRYPTO_X25519_H
#define WG_CRYPTO_X25519_H

#include <stdbool.h>
#include <stdint.h>

enum { WG_X25519_KEY_LEN = 32 };

struct wg_x25519_private {
	void *pkey;   /* EVP_PKEY holding the clamped secret; NULL when empty */
	/* EVP_PKEY_CTX ready for DH with it, made at the first DH and kept: making one costs a
	 * fifth of a DH (a method fetch under OpenSSL's global lock). A cache, so a handle is used
	 * by one thread at a time; another thread takes its own (wg_x25519_private_share). */
	void *derive;
};

/* RFC 7748 clamping, as every WireGuard private key is stored. */
void wg_x25519_clamp(uint8_t secret[WG_X25519_KEY_LEN]);

/*
 * Builds the handle from a secret (clamped by OpenSSL as it is used) and writes the public
 * key. 0, -EINVAL for an all-zero secret, or -ENOMEM. Replaces whatever the handle held.
 */
int wg_x25519_private_init(struct wg_x25519_private *key, uint8_t public_key[WG_X25519_KEY_LEN],
			   const uint8_t secret[WG_X25519_KEY_LEN]);
void wg_x25519_private_clear(struct wg_x25519_private *key);
/* Moves the key from src to dst (whose old key is cleared); src is left empty. */
void wg_x25519_private_move(struct wg_x25519_private *dst, struct wg_x25519_private *src);
/* Another handle on the same key (a reference, not a copy), for use on another thread: OpenSSL
 * keys are safe to share for DH. Each handle is cleared on its own. 0 or -EINVAL when empty. */
int wg_x25519_private_share(struct wg_x25519_private *dst, const struct wg_x25519_private *src);

/* The secret a handle holds, for a key log that asked for it: -EINVAL when empty. The caller
 * wipes it. */
int wg_x25519_private_secret(uint8_t secret[WG_X25519_KEY_LEN], const struct wg_x25519_private *key);

/* DH with a peer's public key. False when anything fails or the result is all zero,
 * i.e. the peer's key is a low-order point; out is then zero. */
bool wg_x25519_shared(uint8_t out[WG_X25519_KEY_LEN], const struct wg_x25519_private *key,
		      const uint8_t public_key[WG_X25519_KEY_LEN]);

/* One-shot forms for keys used once (tests, tools). */
bool wg_x25519(uint8_t out[WG_X25519_KEY_LEN], const uint8_t secret[WG_X25519_KEY_LEN],
	       const uint8_t public_key[WG_X25519_KEY_LEN]);
bool wg_x25519_public(uint8_t public_key[WG_X25519_KEY_LEN], const uint8_t secret[WG_X25519_KEY_LEN]);

#endif
