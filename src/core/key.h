/*
 * Key text forms: lowercase hex for the UAPI, base64 for config files and `wg`. Encoding and
 * decoding run in constant time: the timing of parsing a private key must not reveal it.
 */
#ifndef WG_CORE_KEY_H
#define WG_CORE_KEY_H

#include <stdbool.h>
#include <stdint.h>

enum wg_key_text_lengths {
	WG_KEY_LEN = 32,
	WG_KEY_HEX_LEN = 64,    /* without the NUL */
	WG_KEY_BASE64_LEN = 44, /* with the trailing '=', without the NUL */
};

void wg_key_to_hex(char hex[WG_KEY_HEX_LEN + 1], const uint8_t key[WG_KEY_LEN]);
/* Exactly 64 hex digits (either case) and the end of the string. */
bool wg_key_from_hex(uint8_t key[WG_KEY_LEN], const char *hex);
void wg_key_to_base64(char base64[WG_KEY_BASE64_LEN + 1], const uint8_t key[WG_KEY_LEN]);
/* Exactly 44 characters of canonical base64 ending in '=', and the end of the string. */
bool wg_key_from_base64(uint8_t key[WG_KEY_LEN], const char *base64);

#endif
