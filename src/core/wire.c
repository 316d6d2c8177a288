/*
 * The wire format's one check: what a message is by its type word and length, for WireGuard's
 * own format and for an obfuscated one, and where a message starts behind its prefix.
 */
#include <stdbool.h>

#include "core/messages.h"

static const size_t handshake_lengths[3] = {
	sizeof(struct wg_message_initiation), sizeof(struct wg_message_response), sizeof(struct wg_message_cookie),
};

void wg_wire_format_plain(struct wg_wire_format *wire)
{
	*wire = (struct wg_wire_format){ .plain = true };
	for (uint32_t t = 0; t < 4; ++t)
		wire->type[t] = (struct wg_type_range){ t + 1, t + 1 };
}

static bool length_fits(unsigned index, size_t len)
{
	return index < 3 ? len == handshake_lengths[index] : len >= WG_MESSAGE_MINIMUM_LENGTH;
}

static enum wg_message_type classify_plain(const uint8_t *msg, size_t len)
{
	uint32_t type = wg_le32_get(msg);

	if (type < WG_MESSAGE_HANDSHAKE_INITIATION || type > WG_MESSAGE_DATA)
		return WG_MESSAGE_INVALID;
	return length_fits(type - 1, len) ? (enum wg_message_type)type : WG_MESSAGE_INVALID;
}

enum wg_message_type wg_message_classify(const struct wg_wire_format *wire, const uint8_t *msg, size_t len)
{
	uint32_t type;

	if (len < 4)
		return WG_MESSAGE_INVALID;
	if (wire->plain)
		return classify_plain(msg, len);
	type = wg_le32_get(msg);
	/* The ranges do not overlap (obfuscation.c checks), so at most one holds the word. */
	for (unsigned i = 0; i < 4; ++i)
		if (type >= wire->type[i].lo && type <= wire->type[i].hi)
			return length_fits(i, len) ? (enum wg_message_type)(i + 1) : WG_MESSAGE_INVALID;
	return WG_MESSAGE_INVALID;
}

enum wg_message_type wg_message_unwrap(const struct wg_wire_format *wire, const uint8_t *datagram, size_t len,
				       size_t *offset)
{
	*offset = 0;
	if (len < WG_MESSAGE_MINIMUM_LENGTH)
		return WG_MESSAGE_INVALID;
	if (wire->plain)
		return classify_plain(datagram, len);
	for (unsigned i = 0; i < 4; ++i) {
		size_t prefix = wire->prefix[i];

		if (len >= prefix && wg_message_classify(wire, datagram + prefix, len - prefix) == (enum wg_message_type)(i + 1)) {
			*offset = prefix;
			return (enum wg_message_type)(i + 1);
		}
	}
	return WG_MESSAGE_INVALID;
}
