/* Key text forms: round trips, known encodings, and everything malformed refused. */
#include <string.h>

#include "core/key.h"
#include "harness.h"

TEST(key_hex_round_trip_and_case)
{
	uint8_t key[32], back[32];
	char hex[65];

	for (int i = 0; i < 32; ++i)
		key[i] = (uint8_t)(i * 37 + 1);
	wg_key_to_hex(hex, key);
	CHECK(!strcmp(hex, "01264b7095badf04294e7398bde2072c51769bc0e50a2f54799ec3e80d32577c"));
	CHECK(wg_key_from_hex(back, hex));
	CHECK_MEM(back, key, 32);
	CHECK(wg_key_from_hex(back, "01264B7095BADF04294E7398BDE2072C51769BC0E50A2F54799EC3E80D32577C"));
	CHECK_MEM(back, key, 32);
}

TEST(key_hex_rejects_malformed)
{
	uint8_t key[32];
	char hex[80];

	memset(hex, 'a', 64);
	hex[64] = '\0';
	CHECK(wg_key_from_hex(key, hex));
	for (const char *bad = "gG/:@`{ -"; *bad; ++bad) {
		hex[17] = *bad;
		CHECK(!wg_key_from_hex(key, hex));
	}
	hex[17] = 'a';
	hex[63] = '\0';
	CHECK(!wg_key_from_hex(key, hex));
	hex[63] = 'a';
	hex[64] = 'a';
	hex[65] = '\0';
	CHECK(!wg_key_from_hex(key, hex));
}

/* Known pair: the RFC 7748 Alice private key in the base64 form `wg` uses. */
TEST(key_base64_known_and_round_trip)
{
	uint8_t key[32], back[32];
	char b64[45];

	test_unhex(key, 32, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	wg_key_to_base64(b64, key);
	CHECK(!strcmp(b64, "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="));
	CHECK(wg_key_from_base64(back, b64));
	CHECK_MEM(back, key, 32);
	for (int round = 0; round < 256; ++round) {
		for (int i = 0; i < 32; ++i)
			key[i] = (uint8_t)(round * 31 + i * 7);
		wg_key_to_base64(b64, key);
		CHECK(wg_key_from_base64(back, b64));
		CHECK_MEM(back, key, 32);
	}
}

TEST(key_base64_rejects_malformed)
{
	uint8_t key[32];
	char b64[50];

	strcpy(b64, "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=");
	b64[5] = '-';
	CHECK(!wg_key_from_base64(key, b64));
	b64[5] = 'p';
	/* Non-canonical: the last character's spare bits set. */
	b64[42] = 'p';
	CHECK(!wg_key_from_base64(key, b64));
	b64[42] = 'o';
	b64[43] = 'A';
	CHECK(!wg_key_from_base64(key, b64));
	b64[43] = '=';
	b64[44] = '=';
	b64[45] = '\0';
	CHECK(!wg_key_from_base64(key, b64));
	CHECK(!wg_key_from_base64(key, ""));
}
