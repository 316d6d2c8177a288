/* The keyed random stream over OpenSSL's ChaCha20: the keystream is the encryption of zeros. */
#include "crypto/keystream.h"

#include <errno.h>
#include <string.h>
#include <openssl/evp.h>

#include "crypto/secret.h"

static void refill(struct wg_keystream *ks)
{
	int n = 0;

	memset(ks->buf, 0, sizeof(ks->buf));
	/* ChaCha20 cannot fail to encrypt once keyed; zeros stay zeros if it ever did. */
	EVP_EncryptUpdate(ks->cipher, ks->buf, &n, ks->buf, (int)sizeof(ks->buf));
	ks->used = 0;
}

int wg_keystream_init(struct wg_keystream *ks, const uint8_t key[WG_KEYSTREAM_KEY_LEN])
{
	/* OpenSSL's 16-byte IV: a 32-bit block counter and a 96-bit nonce, all zero for a fresh key. */
	static const uint8_t iv[16];

	memset(ks, 0, sizeof(*ks));
	ks->cipher = EVP_CIPHER_CTX_new();
	if (!ks->cipher || EVP_EncryptInit_ex(ks->cipher, EVP_chacha20(), NULL, key, iv) != 1) {
		EVP_CIPHER_CTX_free(ks->cipher);
		ks->cipher = NULL;
		return -ENOMEM;
	}
	refill(ks);
	return 0;
}

void wg_keystream_free(struct wg_keystream *ks)
{
	EVP_CIPHER_CTX_free(ks->cipher);
	wg_secret_wipe(ks, sizeof(*ks));
}

void wg_keystream_fill(struct wg_keystream *ks, void *out, size_t len)
{
	uint8_t *p = out;

	while (len) {
		size_t n = sizeof(ks->buf) - ks->used;

		if (!n) {
			refill(ks);
			continue;
		}
		if (n > len)
			n = len;
		memcpy(p, ks->buf + ks->used, n);
		ks->used += n;
		p += n;
		len -= n;
	}
}

/* Lemire's multiply-shift with rejection: no modulo bias, and almost never a second draw. */
uint32_t wg_keystream_between(struct wg_keystream *ks, uint32_t lo, uint32_t hi)
{
	uint64_t span = (uint64_t)hi - lo + 1, product;
	uint32_t x;

	if (span == 1ull << 32) {
		wg_keystream_fill(ks, &x, sizeof(x));
		return x;
	}
	for (;;) {
		wg_keystream_fill(ks, &x, sizeof(x));
		product = (uint64_t)x * span;
		if ((uint32_t)product >= (uint32_t)((1ull << 32) % span))
			return lo + (uint32_t)(product >> 32);
	}
}
