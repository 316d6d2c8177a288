/*
 * The WireGuard wire format and the protocol's limits; nothing else.
 *
 * Messages are byte arrays with explicit little-endian accessors, so a message may sit at any
 * alignment in a buffer (an obfuscation prefix, a TCP frame).
 */
#ifndef WG_CORE_MESSAGES_H
#define WG_CORE_MESSAGES_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/aead.h"
#include "crypto/blake2s.h"
#include "crypto/x25519.h"
#include "crypto/xaead.h"

enum wg_noise_lengths {
	WG_NOISE_PUBLIC_KEY_LEN = WG_X25519_KEY_LEN,
	WG_NOISE_SYMMETRIC_KEY_LEN = WG_AEAD_KEY_LEN,
	WG_NOISE_TIMESTAMP_LEN = 12,
	WG_NOISE_AUTHTAG_LEN = WG_AEAD_TAG_LEN,
	WG_NOISE_HASH_LEN = WG_BLAKE2S_HASH_LEN,
};

#define WG_NOISE_ENCRYPTED_LEN(plain) ((plain) + WG_NOISE_AUTHTAG_LEN)

enum wg_cookie_values {
	WG_COOKIE_SECRET_MAX_AGE = 2 * 60, /* seconds */
	WG_COOKIE_SECRET_LATENCY = 5,      /* seconds */
	WG_COOKIE_NONCE_LEN = WG_XAEAD_NONCE_LEN,
	WG_COOKIE_LEN = 16,
};

enum wg_counter_values {
	WG_COUNTER_BITS_TOTAL = 8192,
	WG_COUNTER_REDUNDANT_BITS = 64,
	WG_COUNTER_WINDOW_SIZE = WG_COUNTER_BITS_TOTAL - WG_COUNTER_REDUNDANT_BITS,
};

/* Times are in seconds here; the core keeps time in nanoseconds. */
enum wg_limits {
	WG_REKEY_AFTER_TIME = 120,
	WG_REJECT_AFTER_TIME = 180,
	WG_REKEY_ATTEMPT_TIME = 90,
	WG_REKEY_TIMEOUT = 5,
	WG_KEEPALIVE_TIMEOUT = 10,
	WG_MAX_TIMER_HANDSHAKES = WG_REKEY_ATTEMPT_TIME / WG_REKEY_TIMEOUT,
	WG_MAX_PEERS_PER_DEVICE = 1 << 20,
	WG_MAX_STAGED_PACKETS = 128,
	WG_INITIATIONS_PER_SECOND = 50,
	WG_MAX_QUEUED_INCOMING_HANDSHAKES = 4096,
	WG_MESSAGE_PADDING_MULTIPLE = 16,
};

#define WG_NSEC_PER_SEC 1000000000ull
#define WG_REKEY_AFTER_MESSAGES (1ull << 60)
/* 2^64 - 2^13 - 1, as the paper and wireguard-go: the window can never wrap. */
#define WG_REJECT_AFTER_MESSAGES (UINT64_MAX - (1ull << 13))
/* Each handshake retry waits REKEY_TIMEOUT plus up to a third of a second of jitter. */
#define WG_REKEY_TIMEOUT_JITTER_MAX (WG_NSEC_PER_SEC / 3)

enum wg_message_type {
	WG_MESSAGE_INVALID = 0,
	WG_MESSAGE_HANDSHAKE_INITIATION = 1,
	WG_MESSAGE_HANDSHAKE_RESPONSE = 2,
	WG_MESSAGE_HANDSHAKE_COOKIE = 3,
	WG_MESSAGE_DATA = 4,
};

struct wg_message_macs {
	uint8_t mac1[WG_COOKIE_LEN];
	uint8_t mac2[WG_COOKIE_LEN];
};

struct wg_message_initiation {
	uint8_t type[4];
	uint8_t sender_index[4];
	uint8_t unencrypted_ephemeral[WG_NOISE_PUBLIC_KEY_LEN];
	uint8_t encrypted_static[WG_NOISE_ENCRYPTED_LEN(WG_NOISE_PUBLIC_KEY_LEN)];
	uint8_t encrypted_timestamp[WG_NOISE_ENCRYPTED_LEN(WG_NOISE_TIMESTAMP_LEN)];
	struct wg_message_macs macs;
};

struct wg_message_response {
	uint8_t type[4];
	uint8_t sender_index[4];
	uint8_t receiver_index[4];
	uint8_t unencrypted_ephemeral[WG_NOISE_PUBLIC_KEY_LEN];
	uint8_t encrypted_nothing[WG_NOISE_ENCRYPTED_LEN(0)];
	struct wg_message_macs macs;
};

struct wg_message_cookie {
	uint8_t type[4];
	uint8_t receiver_index[4];
	uint8_t nonce[WG_COOKIE_NONCE_LEN];
	uint8_t encrypted_cookie[WG_NOISE_ENCRYPTED_LEN(WG_COOKIE_LEN)];
};

struct wg_message_data {
	uint8_t type[4];
	uint8_t receiver_index[4];
	uint8_t counter[8];
	uint8_t encrypted_data[];
};

static_assert(sizeof(struct wg_message_initiation) == 148, "initiation is 148 bytes");
static_assert(sizeof(struct wg_message_response) == 92, "response is 92 bytes");
static_assert(sizeof(struct wg_message_cookie) == 64, "cookie reply is 64 bytes");
static_assert(sizeof(struct wg_message_data) == 16, "data header is 16 bytes");

#define WG_MESSAGE_MINIMUM_LENGTH (sizeof(struct wg_message_data) + WG_NOISE_AUTHTAG_LEN)

/* A set of type words: lo..hi inclusive; a single value has lo == hi. */
struct wg_type_range {
	uint32_t lo, hi;
};

/*
 * The wire format a device speaks: WireGuard's own (plain), or AmneziaWG's obfuscated one,
 * where each message has `prefix` random bytes in front and a type word from its own range
 * (both by message type - 1; obfuscation.h). Both ends must share it.
 */
struct wg_wire_format {
	bool plain;                    /* no prefixes, types 1..4: the fast path */
	uint16_t prefix[4];
	struct wg_type_range type[4];
};

/* WireGuard's own format. */
void wg_wire_format_plain(struct wg_wire_format *wire);

/* What a message (without its prefix) is by its type word and its length (exact for handshake
 * messages, at least WG_MESSAGE_MINIMUM_LENGTH for data); WG_MESSAGE_INVALID when they
 * disagree. The one check of the wire format, for the core and the I/O layer alike. */
enum wg_message_type wg_message_classify(const struct wg_wire_format *wire, const uint8_t *msg, size_t len);
/* What a datagram is, by that same check at the offset its prefix would end at, and where the
 * message starts in it (*offset; 0 for a plain format). AmneziaWG's order: initiation,
 * response, cookie reply, data; anything else, and anything under 32 bytes, is invalid. */
enum wg_message_type wg_message_unwrap(const struct wg_wire_format *wire, const uint8_t *datagram, size_t len,
				       size_t *offset);
/* A data message's overhead around the padded plaintext. */
#define WG_DATA_OVERHEAD (sizeof(struct wg_message_data) + WG_NOISE_AUTHTAG_LEN)

static inline uint32_t wg_le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void wg_le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; ++i)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t wg_le64_get(const uint8_t *p)
{
	return (uint64_t)wg_le32_get(p) | (uint64_t)wg_le32_get(p + 4) << 32;
}

static inline void wg_le64_put(uint8_t *p, uint64_t v)
{
	wg_le32_put(p, (uint32_t)v);
	wg_le32_put(p + 4, (uint32_t)(v >> 32));
}

/* Big-endian: the inner IP, TCP and UDP headers. */
static inline uint16_t wg_be16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wg_be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t wg_be32_get(const uint8_t *p)
{
	return (uint32_t)wg_be16_get(p) << 16 | wg_be16_get(p + 2);
}

static inline void wg_be32_put(uint8_t *p, uint32_t v)
{
	wg_be16_put(p, (uint16_t)(v >> 16));
	wg_be16_put(p + 2, (uint16_t)v);
}

#endif
