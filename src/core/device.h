/*
 * A WireGuard device: our identity, our peers, and the tables that route between them. This is
 * the core's entry point; the I/O layer (daemon, library, tests) calls it single-threaded:
 *
 *   wg_device_send()     an IP packet read from the tunnel
 *   wg_device_receive()  a datagram read from the network
 *   wg_device_run_timers() once wg_device_next_deadline() has passed
 *
 * and everything the core does outward goes through the wg_env given at init.
 */
#ifndef WG_CORE_DEVICE_H
#define WG_CORE_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/allowedips.h"
#include "core/cookie.h"
#include "core/deadlines.h"
#include "core/env.h"
#include "core/list.h"
#include "core/monitor.h"
#include "core/noise.h"
#include "core/obfuscation.h"
#include "core/peerlookup.h"
#include "core/ratelimiter.h"
#include "crypto/keystream.h"

/*
 * Buffers handed to wg_device_send() are encrypted in place: the caller leaves
 * WG_PACKET_HEADROOM writable bytes before the packet (the data message header) and
 * WG_PACKET_TAILROOM after it (padding and the authentication tag).
 */
enum wg_packet_room {
	WG_PACKET_HEADROOM = 16,
	WG_PACKET_TAILROOM = 32,
};

/* Why packets were dropped. Every drop is silent on the wire and counted here, by the core
 * alone (the I/O layer counts its own drops in its own stats). */
struct wg_device_stats {
	uint64_t rx_malformed;          /* unknown type, wrong length */
	uint64_t rx_invalid_mac;        /* handshake message with a bad mac1 */
	uint64_t rx_handshake_failed;   /* did not authenticate, unknown key, replayed, flooding */
	uint64_t rx_ratelimited;        /* handshake over a source's rate under load */
	uint64_t rx_cookie_invalid;     /* cookie reply we did not ask for or cannot open */
	uint64_t rx_unknown_index;      /* data for no keypair of ours */
	uint64_t rx_expired;            /* data under a keypair past its limits */
	uint64_t rx_decrypt_failed;     /* data that did not authenticate */
	uint64_t rx_replayed;           /* data counter seen before or out of window */
	uint64_t rx_invalid_inner;      /* decrypted, but not a well-formed IP packet */
	uint64_t rx_disallowed_source;  /* inner source outside the sending peer's AllowedIPs */
	uint64_t tx_malformed;          /* from the tunnel, not an IP packet */
	uint64_t tx_no_route;           /* no peer's AllowedIPs covers the destination */
	uint64_t tx_no_endpoint;        /* the peer has no endpoint yet */
	uint64_t tx_staged_dropped;     /* waited for a handshake and was dropped */
	uint64_t tx_send_errors;        /* env->send failed */
	uint64_t cookie_replies_sent;
};

struct wg_device {
	struct wg_env env;
	struct wg_static_identity static_identity;
	struct wg_cookie_checker cookie_checker;
	struct wg_ratelimiter ratelimiter;
	struct wg_pubkey_table peer_hashtable;
	struct wg_index_table index_hashtable;
	struct wg_allowedips peer_allowedips;
	struct wg_deadlines deadlines;
	struct wg_list peer_list;
	size_t num_peers;
	uint64_t next_peer_id, next_keypair_id;
	uint64_t jitter_state;     /* timers' jitter generator, seeded from env.random at first use */

	uint16_t listen_port;           /* the port the I/O layer bound (wg_device_set_listen_port) */
	uint32_t fwmark;                /* as configured; the I/O layer marks its sockets with it */
	unsigned mtu;                   /* of the tunnel (wg_device_set_mtu); 0 pads to 16 without limit */
	bool is_up;
	bool report_keys;               /* KEYS_DERIVED events carry the keys (wg_device_report_keys) */
	/* Staged packets' buffers of WG_STAGED_POOL_CAPACITY bytes, kept for the next (wiped):
	 * a burst waiting for a handshake allocates once, not per packet. */
	struct wg_staged_packet *staged_pool;
	unsigned staged_pool_count;

	/* Under load: a handshake backlog at 1/8 of the queue, and for a second after. */
	unsigned handshake_backlog;
	uint64_t last_under_load;
	bool has_been_under_load;
	uint64_t under_load_since;      /* the start of the spell under load, while has_been_under_load */
	uint64_t under_load_total;      /* nanoseconds under load, spells ended */

	struct wg_device_stats stats;

	/* Monitoring's tick (monitor.h): each WG_MONITOR_TICK while up and with peers. */
	struct wg_timer monitor_timer;
	struct wg_monitor_settings monitor_settings;
	unsigned echo_interval;         /* seconds between echo probes (echo.h) */
	bool echo_interval_set;         /* configured, so a get reports it */

	/* AmneziaWG's obfuscation as configured (obfuscation.h), the wire format it makes, and the
	 * stream its random prefixes, junk and type words come from: made (seeded from env.random)
	 * when obfuscation is first set, kept after. The send edge uses the same stream. */
	struct wg_obfuscation obfuscation;
	bool obfuscated;                /* any of its parameters set (wg_obfuscation_is_set) */
	struct wg_wire_format wire;
	struct wg_keystream *obfuscation_random;
};

int wg_device_init(struct wg_device *device, const struct wg_env *env);
/* Removes every peer and frees everything, wiping secrets. */
void wg_device_uninit(struct wg_device *device);

/* The I/O layer's facts: the port it bound (for dumps) and the tunnel's MTU (for padding). */
void wg_device_set_listen_port(struct wg_device *device, uint16_t port);
void wg_device_set_mtu(struct wg_device *device, unsigned mtu);
/* Whether WG_EVENT_KEYS_DERIVED carries the session's keys (off unless asked for). */
void wg_device_report_keys(struct wg_device *device, bool on);

/* Whether the device sends and expects AmneziaWG's obfuscated messages. */
static inline bool wg_device_is_obfuscated(const struct wg_device *device)
{
	return device->obfuscated;
}
/* A datagram the I/O layer found invalid for the device's wire format (wg_message_unwrap):
 * dropped and counted as malformed, like one the core found so. */
void wg_device_drop_malformed(struct wg_device *device);

/* All-zero or NULL removes the identity. A peer with the new public key is removed. */
void wg_device_set_private_key(struct wg_device *device, const uint8_t *private_key);

/* Up: timers run, staged packets go, persistent keepalives start. Down: sessions are dropped. */
void wg_device_up(struct wg_device *device);
void wg_device_down(struct wg_device *device);

/* An IP packet from the tunnel (see WG_PACKET_HEADROOM). 0 when sent or staged for a
 * handshake; -EINVAL malformed, -ENOKEY no route, -EDESTADDRREQ no endpoint, -ENETDOWN. */
int wg_device_send(struct wg_device *device, uint8_t *packet, size_t len);
/* A datagram from the network, decrypted in place; `from` (required) is where it came from
 * and the local address it reached. 0 when it was accepted, else -errno; either way nothing
 * goes back on the wire for anything that did not authenticate. */
int wg_device_receive(struct wg_device *device, uint8_t *msg, size_t len, const struct wg_endpoint *from);
/* The same for a handshake message in two steps, so that an I/O layer can queue the expensive
 * one: admit checks the macs (and under load answers with a cookie reply, -EAGAIN) and returns
 * 0 for a message worth its Diffie-Hellman; receive_admitted then does that. */
int wg_device_admit_handshake(struct wg_device *device, const uint8_t *msg, size_t len,
			      const struct wg_endpoint *from);
int wg_device_receive_admitted(struct wg_device *device, const uint8_t *msg, size_t len,
			       const struct wg_endpoint *from);
/* For an initiation whose responder Diffie-Hellman is done ahead, perhaps on other threads
 * (struct wg_responder_dh in noise.h has the four steps). check_precomputed, after step 1:
 * 0 when the initiation is a peer's, fresh and within its rate, so worth step 3; -EBADMSG
 * (counted as a failed handshake) when not. receive_precomputed, after step 3, is
 * receive_admitted with the response taking dh's ephemeral key. Both -EINVAL for a response. */
int wg_device_check_precomputed(struct wg_device *device, const uint8_t *msg, size_t len,
				struct wg_responder_dh *dh);
int wg_device_receive_precomputed(struct wg_device *device, const uint8_t *msg, size_t len,
				  const struct wg_endpoint *from, struct wg_responder_dh *dh);

/* Arms the monitoring tick if the device is up, has peers and it is not armed (peer.c). */
void wg_device_monitor_start(struct wg_device *device);

uint64_t wg_device_next_deadline(const struct wg_device *device);
void wg_device_run_timers(struct wg_device *device);

/* The I/O layer reports how many handshake messages wait in its queue. */
void wg_device_handshake_backlog(struct wg_device *device, unsigned queued);
bool wg_device_is_under_load(struct wg_device *device);
/* Nanoseconds the device has spent under load since it started: for monitoring. */
uint64_t wg_device_time_under_load(const struct wg_device *device);

struct wg_peer *wg_device_lookup_peer(const struct wg_device *device, const uint8_t public_key[32]);

/* Logging without key material; a no-op when env has no log. */
void wg_device_log(const struct wg_device *device, enum wg_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
