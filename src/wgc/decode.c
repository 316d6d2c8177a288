/* One payload judged as a WireGuard message: kind, fields, verdict. */
#include "wgc/decode.h"

#include <stdio.h>
#include <string.h>

static const size_t exact_lengths[3] = {
	sizeof(struct wg_message_initiation), sizeof(struct wg_message_response), sizeof(struct wg_message_cookie),
};
static const char *const type_names[5] = { "invalid", "initiation", "response", "cookie", "data" };

const char *decode_type_name(enum wg_message_type type)
{
	return (unsigned)type < 5 ? type_names[type] : "invalid";
}

/* What is wrong with a message that claims a plain type, or NULL when nothing is. */
static const char *plain_fault(struct decoded *out, const uint8_t *msg, size_t len)
{
	uint32_t type = msg[0];

	if (msg[1] || msg[2] || msg[3]) {
		snprintf(out->reason, sizeof(out->reason), "reserved bytes set (%02x %02x %02x)", msg[1], msg[2], msg[3]);
		return out->reason;
	}
	if (type < 4 && len != exact_lengths[type - 1]) {
		snprintf(out->reason, sizeof(out->reason), "%zu bytes: a%s %s is %zu", len,
			 type == 1 ? "n" : "", type_names[type], exact_lengths[type - 1]);
		return out->reason;
	}
	/* Data is padded to 16 bytes only up to the MTU: any length from 32 on is data's. */
	if (type == 4 && len < WG_MESSAGE_MINIMUM_LENGTH) {
		snprintf(out->reason, sizeof(out->reason), "%zu bytes: data is at least 32", len);
		return out->reason;
	}
	return NULL;
}

static void read_fields(struct decoded *out, const struct keyring *ring)
{
	const uint8_t *m = out->msg;

	out->has_sender = out->type == WG_MESSAGE_HANDSHAKE_INITIATION || out->type == WG_MESSAGE_HANDSHAKE_RESPONSE;
	out->has_receiver = out->type != WG_MESSAGE_HANDSHAKE_INITIATION;
	out->has_counter = out->type == WG_MESSAGE_DATA;
	if (out->has_sender)
		out->sender = wg_le32_get(m + 4);
	if (out->has_receiver)
		out->receiver = wg_le32_get(m + (out->type == WG_MESSAGE_HANDSHAKE_RESPONSE ? 8 : 4));
	if (out->has_counter)
		out->counter = wg_le64_get(m + 8);
	if (out->type != WG_MESSAGE_HANDSHAKE_INITIATION && out->type != WG_MESSAGE_HANDSHAKE_RESPONSE)
		return;
	/* mac1 and mac2 are the last 32 bytes; mac1 is keyed by the receiver's public key. */
	out->has_mac2 = false;
	for (size_t i = out->len - 16; i < out->len; ++i)
		out->has_mac2 |= m[i] != 0;
	out->mac1 = DECODE_MAC1_UNCHECKED;
	if (ring->public_count)
		out->mac1 = keyring_mac1_known(ring, m, out->len) ? DECODE_MAC1_VALID : DECODE_MAC1_UNKNOWN;
}

static void decode_plain(struct decoded *out, const uint8_t *data, size_t len, bool wireguard_flow)
{
	out->msg = data;
	out->len = len;
	if (len < 4 || data[0] < 1 || data[0] > 4) {
		if (wireguard_flow) {
			out->kind = DECODE_INVALID;
			if (len < 4)
				snprintf(out->reason, sizeof(out->reason), "%zu bytes: too short for a message", len);
			else
				snprintf(out->reason, sizeof(out->reason), "type %u is none of WireGuard's", data[0]);
		}
		return;
	}
	out->type_word = wg_le32_get(data);
	out->type = (enum wg_message_type)data[0];
	if (!plain_fault(out, data, len))
		out->kind = DECODE_MESSAGE;
	else if (wireguard_flow)
		out->kind = DECODE_INVALID;
}

static void decode_obfuscated(struct decoded *out, const struct wg_wire_format *wire, const uint8_t *data,
			      size_t len, bool wireguard_flow)
{
	size_t offset;
	enum wg_message_type type = wg_message_unwrap(wire, data, len, &offset);

	if (type == WG_MESSAGE_INVALID) {
		if (wireguard_flow)
			out->kind = DECODE_JUNK;
		return;
	}
	out->kind = DECODE_MESSAGE;
	out->type = type;
	out->prefix = offset;
	out->msg = data + offset;
	out->len = len - offset;
	out->type_word = wg_le32_get(out->msg);
}

void decode_payload(struct decoded *out, const struct wg_wire_format *wire, const uint8_t *data, size_t len,
		    bool wireguard_flow, const struct keyring *ring)
{
	memset(out, 0, sizeof(*out));
	if (wire->plain)
		decode_plain(out, data, len, wireguard_flow);
	else
		decode_obfuscated(out, wire, data, len, wireguard_flow);
	if (out->kind == DECODE_MESSAGE)
		read_fields(out, ring);
}
