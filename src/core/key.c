/*
 * Constant-time key encodings: every character goes through the same arithmetic whatever it
 * is, with range checks done as sign masks ((lo - 1 - c) & (c - hi - 1)) >> 8 is -1 when
 * lo <= c <= hi and 0 otherwise), and errors accumulated and checked once at the end.
 */
#include "core/key.h"

#include <string.h>

#include "crypto/secret.h"

/* -1 (all ones) when lo <= c <= hi, else 0. */
static int in_range(int c, int lo, int hi)
{
	return ((lo - 1 - c) & (c - hi - 1)) >> 8;
}

static char hex_digit(unsigned nibble)
{
	int n = (int)nibble;

	return (char)('0' + n + (((9 - n) >> 8) & ('a' - '0' - 10)));
}

/* 0..15, or -1 for a non-hex character. */
static int hex_value(unsigned char ch)
{
	int c = ch, lower = c | 0x20, digit = in_range(c, '0', '9'), alpha = in_range(lower, 'a', 'f');

	return (digit & (c - '0')) | (alpha & (lower - 'a' + 10)) | ~(digit | alpha);
}

/* bad has its sign bit set iff some character was invalid: only then is the key kept. */
static bool deliver(uint8_t key[WG_KEY_LEN], uint8_t out[WG_KEY_LEN], int bad)
{
	if (bad >= 0)
		memcpy(key, out, WG_KEY_LEN);
	wg_secret_wipe(out, WG_KEY_LEN);
	return bad >= 0;
}

void wg_key_to_hex(char hex[WG_KEY_HEX_LEN + 1], const uint8_t key[WG_KEY_LEN])
{
	for (int i = 0; i < WG_KEY_LEN; ++i) {
		hex[2 * i] = hex_digit(key[i] >> 4);
		hex[2 * i + 1] = hex_digit(key[i] & 0xf);
	}
	hex[WG_KEY_HEX_LEN] = '\0';
}

bool wg_key_from_hex(uint8_t key[WG_KEY_LEN], const char *hex)
{
	uint8_t out[WG_KEY_LEN];
	int bad = 0;

	if (strnlen(hex, WG_KEY_HEX_LEN + 1) != WG_KEY_HEX_LEN)
		return false;
	for (int i = 0; i < WG_KEY_LEN; ++i) {
		int hi = hex_value((unsigned char)hex[2 * i]), lo = hex_value((unsigned char)hex[2 * i + 1]);

		bad |= hi | lo;
		out[i] = (uint8_t)((hi & 0xf) << 4 | (lo & 0xf));
	}
	return deliver(key, out, bad);
}

static char base64_char(unsigned value)
{
	int v = (int)value;

	return (char)('A' + v + (((25 - v) >> 8) & 6) - (((51 - v) >> 8) & 75) - (((61 - v) >> 8) & 15) +
		      (((62 - v) >> 8) & 3));
}

/* 0..63, or -1 for a character outside the alphabet. */
static int base64_value(unsigned char ch)
{
	int c = ch;
	int upper = in_range(c, 'A', 'Z'), lower = in_range(c, 'a', 'z'), digit = in_range(c, '0', '9');
	int plus = in_range(c, '+', '+'), slash = in_range(c, '/', '/');

	return (upper & (c - 'A')) | (lower & (c - 'a' + 26)) | (digit & (c - '0' + 52)) | (plus & 62) |
	       (slash & 63) | ~(upper | lower | digit | plus | slash);
}

void wg_key_to_base64(char base64[WG_KEY_BASE64_LEN + 1], const uint8_t key[WG_KEY_LEN])
{
	int i, o = 0;

	/* 30 bytes in ten groups of three, then the last two bytes with one '=' of padding. */
	for (i = 0; i < 30; i += 3) {
		uint32_t group = (uint32_t)key[i] << 16 | (uint32_t)key[i + 1] << 8 | key[i + 2];

		for (int j = 3; j >= 0; --j)
			base64[o++] = base64_char((group >> (6 * j)) & 63);
	}
	uint32_t last = (uint32_t)key[30] << 16 | (uint32_t)key[31] << 8;
	base64[o++] = base64_char((last >> 18) & 63);
	base64[o++] = base64_char((last >> 12) & 63);
	base64[o++] = base64_char((last >> 6) & 63);
	base64[o++] = '=';
	base64[o] = '\0';
}

bool wg_key_from_base64(uint8_t key[WG_KEY_LEN], const char *base64)
{
	uint8_t out[WG_KEY_LEN];
	int bad = 0, i, o = 0;
	int v[3];

	if (strnlen(base64, WG_KEY_BASE64_LEN + 1) != WG_KEY_BASE64_LEN || base64[WG_KEY_BASE64_LEN - 1] != '=')
		return false;
	for (i = 0; i < 40; i += 4) {
		uint32_t group = 0;

		for (int j = 0; j < 4; ++j) {
			int value = base64_value((unsigned char)base64[i + j]);

			bad |= value;
			group = group << 6 | (uint32_t)(value & 63);
		}
		out[o++] = (uint8_t)(group >> 16);
		out[o++] = (uint8_t)(group >> 8);
		out[o++] = (uint8_t)group;
	}
	for (int j = 0; j < 3; ++j)
		bad |= v[j] = base64_value((unsigned char)base64[40 + j]);
	out[30] = (uint8_t)((v[0] & 63) << 2 | (v[1] & 63) >> 4);
	out[31] = (uint8_t)((v[1] & 63) << 4 | (v[2] & 63) >> 2);
	/* Canonical only: the two bits the last character carries beyond the key must be zero. */
	bad |= -(v[2] & 3);
	return deliver(key, out, bad);
}
