/* Endpoint text: never crash, and whatever parses must format back to something that parses
 * to the same endpoint. */
#include <stdint.h>
#include <string.h>

#include "core/endpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[128], again[WG_ENDPOINT_TEXT_MAX];
	struct wg_endpoint e, f;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (wg_endpoint_parse(&e, text))
		return 0;
	wg_endpoint_format(&e, again);
	if (wg_endpoint_parse(&f, again) || !wg_endpoint_equal(&e, &f))
		__builtin_trap();
	return 0;
}
