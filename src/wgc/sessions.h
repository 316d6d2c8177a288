/*
 * Captured messages linked into sessions by their indices: an initiation (and its retries)
 * -> the response to it -> the data messages each way, addressed to the receiver's index.
 * Per session: endpoints, handshake time and round trip on the wire, packets and bytes each
 * way, counters (gaps, replays, late ones), keepalive cadence, the rekey interval from the
 * session before it; with keys, the handshake's chain and the data decrypted. What looks
 * wrong goes to a list of anomalies.
 */
#ifndef WGC_SESSIONS_H
#define WGC_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/aead.h"
#include "wgc/capture.h"
#include "wgc/chain.h"
#include "wgc/countertrack.h"
#include "wgc/decode.h"
#include "wgc/keyring.h"

enum session_direction { TO_RESPONDER, TO_INITIATOR };

struct session_peer_address {
	int family;
	uint8_t addr[16];
	uint16_t port;
	enum capture_transport transport;
};

struct session_direction_stats {
	uint64_t packets, bytes;                 /* data messages; bytes on the wire incl. prefix */
	uint64_t keepalives;
	uint64_t first_time, last_time;
	uint64_t last_keepalive_time;
	uint64_t keepalive_intervals, keepalive_interval_sum, keepalive_interval_min, keepalive_interval_max;
	uint64_t decrypted, undecryptable;
	struct countertrack counters;
};

struct session {
	unsigned id;                             /* 1-based, in order of first sight */
	struct session_peer_address initiator, responder;
	uint32_t initiator_index, responder_index;
	bool handshake_seen, response_seen;      /* without: data of a session begun before the capture */
	unsigned initiations, cookie_replies;
	uint64_t first_initiation_time, initiation_time, response_time;
	uint64_t initiation_frame, response_frame;
	struct session *previous;                /* the one this rekeyed, if captured */
	struct chain chain;                      /* the current initiation's, as far as keys go */
	bool chain_opened;
	struct wg_aead_key key[2];               /* by direction, once the chain completed */
	bool keys;
	struct session_direction_stats dir[2];
};

struct anomaly {
	const char *file;
	uint64_t frame, time_ns;
	unsigned session;
	char text[160];
};

/* What the sessions made of one message, for its line in the report. */
struct message_notes {
	struct session *session;                 /* NULL: not linked to any */
	enum session_direction direction;
	bool retry, replay, late, keepalive;
	bool mac1_wrong;                         /* not made with the key its receiver has */
	bool superseded;                         /* a response to an initiation since retried */
	bool chain_opened, chain_completed;      /* this handshake message's chain moved */
	bool decrypted, undecryptable;
	const uint8_t *plain;                    /* decrypted data, valid until the next message */
	size_t plain_len;
};

struct index_slot {
	uint32_t index;
	struct session *session;                 /* NULL: free */
	enum session_direction direction;        /* of data addressed to this index */
};

struct sessions {
	struct keyring *ring;                    /* learns the initiators' keys it reveals */
	struct session **all;                    /* owned, in id order */
	size_t count, size;
	struct index_slot *slots;                /* open addressing on the index; owned */
	size_t slot_count, slots_used;
	struct anomaly *anomalies;               /* the first ANOMALIES_KEPT; owned */
	size_t anomaly_count, anomalies_size;
	uint64_t anomalies_dropped;
	uint64_t counts[5];                      /* messages by type */
	uint64_t invalid, junk, junk_bytes, unlinked;
	uint8_t *plain;                          /* decryption buffer: the last message's plaintext */
	size_t plain_size;
};

enum { ANOMALIES_KEPT = 1000 };

void sessions_init(struct sessions *s, struct keyring *ring);
/* One message (of any kind but DECODE_NOT_WIREGUARD) in capture order. 0 or -ENOMEM. */
int sessions_add(struct sessions *s, const struct capture_message *m, const struct decoded *d,
		 struct message_notes *notes);
/* At the end: counter gaps and unanswered handshakes become anomalies. */
void sessions_finish(struct sessions *s);
void sessions_free(struct sessions *s);

#endif
