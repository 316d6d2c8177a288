/*
 * A peer: one public key, its handshake and keypairs, where it is, its timers, and the
 * packets waiting for a session. The core is single-threaded: the caller serializes all
 * calls into one device, so no field here needs a lock.
 */
#ifndef WG_CORE_PEER_H
#define WG_CORE_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cookie.h"
#include "core/deadlines.h"
#include "core/echo.h"
#include "core/endpoint.h"
#include "core/list.h"
#include "core/monitor.h"
#include "core/noise.h"

struct wg_device;

/* A packet waiting for a session, with room to be encrypted in place. */
struct wg_staged_packet {
	size_t len;
	size_t capacity;                 /* of the IP packet: WG_STAGED_POOL_CAPACITY, or len */
	struct wg_staged_packet *next;   /* in the device's pool, while it is there */
	uint8_t buffer[];                /* WG_PACKET_HEADROOM, len bytes of IP packet, WG_PACKET_TAILROOM */
};

/* Staged buffers up to an Ethernet MTU come from the device's pool (at most this many kept
 * free); larger ones are allocated for their packet alone. */
enum { WG_STAGED_POOL_CAPACITY = 1536, WG_STAGED_POOL_MAX = 256 };

struct wg_peer {
	struct wg_device *device;
	uint64_t internal_id;        /* names the peer in logs: keys never appear there */
	struct wg_list peer_list;    /* on device->peer_list, in creation order */
	struct wg_peer *pubkey_next; /* pubkey table chain */

	struct wg_handshake handshake;
	struct wg_keypairs keypairs;
	struct wg_cookie_maker cookie;
	struct wg_endpoint endpoint;

	/* Timers, named as in the kernel; see timers.h for when each is armed. */
	struct wg_timer timer_retransmit_handshake;
	struct wg_timer timer_send_keepalive;
	struct wg_timer timer_new_handshake;
	struct wg_timer timer_zero_key_material;
	struct wg_timer timer_persistent_keepalive;
	unsigned timer_handshake_attempts;
	bool timer_need_another_keepalive;
	bool sent_lastminute_handshake;
	uint64_t last_sent_handshake;
	bool has_sent_handshake;
	/* The initiation in flight as sent, kept for one resend with mac2 when a cookie reply
	 * answers it (may_resend_initiation), rather than a new handshake: a forged cookie then
	 * neither discards the handshake the genuine response belongs to nor buys more than one
	 * datagram per attempt. Allocated at the first initiation, freed with the peer. */
	struct wg_message_initiation *sent_initiation;
	bool may_resend_initiation;
	uint16_t persistent_keepalive_interval;

	/* Ring of WG_MAX_STAGED_PACKETS packets waiting for a keypair, the oldest dropped when full;
	 * allocated when the first packet waits, freed with the peer. */
	struct wg_staged_packet **staged;
	unsigned staged_head, staged_count;

	uint64_t rx_bytes, tx_bytes;     /* whole WireGuard messages, handshakes included */
	/* Data messages (keepalives among them) accepted and sent, and what the replay windows say
	 * of those that did not come: for monitoring. A message refused by the window is counted
	 * as replayed (a duplicate, or one too late), never twice as lost. */
	uint64_t rx_messages, tx_messages;
	uint64_t rx_lost, rx_late;       /* counters not received in time, and of them came later */
	uint64_t rx_replayed;
	uint64_t last_data;              /* env.now of the last data in or out */
	bool has_seen_data;              /* last_data is set */
	uint64_t last_handshake_wall_ns; /* Unix time of the last completed handshake; 0 never */
	uint64_t handshakes_completed;
	struct wg_monitor monitor;       /* state, handshake figures, throughput (monitor.h) */
	/* Echo probes (echo.h): allocated when a probe address is set, freed when it is removed
	 * or with the peer; NULL for a peer without one (the data path tests only that). */
	struct wg_echo *echo;

	struct wg_list allowedips_list;
	bool is_dead;
	/* The I/O layer's own state for this peer (libwgc: how it is reached). The core never
	 * reads it; its owner frees it when told the peer is removed (WG_EVENT_PEER_REMOVED). */
	void *io;
};

/* A new peer with this public key, not yet in any table but the device's. 0 or -errno. */
int wg_peer_create(struct wg_device *device, const uint8_t public_key[32], const uint8_t *preshared_key,
		   struct wg_peer **out);
/* Stops everything the peer does, then frees it, wiping its secrets. */
void wg_peer_remove(struct wg_peer *peer);
void wg_peer_remove_all(struct wg_device *device);
/* Datagrams env->send accepted for the peer but the I/O layer could not send after all: their
 * bytes are taken back from tx_bytes and counted as send errors. */
void wg_peer_send_failed(struct wg_peer *peer, unsigned datagrams, size_t bytes);
/* Queues a copy of an IP packet (len 0: a keepalive) for when a keypair exists. When the
 * queue is full the oldest packet is dropped. 0 or -ENOMEM. */
int wg_peer_stage(struct wg_peer *peer, const uint8_t *packet, size_t len);
/* The oldest staged packet, now the caller's to give back (wg_peer_release_staged); NULL
 * when none. */
struct wg_staged_packet *wg_peer_unstage(struct wg_peer *peer);
/* A staged packet's buffer back to the pool, wiped, or freed. */
void wg_peer_release_staged(struct wg_device *device, struct wg_staged_packet *staged);
/* Frees the device's pool of staged buffers. */
void wg_peer_free_staged_pool(struct wg_device *device);
/* Drops every staged packet. */
void wg_peer_purge_staged(struct wg_peer *peer);
/* Learns where the peer is from a packet that authenticated (roaming); a new address or
 * transport is reported (WG_EVENT_ENDPOINT_CHANGED), a new local source only kept. */
void wg_peer_set_endpoint(struct wg_peer *peer, const struct wg_endpoint *endpoint);
/* Data sent or received: reported when it ends WG_IDLE_TIME without data. */
void wg_peer_data_seen(struct wg_peer *peer, bool received);

#endif
