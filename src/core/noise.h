/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s as WireGuard uses it: the handshake state machine per
 * peer, and the keypairs it produces, rotated as previous/current/next.
 *
 * Each create/consume function checks the handshake state it needs on entry and sets the next
 * one, so a message that arrives out of turn is refused rather than half-processed.
 */
#ifndef WG_CORE_NOISE_H
#define WG_CORE_NOISE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/counter.h"
#include "core/env.h"
#include "core/messages.h"
#include "core/peerlookup.h"
#include "crypto/aead.h"
#include "crypto/x25519.h"

struct wg_device;
struct wg_peer;

enum wg_handshake_state {
	WG_HANDSHAKE_ZEROED,
	WG_HANDSHAKE_CREATED_INITIATION,
	WG_HANDSHAKE_CONSUMED_INITIATION,
	WG_HANDSHAKE_CREATED_RESPONSE,
	WG_HANDSHAKE_CONSUMED_RESPONSE,
};

struct wg_static_identity {
	struct wg_x25519_private private_key;        /* prebuilt for DH */
	uint8_t static_private[WG_NOISE_PUBLIC_KEY_LEN]; /* clamped */
	uint8_t static_public[WG_NOISE_PUBLIC_KEY_LEN];
	bool has_identity;
};

struct wg_handshake {
	struct wg_index_entry entry;
	enum wg_handshake_state state;
	uint8_t remote_static[WG_NOISE_PUBLIC_KEY_LEN];
	uint8_t remote_ephemeral[WG_NOISE_PUBLIC_KEY_LEN];
	/* DH(our static, their static): computed at the first handshake after a key change (so
	 * that loading 100,000 peers costs no Diffie-Hellman), all zero when either key is missing
	 * or theirs is a low-order point, which makes every handshake with them fail. */
	uint8_t precomputed_static_static[WG_NOISE_PUBLIC_KEY_LEN];
	bool static_static_known;
	uint8_t preshared_key[WG_NOISE_SYMMETRIC_KEY_LEN];
	struct wg_x25519_private ephemeral;
	uint8_t hash[WG_NOISE_HASH_LEN];
	uint8_t chaining_key[WG_NOISE_HASH_LEN];
	uint8_t latest_timestamp[WG_NOISE_TIMESTAMP_LEN]; /* newest initiation accepted from them */
	uint8_t last_sent_timestamp[WG_NOISE_TIMESTAMP_LEN]; /* newest we sent them */
	uint64_t last_initiation_consumption;
	bool has_consumed_initiation;
	uint32_t remote_index;
};

struct wg_keypair {
	struct wg_index_entry entry; /* our index: the receiver index of their messages */
	struct wg_aead_key sending, receiving;
	bool sending_valid, receiving_valid;
	uint64_t sending_counter;
	struct wg_replay_counter receiving_counter;
	uint64_t birthdate;
	uint64_t internal_id;
	uint32_t remote_index;
	bool i_am_the_initiator;
};

/*
 * Three fixed slots and three roles. A responder's new keypair waits as next until the
 * initiator proves it has it (key confirmation); an initiator's goes straight to current.
 * Every transition frees at least one slot before a new keypair needs one.
 */
struct wg_keypairs {
	struct wg_keypair *previous, *current, *next;
	/* Three slots, allocated at the first session and kept until the peer goes: an idle peer
	 * (most of a 100,000-peer server) carries none, and sessions after the first allocate
	 * nothing. */
	struct wg_keypair *slots;
};

void wg_noise_handshake_init(struct wg_handshake *handshake, struct wg_peer *peer,
			     const uint8_t peer_public_key[32], const uint8_t *preshared_key);
void wg_noise_set_static_identity_private_key(struct wg_static_identity *identity, const uint8_t *private_key);
void wg_noise_static_identity_clear(struct wg_static_identity *identity);
/* Forgets DH(our static, their static) after either key changed; the next handshake computes it. */
void wg_noise_forget_static_static(struct wg_peer *peer);
void wg_noise_handshake_clear(struct wg_peer *peer);
void wg_noise_keypairs_clear(struct wg_peer *peer);
/* Clears the keypairs and frees their slots: for a peer about to be freed. */
void wg_noise_keypairs_free(struct wg_peer *peer);
/* Makes the current and next keypairs unusable for sending: the next packet starts a handshake. */
void wg_noise_expire_current_peer_keypairs(struct wg_peer *peer);

/*
 * A responder's Diffie-Hellman for one initiation, done before anyone knows which peer sent it:
 * es (which reveals the initiator's static key), and the response's ephemeral key with ee and
 * se: four of its five scalar multiplications, ss being cached per peer. It reads nothing but
 * the message and our identity, so an I/O layer may do it on another thread; the peer's part
 * (ss, the timestamp, the state) then costs only hashing on the device's thread. All of it is
 * secret: wg_noise_responder_dh_clear wipes it.
 */
struct wg_responder_dh {
	uint8_t identity[WG_NOISE_PUBLIC_KEY_LEN]; /* our static public key it was done with */
	uint8_t chaining_key[WG_NOISE_HASH_LEN], hash[WG_NOISE_HASH_LEN]; /* after e, es and s */
	uint8_t initiator_static[WG_NOISE_PUBLIC_KEY_LEN];
	uint8_t initiator_ephemeral[WG_NOISE_PUBLIC_KEY_LEN];
	struct wg_x25519_private ephemeral; /* the response's; taken over by the handshake */
	uint8_t ephemeral_public[WG_NOISE_PUBLIC_KEY_LEN];
	uint8_t ee[WG_NOISE_PUBLIC_KEY_LEN], se[WG_NOISE_PUBLIC_KEY_LEN]; /* zero when they failed */
};

/* Fills dh for src (overwriting it: clear a used one first). On another thread than the
 * device's, identity must be that thread's own handle (wg_x25519_private_share): a handle
 * caches its DH context. Calls only env->random, which must then be safe on that thread.
 * False when the initiation does not decrypt under this identity: dh is then cleared, and a
 * cleared dh is refused by consume_initiation like any other that does not fit. */
bool wg_noise_responder_dh(struct wg_responder_dh *dh, const struct wg_message_initiation *src,
			   const struct wg_x25519_private *identity, const uint8_t identity_public[WG_NOISE_PUBLIC_KEY_LEN],
			   const struct wg_env *env);
void wg_noise_responder_dh_clear(struct wg_responder_dh *dh);

bool wg_noise_handshake_create_initiation(struct wg_message_initiation *dst, struct wg_peer *peer);
/* dh: what wg_noise_responder_dh computed for src, or NULL to compute it here as needed. One
 * done under an identity the device no longer has is refused. */
struct wg_peer *wg_noise_handshake_consume_initiation(const struct wg_message_initiation *src,
						      struct wg_device *device, const struct wg_responder_dh *dh);
/* dh: the same as the consumed initiation's, whose ephemeral key it takes, or NULL. */
bool wg_noise_handshake_create_response(struct wg_message_response *dst, struct wg_peer *peer,
					struct wg_responder_dh *dh);
struct wg_peer *wg_noise_handshake_consume_response(const struct wg_message_response *src,
						    struct wg_device *device);
/* Derives the transport keys from a finished handshake into a keypair slot. */
bool wg_noise_handshake_begin_session(struct wg_peer *peer);
/* The first packet under next confirms it: next becomes current. True when that happened. */
bool wg_noise_received_with_keypair(struct wg_peer *peer, struct wg_keypair *received);

/* Can this keypair still send? (Valid, younger than REJECT_AFTER_TIME, nonces left.) */
bool wg_noise_keypair_can_send(const struct wg_keypair *keypair, uint64_t now);
bool wg_noise_keypair_can_receive(const struct wg_keypair *keypair, uint64_t now);

/* TAI64N now, rounded down so it does not leak a precise clock, and after `last` (which it
 * updates): a responder rejects an initiation whose timestamp is not newer than the last it
 * accepted from us. Kept per peer, so only a clock stepping back moves it past the clock. */
void wg_noise_tai64n_now(uint8_t out[WG_NOISE_TIMESTAMP_LEN], uint8_t last[WG_NOISE_TIMESTAMP_LEN],
			 uint64_t wall_ns);

#endif
