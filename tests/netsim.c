/* The in-memory network: a virtual clock, a seeded PRNG, a sorted queue of datagrams in flight. */
#include "netsim.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/messages.h"
#include "crypto/x25519.h"

/* splitmix64: small, fast, and the same sequence everywhere. */
static uint64_t next_random(struct sim *sim)
{
	uint64_t z = (sim->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t sim_uniform(struct sim *sim, uint64_t bound)
{
	return bound ? next_random(sim) % bound : 0;
}

static uint64_t env_now(void *ctx)
{
	return ((struct sim_node *)ctx)->sim->now;
}

static uint64_t env_wall(void *ctx)
{
	struct sim *sim = ((struct sim_node *)ctx)->sim;

	return sim->wall_base + sim->now;
}

static void env_random(void *ctx, void *out, size_t len)
{
	struct sim_node *node = ctx;
	uint8_t *p = out;

	for (size_t i = 0; i < len; ++i) {
		if (node->script_len) {
			p[i] = *node->script++;
			--node->script_len;
		} else {
			p[i] = (uint8_t)next_random(node->sim);
		}
	}
}

static void log_append(struct sim_log *log, uint64_t at, const uint8_t *data, size_t len)
{
	struct sim_record *r;

	if (log->count == log->cap) {
		log->cap = log->cap ? 2 * log->cap : 64;
		log->records = realloc(log->records, log->cap * sizeof(*log->records));
	}
	r = &log->records[log->count++];
	r->at = at;
	r->len = len < SIM_MAX_PACKET ? len : SIM_MAX_PACKET;
	memcpy(r->data, data, r->len);
}

static int node_at(const struct sim *sim, const struct wg_endpoint *to)
{
	for (int i = 0; i < sim->node_count; ++i) {
		const struct wg_endpoint *a = &sim->nodes[i].addr;

		if (a->addr.in.sin_addr.s_addr == to->addr.in.sin_addr.s_addr &&
		    a->addr.in.sin_port == to->addr.in.sin_port && to->addr.sa.sa_family == AF_INET)
			return i;
	}
	return -1;
}

static void enqueue(struct sim *sim, int to, const struct wg_endpoint *from, const uint8_t *msg, size_t len,
		    uint64_t at)
{
	size_t i;

	if (sim->flight_count == sim->flight_cap) {
		sim->flight_cap = sim->flight_cap ? 2 * sim->flight_cap : 64;
		sim->flights = realloc(sim->flights, sim->flight_cap * sizeof(*sim->flights));
	}
	/* Keep the queue sorted by arrival; equal times keep sending order. */
	for (i = sim->flight_count; i > 0 && sim->flights[i - 1].at > at; --i)
		;
	memmove(&sim->flights[i + 1], &sim->flights[i], (sim->flight_count - i) * sizeof(*sim->flights));
	sim->flights[i] = (struct sim_flight){ .at = at, .to = to, .from = *from, .len = len };
	memcpy(sim->flights[i].data, msg, len);
	++sim->flight_count;
}

void sim_inject(struct sim *sim, int to, const struct wg_endpoint *from, const uint8_t *msg, size_t len,
		uint64_t delay)
{
	enqueue(sim, to, from, msg, len, sim->now + delay);
}

static int env_send(void *ctx, struct wg_peer *peer, const struct wg_endpoint *to, const uint8_t *msg, size_t len)
{
	struct sim_node *node = ctx;
	struct sim *sim = node->sim;
	int dest = node_at(sim, to);
	int copies = 1;

	(void)peer;
	log_append(&node->sent, sim->now, msg, len);
	if (dest < 0) {
		++sim->undeliverable;
		return 0;
	}
	if (sim->capture_type && msg[0] == sim->capture_type) {
		log_append(&sim->captured, sim->now, msg, len);
		return 0;
	}
	if (sim->drop && sim->drop(sim, node->id, dest, msg, len)) {
		++sim->dropped;
		return 0;
	}
	if (sim_uniform(sim, 100) < sim->loss_percent) {
		++sim->dropped;
		return 0;
	}
	if (sim_uniform(sim, 100) < sim->duplicate_percent) {
		++sim->duplicated;
		copies = 2;
	}
	while (copies--)
		enqueue(sim, dest, &node->addr, msg, len, sim->now + sim->latency + sim_uniform(sim, sim->jitter + 1));
	return 0;
}

static void env_deliver(void *ctx, struct wg_peer *from, const uint8_t *packet, size_t len)
{
	struct sim_node *node = ctx;

	(void)from;
	log_append(&node->delivered, node->sim->now, packet, len);
}

static void env_event(void *ctx, const struct wg_event *event)
{
	struct sim_node *node = ctx;
	struct sim_event *e;

	if (node->event_count == sizeof(node->events) / sizeof(node->events[0]))
		return;
	e = &node->events[node->event_count++];
	memset(e, 0, sizeof(*e));
	e->event = *event;
	if (event->endpoint)
		e->endpoint = *event->endpoint;
	e->event.endpoint = NULL;
	if (event->keys) {
		e->keys = *event->keys;
		e->has_keys = true;
	}
	e->event.keys = NULL;
	e->event.state_reason = NULL; /* valid during the call only */
}

size_t sim_event_count(const struct sim_node *node, enum wg_event_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < node->event_count; ++i)
		n += node->events[i].event.type == type;
	return n;
}

const struct sim_event *sim_first_event(const struct sim_node *node, enum wg_event_type type)
{
	for (size_t i = 0; i < node->event_count; ++i)
		if (node->events[i].event.type == type)
			return &node->events[i];
	return NULL;
}

static void env_log(void *ctx, enum wg_log_level level, const char *message)
{
	struct sim_node *node = ctx;

	if (getenv("WGC_TEST_LOG"))
		fprintf(stderr, "[%8.3f] node %d (%d): %s\n", (double)node->sim->now / SIM_SECOND, node->id, level,
			message);
}

void sim_init(struct sim *sim, uint64_t seed)
{
	memset(sim, 0, sizeof(*sim));
	sim->rng = seed;
	sim->now = 1000 * SIM_SECOND; /* far from zero, as real monotonic clocks are */
	sim->wall_base = 1700000000ull * SIM_SECOND;
	sim->latency = 10 * SIM_MS;
}

void sim_free(struct sim *sim)
{
	for (int i = 0; i < sim->node_count; ++i) {
		wg_device_uninit(&sim->nodes[i].device);
		free(sim->nodes[i].sent.records);
		free(sim->nodes[i].delivered.records);
	}
	free(sim->captured.records);
	free(sim->flights);
}

/* A node's tunnel address is 10.0.0.(id+1), IPv4 only. */
static bool env_probe_source(void *ctx, int family, uint8_t out[16])
{
	struct sim_node *node = ctx;

	if (family != AF_INET)
		return false;
	memcpy(out, node->tunnel_ip, 4);
	return true;
}

struct sim_node *sim_add_node(struct sim *sim)
{
	struct sim_node *node = &sim->nodes[sim->node_count];
	struct wg_env env = {
		.ctx = node, .now = env_now, .wall = env_wall, .random = env_random,
		.send = env_send, .deliver = env_deliver, .log = env_log, .event = env_event,
		.probe_source = env_probe_source,
	};

	memset(node, 0, sizeof(*node));
	node->sim = sim;
	node->id = sim->node_count++;
	node->addr.addr.in.sin_family = AF_INET;
	node->addr.addr.in.sin_port = htons(51820);
	node->addr.addr.in.sin_addr.s_addr = htonl(0xc0000201u + (uint32_t)node->id);
	node->tunnel_ip[0] = 10;
	node->tunnel_ip[3] = (uint8_t)(node->id + 1);
	for (int i = 0; i < 32; ++i)
		node->private_key[i] = (uint8_t)next_random(sim);
	wg_x25519_clamp(node->private_key);
	wg_x25519_public(node->public_key, node->private_key);
	wg_device_init(&node->device, &env);
	wg_device_set_private_key(&node->device, node->private_key);
	wg_device_up(&node->device);
	return node;
}

static void add_peer(struct sim_node *a, const struct sim_node *b, const uint8_t *psk, bool with_endpoint)
{
	struct wg_config_device config;
	struct wg_config_peer *peer;
	struct wg_config_allowedip ip = { .family = AF_INET, .cidr = 32 };

	wg_config_init(&config);
	peer = wg_config_add_peer(&config, b->public_key);
	memcpy(ip.addr, b->tunnel_ip, 4);
	wg_config_add_allowedip(peer, &ip);
	if (psk) {
		peer->flags |= WG_PEER_HAS_PRESHARED_KEY;
		memcpy(peer->preshared_key, psk, 32);
	}
	if (with_endpoint) {
		peer->flags |= WG_PEER_HAS_ENDPOINT;
		peer->endpoint = b->addr;
	}
	if (wg_device_configure(&a->device, &config))
		abort();
	wg_config_free(&config);
}

void sim_connect(struct sim_node *a, struct sim_node *b, const uint8_t *psk, bool both_endpoints)
{
	add_peer(a, b, psk, true);
	add_peer(b, a, psk, both_endpoints);
}

void sim_set_key(struct sim_node *node, const uint8_t private_key[32])
{
	memcpy(node->private_key, private_key, 32);
	wg_x25519_clamp(node->private_key);
	wg_x25519_public(node->public_key, node->private_key);
	wg_device_set_private_key(&node->device, node->private_key);
}

void sim_pair(struct sim *sim, uint64_t seed, struct sim_node **a, struct sim_node **b, const uint8_t *psk,
	      bool both_endpoints)
{
	sim_init(sim, seed);
	*a = sim_add_node(sim);
	*b = sim_add_node(sim);
	sim_connect(*a, *b, psk, both_endpoints);
}

struct wg_peer *sim_peer(struct sim_node *node, const struct sim_node *other)
{
	return wg_device_lookup_peer(&node->device, other->public_key);
}

static uint64_t earliest(const struct sim *sim)
{
	uint64_t t = sim->flight_count ? sim->flights[0].at : UINT64_MAX;

	for (int i = 0; i < sim->node_count; ++i) {
		uint64_t d = wg_device_next_deadline(&sim->nodes[i].device);

		if (d < t)
			t = d;
	}
	return t;
}

void sim_run_until(struct sim *sim, uint64_t t)
{
	for (;;) {
		uint64_t next = earliest(sim);

		if (next > t)
			break;
		if (next > sim->now)
			sim->now = next;
		while (sim->flight_count && sim->flights[0].at <= sim->now) {
			struct sim_flight flight = sim->flights[0];

			memmove(&sim->flights[0], &sim->flights[1], --sim->flight_count * sizeof(*sim->flights));
			wg_device_receive(&sim->nodes[flight.to].device, flight.data, flight.len, &flight.from);
		}
		for (int i = 0; i < sim->node_count; ++i)
			wg_device_run_timers(&sim->nodes[i].device);
	}
	if (t > sim->now)
		sim->now = t;
}

void sim_run_for(struct sim *sim, uint64_t duration)
{
	sim_run_until(sim, sim->now + duration);
}

int sim_send_ip_between(struct sim_node *node, const uint8_t src[4], const uint8_t dst[4], uint32_t seq,
			size_t len)
{
	uint8_t buffer[WG_PACKET_HEADROOM + SIM_MAX_PACKET + WG_PACKET_TAILROOM] = { 0 };
	uint8_t *ip = buffer + WG_PACKET_HEADROOM;

	if (len < 28 || len > SIM_MAX_PACKET - 64)
		abort();
	ip[0] = 0x45;
	ip[2] = (uint8_t)(len >> 8);
	ip[3] = (uint8_t)len;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	for (int i = 0; i < 4; ++i)
		ip[24 + i] = (uint8_t)(seq >> (24 - 8 * i));
	for (size_t i = 28; i < len; ++i)
		ip[i] = (uint8_t)(i ^ seq);
	return wg_device_send(&node->device, ip, len);
}

int sim_send_ip(struct sim_node *node, const struct sim_node *to, uint32_t seq, size_t len)
{
	return sim_send_ip_between(node, node->tunnel_ip, to->tunnel_ip, seq, len);
}

void sim_restart(struct sim_node *node)
{
	struct wg_env env = node->device.env;

	wg_device_uninit(&node->device);
	wg_device_init(&node->device, &env);
	wg_device_set_private_key(&node->device, node->private_key);
	wg_device_up(&node->device);
}

void sim_remove_peer(struct sim_node *node, const uint8_t public_key[32])
{
	struct wg_config_device config;

	wg_config_init(&config);
	wg_config_add_peer(&config, public_key)->flags = WG_PEER_REMOVE_ME;
	wg_device_configure(&node->device, &config);
	wg_config_free(&config);
}

uint32_t sim_delivered_seq(const struct sim_node *node, size_t i)
{
	const uint8_t *ip = node->delivered.records[i].data;

	return (uint32_t)ip[24] << 24 | (uint32_t)ip[25] << 16 | (uint32_t)ip[26] << 8 | ip[27];
}

size_t sim_sent_count(const struct sim_node *node, int type)
{
	size_t n = 0;

	for (size_t i = 0; i < node->sent.count; ++i)
		if (node->sent.records[i].len >= 4 && wg_le32_get(node->sent.records[i].data) == (uint32_t)type)
			++n;
	return n;
}
