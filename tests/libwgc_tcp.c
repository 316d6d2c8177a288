/*
 * The TCP transport through the public API, unprivileged: two devices without a TUN on
 * loopback on a virtual clock, one dialling the other's listener; `auto` falling back from a
 * UDP endpoint nothing answers on, with its event; the transport setters' checks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "wgc.h"

#define SECOND 1000000000ull

static uint64_t virtual_now;

static uint64_t clock_now(void *ctx)
{
	(void)ctx;
	return virtual_now;
}

struct end {
	struct wgc_device *device;
	uint8_t key[WGC_KEY_LEN], pub[WGC_KEY_LEN];
	uint8_t inner[4];
	unsigned delivered;
	struct wgc_event changes[8];
	unsigned change_count;
};

static void on_packet(void *ctx, const uint8_t *packet, size_t len)
{
	(void)packet;
	(void)len;
	++((struct end *)ctx)->delivered;
}

static void on_change(void *ctx, const struct wgc_event *event)
{
	struct end *end = ctx;

	if (end->change_count < 8)
		end->changes[end->change_count++] = *event;
}

static int open_end(struct end *end, uint8_t last_octet)
{
	struct wgc_device_options o = { .size = sizeof(o), .tun = WGC_TUN_NONE, .packet = on_packet,
					.clock = clock_now, .ctx = end };
	int ret;

	memset(end, 0, sizeof(*end));
	end->inner[0] = 10;
	end->inner[3] = last_octet;
	if (wgc_key_generate(end->key) || wgc_key_public(end->pub, end->key))
		return -1;
	ret = wgc_device_new(&end->device, &o);
	if (!ret)
		ret = wgc_device_subscribe(end->device, WGC_EVENT_MASK(WGC_EVENT_TRANSPORT_CHANGED), on_change, end, NULL);
	return ret;
}

/* A loopback port nothing uses at the moment, of this socket type. */
static uint16_t free_port(int type)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, type, 0);
	uint16_t port = 0;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&addr, sizeof(addr)) &&
	    !getsockname(fd, (struct sockaddr *)&addr, &len))
		port = ntohs(addr.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* a knows b by `mode`, with b's UDP endpoint at udp_port and its TCP one at tcp_port; b knows a
 * without an endpoint and listens on tcp_port. */
static int configure(struct end *a, struct end *b, enum wgc_transport_mode mode, uint16_t udp_port, uint16_t tcp_port)
{
	struct wgc_config *ca = NULL, *cb = NULL;
	struct wgc_peer *peer;
	char text[32];
	int ret = wgc_config_new(&ca);

	if (!ret)
		ret = wgc_config_new(&cb);
	if (!ret)
		ret = wgc_config_set_private_key(ca, a->key);
	if (!ret)
		ret = wgc_config_set_private_key(cb, b->key);
	if (!ret)
		ret = wgc_config_set_tcp_listen_port(cb, tcp_port);
	if (!ret)
		ret = wgc_config_add_peer(cb, a->pub, &peer);
	if (!ret)
		ret = wgc_peer_add_allowed_ip(peer, "10.0.0.1/32");
	if (!ret)
		ret = wgc_config_add_peer(ca, b->pub, &peer);
	if (!ret)
		ret = wgc_peer_add_allowed_ip(peer, "10.0.0.2/32");
	if (!ret)
		ret = wgc_peer_set_transport(peer, mode);
	snprintf(text, sizeof(text), "127.0.0.1:%u", udp_port);
	if (!ret)
		ret = wgc_peer_set_endpoint(peer, text);
	snprintf(text, sizeof(text), "127.0.0.1:%u", tcp_port);
	if (!ret)
		ret = wgc_peer_set_tcp_endpoint(peer, text);
	if (!ret)
		ret = wgc_device_configure(b->device, cb);
	if (!ret)
		ret = wgc_device_configure(a->device, ca);
	wgc_config_free(ca);
	wgc_config_free(cb);
	return ret;
}

static void pump(struct end *a, struct end *b, int rounds)
{
	struct pollfd p[2] = { { .fd = wgc_device_fd(a->device), .events = POLLIN },
			       { .fd = wgc_device_fd(b->device), .events = POLLIN } };

	for (int i = 0; i < rounds; ++i) {
		poll(p, 2, 5);
		virtual_now += 1000000;
		wgc_device_process(a->device);
		wgc_device_process(b->device);
	}
}

static int send_to(struct end *from, const struct end *to)
{
	uint8_t p[100] = { 0x45, 0, 0, 100, 0, 0, 0, 0, 64, 17 };

	memcpy(p + 12, from->inner, 4);
	memcpy(p + 16, to->inner, 4);
	return wgc_device_send_packet(from->device, p, sizeof(p));
}

/* What a get of `device` says of its only peer's transport. */
static bool in_use(struct wgc_device *device, enum wgc_transport *transport, enum wgc_transport_reason *reason,
		   uint16_t *tcp_listen_port)
{
	struct wgc_config *config;
	bool known;

	if (wgc_device_get(device, &config))
		return false;
	known = wgc_peer_transport_in_use(wgc_config_first_peer(config), transport, reason);
	if (tcp_listen_port)
		*tcp_listen_port = wgc_config_tcp_listen_port(config);
	wgc_config_free(config);
	return known;
}

TEST(libwgc_tcp_pair_over_loopback)
{
	struct end a, b;
	enum wgc_transport transport;
	enum wgc_transport_reason reason;
	uint16_t tcp_port = free_port(SOCK_STREAM), listening = 0;

	virtual_now = 1000 * SECOND;
	CHECK(!open_end(&a, 1) && !open_end(&b, 2));
	CHECK_EQ(configure(&a, &b, WGC_TRANSPORT_MODE_TCP, tcp_port, tcp_port), 0);
	CHECK_EQ(send_to(&a, &b), 0);
	pump(&a, &b, 200);
	CHECK_EQ(b.delivered, 1);
	CHECK_EQ(send_to(&b, &a), 0);
	pump(&a, &b, 50);
	CHECK_EQ(a.delivered, 1);
	CHECK(in_use(a.device, &transport, &reason, NULL));
	CHECK(transport == WGC_TRANSPORT_TCP && reason == WGC_TRANSPORT_CONFIGURED);
	CHECK(in_use(b.device, &transport, &reason, &listening));
	CHECK(transport == WGC_TRANSPORT_TCP && reason == WGC_TRANSPORT_PEER_CHOSE);
	CHECK_EQ(listening, tcp_port);
	/* A configured mode is no switch: no event. */
	CHECK_EQ(a.change_count, 0);
	wgc_device_free(a.device);
	wgc_device_free(b.device);
}

/* b's UDP endpoint for a is a port nothing answers on: the third initiation goes over TCP. */
TEST(libwgc_tcp_auto_falls_back_with_an_event)
{
	struct end a, b;
	enum wgc_transport transport;
	enum wgc_transport_reason reason;
	uint16_t tcp_port = free_port(SOCK_STREAM), dead_udp = free_port(SOCK_DGRAM);
	uint64_t start;

	virtual_now = 1000 * SECOND;
	CHECK(!open_end(&a, 1) && !open_end(&b, 2));
	CHECK_EQ(configure(&a, &b, WGC_TRANSPORT_MODE_AUTO, dead_udp, tcp_port), 0);
	CHECK(in_use(a.device, &transport, &reason, NULL));
	CHECK(transport == WGC_TRANSPORT_UDP && reason == WGC_TRANSPORT_CONFIGURED);
	start = virtual_now;
	CHECK_EQ(send_to(&a, &b), 0);
	pump(&a, &b, 10);
	CHECK_EQ(a.change_count, 0);
	/* The retry at 5 s still goes over UDP; the one at 10 s over TCP. */
	virtual_now = start + 5 * SECOND + SECOND / 2;
	pump(&a, &b, 10);
	CHECK_EQ(a.change_count, 0);
	virtual_now = start + 10 * SECOND + SECOND;
	pump(&a, &b, 200);
	CHECK_EQ(a.change_count, 1);
	CHECK(a.changes[0].transport == WGC_TRANSPORT_TCP && a.changes[0].transport_reason == WGC_TRANSPORT_UDP_UNANSWERED);
	CHECK(!memcmp(a.changes[0].peer, b.pub, WGC_KEY_LEN));
	CHECK_EQ(b.delivered, 1);
	CHECK(in_use(a.device, &transport, &reason, NULL));
	CHECK(transport == WGC_TRANSPORT_TCP && reason == WGC_TRANSPORT_UDP_UNANSWERED);
	wgc_device_free(a.device);
	wgc_device_free(b.device);
}

TEST(libwgc_tcp_setters_refuse_bad_values)
{
	struct wgc_config *config;
	struct wgc_peer *peer;
	uint8_t key[WGC_KEY_LEN] = { 1 };
	char text[80];

	CHECK_EQ(wgc_config_new(&config), 0);
	CHECK_EQ(wgc_config_add_peer(config, key, &peer), 0);
	CHECK_EQ(wgc_peer_set_transport(peer, (enum wgc_transport_mode)7), -EINVAL);
	CHECK_EQ(wgc_peer_transport(peer), WGC_TRANSPORT_MODE_UDP);
	CHECK_EQ(wgc_peer_set_tcp_endpoint(peer, "192.0.2.1"), -EINVAL);
	CHECK_EQ(wgc_peer_set_tcp_endpoint(NULL, "192.0.2.1:443"), -EINVAL);
	CHECK_EQ(wgc_peer_tcp_endpoint(peer, text, sizeof(text)), -ENOENT);
	CHECK_EQ(wgc_config_set_udp_probe_interval(config, 0), -EINVAL);
	CHECK_EQ(wgc_config_set_udp_probe_interval(config, 86401), -EINVAL);
	CHECK_EQ(wgc_config_tcp_listen_port(config), 0);
	CHECK_EQ(wgc_peer_set_transport(peer, WGC_TRANSPORT_MODE_AUTO), 0);
	CHECK_EQ(wgc_peer_transport(peer), WGC_TRANSPORT_MODE_AUTO);
	CHECK_EQ(wgc_peer_set_tcp_endpoint(peer, "[2001:db8::1]:443"), 0);
	CHECK_EQ(wgc_peer_tcp_endpoint(peer, text, 5), -ENOSPC);
	CHECK_EQ(wgc_peer_tcp_endpoint(peer, text, sizeof(text)), 0);
	CHECK(!strcmp(text, "[2001:db8::1]:443"));
	CHECK(!wgc_peer_transport_in_use(peer, NULL, NULL));
	wgc_config_free(config);
}
