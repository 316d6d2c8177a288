/*
 * What the core tells the world happened, through env.event: the moments monitoring, a key
 * log, transport fallback and embedding programs act on. Each event is reported once, on the
 * device's thread, as it happens; everything it points to is valid during the call only.
 *
 * Key material is in one event alone (WG_EVENT_KEYS_DERIVED), and only while the I/O layer
 * has asked for it (wg_device_report_keys): it wipes nothing of the core's, and the core wipes
 * its copy right after the call.
 */
#ifndef WG_CORE_EVENTS_H
#define WG_CORE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/endpoint.h"
#include "core/messages.h"

struct wg_peer;

enum wg_event_type {
	WG_EVENT_PEER_ADDED,
	WG_EVENT_PEER_REMOVED,          /* reported before the peer is freed */
	WG_EVENT_HANDSHAKE_INITIATED,   /* an initiation left: attempt 1, or a retry's number */
	WG_EVENT_HANDSHAKE_RETRY,       /* REKEY_TIMEOUT without a response: attempt n follows */
	WG_EVENT_HANDSHAKE_GIVEN_UP,    /* no response to the last attempt; staged packets dropped */
	WG_EVENT_HANDSHAKE_COMPLETE,    /* a session: the round trip from our message to its answer */
	WG_EVENT_KEYS_DERIVED,          /* a session's keys (with key reporting on) */
	WG_EVENT_KEYPAIR_EXPIRED,       /* a keypair reached REJECT_AFTER_TIME/MESSAGES, or was wiped */
	WG_EVENT_ENDPOINT_CHANGED,      /* the peer's address (or transport) is a new one */
	WG_EVENT_DATA_AFTER_IDLE,       /* data, in or out, after WG_IDLE_TIME (or ever) without */
	WG_EVENT_TRANSPORT_CHANGED,     /* reported by the I/O layer, never the core: the peer's
	                                 * messages go over another transport (libwgc's fallback) */
	WG_EVENT_STATE_CHANGED,         /* monitoring moved the peer to another state (monitor.h) */
	WG_EVENT_TYPES
};

/* Data after this long without any is news: a tunnel coming back into use. */
#define WG_IDLE_TIME (((uint64_t)WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT) * WG_NSEC_PER_SEC)

enum wg_expiry_reason { WG_EXPIRED_AGE, WG_EXPIRED_MESSAGES, WG_EXPIRED_WIPED };

/* A session's secrets as Wireshark's WireGuard key log and decrypting analyzers want them. */
struct wg_session_keys {
	uint8_t local_static_private[WG_NOISE_PUBLIC_KEY_LEN];
	uint8_t remote_static_public[WG_NOISE_PUBLIC_KEY_LEN];
	uint8_t local_ephemeral_private[WG_NOISE_PUBLIC_KEY_LEN];
	uint8_t preshared_key[WG_NOISE_SYMMETRIC_KEY_LEN];
	uint8_t sending_key[WG_NOISE_SYMMETRIC_KEY_LEN];
	uint8_t receiving_key[WG_NOISE_SYMMETRIC_KEY_LEN];
	uint32_t local_index, remote_index;
};

struct wg_event {
	enum wg_event_type type;
	struct wg_peer *peer;
	uint64_t time;                       /* env.now */
	unsigned attempt;                    /* INITIATED, RETRY, GIVEN_UP */
	bool probe;                          /* INITIATED: a try of another path (libwgc's fallback
	                                      * probing UDP), which may well go unanswered */
	bool initiator;                      /* COMPLETE, KEYS_DERIVED */
	uint64_t rtt;                        /* COMPLETE, nanoseconds */
	enum wg_expiry_reason reason;        /* KEYPAIR_EXPIRED */
	const struct wg_endpoint *endpoint;  /* ENDPOINT_CHANGED: the new one */
	bool received;                       /* DATA_AFTER_IDLE: inbound */
	uint64_t idle;                       /* DATA_AFTER_IDLE: nanoseconds without data */
	const struct wg_session_keys *keys;  /* KEYS_DERIVED */
	uint8_t transport;                   /* TRANSPORT_CHANGED: enum wg_transport_kind now used */
	uint8_t transport_reason;            /* TRANSPORT_CHANGED: enum wg_transport_reason */
	uint8_t state_from, state_to;        /* STATE_CHANGED: enum wg_peer_state */
	const char *state_reason;            /* STATE_CHANGED: why, as the history keeps it */
};

/* Reports an event of the peer's device, when its env has an event callback. */
void wg_event_report(struct wg_peer *peer, struct wg_event *event);

#endif
