/*
 * embedded-pair: two WireGuard devices inside one unprivileged program, talking over real UDP
 * on loopback, IP packets in and out through <wgc.h> calls alone (no TUN, no root).
 *
 * On a virtual clock that the program moves itself, A and B handshake, carry 10,000 packets
 * each way (each checked to arrive intact and in order), then the clock jumps past
 * REKEY_AFTER_TIME and traffic goes on under fresh keys. Prints what happened; exits 0 when
 * all of it held, 1 otherwise.
 *
 * Build: cc embedded-pair.c $(pkg-config --cflags --libs wgc)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wgc.h>

enum { PACKETS = 10000, BATCH = 100, PACKET_LEN = 200 };

#define SECOND 1000000000ull

static uint64_t virtual_now = 1000 * SECOND;

static uint64_t clock_now(void *ctx)
{
	(void)ctx;
	return virtual_now;
}

/* One end: its device, its inner address, and what arrived (the sequence numbers in order). */
struct end {
	const char *name;
	struct wgc_device *device;
	uint8_t key[WGC_KEY_LEN], pub[WGC_KEY_LEN];
	uint8_t inner[4];
	uint32_t received, bad;
	unsigned handshakes, rekeys;
};

static struct end ends[2] = { { .name = "A", .inner = { 10, 9, 0, 1 } }, { .name = "B", .inner = { 10, 9, 0, 2 } } };

/* An IPv4/UDP packet from one end's inner address to the other's, carrying seq and a pattern
 * derived from it, so a receiver can tell it intact. Checksums are not needed inside. */
static size_t make_packet(uint8_t *p, const struct end *from, const struct end *to, uint32_t seq)
{
	memset(p, 0, PACKET_LEN);
	p[0] = 0x45;
	p[2] = PACKET_LEN >> 8;
	p[3] = PACKET_LEN & 0xff;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, from->inner, 4);
	memcpy(p + 16, to->inner, 4);
	p[20] = 0x30;
	p[22] = 0x30;
	p[25] = PACKET_LEN - 20;
	for (int i = 0; i < 4; ++i)
		p[28 + i] = (uint8_t)(seq >> (24 - 8 * i));
	for (size_t i = 32; i < PACKET_LEN; ++i)
		p[i] = (uint8_t)(seq * 7 + i);
	return PACKET_LEN;
}

static void on_packet(void *ctx, const uint8_t *p, size_t len)
{
	struct end *end = ctx;
	uint32_t seq = (uint32_t)p[28] << 24 | (uint32_t)p[29] << 16 | (uint32_t)p[30] << 8 | p[31];
	bool intact = len == PACKET_LEN && seq == end->received;

	for (size_t i = 32; intact && i < len; ++i)
		intact = p[i] == (uint8_t)(seq * 7 + i);
	if (intact)
		++end->received;
	else
		++end->bad;
}

static void on_event(void *ctx, const struct wgc_event *event)
{
	struct end *end = ctx;

	if (event->type == WGC_EVENT_HANDSHAKE_COMPLETE)
		++end->handshakes;
	if (event->type == WGC_EVENT_KEYS_DERIVED)
		++end->rekeys;
}

/* Both devices do what is ready; waits up to 10 ms of real time for datagrams on loopback. */
static void pump(void)
{
	struct pollfd p[2] = { { .fd = wgc_device_fd(ends[0].device), .events = POLLIN },
			       { .fd = wgc_device_fd(ends[1].device), .events = POLLIN } };

	poll(p, 2, 10);
	for (int i = 0; i < 2; ++i)
		wgc_device_process(ends[i].device);
}

static int open_end(struct end *end)
{
	struct wgc_device_options options = { .size = sizeof(options), .tun = WGC_TUN_NONE, .packet = on_packet,
					      .clock = clock_now, .ctx = end };
	int ret = wgc_device_new(&end->device, &options);

	if (!ret)
		ret = wgc_key_generate(end->key);
	if (!ret)
		ret = wgc_key_public(end->pub, end->key);
	if (!ret)
		ret = wgc_device_subscribe(end->device, WGC_EVENT_MASK(WGC_EVENT_HANDSHAKE_COMPLETE) |
					   WGC_EVENT_MASK(WGC_EVENT_KEYS_DERIVED), on_event, end, NULL);
	return ret;
}

/* The local port a device bound, from its configuration as a get reports it. */
static uint16_t port_of(struct wgc_device *device)
{
	struct wgc_config *config;
	uint16_t port = 0;

	if (!wgc_device_get(device, &config)) {
		port = wgc_config_listen_port(config);
		wgc_config_free(config);
	}
	return port;
}

/* a knows b's key, inner address and (when with_endpoint) where b listens on loopback. */
static int connect_ends(struct end *a, const struct end *b, bool with_endpoint)
{
	struct wgc_config *config;
	struct wgc_peer *peer;
	char endpoint[32], prefix[32];
	int ret = wgc_config_new(&config);

	snprintf(endpoint, sizeof(endpoint), "127.0.0.1:%u", port_of(b->device));
	snprintf(prefix, sizeof(prefix), "%u.%u.%u.%u/32", b->inner[0], b->inner[1], b->inner[2], b->inner[3]);
	if (!ret)
		ret = wgc_config_set_private_key(config, a->key);
	if (!ret)
		ret = wgc_config_add_peer(config, b->pub, &peer);
	if (!ret)
		ret = wgc_peer_add_allowed_ip(peer, prefix);
	if (!ret && with_endpoint)
		ret = wgc_peer_set_endpoint(peer, endpoint);
	if (!ret)
		ret = wgc_device_configure(a->device, config);
	wgc_config_free(config);
	return ret;
}

/* Packets both ways in batches, each batch pumped through before the next, until each end
 * has received `total` in all. */
static int exchange(uint32_t total)
{
	uint8_t buf[PACKET_LEN];
	uint32_t target[2] = { total, total };
	uint32_t next[2] = { ends[0].received, ends[1].received };

	while (next[0] < target[0] || next[1] < target[1]) {
		for (int i = 0; i < 2; ++i)
			for (int n = 0; n < BATCH && next[!i] < target[!i]; ++n) {
				make_packet(buf, &ends[i], &ends[!i], next[!i]++);
				if (wgc_device_send_packet(ends[i].device, buf, PACKET_LEN))
					return -1;
			}
		for (int tries = 0; tries < 300 && (ends[0].received < next[0] || ends[1].received < next[1]); ++tries)
			pump();
		if (ends[0].received < next[0] || ends[1].received < next[1] || ends[0].bad || ends[1].bad)
			return -1;
	}
	return 0;
}

static int exchange_one_way(struct end *from, struct end *to)
{
	uint8_t buf[PACKET_LEN];
	uint32_t expected = to->received + 1;

	make_packet(buf, from, to, to->received);
	if (wgc_device_send_packet(from->device, buf, PACKET_LEN))
		return -1;
	for (int tries = 0; tries < 300 && to->received < expected; ++tries)
		pump();
	return to->received == expected ? 0 : -1;
}

int main(void)
{
	int ok = 1;

	for (int i = 0; i < 2; ++i)
		if (open_end(&ends[i])) {
			fprintf(stderr, "embedded-pair: cannot make device %s\n", ends[i].name);
			return 1;
		}
	/* Only A knows where B is; B learns A's endpoint from the handshake. */
	if (connect_ends(&ends[0], &ends[1], true) || connect_ends(&ends[1], &ends[0], false)) {
		fprintf(stderr, "embedded-pair: cannot configure the devices\n");
		return 1;
	}
	/* A's first packet starts the handshake and shows B where A is. */
	if (exchange_one_way(&ends[0], &ends[1])) {
		fprintf(stderr, "embedded-pair: no handshake\n");
		return 1;
	}
	if (exchange(PACKETS)) {
		fprintf(stderr, "embedded-pair: lost, corrupted or reordered packets (A got %u, B got %u, bad %u/%u)\n",
			ends[0].received, ends[1].received, ends[0].bad, ends[1].bad);
		ok = 0;
	} else {
		printf("handshake and %u packets each way: A got %u, B got %u, in order and intact\n", PACKETS,
		       ends[0].received, ends[1].received);
	}
	/* Past REKEY_AFTER_TIME (120 s) the initiator's next packet starts a new handshake. */
	virtual_now += 121 * SECOND;
	for (int i = 0; i < 2; ++i)
		wgc_device_process(ends[i].device);
	if (ok && exchange(PACKETS + 1000)) {
		fprintf(stderr, "embedded-pair: traffic stopped after the rekey\n");
		ok = 0;
	}
	printf("after 121 s of virtual time: sessions A %u, B %u (keys derived A %u, B %u)\n", ends[0].handshakes,
	       ends[1].handshakes, ends[0].rekeys, ends[1].rekeys);
	if (ends[0].rekeys < 2 || ends[1].rekeys < 2) {
		fprintf(stderr, "embedded-pair: no rekey\n");
		ok = 0;
	}
	for (int i = 0; i < 2; ++i)
		wgc_device_free(ends[i].device);
	printf("%s\n", ok ? "embedded-pair: ok" : "embedded-pair: FAILED");
	return ok ? 0 : 1;
}
