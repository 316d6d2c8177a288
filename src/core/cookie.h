/*
 * mac1, mac2 and cookie replies: WireGuard's answer to handshake floods.
 *
 * Every handshake message ends in mac1 (keyed by the receiver's public key: only someone who
 * knows it gets a response) and mac2 (keyed by a cookie: proof the sender receives at its
 * address). Under load, a responder answers a message without a valid mac2 with an encrypted
 * cookie instead of doing Diffie-Hellman.
 */
#ifndef WG_CORE_COOKIE_H
#define WG_CORE_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/endpoint.h"
#include "core/env.h"
#include "core/messages.h"

struct wg_ratelimiter;

/* The responder's side: one per device. */
struct wg_cookie_checker {
	uint8_t secret[WG_NOISE_HASH_LEN];       /* rotated every 2 minutes */
	uint64_t secret_birthdate;
	bool has_secret;
	uint8_t cookie_encryption_key[WG_NOISE_SYMMETRIC_KEY_LEN];
	uint8_t message_mac1_key[WG_NOISE_SYMMETRIC_KEY_LEN];
};

/* The initiator's side: one per peer. */
struct wg_cookie_maker {
	uint8_t cookie[WG_COOKIE_LEN];
	uint64_t birthdate;
	bool is_valid;
	uint8_t last_mac1_sent[WG_COOKIE_LEN];
	bool have_sent_mac1;
	uint8_t cookie_decryption_key[WG_NOISE_SYMMETRIC_KEY_LEN];
	uint8_t message_mac1_key[WG_NOISE_SYMMETRIC_KEY_LEN];
};

enum wg_cookie_mac_state {
	WG_INVALID_MAC,
	WG_VALID_MAC_BUT_NO_COOKIE,
	WG_VALID_MAC_WITH_COOKIE_BUT_RATELIMITED,
	WG_VALID_MAC_WITH_COOKIE,
};

/* From the device's public key; NULL (no identity) zeroes them. */
void wg_cookie_checker_precompute_device_keys(struct wg_cookie_checker *checker, const uint8_t *public_key);
void wg_cookie_checker_precompute_peer_keys(struct wg_cookie_maker *maker, const uint8_t public_key[32]);
void wg_cookie_checker_wipe(struct wg_cookie_checker *checker);
void wg_cookie_maker_wipe(struct wg_cookie_maker *maker);

/* msg is a whole handshake message ending in its macs. With check_cookie (under load),
 * mac2 is verified and the ratelimiter consulted. */
enum wg_cookie_mac_state wg_cookie_validate_packet(struct wg_cookie_checker *checker, const uint8_t *msg,
						   size_t len, const struct wg_endpoint *source, bool check_cookie,
						   struct wg_ratelimiter *rl, const struct wg_env *env);

/* Fills in mac1 and (with a fresh cookie) mac2 of an outgoing handshake message. */
void wg_cookie_add_mac_to_packet(uint8_t *msg, size_t len, struct wg_cookie_maker *maker, uint64_t now);
/* Recomputes only mac2, from the cookie just taken, for a message whose mac1 went out already;
 * the cookie it answered stays spent. */
void wg_cookie_add_mac2_to_packet(uint8_t *msg, size_t len, struct wg_cookie_maker *maker, uint64_t now);

/* The cookie reply to msg (an initiation or response), addressed to its sender index. */
int wg_cookie_message_create(struct wg_message_cookie *dst, const uint8_t *msg, size_t len,
			     struct wg_cookie_checker *checker, const struct wg_endpoint *source,
			     const struct wg_env *env);
/* Takes the cookie if it answers the last mac1 we sent. 0 or -EBADMSG/-EINVAL. */
int wg_cookie_message_consume(const struct wg_message_cookie *src, struct wg_cookie_maker *maker, uint64_t now);

#endif
