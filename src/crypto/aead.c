/* ChaCha20-Poly1305 over OpenSSL 3, with the pitfalls of its API handled in one place. */
#include "crypto/aead.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "crypto/secret.h"

/*
 * The per-packet calls go straight to the provider's ChaCha20-Poly1305 functions, found once
 * through the public provider interface (provider-cipher(7)). EVP's own wrappers re-check the
 * IV length and translate the tag's ctrl into parameters on every packet: a string compare
 * hunt that cost about a tenth of a full-sized packet's encryption and half of a small one's.
 * The provider's functions are the ones EVP would call, with the same checks of their own.
 */
struct chacha20_poly1305 {
	void *provctx;
	OSSL_FUNC_cipher_newctx_fn *newctx;
	OSSL_FUNC_cipher_freectx_fn *freectx;
	OSSL_FUNC_cipher_encrypt_init_fn *encrypt_init;
	OSSL_FUNC_cipher_decrypt_init_fn *decrypt_init;
	OSSL_FUNC_cipher_update_fn *update;
	OSSL_FUNC_cipher_final_fn *final;
	OSSL_FUNC_cipher_get_ctx_params_fn *get_ctx_params;
	OSSL_FUNC_cipher_set_ctx_params_fn *set_ctx_params;
};

static struct chacha20_poly1305 impl;
static bool impl_found;
static EVP_CIPHER *fetched; /* held for the process: it keeps the provider loaded */
static pthread_once_t find_once = PTHREAD_ONCE_INIT;

static void take_functions(const OSSL_DISPATCH *fn)
{
	for (; fn->function_id; ++fn) {
		switch (fn->function_id) {
		case OSSL_FUNC_CIPHER_NEWCTX: impl.newctx = OSSL_FUNC_cipher_newctx(fn); break;
		case OSSL_FUNC_CIPHER_FREECTX: impl.freectx = OSSL_FUNC_cipher_freectx(fn); break;
		case OSSL_FUNC_CIPHER_ENCRYPT_INIT: impl.encrypt_init = OSSL_FUNC_cipher_encrypt_init(fn); break;
		case OSSL_FUNC_CIPHER_DECRYPT_INIT: impl.decrypt_init = OSSL_FUNC_cipher_decrypt_init(fn); break;
		case OSSL_FUNC_CIPHER_UPDATE: impl.update = OSSL_FUNC_cipher_update(fn); break;
		case OSSL_FUNC_CIPHER_FINAL: impl.final = OSSL_FUNC_cipher_final(fn); break;
		case OSSL_FUNC_CIPHER_GET_CTX_PARAMS: impl.get_ctx_params = OSSL_FUNC_cipher_get_ctx_params(fn); break;
		case OSSL_FUNC_CIPHER_SET_CTX_PARAMS: impl.set_ctx_params = OSSL_FUNC_cipher_set_ctx_params(fn); break;
		}
	}
}

/* Whether a provider's list of names ("A:B:C") has "ChaCha20-Poly1305", in any case. */
static bool names_chacha20_poly1305(const char *names)
{
	static const char name[] = "ChaCha20-Poly1305";
	const size_t len = sizeof(name) - 1;

	for (const char *p = names; p; p = strchr(p, ':'), p = p ? p + 1 : NULL)
		if (!strncasecmp(p, name, len) && (!p[len] || p[len] == ':'))
			return true;
	return false;
}

/* The provider EVP would use, and its implementation. */
static void find_impl(void)
{
	OSSL_PROVIDER *provider;
	const OSSL_ALGORITHM *alg, *all;
	int no_cache = 0;

	fetched = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	provider = fetched ? (OSSL_PROVIDER *)EVP_CIPHER_get0_provider(fetched) : NULL;
	if (!provider || !(all = OSSL_PROVIDER_query_operation(provider, OSSL_OP_CIPHER, &no_cache)))
		return;
	for (alg = all; alg->algorithm_names; ++alg)
		if (names_chacha20_poly1305(alg->algorithm_names)) {
			take_functions(alg->implementation);
			break;
		}
	OSSL_PROVIDER_unquery_operation(provider, OSSL_OP_CIPHER, all);
	impl.provctx = OSSL_PROVIDER_get0_provider_ctx(provider);
	impl_found = impl.newctx && impl.freectx && impl.encrypt_init && impl.decrypt_init && impl.update &&
		     impl.final && impl.get_ctx_params && impl.set_ctx_params;
}

static const struct chacha20_poly1305 *chacha20_poly1305(void)
{
	pthread_once(&find_once, find_impl);
	return impl_found && fetched ? &impl : NULL;
}

void wg_aead_nonce(uint8_t nonce[WG_AEAD_NONCE_LEN], uint64_t counter)
{
	memset(nonce, 0, 4);
	for (int i = 0; i < 8; ++i)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

static int init(const struct wg_aead_key *key, const uint8_t *raw, const uint8_t *nonce)
{
	size_t keylen = raw ? WG_AEAD_KEY_LEN : 0, ivlen = nonce ? WG_AEAD_NONCE_LEN : 0;

	return key->encrypting ? impl.encrypt_init(key->ctx, raw, keylen, nonce, ivlen, NULL)
			       : impl.decrypt_init(key->ctx, raw, keylen, nonce, ivlen, NULL);
}

int wg_aead_key_init(struct wg_aead_key *key, const uint8_t raw[WG_AEAD_KEY_LEN], bool encrypting)
{
	if (!chacha20_poly1305())
		return -ENOSYS;
	if (!key->ctx)
		key->ctx = impl.newctx(impl.provctx);
	if (!key->ctx)
		return -ENOMEM;
	key->encrypting = encrypting;
	if (init(key, raw, NULL) != 1) {
		wg_aead_key_clear(key);
		return -EIO;
	}
	return 0;
}

void wg_aead_key_clear(struct wg_aead_key *key)
{
	/* The provider cleanses its context, key schedule included, before freeing it. */
	if (key->ctx)
		impl.freectx(key->ctx);
	key->ctx = NULL;
}

/* Associated data, then the text: the provider takes AAD as an update without output (and
 * checks the output size all the same). */
static bool update(void *ctx, uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *ad, size_t adlen)
{
	size_t outl;

	return (!adlen || impl.update(ctx, NULL, &outl, adlen, ad, adlen) == 1) &&
	       (!len || (impl.update(ctx, dst, &outl, len, src, len) == 1 && outl == len));
}

static int seal(const struct wg_aead_key *key, uint8_t *dst, const uint8_t *src, size_t len,
		const uint8_t *ad, size_t adlen, const uint8_t nonce[WG_AEAD_NONCE_LEN])
{
	OSSL_PARAM tag[] = { OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, dst + len, WG_AEAD_TAG_LEN),
			     OSSL_PARAM_END };
	size_t finl;

	if (len > INT_MAX - WG_AEAD_TAG_LEN || adlen > INT_MAX)
		return -EMSGSIZE;
	if (init(key, NULL, nonce) != 1 || !update(key->ctx, dst, src, len, ad, adlen) ||
	    impl.final(key->ctx, NULL, &finl, 0) != 1 || impl.get_ctx_params(key->ctx, tag) != 1)
		return -EIO;
	return 0;
}

static int open_(const struct wg_aead_key *key, uint8_t *dst, const uint8_t *src, size_t len,
		 const uint8_t *ad, size_t adlen, const uint8_t nonce[WG_AEAD_NONCE_LEN])
{
	OSSL_PARAM tag[] = { OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, (void *)(src + len), WG_AEAD_TAG_LEN),
			     OSSL_PARAM_END };
	size_t finl;

	if (len > INT_MAX || adlen > INT_MAX)
		return -EMSGSIZE;
	/* The tag is set before any data: OpenSSL 3.0's final accepts forged data when no tag
	 * was set at all. In place (dst == src) the tag after the ciphertext stays intact. */
	if (init(key, NULL, nonce) != 1 || impl.set_ctx_params(key->ctx, tag) != 1 ||
	    !update(key->ctx, dst, src, len, ad, adlen) || impl.final(key->ctx, NULL, &finl, 0) != 1) {
		/* The provider has already written unauthenticated plaintext: nobody may see it. */
		if (len)
			wg_secret_wipe(dst, len);
		return -EBADMSG;
	}
	return 0;
}

int wg_aead_seal(const struct wg_aead_key *key, uint8_t *dst, const uint8_t *src, size_t len,
		 const uint8_t *ad, size_t adlen, const uint8_t nonce[WG_AEAD_NONCE_LEN])
{
	if (!key->ctx || !key->encrypting)
		return -EINVAL;
	return seal(key, dst, src, len, ad, adlen, nonce);
}

int wg_aead_open(const struct wg_aead_key *key, uint8_t *dst, const uint8_t *src, size_t len,
		 const uint8_t *ad, size_t adlen, const uint8_t nonce[WG_AEAD_NONCE_LEN])
{
	if (!key->ctx || key->encrypting)
		return -EINVAL;
	return open_(key, dst, src, len, ad, adlen, nonce);
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
