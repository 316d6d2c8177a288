/*
 * Random parameter sets and random datagrams through the wire format's classify. The input is
 * UAPI set lines of obfuscation keys, a NUL, then datagrams as a 2-byte length and that many
 * bytes. A set the core accepts must give a wire format whose unwrap only ever finds a message
 * of its own type at its own prefix (and classify then agrees); its signature packets build to
 * exactly the length their check said. Rejected sets must leave a message.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/obfuscation.h"
#include "core/signature.h"
#include "core/uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t packet[WG_SIGNATURE_MAX];

static void check_datagrams(const struct wg_wire_format *wire, const uint8_t *data, size_t size)
{
	while (size >= 2) {
		size_t len = (size_t)(data[0] << 8 | data[1]), off;
		enum wg_message_type type;

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		type = wg_message_unwrap(wire, data, len, &off);
		if (type != WG_MESSAGE_INVALID &&
		    (off != (wire->plain ? 0 : wire->prefix[type - 1]) || off > len ||
		     wg_message_classify(wire, data + off, len - off) != type))
			__builtin_trap();
		if (type == WG_MESSAGE_INVALID && off)
			__builtin_trap();
		data += len;
		size -= len;
	}
}

static void check_signatures(const struct wg_obfuscation *o, struct wg_keystream *ks)
{
	char message[160];

	for (int i = 0; i < WG_OBFS_SIGNATURES; ++i) {
		long n;

		if (!o->signature[i])
			continue;
		n = wg_signature_check(o->signature[i], message, sizeof(message));
		if (n <= 0 || n > WG_SIGNATURE_MAX ||
		    wg_signature_build(o->signature[i], packet, ks, 0x12345678) != (size_t)n)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[WG_KEYSTREAM_KEY_LEN] = { 1 };
	const uint8_t *nul = memchr(data, 0, size);
	size_t text_len = nul ? (size_t)(nul - data) : size;
	struct wg_obfuscation none = { 0 }, merged;
	struct wg_config_device config;
	struct wg_uapi_parser parser;
	struct wg_wire_format wire;
	struct wg_keystream ks;
	char message[160] = "";
	int parsed, merge;

	wg_config_init(&config);
	wg_uapi_parser_init(&parser, &config);
	parsed = wg_uapi_parse_text(&parser, (const char *)data, text_len);
	merge = parsed ? 0 : wg_obfuscation_merge(&merged, &none, &config.obfuscation, message, sizeof(message));
	if (!parsed && !merge) {
		wg_obfuscation_wire(&merged, &wire);
		if (wg_keystream_init(&ks, key))
			__builtin_trap();
		check_signatures(&merged, &ks);
		wg_keystream_free(&ks);
		if (nul)
			check_datagrams(&wire, nul + 1, size - text_len - 1);
		wg_obfuscation_free(&merged);
	} else if (parsed ? !parser.message[0] : merge == -EINVAL && !message[0]) {
		/* Every refusal says why (running out of memory aside). */
		__builtin_trap();
	}
	wg_config_free(&config);
	return 0;
}
