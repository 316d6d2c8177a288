/* BLAKE2s: RFC 7693 (Appendix B and the Appendix E self-test) and the official keyed KAT. */
#include <stdio.h>
#include <string.h>

#include "crypto/blake2s.h"
#include "harness.h"

TEST(blake2s_rfc7693_abc)
{
	uint8_t out[32], want[32];

	test_unhex(want, sizeof(want), "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	wg_blake2s(out, 32, "abc", 3, NULL, 0);
	CHECK_MEM(out, want, 32);
}

/* RFC 7693 Appendix E: a Fibonacci-like generator feeds every digest and input length. */
static void selftest_seq(uint8_t *out, size_t len, uint32_t seed)
{
	uint32_t a = 0xdead4badu * seed, b = 1, t;

	for (size_t i = 0; i < len; ++i) {
		t = a + b;
		a = b;
		b = t;
		out[i] = (uint8_t)(t >> 24);
	}
}

TEST(blake2s_rfc7693_selftest_grand_hash)
{
	static const size_t md_len[] = { 16, 20, 28, 32 };
	static const size_t in_len[] = { 0, 3, 64, 65, 255, 1024 };
	uint8_t in[1024], key[32], md[32], want[32];
	struct wg_blake2s_state grand;

	test_unhex(want, sizeof(want), "6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe");
	wg_blake2s_init(&grand, 32);
	for (size_t i = 0; i < 4; ++i) {
		for (size_t j = 0; j < 6; ++j) {
			selftest_seq(in, in_len[j], (uint32_t)in_len[j]);
			wg_blake2s(md, md_len[i], in, in_len[j], NULL, 0);
			wg_blake2s_update(&grand, md, md_len[i]);
			selftest_seq(key, md_len[i], (uint32_t)md_len[i]);
			wg_blake2s(md, md_len[i], in, in_len[j], key, md_len[i]);
			wg_blake2s_update(&grand, md, md_len[i]);
		}
	}
	wg_blake2s_final(&grand, md);
	CHECK_MEM(md, want, 32);
}

/* blake2s-kat.txt of the BLAKE2 reference: key 00..1f, input 00..n-1 for n = 0..255. */
TEST(blake2s_official_keyed_kat)
{
	uint8_t key[32], in[256], out[32], want[32];
	char name[16];

	for (int i = 0; i < 32; ++i)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 256; ++i)
		in[i] = (uint8_t)i;
	for (int n = 0; n < 256; ++n) {
		snprintf(name, sizeof(name), "kat%d", n);
		test_vector(want, sizeof(want), "blake2s-keyed-kat.txt", name);
		wg_blake2s(out, 32, in, (size_t)n, key, 32);
		CHECK_MEM(out, want, 32);
	}
}

/* Streaming in odd pieces must give the one-call answer, across block boundaries. */
TEST(blake2s_incremental_matches_one_call)
{
	uint8_t in[300], whole[32], pieces[32];
	struct wg_blake2s_state state;

	for (size_t i = 0; i < sizeof(in); ++i)
		in[i] = (uint8_t)(i * 7 + 3);
	for (size_t step = 1; step < 70; step += 3) {
		wg_blake2s(whole, 32, in, sizeof(in), "k", 1);
		wg_blake2s_init_key(&state, 32, "k", 1);
		for (size_t off = 0; off < sizeof(in); off += step)
			wg_blake2s_update(&state, in + off, off + step > sizeof(in) ? sizeof(in) - off : step);
		wg_blake2s_final(&state, pieces);
		CHECK_MEM(pieces, whole, 32);
	}
}

/* WireGuard's MAC is keyed BLAKE2s with a 16-byte digest: not the first half of the 32-byte one. */
TEST(blake2s_mac_is_not_truncated)
{
	uint8_t key[32] = { 1 }, mac16[16], full[32];

	wg_blake2s(mac16, 16, "message", 7, key, 32);
	wg_blake2s(full, 32, "message", 7, key, 32);
	CHECK(memcmp(mac16, full, 16) != 0);
}
