/* X25519 over OpenSSL: RFC 7748 sections 5.2 and 6.1, and low-order points refused. */
#include <stdio.h>
#include <string.h>

#include "crypto/x25519.h"
#include "harness.h"

static void check_scalarmult(const char *scalar, const char *u, const char *result)
{
	uint8_t k[32], pub[32], want[32], out[32];

	test_unhex(k, 32, scalar);
	test_unhex(pub, 32, u);
	test_unhex(want, 32, result);
	CHECK(wg_x25519(out, k, pub));
	CHECK_MEM(out, want, 32);
}

TEST(x25519_rfc7748_5_2)
{
	check_scalarmult("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
			 "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
			 "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	/* The u-coordinate's top bit is set: it must be masked, not rejected. */
	check_scalarmult("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
			 "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
			 "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
}

TEST(x25519_rfc7748_5_2_iterated)
{
	uint8_t k[32] = { 9 }, u[32] = { 9 }, r[32], want1[32], want1000[32];

	test_unhex(want1, 32, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
	test_unhex(want1000, 32, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
	for (int i = 1; i <= 1000; ++i) {
		CHECK(wg_x25519(r, k, u));
		memcpy(u, k, 32);
		memcpy(k, r, 32);
		if (i == 1)
			CHECK_MEM(k, want1, 32);
	}
	CHECK_MEM(k, want1000, 32);
}

TEST(x25519_rfc7748_6_1_diffie_hellman)
{
	uint8_t a[32], b[32], apub[32], bpub[32], want_a[32], want_b[32], want[32], s1[32], s2[32];
	struct wg_x25519_private alice = { 0 };

	test_unhex(a, 32, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	test_unhex(want_a, 32, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	test_unhex(b, 32, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	test_unhex(want_b, 32, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	test_unhex(want, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

	CHECK_EQ(wg_x25519_private_init(&alice, apub, a), 0);
	CHECK_MEM(apub, want_a, 32);
	CHECK(wg_x25519_public(bpub, b));
	CHECK_MEM(bpub, want_b, 32);
	/* The handle is reusable: two DHs from one prebuilt key. */
	CHECK(wg_x25519_shared(s1, &alice, bpub));
	CHECK(wg_x25519_shared(s2, &alice, bpub));
	CHECK(wg_x25519(s2, b, apub));
	CHECK_MEM(s1, want, 32);
	CHECK_MEM(s2, want, 32);
	wg_x25519_private_clear(&alice);
	CHECK(!wg_x25519_shared(s1, &alice, bpub));
}

/* The low-order points of Curve25519 and their non-canonical encodings (vectors/x25519-low-order.txt):
 * DH with any of them is all zero and must be refused, or a peer could force a known secret. */
TEST(x25519_low_order_points_rejected)
{
	uint8_t k[32] = { 0x11, 0x22 }, p[32], out[32];
	char name[16];

	for (int i = 0; i < 7; ++i) {
		snprintf(name, sizeof(name), "point%d", i);
		test_vector(p, 32, "x25519-low-order.txt", name);
		memset(out, 0xee, sizeof(out));
		CHECK(!wg_x25519(out, k, p));
		for (int j = 0; j < 32; ++j)
			CHECK_EQ(out[j], 0);
	}
}

TEST(x25519_zero_secret_refused_and_clamping)
{
	struct wg_x25519_private key = { 0 };
	uint8_t zero[32] = { 0 }, pub[32], s[32];

	CHECK(wg_x25519_private_init(&key, pub, zero) < 0);
	CHECK(key.pkey == NULL);
	memset(s, 0xff, 32);
	wg_x25519_clamp(s);
	CHECK_EQ(s[0], 0xf8);
	CHECK_EQ(s[31], 0x7f);
}
