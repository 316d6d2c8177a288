/* X25519 through OpenSSL EVP_PKEY, with all-zero results refused. */
#include "crypto/x25519.h"

#include <errno.h>
#include <string.h>
#include <openssl/evp.h>

#include "crypto/secret.h"

void wg_x25519_clamp(uint8_t secret[WG_X25519_KEY_LEN])
{
	secret[0] &= 248;
	secret[31] = (secret[31] & 127) | 64;
}

int wg_x25519_private_init(struct wg_x25519_private *key, uint8_t public_key[WG_X25519_KEY_LEN],
			   const uint8_t secret[WG_X25519_KEY_LEN])
{
	size_t len = WG_X25519_KEY_LEN;
	EVP_PKEY *pkey;

	wg_x25519_private_clear(key);
	if (wg_secret_is_zero(secret, WG_X25519_KEY_LEN))
		return -EINVAL;
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, secret, WG_X25519_KEY_LEN);
	if (!pkey)
		return -ENOMEM;
	if (EVP_PKEY_get_raw_public_key(pkey, public_key, &len) != 1 || len != WG_X25519_KEY_LEN) {
		EVP_PKEY_free(pkey);
		return -EIO;
	}
	key->pkey = pkey;
	return 0;
}

void wg_x25519_private_clear(struct wg_x25519_private *key)
{
	/* OpenSSL frees the secret with OPENSSL_secure_clear_free, at its last reference (the
	 * context holds one). */
	EVP_PKEY_CTX_free(key->derive);
	EVP_PKEY_free(key->pkey);
	key->derive = NULL;
	key->pkey = NULL;
}

void wg_x25519_private_move(struct wg_x25519_private *dst, struct wg_x25519_private *src)
{
	wg_x25519_private_clear(dst);
	*dst = *src;
	src->pkey = src->derive = NULL;
}

int wg_x25519_private_secret(uint8_t secret[WG_X25519_KEY_LEN], const struct wg_x25519_private *key)
{
	size_t len = WG_X25519_KEY_LEN;

	if (!key->pkey || EVP_PKEY_get_raw_private_key(key->pkey, secret, &len) != 1 || len != WG_X25519_KEY_LEN) {
		wg_secret_wipe(secret, WG_X25519_KEY_LEN);
		return -EINVAL;
	}
	return 0;
}

int wg_x25519_private_share(struct wg_x25519_private *dst, const struct wg_x25519_private *src)
{
	dst->pkey = dst->derive = NULL;
	if (!src->pkey || EVP_PKEY_up_ref(src->pkey) != 1)
		return -EINVAL;
	dst->pkey = src->pkey;
	return 0;
}

/* The handle's DH context, made at its first use. The handle is const to its users: the
 * context is a cache that does not change which key it holds. */
static EVP_PKEY_CTX *derive_context(const struct wg_x25519_private *key)
{
	struct wg_x25519_private *cache = (struct wg_x25519_private *)key;
	EVP_PKEY_CTX *ctx;

	if (cache->derive || !key->pkey)
		return cache->derive;
	ctx = EVP_PKEY_CTX_new(key->pkey, NULL);
	if (ctx && EVP_PKEY_derive_init(ctx) != 1) {
		EVP_PKEY_CTX_free(ctx);
		ctx = NULL;
	}
	cache->derive = ctx;
	return ctx;
}

bool wg_x25519_shared(uint8_t out[WG_X25519_KEY_LEN], const struct wg_x25519_private *key,
		      const uint8_t public_key[WG_X25519_KEY_LEN])
{
	EVP_PKEY_CTX *ctx = derive_context(key);
	EVP_PKEY *peer = NULL;
	size_t len = WG_X25519_KEY_LEN;
	bool ok = false;

	memset(out, 0, WG_X25519_KEY_LEN);
	if (!ctx)
		goto out;
	peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, public_key, WG_X25519_KEY_LEN);
	if (!peer || EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) != 1 ||
	    EVP_PKEY_derive(ctx, out, &len) != 1 || len != WG_X25519_KEY_LEN)
		goto out;
	/* A low-order point yields zero; OpenSSL refuses it too, but that is not ours to assume. */
	ok = !wg_secret_is_zero(out, WG_X25519_KEY_LEN);
out:
	if (!ok)
		wg_secret_wipe(out, WG_X25519_KEY_LEN);
	EVP_PKEY_free(peer);
	return ok;
}

bool wg_x25519(uint8_t out[WG_X25519_KEY_LEN], const uint8_t secret[WG_X25519_KEY_LEN],
	       const uint8_t public_key[WG_X25519_KEY_LEN])
{
	struct wg_x25519_private key = { 0 };
	uint8_t ours[WG_X25519_KEY_LEN];
	bool ok = wg_x25519_private_init(&key, ours, secret) == 0 &&
		  wg_x25519_shared(out, &key, public_key);

	if (!ok)
		memset(out, 0, WG_X25519_KEY_LEN);
	wg_x25519_private_clear(&key);
	return ok;
}

bool wg_x25519_public(uint8_t public_key[WG_X25519_KEY_LEN], const uint8_t secret[WG_X25519_KEY_LEN])
{
	struct wg_x25519_private key = { 0 };
	bool ok = wg_x25519_private_init(&key, public_key, secret) == 0;

	wg_x25519_private_clear(&key);
	return ok;
}
