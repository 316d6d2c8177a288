/*
 * Wireshark's WireGuard key log (core/keylog.h): the exact text of a known entry, entries
 * parsing back into their keys, the line forms Wireshark and extract-handshakes write, and a
 * static message for every way a line can be wrong.
 */
#include <errno.h>
#include <string.h>

#include "core/key.h"
#include "core/keylog.h"
#include "harness.h"

/* RFC 7748's Alice and Bob private keys, Bob's public key, and a preshared key of 0x01..0x20. */
#define ALICE "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
#define BOB "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
#define BOB_PUBLIC "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
#define ALICE_B64 "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
#define BOB_B64 "XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os="
#define BOB_PUBLIC_B64 "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="
#define PSK "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
#define PSK_B64 "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="

static void known_keys(struct wg_session_keys *keys)
{
	memset(keys, 0xee, sizeof(*keys)); /* what the key log leaves out must not matter */
	test_unhex(keys->local_static_private, 32, ALICE);
	test_unhex(keys->remote_static_public, 32, BOB_PUBLIC);
	test_unhex(keys->local_ephemeral_private, 32, BOB);
	test_unhex(keys->preshared_key, 32, PSK);
}

TEST(keylog_format_of_known_keys)
{
	static const char expected[] = "LOCAL_STATIC_PRIVATE_KEY = " ALICE_B64 "\n"
				       "REMOTE_STATIC_PUBLIC_KEY = " BOB_PUBLIC_B64 "\n"
				       "LOCAL_EPHEMERAL_PRIVATE_KEY = " BOB_B64 "\n"
				       "PRESHARED_KEY = " PSK_B64 "\n";
	struct wg_session_keys keys;
	char out[WG_KEYLOG_ENTRY_MAX];

	known_keys(&keys);
	memset(out, 'x', sizeof(out));
	CHECK_EQ(wg_keylog_format(out, &keys), strlen(expected));
	CHECK(!strcmp(out, expected));
	CHECK(strlen(expected) < WG_KEYLOG_ENTRY_MAX);
}

/* No preshared key is the zero key, written as such (as extract-handshakes does). */
TEST(keylog_format_without_preshared_key)
{
	struct wg_session_keys keys;
	char out[WG_KEYLOG_ENTRY_MAX];

	known_keys(&keys);
	memset(keys.preshared_key, 0, sizeof(keys.preshared_key));
	wg_keylog_format(out, &keys);
	CHECK(strstr(out, "\nPRESHARED_KEY = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n") != NULL);
}

/* Every entry parses back, line by line, into its four kinds and keys in order. */
TEST(keylog_round_trip)
{
	static const enum wg_keylog_kind order[] = { WG_KEYLOG_LOCAL_STATIC_PRIVATE, WG_KEYLOG_REMOTE_STATIC_PUBLIC,
						     WG_KEYLOG_LOCAL_EPHEMERAL_PRIVATE, WG_KEYLOG_PRESHARED };
	uint64_t seed = 16;

	for (int round = 0; round < 200; ++round) {
		struct wg_session_keys keys;
		const uint8_t *want[4] = { keys.local_static_private, keys.remote_static_public,
					   keys.local_ephemeral_private, keys.preshared_key };
		char out[WG_KEYLOG_ENTRY_MAX], *line = out;
		size_t len;

		for (size_t i = 0; i < sizeof(keys); i += 8) {
			uint64_t r = test_random(&seed);

			memcpy((uint8_t *)&keys + i, &r, sizeof(keys) - i < 8 ? sizeof(keys) - i : 8);
		}
		len = wg_keylog_format(out, &keys);
		CHECK_EQ(out[len - 1], '\n');
		for (int i = 0; i < 4; ++i) {
			char *nl = strchr(line, '\n');
			struct wg_keylog_line parsed;
			const char *error = NULL;

			CHECK(nl != NULL);
			if (!nl)
				return;
			CHECK_EQ(wg_keylog_parse_line(&parsed, line, (size_t)(nl - line), &error), 1);
			CHECK_EQ(parsed.kind, order[i]);
			CHECK_MEM(parsed.key, want[i], 32);
			line = nl + 1;
		}
		CHECK_EQ(line - out, len);
	}
}

/* What Wireshark reads: blanks before the name and around '=' (extract-handshakes indents its
 * lines with two spaces), none at all, a '\r' at the end. */
TEST(keylog_parse_accepted_forms)
{
	static const char *const lines[] = {
		"LOCAL_STATIC_PRIVATE_KEY = " ALICE_B64,
		"LOCAL_STATIC_PRIVATE_KEY=" ALICE_B64,
		"  LOCAL_STATIC_PRIVATE_KEY = " ALICE_B64,
		"\tLOCAL_STATIC_PRIVATE_KEY\t=\t" ALICE_B64,
		"LOCAL_STATIC_PRIVATE_KEY   =   " ALICE_B64 "\r",
	};
	uint8_t alice[32];

	test_unhex(alice, 32, ALICE);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); ++i) {
		struct wg_keylog_line parsed;
		const char *error = NULL;

		memset(&parsed, 0, sizeof(parsed));
		parsed.kind = WG_KEYLOG_PRESHARED;
		CHECK_EQ(wg_keylog_parse_line(&parsed, lines[i], strlen(lines[i]), &error), 1);
		CHECK_EQ(parsed.kind, WG_KEYLOG_LOCAL_STATIC_PRIVATE);
		CHECK_MEM(parsed.key, alice, 32);
		CHECK(error == NULL);
	}
}

/* Blank lines and comments are nothing; the length bounds the line, not a NUL. */
TEST(keylog_parse_blank_and_comment_lines)
{
	static const char *const lines[] = { "", " ", "\t  ", "\r", "#", "# LOCAL_STATIC_PRIVATE_KEY = x",
					     "   # indented", "#LOCAL_STATIC_PRIVATE_KEY = " ALICE_B64 };
	struct wg_keylog_line parsed;
	const char *error = NULL;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); ++i)
		CHECK_EQ(wg_keylog_parse_line(&parsed, lines[i], strlen(lines[i]), &error), 0);
	CHECK_EQ(wg_keylog_parse_line(&parsed, "PRESHARED_KEY = " PSK_B64 "junk", 16 + 44, &error), 1);
	CHECK_EQ(wg_keylog_parse_line(&parsed, "   x", 3, &error), 0);
	CHECK_EQ(wg_keylog_parse_line(&parsed, NULL, 0, &error), 0);
	CHECK(error == NULL);
}

struct bad_line {
	const char *line;
	const char *message;
};

#define NO_EQUALS "no '=' (expected NAME = KEY)"
#define NO_NAME "no name before '='"
#define BLANK "a blank inside the name, or no '=' after it (expected NAME = KEY)"
#define UNKNOWN "unknown name (expected LOCAL_STATIC_PRIVATE_KEY, REMOTE_STATIC_PUBLIC_KEY, " \
		"LOCAL_EPHEMERAL_PRIVATE_KEY or PRESHARED_KEY)"
#define NO_KEY "no key after '='"
#define LENGTH "the key is not 44 characters long (32 bytes in base64, nothing after it)"
#define BASE64 "the key is not 32 bytes of base64"

static const struct bad_line bad_lines[] = {
	/*  0 */ { "LOCAL_STATIC_PRIVATE_KEY " ALICE_B64, BLANK },
	/*  1 */ { "New handshake session:", NO_EQUALS },
	/*  2 */ { "= " ALICE_B64, NO_NAME },
	/*  3 */ { "   =" ALICE_B64, NO_NAME },
	/*  4 */ { "local_static_private_key = " ALICE_B64, UNKNOWN },
	/*  5 */ { "LOCAL_STATIC_PRIVATE = " ALICE_B64, UNKNOWN },
	/*  6 */ { "LOCAL_STATIC_PRIVATE_KEYS = " ALICE_B64, UNKNOWN },
	/*  7 */ { "LOCAL STATIC_PRIVATE_KEY = " ALICE_B64, BLANK },
	/*  8 */ { "CLIENT_RANDOM = " ALICE_B64, UNKNOWN },
	/*  9 */ { "PRESHARED_KEY =", NO_KEY },
	/* 10 */ { "PRESHARED_KEY =   \t", NO_KEY },
	/* 11 */ { "PRESHARED_KEY = " PSK_B64 " ", LENGTH },
	/* 12 */ { "PRESHARED_KEY = " PSK_B64 "A", LENGTH },
	/* 13 */ { "PRESHARED_KEY = AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA", LENGTH },
	/* 14 */ { "PRESHARED_KEY = " PSK_B64 " # comment", LENGTH },
	/* 15 */ { "PRESHARED_KEY = " PSK, LENGTH },
	/* 16 */ { "PRESHARED_KEY = AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHy==", BASE64 },
	/* 17 */ { "PRESHARED_KEY = AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyB=", BASE64 }, /* not canonical */
	/* 18 */ { "PRESHARED_KEY = AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eH-A=", BASE64 }, /* base64url */
	/* 19 */ { "PRESHARED_KEY = AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAA", BASE64 },
	/* 20 */ { "PRESHARED_KEY = = " PSK_B64, LENGTH },
	/* 21 */ { "PRESHARED_KEY " PSK, NO_EQUALS },
	/* 22 */ { "LOCAL_STATIC_PRIVATE_KEY\t" ALICE_B64, BLANK },
};

TEST(keylog_parse_bad_lines_and_their_messages)
{
	for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); ++i) {
		struct wg_keylog_line parsed, untouched;
		const char *error = NULL;
		int ret;

		memset(&parsed, 0x5a, sizeof(parsed));
		untouched = parsed;
		ret = wg_keylog_parse_line(&parsed, bad_lines[i].line, strlen(bad_lines[i].line), &error);
		if (ret != -EINVAL || !error || strcmp(error, bad_lines[i].message))
			test_fail(__FILE__, __LINE__, "case %zu: got %d \"%s\", expected -EINVAL \"%s\"", i, ret,
				  error ? error : "(none)", bad_lines[i].message);
		CHECK(!memcmp(&parsed, &untouched, sizeof(parsed)));
	}
}

/* A NUL inside the line is a character like any other, never the end. */
TEST(keylog_parse_nul_inside_a_line)
{
	static const char name_nul[] = "PRESHARED_KEY\0 = " PSK_B64;
	static const char key_nul[] = "PRESHARED_KEY = AQIDBAUGBwgJCgsMDQ4PEBES\0xQVFhcYGRobHB0eHyA=";
	struct wg_keylog_line parsed;
	const char *error = NULL;

	CHECK_EQ(wg_keylog_parse_line(&parsed, name_nul, sizeof(name_nul) - 1, &error), -EINVAL);
	CHECK(error && !strcmp(error, UNKNOWN));
	CHECK_EQ(wg_keylog_parse_line(&parsed, key_nul, sizeof(key_nul) - 1, &error), -EINVAL);
	CHECK(error && !strcmp(error, BASE64));
	/* No error pointer: still refused. */
	CHECK_EQ(wg_keylog_parse_line(&parsed, "x", 1, NULL), -EINVAL);
}
