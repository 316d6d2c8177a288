/* Key text in both forms: never crash, and whatever decodes must encode back to the same text. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[128], again[WG_KEY_HEX_LEN + 1];
	uint8_t key[WG_KEY_LEN];

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (wg_key_from_hex(key, text)) {
		wg_key_to_hex(again, key);
		if (strcasecmp(again, text))
			__builtin_trap();
	}
	if (wg_key_from_base64(key, text)) {
		wg_key_to_base64(again, key);
		if (strcmp(again, text))
			__builtin_trap();
	}
	return 0;
}
