/* HChaCha20 and XChaCha20-Poly1305: draft-irtf-cfrg-xchacha-03 sections 2.2.1 and A.3.1. */
#include <string.h>

#include "crypto/secret.h"
#include "crypto/xaead.h"
#include "harness.h"

TEST(hchacha20_draft_2_2_1)
{
	uint8_t key[32], nonce[16], out[32], want[32];

	for (int i = 0; i < 32; ++i)
		key[i] = (uint8_t)i;
	test_unhex(nonce, 16, "000000090000004a0000000031415927");
	test_unhex(want, 32, "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc");
	wg_hchacha20(out, nonce, key);
	CHECK_MEM(out, want, 32);
}

TEST(xchacha20_poly1305_draft_a_3_1)
{
	static const char pt[] = "Ladies and Gentlemen of the class of '99: If I could offer you only "
				 "one tip for the future, sunscreen would be it.";
	uint8_t key[32], iv[24], ad[12], want[114 + 16], out[114 + 16], back[114];
	size_t len = strlen(pt);

	for (int i = 0; i < 32; ++i)
		key[i] = (uint8_t)(0x80 + i);
	for (int i = 0; i < 24; ++i)
		iv[i] = (uint8_t)(0x40 + i);
	test_unhex(ad, 12, "50515253c0c1c2c3c4c5c6c7");
	test_unhex(want, sizeof(want),
		   "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
		   "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
		   "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
		   "21f9664c97637da9768812f615c68b13b52e"
		   "c0875924c1c7987947deafd8780acf49");
	CHECK_EQ(wg_xaead_seal(out, (const uint8_t *)pt, len, ad, 12, iv, key), 0);
	CHECK_MEM(out, want, len + 16);
	CHECK_EQ(wg_xaead_open(back, want, len, ad, 12, iv, key), 0);
	CHECK_MEM(back, pt, len);

	/* A wrong nonce byte in the HChaCha20 half changes the subkey: rejected, output wiped. */
	iv[3] ^= 1;
	memset(back, 0x55, sizeof(back));
	CHECK(wg_xaead_open(back, want, len, ad, 12, iv, key) < 0);
	CHECK(wg_secret_is_zero(back, len));
}
