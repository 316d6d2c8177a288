/* HMAC-BLAKE2s and the WireGuard KDF against the independent Python reference (vectors/wgref.py). */
#include <stdio.h>

#include "crypto/kdf.h"
#include "harness.h"

static uint8_t key[32], input[64];
static size_t inlen;

static void load(void)
{
	test_vector(key, sizeof(key), "wgref.txt", "kat_key");
	inlen = test_vector(input, sizeof(input), "wgref.txt", "kat_input");
}

TEST(hmac_blake2s_known_answers)
{
	uint8_t out[32], want[32];

	load();
	wg_hmac_blake2s(out, key, 32, input, inlen);
	test_vector(want, 32, "wgref.txt", "kat_hmac_input");
	CHECK_MEM(out, want, 32);
	wg_hmac_blake2s(out, key, 32, "", 0);
	test_vector(want, 32, "wgref.txt", "kat_hmac_empty");
	CHECK_MEM(out, want, 32);
}

static void check_kdf(const char *which, const uint8_t *in, size_t len)
{
	uint8_t t[3][32], want[32];
	char name[64];

	for (int n = 1; n <= 3; ++n) {
		wg_kdf(t[0], n >= 2 ? t[1] : NULL, n >= 3 ? t[2] : NULL, key, in, len);
		for (int i = 0; i < n; ++i) {
			snprintf(name, sizeof(name), "kat_kdf%d_%s_t%d", n, which, i + 1);
			test_vector(want, 32, "wgref.txt", name);
			CHECK_MEM(t[i], want, 32);
		}
	}
}

TEST(kdf_known_answers)
{
	load();
	check_kdf("input", input, inlen);
	check_kdf("empty", NULL, 0);
}

/* The chaining key is often both the KDF's key and its first output. */
TEST(kdf_output_may_alias_key)
{
	uint8_t ck[32], t2[32], want1[32], want2[32];

	load();
	for (int i = 0; i < 32; ++i)
		ck[i] = key[i];
	wg_kdf(ck, t2, NULL, ck, input, inlen);
	test_vector(want1, 32, "wgref.txt", "kat_kdf2_input_t1");
	test_vector(want2, 32, "wgref.txt", "kat_kdf2_input_t2");
	CHECK_MEM(ck, want1, 32);
	CHECK_MEM(t2, want2, 32);
}
