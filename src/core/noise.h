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
#include <stddef.h>
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
	/* When an initiation last passed the check before the response's Diffie-Hellman
	 * (wg_noise_handshake_check_initiation): the flood rule holds there too. */
	uint64_t last_initiation_checked;
	bool has_checked_initiation;
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
	bool expiry_reported;        /* WG_EVENT_KEYPAIR_EXPIRED went out for it */
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
/* The same, when sessions end for good (zeroing timer, down): reported as expired. */
void wg_noise_keypairs_wipe(struct wg_peer *peer);
/* Reports a keypair past REJECT_AFTER_TIME or out of messages as expired, once. */
void wg_noise_keypair_check_expiry(struct wg_peer *peer, struct wg_keypair *keypair);
/* Clears the keypairs and frees their slots: for a peer about to be freed. */
void wg_noise_keypairs_free(struct wg_peer *peer);
/* Makes the current and next keypairs unusable for sending: the next packet starts a handshake. */
void wg_noise_expire_current_peer_keypairs(struct wg_peer *peer);

/*
 * A responder's Diffie-Hellman done ahead of the peer's part, perhaps on other threads, in two
 * steps with the device's cheap checks between them, so that an initiation costs no more than
 * the kernel's one scalar multiplication until we know it is a peer's, fresh and within its
 * peer's rate (a replay keeps a valid mac1 and needs no key to send):
 *   1. wg_noise_responder_reveal: e, es and s, which reveal the initiator's static key;
 *   2. wg_device_check_precomputed (device.h): the peer, ss (cached per peer), the timestamp,
 *      the replay and flood rules, on the device's thread, hashing only;
 *   3. wg_noise_responder_ephemeral: the response's ephemeral key, ee and se;
 *   4. wg_device_receive_precomputed: the handshake's state and the response.
 * Steps 1 and 3 read only the message, the identity they are given and env->random. All of it
 * is secret: wg_noise_responder_dh_clear wipes it.
 */
struct wg_responder_dh {
	uint8_t identity[WG_NOISE_PUBLIC_KEY_LEN]; /* our static public key it was done with */
	/* The initiation it was done for, up to its macs: every later step is for this one only. */
	uint8_t initiation[offsetof(struct wg_message_initiation, macs)];
	uint8_t chaining_key[WG_NOISE_HASH_LEN], hash[WG_NOISE_HASH_LEN]; /* after e, es and s */
	uint8_t initiator_static[WG_NOISE_PUBLIC_KEY_LEN];
	uint8_t initiator_ephemeral[WG_NOISE_PUBLIC_KEY_LEN];
	struct wg_x25519_private ephemeral; /* step 3: the response's, taken over by the handshake */
	uint8_t ephemeral_public[WG_NOISE_PUBLIC_KEY_LEN];
	uint8_t ee[WG_NOISE_PUBLIC_KEY_LEN], se[WG_NOISE_PUBLIC_KEY_LEN]; /* zero when they failed */
	/* Step 2's results, so that step 4 need not open the initiation again: the transcript
	 * after ss and {t}. Written and read on the device's thread only. */
	uint8_t timestamp[WG_NOISE_TIMESTAMP_LEN];
	uint8_t checked_chaining_key[WG_NOISE_HASH_LEN], checked_hash[WG_NOISE_HASH_LEN];
	bool checked;
};

/* Step 1: fills dh for src (overwriting it: clear a used one first). On another thread than the
 * device's, identity must be that thread's own handle (wg_x25519_private_share): a handle
 * caches its DH context. False when the initiation does not decrypt under this identity: dh is
 * then cleared, and a cleared dh is refused by every later step. */
bool wg_noise_responder_reveal(struct wg_responder_dh *dh, const struct wg_message_initiation *src,
			       const struct wg_x25519_private *identity,
			       const uint8_t identity_public[WG_NOISE_PUBLIC_KEY_LEN]);
/* Step 3, on a dh that passed step 2. Calls env->random, which must then be safe on the thread.
 * A low-order key of theirs leaves ee or se zero, which the response refuses; false (and dh
 * cleared) only when no ephemeral key could be made or step 1 was not done. */
bool wg_noise_responder_ephemeral(struct wg_responder_dh *dh, const struct wg_env *env);
void wg_noise_responder_dh_clear(struct wg_responder_dh *dh);

/* Step 2's question: the peer whose initiation this is when it is fresh and within the peer's
 * rate, else NULL. It changes nothing but the clock of the peer's flood rule, so that one
 * peer's initiations reach step 3 at most 50 times a second. */
struct wg_peer *wg_noise_handshake_check_initiation(const struct wg_message_initiation *src,
						    struct wg_device *device, struct wg_responder_dh *dh);
bool wg_noise_handshake_create_initiation(struct wg_message_initiation *dst, struct wg_peer *peer);
/* dh: steps 1 and 3 done for src (see wg_responder_dh), or NULL to compute it here as needed.
 * One done under an identity the device no longer has, or without step 3, is refused. */
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
