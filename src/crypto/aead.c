/* ChaCha20-Poly1305 over OpenSSL 3 EVP, with the pitfalls of that API handled in one place. */
#include "crypto/aead.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <openssl/evp.h>

#include "crypto/secret.h"

static EVP_CIPHER *chacha20_poly1305;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

/* Fetched once for the process: an implicit fetch on every init is measurably slow. */
static void fetch_cipher(void)
{
	chacha20_poly1305 = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
}

static const EVP_CIPHER *cipher(void)
{
	pthread_once(&fetch_once, fetch_cipher);
	return chacha20_poly1305;
}

void wg_aead_nonce(uint8_t nonce[WG_AEAD_NONCE_LEN], uint64_t counter)
{
	memset(nonce, 0, 4);
	for (int i = 0; i < 8; ++i)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

int wg_aead_key_init(struct wg_aead_key *key, const uint8_t raw[WG_AEAD_KEY_LEN], bool encrypting)
{
	if (!cipher())
		return -ENOSYS;
	if (!key->ctx)
		key->ctx = EVP_CIPHER_CTX_new();
	if (!key->ctx)
		return -ENOMEM;
	key->encrypting = encrypting;
	if (EVP_CipherInit_ex(key->ctx, cipher(), NULL, raw, NULL, encrypting) != 1) {
		wg_aead_key_clear(key);
		return -EIO;
	}
	return 0;
}

void wg_aead_key_clear(struct wg_aead_key *key)
{
	/* EVP_CIPHER_CTX_free cleanses the provider's key material before freeing it. */
	EVP_CIPHER_CTX_free(key->ctx);
	key->ctx = NULL;
}

static int seal(EVP_CIPHER_CTX *ctx, uint8_t *dst, const uint8_t *src, size_t len,
		const uint8_t *ad, size_t adlen, const uint8_t nonce[WG_AEAD_NONCE_LEN])
{
	uint8_t none[WG_AEAD_TAG_LEN]; /* a stream AEAD's final writes no bytes */
	int outl = 0, finl = 0;

	if (len > INT_MAX - WG_AEAD_TAG_LEN || adlen > INT_MAX)
		return -EMSGSIZE;
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, 1) != 1 ||
	    (adlen && EVP_CipherUpdate(ctx, NULL, &outl, ad, (int)adlen) != 1) ||
	    (len && EVP_CipherUpdate(ctx, dst, &outl, src, (int)len) != 1) ||
	    EVP_CipherFinal_ex(ctx, none, &finl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, WG_AEAD_TAG_LEN, dst + len) != 1)
		return -EIO;
	return 0;
}

static int open_(EVP_CIPHER_CTX *ctx, uint8_t *dst, const uint8_t *src, size_t len,
		 const uint8_t *ad, size_t adlen, const uint8_t nonce[WG_AEAD_NONCE_LEN])
{
	uint8_t none[WG_AEAD_TAG_LEN];
	int outl = 0, finl = 0, ret = 0;

	if (len > INT_MAX || adlen > INT_MAX)
		return -EMSGSIZE;
	/* The tag is set before any data: OpenSSL 3.0's final accepts forged data when no tag
	 * was set at all. In place (dst == src) the tag after the ciphertext stays intact. */
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, 0) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, WG_AEAD_TAG_LEN, (void *)(src + len)) != 1 ||
	    (adlen && EVP_CipherUpdate(ctx, NULL, &outl, ad, (int)adlen) != 1) ||
	    (len && EVP_CipherUpdate(ctx, dst, &outl, src, (int)len) != 1) ||
	    EVP_CipherFinal_ex(ctx, none, &finl) != 1) {
		/* OpenSSL has already written unauthenticated plaintext: nobody may see it. */
		if (len)
			wg_secret_wipe(dst, len);
		ret = -EBADMSG;
	}
	return ret;
}

int wg_aead_seal(const struct wg_aead_key *key, uint8_t *dst, const uint8_t *src, size_t len,
		 const uint8_t *ad, size_t adlen, const uint8_t nonce[WG_AEAD_NONCE_LEN])
{
	if (!key->ctx || !key->encrypting)
		return -EINVAL;
	return seal(key->ctx, dst, src, len, ad, adlen, nonce);
}

int wg_aead_open(const struct wg_aead_key *key, uint8_t *dst, const uint8_t *src, size_t len,
		 const uint8_t *ad, size_t adlen, const uint8_t nonce[WG_AEAD_NONCE_LEN])
{
	if (!key->ctx || key->encrypting)
		return -EINVAL;
	return open_(key->ctx, dst, src, len, ad, adlen, nonce);
}

int wg_aead_seal_once(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		      const uint8_t nonce[WG_AEAD_NONCE_LEN], const uint8_t raw[WG_AEAD_KEY_LEN])
{
	struct wg_aead_key key = { 0 };
	int ret = wg_aead_key_init(&key, raw, true);

	if (!ret)
		ret = wg_aead_seal(&key, dst, src, len, ad, adlen, nonce);
	wg_aead_key_clear(&key);
	return ret;
}

int wg_aead_open_once(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen,
		      const uint8_t nonce[WG_AEAD_NONCE_LEN], const uint8_t raw[WG_AEAD_KEY_LEN])
{
	struct wg_aead_key key = { 0 };
	int ret = wg_aead_key_init(&key, raw, false);

	if (!ret)
		ret = wg_aead_open(&key, dst, src, len, ad, adlen, nonce);
	else if (len)
		wg_secret_wipe(dst, len);
	wg_aead_key_clear(&key);
	return ret;
}
