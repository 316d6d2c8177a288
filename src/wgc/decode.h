/*
 * One captured payload judged as a WireGuard message: what it is (by the heuristic
 * Wireshark's dissector uses: a type 1..4, zero reserved bytes, that type's exact size, data
 * at least 32 bytes; or, obfuscated, the device's own check behind the prefix), its
 * fields, and a verdict with its reason when it is WireGuard's but wrong.
 */
#ifndef WGC_DECODE_H
#define WGC_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/messages.h"
#include "wgc/keyring.h"

enum decode_kind {
	DECODE_NOT_WIREGUARD,   /* nothing like WireGuard: not reported */
	DECODE_MESSAGE,         /* a well-formed message */
	DECODE_INVALID,         /* WireGuard's by its flow or port, but malformed (reason says how) */
	DECODE_JUNK,            /* obfuscated flows: a junk or signature datagram */
};

/* mac1 is keyed by the receiver's public key: it fits one of the keys known, none of them (to
 * a key not given), or, judged by the sessions once they know the receiver's key, WRONG. */
enum decode_mac1 { DECODE_MAC1_NONE, DECODE_MAC1_UNCHECKED, DECODE_MAC1_VALID, DECODE_MAC1_UNKNOWN };

struct decoded {
	enum decode_kind kind;
	enum wg_message_type type;        /* DECODE_MESSAGE; for DECODE_INVALID the type word's claim */
	uint32_t type_word;
	size_t prefix;                    /* obfuscation's random bytes in front */
	const uint8_t *msg;               /* the message behind the prefix, in the caller's buffer */
	size_t len;
	bool has_sender, has_receiver, has_counter;
	uint32_t sender, receiver;        /* as little-endian words, as Wireshark shows them */
	uint64_t counter;
	enum decode_mac1 mac1;
	bool has_mac2;                    /* handshake messages: mac2 is not all zero */
	char reason[96];                  /* DECODE_INVALID */
};

/*
 * Judges one payload. `wireguard_flow`: its flow or port is known to carry WireGuard, so what
 * fails the heuristic is reported as invalid (or junk when obfuscated) rather than ignored.
 */
void decode_payload(struct decoded *out, const struct wg_wire_format *wire, const uint8_t *data, size_t len,
		    bool wireguard_flow, const struct keyring *ring);
const char *decode_type_name(enum wg_message_type type);

#endif
