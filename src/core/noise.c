/*
 * The Noise_IKpsk2 handshake (paper section 5.4) and the keypairs it yields.
 *
 * Every step is annotated with its Noise token. Secrets on the stack are wiped on every exit
 * path; a consume function works on copies and touches the peer only once everything checked.
 */
#include "core/noise.h"

#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "core/events.h"
#include "core/peer.h"
#include "crypto/kdf.h"
#include "crypto/secret.h"

/*
 * HASH("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s") and HASH(that || "WireGuard v1 zx2c4
 * Jason@zx2c4.com"): every handshake starts from these; tests/noise.c checks them.
 */
static const uint8_t handshake_init_chaining_key[WG_NOISE_HASH_LEN] = {
	0x60, 0xe2, 0x6d, 0xae, 0xf3, 0x27, 0xef, 0xc0, 0x2e, 0xc3, 0x35, 0xe2, 0xa0, 0x25, 0xd2, 0xd0,
	0x16, 0xeb, 0x42, 0x06, 0xf8, 0x72, 0x77, 0xf5, 0x2d, 0x38, 0xd1, 0x98, 0x8b, 0x78, 0xcd, 0x36,
};
static const uint8_t handshake_init_hash[WG_NOISE_HASH_LEN] = {
	0x22, 0x11, 0xb3, 0x61, 0x08, 0x1a, 0xc5, 0x66, 0x69, 0x12, 0x43, 0xdb, 0x45, 0x8a, 0xd5, 0x32,
	0x2d, 0x9c, 0x6c, 0x66, 0x22, 0x93, 0xe8, 0xb7, 0x0e, 0xe1, 0x9c, 0x65, 0xba, 0x07, 0x9e, 0xf3,
};

static uint64_t now_of(const struct wg_device *device)
{
	return device->env.now(device->env.ctx);
}

static void mix_hash(uint8_t hash[WG_NOISE_HASH_LEN], const void *src, size_t len)
{
	struct wg_blake2s_state state;

	wg_blake2s_init(&state, WG_NOISE_HASH_LEN);
	wg_blake2s_update(&state, hash, WG_NOISE_HASH_LEN);
	wg_blake2s_update(&state, src, len);
	wg_blake2s_final(&state, hash);
}

/* (ck, key) = KDF2(ck, dh), or ck = KDF1(ck, dh) when key is NULL. */
static bool mix_dh(uint8_t chaining_key[WG_NOISE_HASH_LEN], uint8_t *key,
		   const struct wg_x25519_private *private_key, const uint8_t public_key[WG_NOISE_PUBLIC_KEY_LEN])
{
	uint8_t dh[WG_NOISE_PUBLIC_KEY_LEN];
	bool ok = wg_x25519_shared(dh, private_key, public_key);

	if (ok)
		wg_kdf(chaining_key, key, NULL, chaining_key, dh, sizeof(dh));
	wg_secret_wipe(dh, sizeof(dh));
	return ok;
}

/* The same with a DH result computed earlier; zero (a failed DH) is refused. */
static bool mix_precomputed_dh(uint8_t chaining_key[WG_NOISE_HASH_LEN], uint8_t *key,
			       const uint8_t precomputed[WG_NOISE_PUBLIC_KEY_LEN])
{
	if (wg_secret_is_zero(precomputed, WG_NOISE_PUBLIC_KEY_LEN))
		return false;
	wg_kdf(chaining_key, key, NULL, chaining_key, precomputed, WG_NOISE_PUBLIC_KEY_LEN);
	return true;
}

/* (ck, tau, key) = KDF3(ck, psk); hash = HASH(hash || tau) */
static void mix_psk(uint8_t chaining_key[WG_NOISE_HASH_LEN], uint8_t hash[WG_NOISE_HASH_LEN],
		    uint8_t key[WG_NOISE_SYMMETRIC_KEY_LEN], const uint8_t psk[WG_NOISE_SYMMETRIC_KEY_LEN])
{
	uint8_t tau[WG_NOISE_HASH_LEN];

	wg_kdf(chaining_key, tau, key, chaining_key, psk, WG_NOISE_SYMMETRIC_KEY_LEN);
	mix_hash(hash, tau, sizeof(tau));
	wg_secret_wipe(tau, sizeof(tau));
}

static void handshake_start(uint8_t chaining_key[WG_NOISE_HASH_LEN], uint8_t hash[WG_NOISE_HASH_LEN],
			    const uint8_t responder_static[WG_NOISE_PUBLIC_KEY_LEN])
{
	memcpy(chaining_key, handshake_init_chaining_key, WG_NOISE_HASH_LEN);
	memcpy(hash, handshake_init_hash, WG_NOISE_HASH_LEN);
	mix_hash(hash, responder_static, WG_NOISE_PUBLIC_KEY_LEN);
}

/* AEAD with a zero nonce and the transcript hash as associated data, then hash the ciphertext. */
static bool message_encrypt(uint8_t *dst, const uint8_t *src, size_t len,
			    const uint8_t key[WG_NOISE_SYMMETRIC_KEY_LEN], uint8_t hash[WG_NOISE_HASH_LEN])
{
	uint8_t nonce[WG_AEAD_NONCE_LEN];

	wg_aead_nonce(nonce, 0);
	if (wg_aead_seal_once(dst, src, len, hash, WG_NOISE_HASH_LEN, nonce, key))
		return false;
	mix_hash(hash, dst, WG_NOISE_ENCRYPTED_LEN(len));
	return true;
}

static bool message_decrypt(uint8_t *dst, const uint8_t *src, size_t src_len,
			    const uint8_t key[WG_NOISE_SYMMETRIC_KEY_LEN], uint8_t hash[WG_NOISE_HASH_LEN])
{
	uint8_t nonce[WG_AEAD_NONCE_LEN];

	wg_aead_nonce(nonce, 0);
	if (wg_aead_open_once(dst, src, src_len - WG_NOISE_AUTHTAG_LEN, hash, WG_NOISE_HASH_LEN, nonce, key))
		return false;
	mix_hash(hash, src, src_len);
	return true;
}

/* e: the ephemeral goes in the clear into both the hash and the chaining key. */
static void message_ephemeral(uint8_t dst[WG_NOISE_PUBLIC_KEY_LEN], const uint8_t src[WG_NOISE_PUBLIC_KEY_LEN],
			      uint8_t chaining_key[WG_NOISE_HASH_LEN], uint8_t hash[WG_NOISE_HASH_LEN])
{
	if (dst != src)
		memcpy(dst, src, WG_NOISE_PUBLIC_KEY_LEN);
	mix_hash(hash, src, WG_NOISE_PUBLIC_KEY_LEN);
	wg_kdf(chaining_key, NULL, NULL, chaining_key, src, WG_NOISE_PUBLIC_KEY_LEN);
}

static bool generate_ephemeral(struct wg_x25519_private *ephemeral, uint8_t public_key[WG_NOISE_PUBLIC_KEY_LEN],
			       const struct wg_env *env)
{
	uint8_t secret[WG_NOISE_PUBLIC_KEY_LEN];
	bool ok;

	env->random(env->ctx, secret, sizeof(secret));
	wg_x25519_clamp(secret);
	ok = wg_x25519_private_init(ephemeral, public_key, secret) == 0;
	wg_secret_wipe(secret, sizeof(secret));
	return ok;
}

static void store_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; ++i)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static void store_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; ++i)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

void wg_noise_tai64n_now(uint8_t out[WG_NOISE_TIMESTAMP_LEN], uint8_t last[WG_NOISE_TIMESTAMP_LEN],
			 uint64_t wall_ns)
{
	/* 2^24 ns is the largest power of two below 1/INITIATIONS_PER_SECOND. */
	const uint32_t granule = 1u << 24;
	uint64_t seconds = wall_ns / WG_NSEC_PER_SEC;
	uint32_t nanoseconds = (uint32_t)(wall_ns % WG_NSEC_PER_SEC) & ~(granule - 1);

	store_be64(out, 0x400000000000000aull + seconds);
	store_be32(out + 8, nanoseconds);
	if (memcmp(out, last, WG_NOISE_TIMESTAMP_LEN) <= 0) {
		/* The clock went back (or two initiations share a granule): one granule past the last. */
		seconds = 0;
		for (int i = 0; i < 8; ++i)
			seconds = seconds << 8 | last[i];
		nanoseconds = (uint32_t)last[8] << 24 | (uint32_t)last[9] << 16 | (uint32_t)last[10] << 8 | last[11];
		nanoseconds += granule;
		if (nanoseconds >= WG_NSEC_PER_SEC) {
			nanoseconds = 0;
			++seconds;
		}
		store_be64(out, seconds);
		store_be32(out + 8, nanoseconds);
	}
	memcpy(last, out, WG_NOISE_TIMESTAMP_LEN);
}

void wg_noise_handshake_init(struct wg_handshake *handshake, struct wg_peer *peer,
			     const uint8_t peer_public_key[32], const uint8_t *preshared_key)
{
	memset(handshake, 0, sizeof(*handshake));
	handshake->entry.peer = peer;
	handshake->entry.kind = WG_INDEX_HANDSHAKE;
	memcpy(handshake->remote_static, peer_public_key, WG_NOISE_PUBLIC_KEY_LEN);
	if (preshared_key)
		memcpy(handshake->preshared_key, preshared_key, WG_NOISE_SYMMETRIC_KEY_LEN);
}

void wg_noise_static_identity_clear(struct wg_static_identity *identity)
{
	wg_x25519_private_clear(&identity->private_key);
	wg_secret_wipe(identity, sizeof(*identity));
}

void wg_noise_set_static_identity_private_key(struct wg_static_identity *identity, const uint8_t *private_key)
{
	wg_noise_static_identity_clear(identity);
	if (!private_key || wg_secret_is_zero(private_key, WG_NOISE_PUBLIC_KEY_LEN))
		return;
	memcpy(identity->static_private, private_key, WG_NOISE_PUBLIC_KEY_LEN);
	wg_x25519_clamp(identity->static_private);
	identity->has_identity = wg_x25519_private_init(&identity->private_key, identity->static_public,
							identity->static_private) == 0;
	if (!identity->has_identity)
		wg_noise_static_identity_clear(identity);
}

void wg_noise_forget_static_static(struct wg_peer *peer)
{
	wg_secret_wipe(peer->handshake.precomputed_static_static, WG_NOISE_PUBLIC_KEY_LEN);
	peer->handshake.static_static_known = false;
}

static const uint8_t *static_static(struct wg_peer *peer)
{
	const struct wg_static_identity *identity = &peer->device->static_identity;
	struct wg_handshake *handshake = &peer->handshake;

	/* A failed DH (no identity, low-order key) leaves zeros, which no handshake accepts. */
	if (!handshake->static_static_known &&
	    (!identity->has_identity ||
	     !wg_x25519_shared(handshake->precomputed_static_static, &identity->private_key, handshake->remote_static)))
		memset(handshake->precomputed_static_static, 0, WG_NOISE_PUBLIC_KEY_LEN);
	handshake->static_static_known = true;
	return handshake->precomputed_static_static;
}

/* Forgets the in-progress handshake; keeps who the peer is and its replay protection. */
static void handshake_zero(struct wg_handshake *handshake)
{
	wg_x25519_private_clear(&handshake->ephemeral);
	wg_secret_wipe(handshake->remote_ephemeral, sizeof(handshake->remote_ephemeral));
	wg_secret_wipe(handshake->hash, sizeof(handshake->hash));
	wg_secret_wipe(handshake->chaining_key, sizeof(handshake->chaining_key));
	handshake->remote_index = 0;
	handshake->state = WG_HANDSHAKE_ZEROED;
}

void wg_noise_handshake_clear(struct wg_peer *peer)
{
	wg_index_table_remove(&peer->device->index_hashtable, &peer->handshake.entry);
	handshake_zero(&peer->handshake);
}

static void keypair_release(struct wg_device *device, struct wg_keypair *keypair)
{
	if (!keypair)
		return;
	wg_index_table_remove(&device->index_hashtable, &keypair->entry);
	wg_aead_key_clear(&keypair->sending);
	wg_aead_key_clear(&keypair->receiving);
	wg_secret_wipe(keypair, sizeof(*keypair));
}

void wg_noise_keypairs_clear(struct wg_peer *peer)
{
	struct wg_keypairs *keypairs = &peer->keypairs;

	keypair_release(peer->device, keypairs->next);
	keypair_release(peer->device, keypairs->current);
	keypair_release(peer->device, keypairs->previous);
	keypairs->next = keypairs->current = keypairs->previous = NULL;
}

void wg_noise_keypairs_wipe(struct wg_peer *peer)
{
	struct wg_keypairs *keypairs = &peer->keypairs;

	if (keypairs->current || keypairs->next || keypairs->previous)
		wg_event_report(peer, &(struct wg_event){ .type = WG_EVENT_KEYPAIR_EXPIRED, .reason = WG_EXPIRED_WIPED });
	wg_noise_keypairs_clear(peer);
}

void wg_noise_keypair_check_expiry(struct wg_peer *peer, struct wg_keypair *keypair)
{
	bool aged;

	if (!keypair || keypair->expiry_reported)
		return;
	aged = now_of(peer->device) >= keypair->birthdate + WG_REJECT_AFTER_TIME * WG_NSEC_PER_SEC;
	if (!aged && keypair->sending_counter < WG_REJECT_AFTER_MESSAGES &&
	    keypair->receiving_counter.counter < WG_REJECT_AFTER_MESSAGES)
		return;
	keypair->expiry_reported = true;
	wg_event_report(peer, &(struct wg_event){ .type = WG_EVENT_KEYPAIR_EXPIRED,
						  .reason = aged ? WG_EXPIRED_AGE : WG_EXPIRED_MESSAGES });
}

void wg_noise_keypairs_free(struct wg_peer *peer)
{
	wg_noise_keypairs_clear(peer);
	/* Released slots hold no key material: keypair_release wiped them. */
	free(peer->keypairs.slots);
	peer->keypairs.slots = NULL;
}

void wg_noise_expire_current_peer_keypairs(struct wg_peer *peer)
{
	wg_noise_handshake_clear(peer);
	peer->has_sent_handshake = false;
	if (peer->keypairs.next)
		peer->keypairs.next->sending_valid = false;
	if (peer->keypairs.current)
		peer->keypairs.current->sending_valid = false;
}

bool wg_noise_keypair_can_send(const struct wg_keypair *keypair, uint64_t now)
{
	return keypair && keypair->sending_valid &&
	       now < keypair->birthdate + WG_REJECT_AFTER_TIME * WG_NSEC_PER_SEC &&
	       keypair->sending_counter < WG_REJECT_AFTER_MESSAGES;
}

bool wg_noise_keypair_can_receive(const struct wg_keypair *keypair, uint64_t now)
{
	return keypair->receiving_valid &&
	       now < keypair->birthdate + WG_REJECT_AFTER_TIME * WG_NSEC_PER_SEC &&
	       keypair->receiving_counter.counter < WG_REJECT_AFTER_MESSAGES;
}

/*
 * How both create functions end: on success our new index goes into the message and the state
 * moves on; past the state check a failure leaves a half-written transcript, so forget it.
 */
static bool finish_create(struct wg_peer *peer, uint8_t sender_index[4], enum wg_handshake_state state, bool ok)
{
	struct wg_device *device = peer->device;

	if (!ok) {
		wg_noise_handshake_clear(peer);
		return false;
	}
	wg_le32_put(sender_index, wg_index_table_insert(&device->index_hashtable, &peer->handshake.entry,
							&device->env));
	peer->handshake.state = state;
	return true;
}

bool wg_noise_handshake_create_initiation(struct wg_message_initiation *dst, struct wg_peer *peer)
{
	struct wg_device *device = peer->device;
	struct wg_handshake *handshake = &peer->handshake;
	uint8_t timestamp[WG_NOISE_TIMESTAMP_LEN], key[WG_NOISE_SYMMETRIC_KEY_LEN];
	bool ret = false;

	if (!device->static_identity.has_identity)
		return false;
	wg_le32_put(dst->type, WG_MESSAGE_HANDSHAKE_INITIATION);
	handshake_start(handshake->chaining_key, handshake->hash, handshake->remote_static);

	/* e */
	if (!generate_ephemeral(&handshake->ephemeral, dst->unencrypted_ephemeral, &device->env))
		goto out;
	message_ephemeral(dst->unencrypted_ephemeral, dst->unencrypted_ephemeral, handshake->chaining_key,
			  handshake->hash);
	/* es */
	if (!mix_dh(handshake->chaining_key, key, &handshake->ephemeral, handshake->remote_static))
		goto out;
	/* s */
	if (!message_encrypt(dst->encrypted_static, device->static_identity.static_public, WG_NOISE_PUBLIC_KEY_LEN,
			     key, handshake->hash))
		goto out;
	/* ss */
	if (!mix_precomputed_dh(handshake->chaining_key, key, static_static(peer)))
		goto out;
	/* {t} */
	wg_noise_tai64n_now(timestamp, handshake->last_sent_timestamp, device->env.wall(device->env.ctx));
	if (!message_encrypt(dst->encrypted_timestamp, timestamp, WG_NOISE_TIMESTAMP_LEN, key, handshake->hash))
		goto out;
	ret = true;
out:
	wg_secret_wipe(key, sizeof(key));
	return finish_create(peer, dst->sender_index, WG_HANDSHAKE_CREATED_INITIATION, ret);
}

/* The responder's first three tokens, up to the initiator's static key: no peer state needed. */
static bool initiation_reveal_static(uint8_t chaining_key[WG_NOISE_HASH_LEN], uint8_t hash[WG_NOISE_HASH_LEN],
				     uint8_t e[WG_NOISE_PUBLIC_KEY_LEN], uint8_t s[WG_NOISE_PUBLIC_KEY_LEN],
				     const struct wg_message_initiation *src, const struct wg_x25519_private *identity,
				     const uint8_t identity_public[WG_NOISE_PUBLIC_KEY_LEN])
{
	uint8_t key[WG_NOISE_SYMMETRIC_KEY_LEN];
	bool ok;

	handshake_start(chaining_key, hash, identity_public);
	/* e */
	message_ephemeral(e, src->unencrypted_ephemeral, chaining_key, hash);
	/* es, s */
	ok = mix_dh(chaining_key, key, identity, e) &&
	     message_decrypt(s, src->encrypted_static, sizeof(src->encrypted_static), key, hash);
	wg_secret_wipe(key, sizeof(key));
	return ok;
}

void wg_noise_responder_dh_clear(struct wg_responder_dh *dh)
{
	wg_x25519_private_clear(&dh->ephemeral);
	wg_secret_wipe(dh, sizeof(*dh));
}

bool wg_noise_responder_reveal(struct wg_responder_dh *dh, const struct wg_message_initiation *src,
			       const struct wg_x25519_private *identity,
			       const uint8_t identity_public[WG_NOISE_PUBLIC_KEY_LEN])
{
	memset(dh, 0, sizeof(*dh));
	memcpy(dh->identity, identity_public, WG_NOISE_PUBLIC_KEY_LEN);
	memcpy(dh->initiation, src, sizeof(dh->initiation));
	if (initiation_reveal_static(dh->chaining_key, dh->hash, dh->initiator_ephemeral, dh->initiator_static, src,
				     identity, identity_public))
		return true;
	wg_noise_responder_dh_clear(dh);
	return false;
}

bool wg_noise_responder_ephemeral(struct wg_responder_dh *dh, const struct wg_env *env)
{
	if (wg_secret_is_zero(dh->identity, sizeof(dh->identity)) ||
	    !generate_ephemeral(&dh->ephemeral, dh->ephemeral_public, env)) {
		wg_noise_responder_dh_clear(dh);
		return false;
	}
	/* A low-order key of theirs leaves ee or se zero, which the response then refuses, just as
	 * it would have refused computing them itself. */
	wg_x25519_shared(dh->ee, &dh->ephemeral, dh->initiator_ephemeral);
	wg_x25519_shared(dh->se, &dh->ephemeral, dh->initiator_static);
	return true;
}

/* An initiation opened up to its timestamp: who sent it, when, and the transcript so far. */
struct opened_initiation {
	struct wg_peer *peer;
	uint8_t s[WG_NOISE_PUBLIC_KEY_LEN], e[WG_NOISE_PUBLIC_KEY_LEN], t[WG_NOISE_TIMESTAMP_LEN];
	uint8_t hash[WG_NOISE_HASH_LEN], chaining_key[WG_NOISE_HASH_LEN];
};

/* Step 2 opened this initiation already: the peer its key names now, and what came of ss
 * and {t}, which depend on nothing but the message and the two static keys. */
static bool reopen_checked(struct opened_initiation *o, struct wg_device *device, const struct wg_responder_dh *dh)
{
	o->peer = wg_pubkey_table_lookup(&device->peer_hashtable, dh->initiator_static);
	if (!o->peer)
		return false;
	memcpy(o->chaining_key, dh->checked_chaining_key, WG_NOISE_HASH_LEN);
	memcpy(o->hash, dh->checked_hash, WG_NOISE_HASH_LEN);
	memcpy(o->t, dh->timestamp, WG_NOISE_TIMESTAMP_LEN);
	memcpy(o->e, dh->initiator_ephemeral, WG_NOISE_PUBLIC_KEY_LEN);
	memcpy(o->s, dh->initiator_static, WG_NOISE_PUBLIC_KEY_LEN);
	return true;
}

/* e, es, s (or what dh did of them), then the peer they name, ss and {t}. On false, what was
 * opened is wiped. */
static bool open_initiation(struct opened_initiation *o, const struct wg_message_initiation *src,
			    struct wg_device *device, const struct wg_responder_dh *dh)
{
	const struct wg_static_identity *identity = &device->static_identity;
	uint8_t key[WG_NOISE_SYMMETRIC_KEY_LEN];
	bool ok = false;

	memset(o, 0, sizeof(*o));
	if (!identity->has_identity)
		goto out;
	if (dh) {
		/* Done elsewhere, perhaps before our private key changed, and for this message? */
		if (memcmp(dh->identity, identity->static_public, WG_NOISE_PUBLIC_KEY_LEN) ||
		    memcmp(dh->initiation, src, sizeof(dh->initiation)))
			goto out;
		if (dh->checked) {
			ok = reopen_checked(o, device, dh);
			goto out;
		}
		memcpy(o->chaining_key, dh->chaining_key, WG_NOISE_HASH_LEN);
		memcpy(o->hash, dh->hash, WG_NOISE_HASH_LEN);
		memcpy(o->e, dh->initiator_ephemeral, WG_NOISE_PUBLIC_KEY_LEN);
		memcpy(o->s, dh->initiator_static, WG_NOISE_PUBLIC_KEY_LEN);
	} else if (!initiation_reveal_static(o->chaining_key, o->hash, o->e, o->s, src, &identity->private_key,
					     identity->static_public)) {
		goto out;
	}
	/* Which peer is this? */
	o->peer = wg_pubkey_table_lookup(&device->peer_hashtable, o->s);
	if (!o->peer)
		goto out;
	/* ss */
	if (!mix_precomputed_dh(o->chaining_key, key, static_static(o->peer)))
		goto out;
	/* {t} */
	ok = message_decrypt(o->t, src->encrypted_timestamp, sizeof(src->encrypted_timestamp), key, o->hash);
out:
	wg_secret_wipe(key, sizeof(key));
	if (!ok)
		wg_secret_wipe(o, sizeof(*o));
	return ok;
}

static bool within_flood_rule(bool has_last, uint64_t last, uint64_t now)
{
	return !has_last || now >= last + WG_NSEC_PER_SEC / WG_INITIATIONS_PER_SECOND;
}

/* A replayed initiation carries an old timestamp; a flood comes faster than 50 per second. */
static bool initiation_is_fresh(const struct wg_handshake *handshake, const uint8_t t[WG_NOISE_TIMESTAMP_LEN],
				uint64_t now)
{
	return memcmp(t, handshake->latest_timestamp, WG_NOISE_TIMESTAMP_LEN) > 0 &&
	       within_flood_rule(handshake->has_consumed_initiation, handshake->last_initiation_consumption, now);
}

struct wg_peer *wg_noise_handshake_check_initiation(const struct wg_message_initiation *src,
						    struct wg_device *device, struct wg_responder_dh *dh)
{
	struct opened_initiation o;
	struct wg_handshake *handshake;
	uint64_t now = now_of(device);
	struct wg_peer *ret = NULL;

	if (!dh || dh->checked || !open_initiation(&o, src, device, dh))
		return NULL;
	handshake = &o.peer->handshake;
	if (initiation_is_fresh(handshake, o.t, now) &&
	    within_flood_rule(handshake->has_checked_initiation, handshake->last_initiation_checked, now)) {
		handshake->last_initiation_checked = now;
		handshake->has_checked_initiation = true;
		memcpy(dh->timestamp, o.t, WG_NOISE_TIMESTAMP_LEN);
		memcpy(dh->checked_chaining_key, o.chaining_key, WG_NOISE_HASH_LEN);
		memcpy(dh->checked_hash, o.hash, WG_NOISE_HASH_LEN);
		dh->checked = true;
		ret = o.peer;
	}
	wg_secret_wipe(&o, sizeof(o));
	return ret;
}

struct wg_peer *wg_noise_handshake_consume_initiation(const struct wg_message_initiation *src,
						      struct wg_device *device, const struct wg_responder_dh *dh)
{
	struct opened_initiation o;
	struct wg_handshake *handshake;
	uint64_t now = now_of(device);
	struct wg_peer *ret = NULL;

	/* A response is made from step 3's results: without them, keep nothing of this one. */
	if ((dh && !dh->ephemeral.pkey) || !open_initiation(&o, src, device, dh))
		return NULL;
	handshake = &o.peer->handshake;
	if (initiation_is_fresh(handshake, o.t, now)) {
		memcpy(handshake->remote_ephemeral, o.e, WG_NOISE_PUBLIC_KEY_LEN);
		memcpy(handshake->latest_timestamp, o.t, WG_NOISE_TIMESTAMP_LEN);
		memcpy(handshake->hash, o.hash, WG_NOISE_HASH_LEN);
		memcpy(handshake->chaining_key, o.chaining_key, WG_NOISE_HASH_LEN);
		handshake->remote_index = wg_le32_get(src->sender_index);
		handshake->last_initiation_consumption = now;
		handshake->has_consumed_initiation = true;
		handshake->state = WG_HANDSHAKE_CONSUMED_INITIATION;
		ret = o.peer;
	}
	wg_secret_wipe(&o, sizeof(o));
	return ret;
}

/* e, ee, se of the response, from what was computed ahead (which must be this handshake's) or
 * computed now. */
static bool response_ephemeral(struct wg_message_response *dst, struct wg_peer *peer, struct wg_responder_dh *dh)
{
	struct wg_handshake *handshake = &peer->handshake;

	if (dh) {
		if (memcmp(dh->initiator_ephemeral, handshake->remote_ephemeral, WG_NOISE_PUBLIC_KEY_LEN) ||
		    memcmp(dh->initiator_static, handshake->remote_static, WG_NOISE_PUBLIC_KEY_LEN) ||
		    !dh->ephemeral.pkey)
			return false;
		wg_x25519_private_move(&handshake->ephemeral, &dh->ephemeral);
		memcpy(dst->unencrypted_ephemeral, dh->ephemeral_public, WG_NOISE_PUBLIC_KEY_LEN);
	} else if (!generate_ephemeral(&handshake->ephemeral, dst->unencrypted_ephemeral, &peer->device->env)) {
		return false;
	}
	/* e */
	message_ephemeral(dst->unencrypted_ephemeral, dst->unencrypted_ephemeral, handshake->chaining_key,
			  handshake->hash);
	/* ee, se */
	if (dh)
		return mix_precomputed_dh(handshake->chaining_key, NULL, dh->ee) &&
		       mix_precomputed_dh(handshake->chaining_key, NULL, dh->se);
	return mix_dh(handshake->chaining_key, NULL, &handshake->ephemeral, handshake->remote_ephemeral) &&
	       mix_dh(handshake->chaining_key, NULL, &handshake->ephemeral, handshake->remote_static);
}

bool wg_noise_handshake_create_response(struct wg_message_response *dst, struct wg_peer *peer,
					struct wg_responder_dh *dh)
{
	struct wg_handshake *handshake = &peer->handshake;
	uint8_t key[WG_NOISE_SYMMETRIC_KEY_LEN];
	bool ret = false;

	if (handshake->state != WG_HANDSHAKE_CONSUMED_INITIATION)
		return false;
	wg_le32_put(dst->type, WG_MESSAGE_HANDSHAKE_RESPONSE);
	wg_le32_put(dst->receiver_index, handshake->remote_index);

	/* e, ee, se */
	if (!response_ephemeral(dst, peer, dh))
		goto out;
	/* psk */
	mix_psk(handshake->chaining_key, handshake->hash, key, handshake->preshared_key);
	/* {} */
	if (!message_encrypt(dst->encrypted_nothing, NULL, 0, key, handshake->hash))
		goto out;
	ret = true;
out:
	wg_secret_wipe(key, sizeof(key));
	return finish_create(peer, dst->sender_index, WG_HANDSHAKE_CREATED_RESPONSE, ret);
}

struct wg_peer *wg_noise_handshake_consume_response(const struct wg_message_response *src,
						    struct wg_device *device)
{
	uint8_t e[WG_NOISE_PUBLIC_KEY_LEN], hash[WG_NOISE_HASH_LEN], chaining_key[WG_NOISE_HASH_LEN];
	uint8_t key[WG_NOISE_SYMMETRIC_KEY_LEN];
	struct wg_index_entry *entry;
	struct wg_handshake *handshake;
	struct wg_peer *ret = NULL;

	if (!device->static_identity.has_identity)
		goto out;
	entry = wg_index_table_lookup(&device->index_hashtable, wg_le32_get(src->receiver_index),
				      WG_INDEX_HANDSHAKE);
	if (!entry)
		goto out;
	handshake = &entry->peer->handshake;
	if (handshake->state != WG_HANDSHAKE_CREATED_INITIATION)
		goto out;
	memcpy(hash, handshake->hash, WG_NOISE_HASH_LEN);
	memcpy(chaining_key, handshake->chaining_key, WG_NOISE_HASH_LEN);

	/* e */
	message_ephemeral(e, src->unencrypted_ephemeral, chaining_key, hash);
	/* ee */
	if (!mix_dh(chaining_key, NULL, &handshake->ephemeral, e))
		goto out;
	/* se */
	if (!mix_dh(chaining_key, NULL, &device->static_identity.private_key, e))
		goto out;
	/* psk */
	mix_psk(chaining_key, hash, key, handshake->preshared_key);
	/* {} */
	if (!message_decrypt(NULL, src->encrypted_nothing, sizeof(src->encrypted_nothing), key, hash))
		goto out;

	memcpy(handshake->remote_ephemeral, e, WG_NOISE_PUBLIC_KEY_LEN);
	memcpy(handshake->hash, hash, WG_NOISE_HASH_LEN);
	memcpy(handshake->chaining_key, chaining_key, WG_NOISE_HASH_LEN);
	handshake->remote_index = wg_le32_get(src->sender_index);
	handshake->state = WG_HANDSHAKE_CONSUMED_RESPONSE;
	ret = entry->peer;
out:
	wg_secret_wipe(key, sizeof(key));
	wg_secret_wipe(hash, sizeof(hash));
	wg_secret_wipe(chaining_key, sizeof(chaining_key));
	wg_secret_wipe(e, sizeof(e));
	return ret;
}

static bool is_in_use(const struct wg_keypairs *keypairs, const struct wg_keypair *slot)
{
	return slot == keypairs->previous || slot == keypairs->current || slot == keypairs->next;
}

/*
 * Rotation. The initiator may use its new keypair at once: it becomes current, the old
 * current (or an unconfirmed next) becomes previous. The responder's waits as next for key
 * confirmation, displacing any older next and the previous one.
 */
static struct wg_keypair *make_room(struct wg_peer *peer, bool i_am_the_initiator)
{
	struct wg_keypairs *keypairs = &peer->keypairs;
	struct wg_device *device = peer->device;

	if (i_am_the_initiator) {
		keypair_release(device, keypairs->previous);
		if (keypairs->next) {
			keypairs->previous = keypairs->next;
			keypairs->next = NULL;
			keypair_release(device, keypairs->current);
		} else {
			keypairs->previous = keypairs->current;
		}
		keypairs->current = NULL;
	} else {
		keypair_release(device, keypairs->next);
		keypair_release(device, keypairs->previous);
		keypairs->next = keypairs->previous = NULL;
	}
	for (int i = 0; i < 3; ++i)
		if (!is_in_use(keypairs, &keypairs->slots[i]))
			return &keypairs->slots[i];
	return NULL; /* unreachable: every branch above frees at least one slot */
}

/* The session's secrets to whoever asked for them (a key log), then wiped. */
static void report_keys(struct wg_peer *peer, const struct wg_keypair *keypair, const uint8_t sending[32],
			const uint8_t receiving[32])
{
	struct wg_handshake *handshake = &peer->handshake;
	struct wg_session_keys keys = { .local_index = handshake->entry.index, .remote_index = keypair->remote_index };
	struct wg_event event = { .type = WG_EVENT_KEYS_DERIVED, .initiator = keypair->i_am_the_initiator };

	if (peer->device->report_keys) {
		memcpy(keys.local_static_private, peer->device->static_identity.static_private, sizeof(keys.local_static_private));
		memcpy(keys.remote_static_public, handshake->remote_static, sizeof(keys.remote_static_public));
		wg_x25519_private_secret(keys.local_ephemeral_private, &handshake->ephemeral);
		memcpy(keys.preshared_key, handshake->preshared_key, sizeof(keys.preshared_key));
		memcpy(keys.sending_key, sending, sizeof(keys.sending_key));
		memcpy(keys.receiving_key, receiving, sizeof(keys.receiving_key));
		event.keys = &keys;
	}
	wg_event_report(peer, &event);
	wg_secret_wipe(&keys, sizeof(keys));
}

static bool keypair_derive(struct wg_keypair *keypair, struct wg_peer *peer, bool i_am_the_initiator)
{
	uint8_t first[WG_NOISE_SYMMETRIC_KEY_LEN], second[WG_NOISE_SYMMETRIC_KEY_LEN];
	struct wg_device *device = peer->device;
	bool ok;

	/* (T_send, T_recv) of the initiator = KDF2(ck, empty); the responder's are swapped. */
	wg_kdf(first, second, NULL, peer->handshake.chaining_key, NULL, 0);
	memset(keypair, 0, sizeof(*keypair));
	keypair->entry.peer = peer;
	keypair->entry.kind = WG_INDEX_KEYPAIR;
	keypair->i_am_the_initiator = i_am_the_initiator;
	keypair->remote_index = peer->handshake.remote_index;
	keypair->birthdate = now_of(device);
	keypair->internal_id = ++device->next_keypair_id;
	ok = wg_aead_key_init(&keypair->sending, i_am_the_initiator ? first : second, true) == 0 &&
	     wg_aead_key_init(&keypair->receiving, i_am_the_initiator ? second : first, false) == 0;
	keypair->sending_valid = keypair->receiving_valid = ok;
	if (ok)
		report_keys(peer, keypair, i_am_the_initiator ? first : second, i_am_the_initiator ? second : first);
	wg_secret_wipe(first, sizeof(first));
	wg_secret_wipe(second, sizeof(second));
	return ok;
}

bool wg_noise_handshake_begin_session(struct wg_peer *peer)
{
	struct wg_handshake *handshake = &peer->handshake;
	struct wg_keypair fresh, *slot;
	bool i_am_the_initiator;

	if (handshake->state != WG_HANDSHAKE_CREATED_RESPONSE && handshake->state != WG_HANDSHAKE_CONSUMED_RESPONSE)
		return false;
	i_am_the_initiator = handshake->state == WG_HANDSHAKE_CONSUMED_RESPONSE;
	if (!peer->keypairs.slots)
		peer->keypairs.slots = calloc(3, sizeof(*peer->keypairs.slots));
	if (!peer->keypairs.slots) {
		wg_noise_handshake_clear(peer);
		return false;
	}
	if (!keypair_derive(&fresh, peer, i_am_the_initiator)) {
		keypair_release(peer->device, &fresh);
		wg_noise_handshake_clear(peer);
		return false;
	}
	slot = make_room(peer, i_am_the_initiator);
	*slot = fresh;
	wg_secret_wipe(&fresh, sizeof(fresh));
	if (i_am_the_initiator)
		peer->keypairs.current = slot;
	else
		peer->keypairs.next = slot;
	/* The keypair answers to the index the handshake was known by. */
	wg_index_table_replace(&peer->device->index_hashtable, &handshake->entry, &slot->entry);
	handshake_zero(handshake);
	return true;
}

bool wg_noise_received_with_keypair(struct wg_peer *peer, struct wg_keypair *received)
{
	struct wg_keypairs *keypairs = &peer->keypairs;

	if (!keypairs->next || received != keypairs->next)
		return false;
	keypair_release(peer->device, keypairs->previous);
	keypairs->previous = keypairs->current;
	keypairs->current = received;
	keypairs->next = NULL;
	return true;
}
