/*
 * A captured handshake's chain rebuilt from the keys the analyzer has (paper section 5.4):
 * the chaining key and hash after each Noise token, what the initiation hides (the
 * initiator's static key, its TAI64N timestamp) and, once the response is rebuilt too, the
 * session's two transport keys. An initiation opens with the responder's static private key,
 * or with the initiator's ephemeral private key and the responder's public key; a response
 * with either side's ephemeral private key. All of it is secret: chain_wipe.
 */
#ifndef WGC_CHAIN_H
#define WGC_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/messages.h"
#include "wgc/keyring.h"

enum chain_token {
	CHAIN_INITIAL, CHAIN_E, CHAIN_ES, CHAIN_S, CHAIN_SS, CHAIN_TIMESTAMP,    /* initiation */
	CHAIN_RESPONSE_E, CHAIN_EE, CHAIN_SE, CHAIN_PSK, CHAIN_EMPTY,            /* response */
	CHAIN_TOKENS
};

struct chain_state {
	uint8_t ck[32], h[32];
};

struct chain {
	unsigned steps;                          /* tokens done, in enum order */
	struct chain_state after[CHAIN_TOKENS];
	uint8_t responder_static[32];            /* the initiation's, as far as known */
	uint8_t initiator_static[32];            /* once the initiation's s is open */
	uint8_t initiator_ephemeral[32];
	uint8_t timestamp[WG_NOISE_TIMESTAMP_LEN];   /* once its timestamp is open */
	bool initiator_static_known, timestamp_known;
	/* What opened it, kept for the response (pointers into the ring, not owned). */
	const struct keyring_static *responder_private, *initiator_private;
	const struct keyring_ephemeral *initiator_ephemeral_private;
	uint8_t k[32];                           /* the key of the last AEAD step, for the next */
	uint8_t send_i[32], recv_i[32];          /* the initiator's transport keys once complete */
	bool complete;
};

/* The token's name as a trace prints it ("initial", "e", ..., "empty"). */
const char *chain_token_name(enum chain_token token);
/* Rebuilds an initiation as far as the keys allow; false when not even its s opened. */
bool chain_open_initiation(struct chain *chain, const struct wg_message_initiation *msg, const struct keyring *ring);
/* Continues a chain whose initiation opened with the response to it; true when the
 * transport keys are known. */
bool chain_open_response(struct chain *chain, const struct wg_message_response *msg, const struct keyring *ring);
void chain_wipe(struct chain *chain);

#endif
