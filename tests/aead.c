/* ChaCha20-Poly1305 over OpenSSL: RFC 8439 vectors and every way a forgery must fail. */
#include <string.h>

#include "crypto/aead.h"
#include "crypto/secret.h"
#include "harness.h"

static const char sunscreen[] = "Ladies and Gentlemen of the class of '99: If I could offer you only "
				"one tip for the future, sunscreen would be it.";

struct rfc8439 {
	uint8_t key[32], nonce[12], ad[12], ct[114 + 16];
	size_t len;
};

/* RFC 8439 section 2.8.2. */
static void rfc8439_2_8_2(struct rfc8439 *v)
{
	test_unhex(v->key, 32, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
	test_unhex(v->nonce, 12, "070000004041424344454647");
	test_unhex(v->ad, 12, "50515253c0c1c2c3c4c5c6c7");
	test_unhex(v->ct, sizeof(v->ct),
		   "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
		   "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
		   "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
		   "3ff4def08e4b7a9de576d26586cec64b6116"
		   "1ae10b594f09e26a7e902ecbd0600691");
	v->len = strlen(sunscreen);
}

TEST(aead_rfc8439_seal_and_open)
{
	struct rfc8439 v;
	uint8_t out[sizeof(v.ct)], back[sizeof(v.ct)];

	rfc8439_2_8_2(&v);
	CHECK_EQ(v.len, 114);
	CHECK_EQ(wg_aead_seal_once(out, (const uint8_t *)sunscreen, v.len, v.ad, 12, v.nonce, v.key), 0);
	CHECK_MEM(out, v.ct, v.len + 16);
	CHECK_EQ(wg_aead_open_once(back, v.ct, v.len, v.ad, 12, v.nonce, v.key), 0);
	CHECK_MEM(back, sunscreen, v.len);
}

/* The data path's form: a pre-keyed context, in place, reused for many nonces. */
TEST(aead_prekeyed_in_place_round_trip)
{
	struct wg_aead_key tx = { 0 }, rx = { 0 };
	uint8_t raw[32] = { 9 }, nonce[12], buf[1500 + 16], orig[1500];

	CHECK_EQ(wg_aead_key_init(&tx, raw, true), 0);
	CHECK_EQ(wg_aead_key_init(&rx, raw, false), 0);
	for (uint64_t counter = 0; counter < 50; ++counter) {
		size_t len = (size_t)(counter * 29 % 1500);

		for (size_t i = 0; i < len; ++i)
			orig[i] = buf[i] = (uint8_t)(i ^ counter);
		wg_aead_nonce(nonce, counter);
		CHECK_EQ(wg_aead_seal(&tx, buf, buf, len, NULL, 0, nonce), 0);
		CHECK_EQ(wg_aead_open(&rx, buf, buf, len, NULL, 0, nonce), 0);
		CHECK_MEM(buf, orig, len);
	}
	/* A context keyed for one direction refuses the other. */
	CHECK(wg_aead_seal(&rx, buf, buf, 0, NULL, 0, nonce) < 0);
	wg_aead_key_clear(&tx);
	wg_aead_key_clear(&rx);
	CHECK(tx.ctx == NULL && rx.ctx == NULL);
}

TEST(aead_nonce_is_zero_prefix_then_le_counter)
{
	uint8_t nonce[12], want[12];

	test_unhex(want, 12, "000000000807060504030201");
	wg_aead_nonce(nonce, 0x0102030405060708ull);
	CHECK_MEM(nonce, want, 12);
}

/* A failed open must leave no unauthenticated plaintext behind. */
static void check_rejected(const uint8_t *ct, size_t len, const uint8_t *ad, size_t adlen, struct rfc8439 *v)
{
	uint8_t out[sizeof(v->ct)];

	memset(out, 0xaa, sizeof(out));
	CHECK(wg_aead_open_once(out, ct, len, ad, adlen, v->nonce, v->key) < 0);
	CHECK(wg_secret_is_zero(out, len));
}

TEST(aead_forgeries_rejected_and_output_wiped)
{
	struct rfc8439 v;
	uint8_t bad[sizeof(v.ct)];

	rfc8439_2_8_2(&v);
	/* Forged tag. */
	memcpy(bad, v.ct, sizeof(bad));
	bad[v.len + 3] ^= 1;
	check_rejected(bad, v.len, v.ad, 12, &v);
	/* Flipped ciphertext bit. */
	memcpy(bad, v.ct, sizeof(bad));
	bad[17] ^= 0x80;
	check_rejected(bad, v.len, v.ad, 12, &v);
	/* Different associated data. */
	memcpy(bad, v.ct, sizeof(bad));
	bad[0] = v.ad[0] ^ 1;
	check_rejected(v.ct, v.len, bad, 1, &v);
	/* Missing tag: the last 16 bytes of ciphertext read as a tag. */
	check_rejected(v.ct, v.len - 16, v.ad, 12, &v);
	/* An all-zero tag is not "no tag". */
	memcpy(bad, v.ct, sizeof(bad));
	memset(bad + v.len, 0, 16);
	check_rejected(bad, v.len, v.ad, 12, &v);
}

TEST(aead_empty_plaintext_authenticates)
{
	uint8_t key[32] = { 3 }, nonce[12] = { 0 }, tag[16];

	CHECK_EQ(wg_aead_seal_once(tag, NULL, 0, (const uint8_t *)"h", 1, nonce, key), 0);
	CHECK_EQ(wg_aead_open_once(NULL, tag, 0, (const uint8_t *)"h", 1, nonce, key), 0);
	tag[0] ^= 1;
	CHECK(wg_aead_open_once(NULL, tag, 0, (const uint8_t *)"h", 1, nonce, key) < 0);
}
