/* A captured handshake rebuilt token by token (paper section 5.4), as far as the keys go. */
#include "wgc/chain.h"

#include <string.h>

#include "crypto/aead.h"
#include "crypto/blake2s.h"
#include "crypto/kdf.h"
#include "crypto/secret.h"
#include "crypto/x25519.h"

static const char construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
static const char identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";

static const char *const token_names[CHAIN_TOKENS] = {
	"initial", "e", "es", "s", "ss", "timestamp", "e", "ee", "se", "psk", "empty",
};

const char *chain_token_name(enum chain_token token)
{
	return token < CHAIN_TOKENS ? token_names[token] : "?";
}

static void mix_hash(uint8_t h[32], const void *data, size_t len)
{
	struct wg_blake2s_state state;

	wg_blake2s_init(&state, 32);
	wg_blake2s_update(&state, h, 32);
	wg_blake2s_update(&state, data, len);
	wg_blake2s_final(&state, h);
}

/* Records the state after a token; tokens come in order. */
static void step_done(struct chain *chain, enum chain_token token, const struct chain_state *state)
{
	chain->after[token] = *state;
	chain->steps = token + 1;
}

/* ck = KDF1(ck, dh) or (ck, k) = KDF2(ck, dh); false for a failed (low-order) DH. */
static bool mix_dh(struct chain_state *state, uint8_t *k, const uint8_t private_key[32], const uint8_t public_key[32])
{
	uint8_t dh[32];
	bool ok = wg_x25519(dh, private_key, public_key);

	if (ok)
		wg_kdf(state->ck, k, NULL, state->ck, dh, sizeof(dh));
	wg_secret_wipe(dh, sizeof(dh));
	return ok;
}

/* AEAD with nonce 0 and the hash as associated data, then the ciphertext into the hash. */
static bool open_and_mix(struct chain_state *state, uint8_t *plain, const uint8_t *sealed, size_t sealed_len,
			 const uint8_t k[32])
{
	uint8_t nonce[WG_AEAD_NONCE_LEN];

	wg_aead_nonce(nonce, 0);
	if (wg_aead_open_once(plain, sealed, sealed_len - WG_NOISE_AUTHTAG_LEN, state->h, 32, nonce, k))
		return false;
	mix_hash(state->h, sealed, sealed_len);
	return true;
}

/* initial, e: what every initiation to this responder starts with. */
static void start(struct chain *chain, struct chain_state *state, const struct wg_message_initiation *msg,
		  const uint8_t responder_static[32])
{
	wg_blake2s(state->ck, 32, construction, strlen(construction), NULL, 0);
	memcpy(state->h, state->ck, 32);
	mix_hash(state->h, identifier, strlen(identifier));
	mix_hash(state->h, responder_static, 32);
	step_done(chain, CHAIN_INITIAL, state);
	/* e */
	wg_kdf(state->ck, NULL, NULL, state->ck, msg->unencrypted_ephemeral, 32);
	mix_hash(state->h, msg->unencrypted_ephemeral, 32);
	step_done(chain, CHAIN_E, state);
}

/* es and s with the es key from one side; the initiator's static lands in the chain. */
static bool open_static(struct chain *chain, struct chain_state *state, const struct wg_message_initiation *msg,
			const uint8_t private_key[32], const uint8_t public_key[32])
{
	if (!mix_dh(state, chain->k, private_key, public_key))
		return false;
	step_done(chain, CHAIN_ES, state);
	if (!open_and_mix(state, chain->initiator_static, msg->encrypted_static, sizeof(msg->encrypted_static), chain->k))
		return false;
	chain->initiator_static_known = true;
	step_done(chain, CHAIN_S, state);
	return true;
}

/* ss and the timestamp, with the ss DH from one side. */
static void open_timestamp(struct chain *chain, struct chain_state *state, const struct wg_message_initiation *msg,
			   const uint8_t private_key[32], const uint8_t public_key[32])
{
	if (!mix_dh(state, chain->k, private_key, public_key))
		return;
	step_done(chain, CHAIN_SS, state);
	if (!open_and_mix(state, chain->timestamp, msg->encrypted_timestamp, sizeof(msg->encrypted_timestamp),
			  chain->k))
		return;
	chain->timestamp_known = true;
	step_done(chain, CHAIN_TIMESTAMP, state);
}

/* The responder's side: its static private key opens everything. */
static bool open_as_responder(struct chain *chain, const struct wg_message_initiation *msg,
			      const struct keyring_static *responder)
{
	struct chain_state state;

	bool opened;

	start(chain, &state, msg, responder->public_key);
	opened = open_static(chain, &state, msg, responder->private_key, msg->unencrypted_ephemeral);
	if (opened) {
		memcpy(chain->responder_static, responder->public_key, 32);
		chain->responder_private = responder;
		open_timestamp(chain, &state, msg, responder->private_key, chain->initiator_static);
	}
	wg_secret_wipe(&state, sizeof(state));
	return opened;
}

/* The initiator's side: its ephemeral opens s given the responder's public key; ss needs its
 * static private key too. */
static bool open_as_initiator(struct chain *chain, const struct wg_message_initiation *msg,
			      const struct keyring_ephemeral *ephemeral, const uint8_t responder_public[32],
			      const struct keyring *ring)
{
	struct chain_state state;

	bool opened;

	start(chain, &state, msg, responder_public);
	opened = open_static(chain, &state, msg, ephemeral->private_key, responder_public);
	if (opened) {
		memcpy(chain->responder_static, responder_public, 32);
		chain->initiator_ephemeral_private = ephemeral;
		chain->initiator_private = keyring_static_of(ring, chain->initiator_static);
		if (chain->initiator_private)
			open_timestamp(chain, &state, msg, chain->initiator_private->private_key, responder_public);
	}
	wg_secret_wipe(&state, sizeof(state));
	return opened;
}

bool chain_open_initiation(struct chain *chain, const struct wg_message_initiation *msg, const struct keyring *ring)
{
	const struct keyring_ephemeral *ephemeral = keyring_ephemeral_of(ring, msg->unencrypted_ephemeral);

	memset(chain, 0, sizeof(*chain));
	memcpy(chain->initiator_ephemeral, msg->unencrypted_ephemeral, 32);
	for (size_t i = 0; i < ring->static_count; ++i)
		if (open_as_responder(chain, msg, &ring->statics[i]))
			goto opened;
	for (size_t i = 0; ephemeral && i < ring->public_count; ++i)
		if (open_as_initiator(chain, msg, ephemeral, ring->publics[i].key, ring))
			goto opened;
	chain_wipe(chain);
	return false;
opened:
	/* A responder's view may still have the initiator's ephemeral in the log. */
	if (!chain->initiator_ephemeral_private)
		chain->initiator_ephemeral_private = ephemeral;
	if (!chain->initiator_private)
		chain->initiator_private = keyring_static_of(ring, chain->initiator_static);
	return true;
}

/* ee and se from whichever side's ephemeral private key is known. */
static bool mix_ee_se(struct chain *chain, struct chain_state *state, const uint8_t responder_ephemeral[32],
		      const struct keyring_ephemeral **used, const struct keyring *ring)
{
	const struct keyring_ephemeral *mine = chain->initiator_ephemeral_private;
	const struct keyring_ephemeral *theirs = keyring_ephemeral_of(ring, responder_ephemeral);

	if (mine && chain->initiator_private) {
		*used = mine;
		if (!mix_dh(state, NULL, mine->private_key, responder_ephemeral))
			return false;
		step_done(chain, CHAIN_EE, state);
		if (!mix_dh(state, NULL, chain->initiator_private->private_key, responder_ephemeral))
			return false;
	} else if (theirs) {
		*used = theirs;
		if (!mix_dh(state, NULL, theirs->private_key, chain->initiator_ephemeral))
			return false;
		step_done(chain, CHAIN_EE, state);
		if (!mix_dh(state, NULL, theirs->private_key, chain->initiator_static))
			return false;
	} else {
		return false;
	}
	step_done(chain, CHAIN_SE, state);
	return true;
}

/* psk and empty with one preshared key; the state is only advanced when it opens. */
static bool try_preshared(struct chain *chain, struct chain_state *state, const struct wg_message_response *msg,
			  const uint8_t psk[32])
{
	struct chain_state trial = *state;
	uint8_t tau[32], k[32];
	bool ok;

	wg_kdf(trial.ck, tau, k, trial.ck, psk, 32);
	mix_hash(trial.h, tau, sizeof(tau));
	chain->after[CHAIN_PSK] = trial;
	ok = open_and_mix(&trial, NULL, msg->encrypted_nothing, sizeof(msg->encrypted_nothing), k);
	if (ok) {
		step_done(chain, CHAIN_PSK, &chain->after[CHAIN_PSK]);
		step_done(chain, CHAIN_EMPTY, &trial);
		*state = trial;
	}
	wg_secret_wipe(tau, sizeof(tau));
	wg_secret_wipe(k, sizeof(k));
	wg_secret_wipe(&trial, sizeof(trial));
	return ok;
}

bool chain_open_response(struct chain *chain, const struct wg_message_response *msg, const struct keyring *ring)
{
	const struct keyring_ephemeral *used = NULL;
	struct chain_state state;
	bool ok = false;

	if (chain->steps < CHAIN_TIMESTAMP + 1 || chain->complete)
		return chain->complete;
	state = chain->after[CHAIN_TIMESTAMP];
	/* e */
	wg_kdf(state.ck, NULL, NULL, state.ck, msg->unencrypted_ephemeral, 32);
	mix_hash(state.h, msg->unencrypted_ephemeral, 32);
	step_done(chain, CHAIN_RESPONSE_E, &state);
	if (!mix_ee_se(chain, &state, msg->unencrypted_ephemeral, &used, ring))
		goto out;
	ok = try_preshared(chain, &state, msg, used->preshared_key);
	for (size_t i = 0; !ok && i < ring->preshared_count; ++i)
		ok = try_preshared(chain, &state, msg, ring->preshared[i]);
	if (!ok)
		goto out;
	/* (T_send, T_recv) of the initiator = KDF2(ck, empty) */
	wg_kdf(chain->send_i, chain->recv_i, NULL, state.ck, NULL, 0);
	chain->complete = true;
out:
	wg_secret_wipe(&state, sizeof(state));
	return ok;
}

void chain_wipe(struct chain *chain)
{
	wg_secret_wipe(chain, sizeof(*chain));
}
