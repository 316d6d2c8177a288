/* The public key helpers: the core's constant-time encodings and OpenSSL's X25519. */
#include <errno.h>
#include <sys/random.h>

#include "core/key.h"
#include "crypto/secret.h"
#include "crypto/x25519.h"
#include "libwgc/api.h"

WGC_EXPORT int wgc_api_version(void)
{
	return WGC_API_VERSION;
}

WGC_EXPORT int wgc_key_generate_preshared(uint8_t key[WGC_KEY_LEN])
{
	size_t got = 0;

	if (!key)
		return -EINVAL;
	while (got < WGC_KEY_LEN) {
		ssize_t n = getrandom(key + got, WGC_KEY_LEN - got, 0);

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			got += (size_t)n;
	}
	return 0;
}

WGC_EXPORT int wgc_key_generate(uint8_t private_key[WGC_KEY_LEN])
{
	int ret = wgc_key_generate_preshared(private_key);

	if (!ret)
		wg_x25519_clamp(private_key);
	return ret;
}

WGC_EXPORT int wgc_key_public(uint8_t public_key[WGC_KEY_LEN], const uint8_t private_key[WGC_KEY_LEN])
{
	if (!public_key || !private_key || wg_secret_is_zero(private_key, WGC_KEY_LEN))
		return -EINVAL;
	return wg_x25519_public(public_key, private_key) ? 0 : -EINVAL;
}

WGC_EXPORT void wgc_key_to_base64(char text[WGC_KEY_BASE64_LEN + 1], const uint8_t key[WGC_KEY_LEN])
{
	if (text && key)
		wg_key_to_base64(text, key);
}

WGC_EXPORT int wgc_key_from_base64(uint8_t key[WGC_KEY_LEN], const char *text)
{
	if (!key || !text)
		return -EINVAL;
	return wg_key_from_base64(key, text) ? 0 : -EINVAL;
}

WGC_EXPORT bool wgc_key_equal(const uint8_t a[WGC_KEY_LEN], const uint8_t b[WGC_KEY_LEN])
{
	return a && b && wg_secret_equal(a, b, WGC_KEY_LEN);
}

WGC_EXPORT void wgc_wipe(void *secret, size_t len)
{
	if (secret)
		wg_secret_wipe(secret, len);
}
