/*
 * An in-memory network on virtual time for whole-device tests: nodes are real wg_devices whose
 * environment is this simulator. Datagrams travel with a latency, and the link can lose,
 * duplicate and reorder them from a seeded random source, so every run is the same.
 */
#ifndef WGC_TESTS_NETSIM_H
#define WGC_TESTS_NETSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/device.h"
#include "core/events.h"
#include "core/peer.h"

#define SIM_SECOND 1000000000ull
#define SIM_MS 1000000ull
#define SIM_MAX_NODES 4
#define SIM_MAX_PACKET 2048

struct sim;

/* A record of one datagram a node sent, or one IP packet it delivered. */
struct sim_record {
	uint64_t at;
	size_t len;
	uint8_t data[SIM_MAX_PACKET];
};

struct sim_log {
	struct sim_record *records;
	size_t count, cap;
};

/* What a node's core reported (core/events.h), copied: keys too, when it reported them. */
struct sim_event {
	struct wg_event event;
	struct wg_endpoint endpoint;
	struct wg_session_keys keys;
	bool has_keys;
};

struct sim_node {
	struct sim *sim;
	int id;
	struct sim_event events[256];        /* the first 256 */
	size_t event_count;
	struct wg_device device;
	struct wg_endpoint addr;             /* where this node receives */
	uint8_t private_key[32], public_key[32];
	uint8_t tunnel_ip[4];                /* 10.0.0.(id+1) */
	struct sim_log sent, delivered;
	const uint8_t *script;               /* random bytes to hand out before the PRNG's */
	size_t script_len;
};

struct sim_flight {
	uint64_t at;
	int to;
	struct wg_endpoint from;
	size_t len;
	uint8_t data[SIM_MAX_PACKET];
};

struct sim {
	uint64_t now, wall_base;
	uint64_t rng;
	struct sim_node nodes[SIM_MAX_NODES];
	int node_count;
	struct sim_flight *flights;
	size_t flight_count, flight_cap;
	/* The link: applied to every datagram. */
	uint64_t latency, jitter;            /* jitter > 0 reorders */
	unsigned loss_percent, duplicate_percent;
	bool (*drop)(struct sim *sim, int from, int to, const uint8_t *msg, size_t len);
	/* Messages of this type (when nonzero) are taken off the link into `captured`, for a test
	 * to hand to their receiver itself. */
	uint8_t capture_type;
	struct sim_log captured;
	uint64_t dropped, duplicated, undeliverable;
};

void sim_init(struct sim *sim, uint64_t seed);
void sim_free(struct sim *sim);
/* A node with a fresh key, address 192.0.2.(n+1):51820, device up. */
struct sim_node *sim_add_node(struct sim *sim);
/* Makes a and b peers: each allows the other's tunnel /32; a knows b's endpoint (and b knows
 * a's when both_endpoints). psk may be NULL. */
void sim_connect(struct sim_node *a, struct sim_node *b, const uint8_t *psk, bool both_endpoints);
/* The usual start: sim_init with seed, two nodes, and sim_connect(a, b, psk, both_endpoints). */
void sim_pair(struct sim *sim, uint64_t seed, struct sim_node **a, struct sim_node **b, const uint8_t *psk,
	      bool both_endpoints);
struct wg_peer *sim_peer(struct sim_node *node, const struct sim_node *other);
/* Replaces a node's generated key (before sim_connect). */
void sim_set_key(struct sim_node *node, const uint8_t private_key[32]);

uint64_t sim_uniform(struct sim *sim, uint64_t bound);
void sim_run_until(struct sim *sim, uint64_t t);
void sim_run_for(struct sim *sim, uint64_t duration);

/* Sends an IPv4 packet from node's tunnel IP to to's, carrying seq, of total size len (>= 28). */
int sim_send_ip(struct sim_node *node, const struct sim_node *to, uint32_t seq, size_t len);
/* The same between any tunnel addresses. */
int sim_send_ip_between(struct sim_node *node, const uint8_t src[4], const uint8_t dst[4], uint32_t seq,
			size_t len);
/* The node's daemon restarts: a new device with the same key and no peers, up. */
void sim_restart(struct sim_node *node);
/* Removes the peer with this key from node's device. */
void sim_remove_peer(struct sim_node *node, const uint8_t public_key[32]);
/* The seq of the i-th delivered packet. */
uint32_t sim_delivered_seq(const struct sim_node *node, size_t i);
/* Events of a type a node reported; the first of them (NULL when none). */
size_t sim_event_count(const struct sim_node *node, enum wg_event_type type);
const struct sim_event *sim_first_event(const struct sim_node *node, enum wg_event_type type);
/* Datagrams of a message type a node has sent. */
size_t sim_sent_count(const struct sim_node *node, int type);
/* Puts a raw datagram on the link, as if from `from` (NULL: the node at index from_id). */
void sim_inject(struct sim *sim, int to, const struct wg_endpoint *from, const uint8_t *msg, size_t len,
		uint64_t delay);

#endif
