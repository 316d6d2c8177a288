/*
 * A fast keyed random stream: ChaCha20 under a key from the system's randomness, taken from a
 * buffer refilled a block of bytes at a time. For bytes that must look random to an observer
 * but protect nothing (obfuscation's prefixes, junk and type values): one refill serves a few
 * hundred packets, where a getrandom() per packet would be a system call each.
 */
#ifndef WG_CRYPTO_KEYSTREAM_H
#define WG_CRYPTO_KEYSTREAM_H

#include <stddef.h>
#include <stdint.h>

enum { WG_KEYSTREAM_KEY_LEN = 32, WG_KEYSTREAM_BUFFER = 4096 };

struct wg_keystream {
	void *cipher;                         /* OpenSSL's ChaCha20 context, keyed at init */
	size_t used;                          /* bytes of buf already handed out */
	uint8_t buf[WG_KEYSTREAM_BUFFER];     /* keystream not yet handed out: buf[used..] */
};

/* 0, or -ENOMEM when OpenSSL cannot make the context. The key is copied and may be wiped. */
int wg_keystream_init(struct wg_keystream *ks, const uint8_t key[WG_KEYSTREAM_KEY_LEN]);
void wg_keystream_free(struct wg_keystream *ks);
void wg_keystream_fill(struct wg_keystream *ks, void *out, size_t len);
/* Uniform in [lo, hi] (inclusive; lo <= hi). */
uint32_t wg_keystream_between(struct wg_keystream *ks, uint32_t lo, uint32_t hi);

#endif
