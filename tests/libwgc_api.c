/*
 * The public API (<wgc.h>) as a program uses it: keys, configurations, two devices without a
 * TUN talking over real UDP on loopback on a virtual clock, every event at its moment (keys
 * only to the subscriber that asked), statistics, bad arguments refused with the device
 * unchanged, and a device on a thread of its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "test_keys.h"
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
	size_t last_len;
	struct wgc_event events[64];
	unsigned event_count;
	struct wgc_session_keys keys[4];
	unsigned keys_count;
};

static void on_packet(void *ctx, const uint8_t *packet, size_t len)
{
	struct end *end = ctx;

	(void)packet;
	++end->delivered;
	end->last_len = len;
}

static void on_event(void *ctx, const struct wgc_event *event)
{
	struct end *end = ctx;

	if (end->event_count < 64)
		end->events[end->event_count++] = *event;
	if (event->keys && end->keys_count < 4)
		end->keys[end->keys_count++] = *event->keys;
}

static unsigned count_events(const struct end *end, enum wgc_event_type type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < end->event_count; ++i)
		n += end->events[i].type == type;
	return n;
}

static const struct wgc_event *find_event(const struct end *end, enum wgc_event_type type)
{
	for (unsigned i = 0; i < end->event_count; ++i)
		if (end->events[i].type == type)
			return &end->events[i];
	return NULL;
}

static int open_end(struct end *end, uint8_t last_octet, bool with_callback)
{
	struct wgc_device_options o = { .size = sizeof(o), .tun = WGC_TUN_NONE, .packet = with_callback ? on_packet : NULL,
					.clock = clock_now, .ctx = end };

	memset(end, 0, sizeof(*end));
	end->inner[0] = 10;
	end->inner[3] = last_octet;
	if (wgc_key_generate(end->key) || wgc_key_public(end->pub, end->key))
		return -1;
	return wgc_device_new(&end->device, &o);
}

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

static int connect_end(struct end *a, const struct end *b, bool with_endpoint)
{
	struct wgc_config *config;
	struct wgc_peer *peer;
	char text[32];
	int ret = wgc_config_new(&config);

	if (!ret)
		ret = wgc_config_set_private_key(config, a->key);
	if (!ret)
		ret = wgc_config_add_peer(config, b->pub, &peer);
	snprintf(text, sizeof(text), "10.0.0.%u/32", b->inner[3]);
	if (!ret)
		ret = wgc_peer_add_allowed_ip(peer, text);
	snprintf(text, sizeof(text), "127.0.0.1:%u", port_of(b->device));
	if (!ret && with_endpoint)
		ret = wgc_peer_set_endpoint(peer, text);
	if (!ret)
		ret = wgc_device_configure(a->device, config);
	wgc_config_free(config);
	return ret;
}

static void pump(struct end *a, struct end *b, int rounds)
{
	struct pollfd p[2] = { { .fd = wgc_device_fd(a->device), .events = POLLIN },
			       { .fd = wgc_device_fd(b->device), .events = POLLIN } };

	/* A millisecond of virtual time per round: round trips take time to measure. */
	for (int i = 0; i < rounds; ++i) {
		poll(p, 2, 5);
		virtual_now += 1000000;
		wgc_device_process(a->device);
		wgc_device_process(b->device);
	}
}

/* A minimal IPv4 packet from one end's inner address to another's. */
static size_t ip_packet(uint8_t *p, const uint8_t src[4], const uint8_t dst[4], size_t len)
{
	memset(p, 0, len);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	return len;
}

static int send_to(struct end *from, const struct end *to, size_t len)
{
	uint8_t p[1500];

	return wgc_device_send_packet(from->device, p, ip_packet(p, from->inner, to->inner, len));
}

/* a and b configured (only a knows where b is), subscribed to everything; b's subscription
 * asks for keys. */
static bool pair_up(struct end *a, struct end *b)
{
	virtual_now = 1000 * SECOND;
	return !open_end(a, 1, true) && !open_end(b, 2, true) &&
	       !wgc_device_subscribe(a->device, WGC_EVENTS_ALL, on_event, a, NULL) &&
	       !wgc_device_subscribe(b->device, WGC_EVENTS_ALL | WGC_EVENTS_WITH_KEYS, on_event, b, NULL) &&
	       !connect_end(a, b, true) && !connect_end(b, a, false);
}

static void pair_down(struct end *a, struct end *b)
{
	wgc_device_free(a->device);
	wgc_device_free(b->device);
}

TEST(libwgc_api_keys)
{
	uint8_t key[WGC_KEY_LEN], pub[WGC_KEY_LEN], back[WGC_KEY_LEN];
	char text[WGC_KEY_BASE64_LEN + 1];

	CHECK_EQ(wgc_api_version(), WGC_API_VERSION);
	CHECK_EQ(wgc_key_generate(key), 0);
	CHECK_EQ(key[0] & 7, 0);
	CHECK_EQ(wgc_key_public(pub, key), 0);
	wgc_key_to_base64(text, pub);
	CHECK_EQ(strlen(text), WGC_KEY_BASE64_LEN);
	CHECK_EQ(wgc_key_from_base64(back, text), 0);
	CHECK(wgc_key_equal(back, pub));
	back[31] ^= 1;
	CHECK(!wgc_key_equal(back, pub));
	CHECK_EQ(wgc_key_from_base64(back, B64_A), 0);
	CHECK_EQ(wgc_key_from_base64(back, "not a key"), -EINVAL);
	CHECK_EQ(wgc_key_from_base64(back, B64_A "x"), -EINVAL);
	CHECK_EQ(wgc_key_from_base64(NULL, B64_A), -EINVAL);
	memset(key, 0, sizeof(key));
	CHECK_EQ(wgc_key_public(pub, key), -EINVAL);
	CHECK_EQ(wgc_key_generate_preshared(key), 0);
	wgc_wipe(key, sizeof(key));
	CHECK(key[0] == 0 && key[31] == 0);
}

TEST(libwgc_api_config_model)
{
	struct wgc_config *config;
	struct wgc_peer *peer;
	uint8_t key[WGC_KEY_LEN], got[WGC_KEY_LEN];
	char text[80];

	CHECK_EQ(wgc_config_new(&config), 0);
	CHECK(!wgc_config_private_key(config, got));
	wgc_key_from_base64(key, B64_A);
	CHECK_EQ(wgc_config_set_private_key(config, key), 0);
	CHECK(wgc_config_private_key(config, got) && wgc_key_equal(got, key));
	CHECK_EQ(wgc_config_add_peer(config, key, &peer), 0);
	CHECK_EQ(wgc_peer_set_endpoint(peer, "[2001:db8::1]:51820"), 0);
	CHECK_EQ(wgc_peer_endpoint(peer, text, sizeof(text)), 0);
	CHECK(!strcmp(text, "[2001:db8::1]:51820"));
	CHECK_EQ(wgc_peer_endpoint(peer, text, 5), -ENOSPC);
	CHECK_EQ(wgc_peer_add_allowed_ip(peer, "10.1.2.0/24"), 0);
	CHECK_EQ(wgc_peer_add_allowed_ip(peer, "fd00::1"), 0);
	CHECK_EQ(wgc_peer_allowed_ip_count(peer), 2);
	CHECK_EQ(wgc_peer_allowed_ip(peer, 1, text, sizeof(text)), 0);
	CHECK(!strcmp(text, "fd00::1/128"));
	CHECK_EQ(wgc_peer_set_flags(peer, WGC_PEER_UPDATE_ONLY | WGC_PEER_REPLACE_ALLOWED_IPS), 0);
	CHECK_EQ(wgc_peer_flags(peer), WGC_PEER_UPDATE_ONLY | WGC_PEER_REPLACE_ALLOWED_IPS);
	/* Bad values: refused, nothing changed. */
	CHECK_EQ(wgc_peer_add_allowed_ip(peer, "10.1.2.0/33"), -EINVAL);
	CHECK_EQ(wgc_peer_add_allowed_ip(peer, "fd00::/129"), -EINVAL);
	CHECK_EQ(wgc_peer_add_allowed_ip(peer, "banana"), -EINVAL);
	CHECK_EQ(wgc_peer_allowed_ip_count(peer), 2);
	CHECK_EQ(wgc_peer_set_endpoint(peer, "example.com:1"), -EINVAL);
	CHECK_EQ(wgc_peer_set_endpoint(peer, "10.0.0.1:65536"), -EINVAL);
	CHECK_EQ(wgc_peer_set_flags(peer, 1u << 9), -EINVAL);
	CHECK_EQ(wgc_config_add_peer(NULL, key, &peer), -EINVAL);
	CHECK_EQ(wgc_config_add_peer(config, NULL, &peer), -EINVAL);
	CHECK_EQ(wgc_config_peer_count(config), 1);
	CHECK(wgc_config_find_peer(config, key) == wgc_config_first_peer(config));
	CHECK(wgc_peer_next(wgc_config_first_peer(config)) == NULL);
	wgc_config_free(config);
	wgc_config_free(NULL);
}

/* The whole life of a session, and each event at its moment. */
TEST(libwgc_api_virtual_pair_and_its_events)
{
	struct end a, b;
	const struct wgc_event *e;

	CHECK(pair_up(&a, &b));
	CHECK_EQ(count_events(&a, WGC_EVENT_PEER_ADDED), 1);
	CHECK_EQ(send_to(&a, &b, 100), 0);
	pump(&a, &b, 20);
	CHECK_EQ(b.delivered, 1);
	CHECK_EQ(b.last_len, 100);
	e = find_event(&a, WGC_EVENT_HANDSHAKE_INITIATED);
	CHECK(e && e->attempt == 1 && wgc_key_equal(e->peer, b.pub));
	/* Each round is a virtual millisecond: the round trips took whole rounds. */
	e = find_event(&a, WGC_EVENT_HANDSHAKE_COMPLETE);
	CHECK(e && e->initiator && e->rtt_ns >= 1000000 && e->rtt_ns <= 10000000);
	e = find_event(&b, WGC_EVENT_HANDSHAKE_COMPLETE);
	CHECK(e && !e->initiator && e->rtt_ns >= 1000000 && e->rtt_ns <= 10000000);
	CHECK(find_event(&b, WGC_EVENT_ENDPOINT_CHANGED) &&
	      find_event(&b, WGC_EVENT_ENDPOINT_CHANGED)->endpoint.ss_family == AF_INET);
	CHECK(find_event(&a, WGC_EVENT_DATA_AFTER_IDLE) && !find_event(&a, WGC_EVENT_DATA_AFTER_IDLE)->received);
	CHECK(find_event(&b, WGC_EVENT_DATA_AFTER_IDLE) && find_event(&b, WGC_EVENT_DATA_AFTER_IDLE)->received);
	/* Keys: b asked for them and got the session's; a did not, and its event has none. */
	e = find_event(&a, WGC_EVENT_KEYS_DERIVED);
	CHECK(e && e->keys == NULL);
	CHECK_EQ(a.keys_count, 0);
	CHECK_EQ(b.keys_count, 1);
	CHECK(wgc_key_equal(b.keys[0].remote_static_public, a.pub) && wgc_key_equal(b.keys[0].local_static_private, b.key));
	/* Traffic back, then an idle spell and traffic again. */
	CHECK_EQ(send_to(&b, &a, 200), 0);
	pump(&a, &b, 5);
	CHECK_EQ(a.delivered, 1);
	virtual_now += 20 * SECOND;
	pump(&a, &b, 2);
	CHECK_EQ(send_to(&a, &b, 100), 0);
	pump(&a, &b, 5);
	CHECK_EQ(b.delivered, 2);
	CHECK(count_events(&a, WGC_EVENT_DATA_AFTER_IDLE) >= 2);
	/* Silence past REJECT_AFTER_TIME * 3: the sessions are wiped. */
	for (int i = 0; i < 60; ++i) {
		virtual_now += 10 * SECOND;
		pump(&a, &b, 1);
	}
	CHECK(count_events(&a, WGC_EVENT_KEYPAIR_EXPIRED) >= 1);
	CHECK_EQ(find_event(&a, WGC_EVENT_KEYPAIR_EXPIRED)->reason, WGC_EXPIRED_WIPED);
	pair_down(&a, &b);
}

/* The report of an in-process device: states, handshake figures, messages, the history and the
 * device's counters, as a program managing tunnels reads them. */
TEST(libwgc_api_monitor_report)
{
	struct end a, b;
	struct wgc_monitor *m = NULL;
	struct wgc_peer_monitor p = { .size = sizeof(p) };
	struct wgc_transition t;
	uint64_t value = 1;
	bool has_malformed = false;

	CHECK(pair_up(&a, &b));
	CHECK_EQ(wgc_device_monitor(a.device, &m), 0);
	CHECK_EQ(wgc_monitor_peer_count(m), 1);
	CHECK_EQ(wgc_monitor_peer(m, 0, &p), 0);
	CHECK_EQ(p.state, WGC_PEER_NEVER);
	CHECK(wgc_key_equal(p.public_key, b.pub));
	wgc_monitor_free(m);
	for (int i = 0; i < 10; ++i) {
		CHECK_EQ(send_to(&a, &b, 100), 0);
		pump(&a, &b, 5);
	}
	CHECK_EQ(wgc_device_monitor(a.device, &m), 0);
	CHECK_EQ(wgc_monitor_peer(m, 0, &p), 0);
	CHECK_EQ(p.state, WGC_PEER_CONNECTED);
	CHECK(!strcmp(wgc_peer_state_name(p.state), "connected"));
	CHECK_EQ(p.handshakes, 1);
	CHECK(p.handshake_latency_ns >= 1000000 && p.handshake_latency_ns <= 10000000);
	CHECK_EQ(p.handshake_latency_min_ns, p.handshake_latency_ns);
	CHECK_EQ(p.tx_messages, 10); /* the first confirmed the session: no keepalive was needed */
	CHECK_EQ(p.rx_lost, 0);
	/* Wall times: the device's wall clock moves with its monotonic one. */
	CHECK(p.state_since_ns > 1600000000ull * SECOND);
	CHECK(wgc_monitor_transition_count(m, 0) >= 2);
	CHECK_EQ(wgc_monitor_transition(m, 0, wgc_monitor_transition_count(m, 0) - 1, &t), 0);
	CHECK(t.from == WGC_PEER_HANDSHAKING && t.to == WGC_PEER_CONNECTED);
	CHECK(!strncmp(t.reason, "handshake completed in ", 23));
	CHECK_EQ(wgc_monitor_transition(m, 0, 64, &t), -ENOENT);
	/* The same changes came as events, after the events that caused them. */
	CHECK_EQ(count_events(&a, WGC_EVENT_STATE_CHANGED), 2);
	for (unsigned i = 0, seen = 0; i < a.event_count; ++i) {
		if (a.events[i].type == WGC_EVENT_HANDSHAKE_COMPLETE)
			seen = 1;
		if (a.events[i].type == WGC_EVENT_STATE_CHANGED && a.events[i].state_to == WGC_PEER_CONNECTED) {
			CHECK(seen && a.events[i].state_from == WGC_PEER_HANDSHAKING);
			CHECK(!strncmp(a.events[i].state_reason, "handshake completed in ", 23));
		}
	}
	CHECK_EQ(wgc_monitor_peer(m, 1, &p), -ENOENT);
	for (size_t i = 0; i < wgc_monitor_counter_count(m); ++i)
		if (!strcmp(wgc_monitor_counter(m, i, &value), "rx_malformed"))
			has_malformed = value == 0;
	CHECK(has_malformed);
	CHECK(wgc_monitor_counter(m, wgc_monitor_counter_count(m), NULL) == NULL);
	wgc_monitor_free(m);
	/* b's side answered: connected too, and it counted what it received. */
	CHECK_EQ(wgc_device_monitor(b.device, &m), 0);
	CHECK_EQ(wgc_monitor_peer(m, 0, &p), 0);
	CHECK_EQ(p.state, WGC_PEER_CONNECTED);
	CHECK_EQ(p.rx_messages, 10);
	CHECK_EQ(p.handshake_latency_ns, 0);
	wgc_monitor_free(m);
	CHECK_EQ(wgc_device_monitor(NULL, &m), -EINVAL);
	CHECK_EQ(wgc_control_monitor("wgc-none-such", &m), -ENOENT);
	pair_down(&a, &b);
}

/* Echo probe settings: set, read back through a get, refused when malformed. A device without
 * a TUN has no address to send from, so it sends none. */
TEST(libwgc_api_probe_settings)
{
	struct end a, b;
	struct wgc_config *config, *got;
	struct wgc_peer *peer;
	struct wgc_monitor *m;
	struct wgc_peer_monitor p = { .size = sizeof(p) };
	char text[64];

	CHECK(pair_up(&a, &b));
	CHECK_EQ(wgc_config_new(&config), 0);
	CHECK_EQ(wgc_config_add_peer(config, b.pub, &peer), 0);
	CHECK_EQ(wgc_peer_set_probe(peer, "10.0.0.300"), -EINVAL);
	CHECK_EQ(wgc_peer_set_probe(peer, "fd00::2"), 0);
	CHECK_EQ(wgc_peer_probe(peer, text, sizeof(text)), 0);
	CHECK(!strcmp(text, "fd00::2"));
	CHECK_EQ(wgc_peer_probe(peer, text, 4), -ENOSPC);
	CHECK_EQ(wgc_config_set_probe_interval(config, 0), -EINVAL);
	CHECK_EQ(wgc_config_set_probe_interval(config, 3601), -EINVAL);
	CHECK_EQ(wgc_config_set_probe_interval(config, 1), 0);
	CHECK_EQ(wgc_device_configure(a.device, config), 0);
	wgc_config_free(config);
	CHECK_EQ(wgc_device_get(a.device, &got), 0);
	CHECK_EQ(wgc_peer_probe(wgc_config_first_peer(got), text, sizeof(text)), 0);
	CHECK(!strcmp(text, "fd00::2"));
	wgc_config_free(got);
	for (int i = 0; i < 5; ++i) {
		virtual_now += SECOND;
		pump(&a, &b, 2);
	}
	CHECK_EQ(wgc_device_monitor(a.device, &m), 0);
	CHECK_EQ(wgc_monitor_peer(m, 0, &p), 0);
	CHECK_EQ(p.probe_sent, 0);
	wgc_monitor_free(m);
	/* Removed again: the get has none. */
	CHECK_EQ(wgc_config_new(&config), 0);
	CHECK_EQ(wgc_config_add_peer(config, b.pub, &peer), 0);
	CHECK_EQ(wgc_peer_set_probe(peer, NULL), 0);
	CHECK_EQ(wgc_device_configure(a.device, config), 0);
	wgc_config_free(config);
	CHECK_EQ(wgc_device_get(a.device, &got), 0);
	CHECK_EQ(wgc_peer_probe(wgc_config_first_peer(got), text, sizeof(text)), -ENOENT);
	wgc_config_free(got);
	pair_down(&a, &b);
}

/* Both ends' sessions have the same keys, crossed: what one sends with, the other receives. */
TEST(libwgc_api_keys_to_the_subscriber_that_asked)
{
	struct end a, b;

	CHECK(pair_up(&a, &b));
	CHECK_EQ(wgc_device_subscribe(a.device, WGC_EVENT_MASK(WGC_EVENT_KEYS_DERIVED) | WGC_EVENTS_WITH_KEYS, on_event,
				      &a, NULL), 0);
	CHECK_EQ(send_to(&a, &b, 100), 0);
	pump(&a, &b, 20);
	CHECK_EQ(a.keys_count, 1);
	CHECK_EQ(b.keys_count, 1);
	CHECK(wgc_key_equal(a.keys[0].sending_key, b.keys[0].receiving_key));
	CHECK(wgc_key_equal(a.keys[0].receiving_key, b.keys[0].sending_key));
	CHECK_EQ(a.keys[0].local_index, b.keys[0].remote_index);
	CHECK_EQ(a.keys[0].remote_index, b.keys[0].local_index);
	/* The initiator's ephemeral key is a key of its own, not zero. */
	CHECK(!wgc_key_equal(a.keys[0].local_ephemeral_private, (uint8_t[WGC_KEY_LEN]){ 0 }));
	pair_down(&a, &b);
}

/* No answer: an attempt every REKEY_TIMEOUT, the retries and the giving up reported. */
TEST(libwgc_api_retries_and_giving_up)
{
	struct end a, b;

	CHECK(pair_up(&a, &b));
	wgc_device_free(b.device);
	b.device = NULL;
	CHECK_EQ(send_to(&a, &b, 100), 0);
	for (int i = 0; i < 25; ++i) {
		virtual_now += 6 * SECOND;
		wgc_device_process(a.device);
	}
	CHECK_EQ(count_events(&a, WGC_EVENT_HANDSHAKE_INITIATED), 20);
	CHECK_EQ(count_events(&a, WGC_EVENT_HANDSHAKE_RETRY), 19);
	CHECK_EQ(count_events(&a, WGC_EVENT_HANDSHAKE_GIVEN_UP), 1);
	CHECK_EQ(find_event(&a, WGC_EVENT_HANDSHAKE_GIVEN_UP)->attempt, 20);
	wgc_device_free(a.device);
}

/* Packets without a callback wait to be read; a buffer too small drops the packet. */
TEST(libwgc_api_read_packets)
{
	struct end a, b;
	uint8_t buf[2048];

	virtual_now = 1000 * SECOND;
	CHECK(!open_end(&a, 1, true) && !open_end(&b, 2, false));
	CHECK(!connect_end(&a, &b, true) && !connect_end(&b, &a, false));
	CHECK_EQ(wgc_device_read_packet(b.device, buf, sizeof(buf)), -EAGAIN);
	CHECK_EQ(send_to(&a, &b, 300), 0);
	pump(&a, &b, 20);
	CHECK_EQ(send_to(&a, &b, 400), 0);
	pump(&a, &b, 5);
	CHECK_EQ(wgc_device_read_packet(b.device, buf, sizeof(buf)), 300);
	CHECK_EQ(buf[0], 0x45);
	CHECK_EQ(wgc_device_read_packet(b.device, buf, 100), -EMSGSIZE);
	CHECK_EQ(wgc_device_read_packet(b.device, buf, sizeof(buf)), -EAGAIN);
	pair_down(&a, &b);
}

/* Refusals that change nothing. */
TEST(libwgc_api_bad_arguments_change_nothing)
{
	struct wgc_device_options o = { .size = sizeof(o), .tun = WGC_TUN_CREATE, .ifname = "much-too-long-a-name" };
	struct wgc_device_stats stats = { .size = sizeof(stats) };
	struct wgc_device *device;
	struct wgc_config *config, *got;
	struct end a, b;
	int blocker;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	uint16_t port;

	CHECK_EQ(wgc_device_new(&device, NULL), -EINVAL);
	CHECK_EQ(wgc_device_new(&device, &o), -EINVAL);
	o.ifname = "bad/name";
	CHECK_EQ(wgc_device_new(&device, &o), -EINVAL);
	o = (struct wgc_device_options){ .size = 4 };
	CHECK_EQ(wgc_device_new(&device, &o), -EINVAL);
	o = (struct wgc_device_options){ .size = sizeof(o), .tun = WGC_TUN_FD, .tun_fd = -1 };
	CHECK_EQ(wgc_device_new(&device, &o), -EINVAL);
	o.tun_fd = 0; /* not a TUN descriptor */
	CHECK(wgc_device_new(&device, &o) < 0);
	CHECK_EQ(wgc_device_configure(NULL, NULL), -EINVAL);
	CHECK_EQ(wgc_device_stats(NULL, &stats), -EINVAL);

	/* A port that is taken: -EADDRINUSE, the old port kept, the peers too. */
	CHECK(pair_up(&a, &b));
	port = port_of(a.device);
	blocker = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(bind(blocker, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	CHECK(getsockname(blocker, (struct sockaddr *)&addr, &len) == 0);
	CHECK_EQ(wgc_config_new(&config), 0);
	wgc_config_set_listen_port(config, ntohs(addr.sin_port));
	wgc_config_set_replace_peers(config, true);
	CHECK_EQ(wgc_device_configure(a.device, config), -EADDRINUSE);
	wgc_config_free(config);
	CHECK_EQ(port_of(a.device), port);
	CHECK_EQ(wgc_device_get(a.device, &got), 0);
	CHECK_EQ(wgc_config_peer_count(got), 1);
	wgc_config_free(got);
	close(blocker);
	/* Not an IP packet; no route; with a TUN-less device, set_up works, read is fine. */
	CHECK_EQ(wgc_device_send_packet(a.device, (const uint8_t *)"garbage", 7), -EINVAL);
	{
		uint8_t p[64];
		const uint8_t nowhere[4] = { 10, 99, 0, 1 };

		CHECK_EQ(wgc_device_send_packet(a.device, p, ip_packet(p, a.inner, nowhere, sizeof(p))), -ENOKEY);
	}
	CHECK_EQ(wgc_device_stats(a.device, &stats), 0);
	CHECK_EQ(stats.tx_no_route, 1);
	CHECK_EQ(stats.tx_malformed, 1);
	CHECK_EQ(stats.peers, 1);
	CHECK_EQ(wgc_device_set_up(a.device, false), 0);
	CHECK_EQ(send_to(&a, &b, 100), -ENETDOWN);
	CHECK_EQ(wgc_device_start(a.device), -EINVAL); /* with its own clock, no thread */
	pair_down(&a, &b);
}

/* New ports, again and again: each time new sockets, the old retired, and traffic goes on (the
 * peer follows the new port as it roams). */
TEST(libwgc_api_port_changes)
{
	struct end a, b;
	struct wgc_config *config;
	uint16_t port, last;

	CHECK(pair_up(&a, &b));
	CHECK_EQ(send_to(&a, &b, 100), 0);
	pump(&a, &b, 20);
	CHECK_EQ(b.delivered, 1);
	last = port_of(a.device);
	for (int i = 0; i < 6; ++i) {
		CHECK_EQ(wgc_config_new(&config), 0);
		wgc_config_set_listen_port(config, 0);
		CHECK_EQ(wgc_device_configure(a.device, config), 0);
		wgc_config_free(config);
		port = port_of(a.device);
		CHECK(port != 0 && port != last);
		last = port;
		CHECK_EQ(send_to(&a, &b, 100), 0);
		pump(&a, &b, 5);
		CHECK_EQ(b.delivered, (unsigned)(2 + i));
	}
	/* b answers to where a is now. */
	CHECK_EQ(send_to(&b, &a, 100), 0);
	pump(&a, &b, 5);
	CHECK_EQ(a.delivered, 1);
	pair_down(&a, &b);
}

TEST(libwgc_api_control_of_a_missing_interface)
{
	struct wgc_config *config;

	CHECK_EQ(wgc_control_get("wgc-no-such-if", &config), -ENOENT);
	CHECK_EQ(wgc_control_get("bad/name", &config), -EINVAL);
	CHECK_EQ(wgc_control_get("much-too-long-a-name", &config), -EINVAL);
	CHECK_EQ(wgc_control_set("wgc-no-such-if", NULL), -EINVAL);
}

/* Two devices each on its own thread, driven from this one: TSan checks the locking. */
struct counted {
	atomic_uint delivered;
};

static void count_packet(void *ctx, const uint8_t *packet, size_t len)
{
	struct counted *c = ctx;

	(void)packet;
	(void)len;
	atomic_fetch_add(&c->delivered, 1);
}

TEST(libwgc_thread_devices_on_their_own_threads)
{
	struct counted got[2] = { { 0 } };
	struct wgc_device_options o = { .size = sizeof(o), .tun = WGC_TUN_NONE, .packet = count_packet };
	struct end e[2];
	uint8_t p[200];

	for (int i = 0; i < 2; ++i) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].inner[0] = 10;
		e[i].inner[3] = (uint8_t)(i + 1);
		o.ctx = &got[i];
		CHECK_EQ(wgc_key_generate(e[i].key), 0);
		CHECK_EQ(wgc_key_public(e[i].pub, e[i].key), 0);
		CHECK_EQ(wgc_device_new(&e[i].device, &o), 0);
	}
	CHECK_EQ(wgc_device_start(e[0].device), 0);
	CHECK_EQ(wgc_device_start(e[0].device), -EALREADY);
	CHECK_EQ(wgc_device_start(e[1].device), 0);
	CHECK_EQ(connect_end(&e[0], &e[1], true), 0);
	CHECK_EQ(connect_end(&e[1], &e[0], false), 0);
	for (int i = 0; i < 100; ++i) {
		ip_packet(p, e[0].inner, e[1].inner, sizeof(p));
		CHECK_EQ(wgc_device_send_packet(e[0].device, p, sizeof(p)), 0);
	}
	for (int i = 0; i < 500 && atomic_load(&got[1].delivered) < 100; ++i)
		usleep(10000);
	CHECK_EQ(atomic_load(&got[1].delivered), 100);
	/* While their threads run, the caller's loop may not run them too. */
	CHECK_EQ(wgc_device_process(e[0].device), -EBUSY);
	for (int i = 0; i < 2; ++i) {
		CHECK_EQ(wgc_device_stop(e[i].device), 0);
		CHECK_EQ(wgc_device_stop(e[i].device), -EALREADY);
	}
	/* Stopped, not dead: this thread's loop carries the next packet. */
	ip_packet(p, e[0].inner, e[1].inner, sizeof(p));
	CHECK_EQ(wgc_device_send_packet(e[0].device, p, sizeof(p)), 0);
	for (int i = 0; i < 200 && atomic_load(&got[1].delivered) < 101; ++i) {
		struct pollfd fds[2] = { { .fd = wgc_device_fd(e[0].device), .events = POLLIN },
					 { .fd = wgc_device_fd(e[1].device), .events = POLLIN } };

		poll(fds, 2, 10);
		CHECK_EQ(wgc_device_process(e[0].device), 0);
		CHECK_EQ(wgc_device_process(e[1].device), 0);
	}
	CHECK_EQ(atomic_load(&got[1].delivered), 101);
	for (int i = 0; i < 2; ++i)
		wgc_device_free(e[i].device);
}

static const char *const obfuscation_set[] = {
	"Jc", "3", "Jmin", "40", "Jmax", "50", "S1", "15", "S2", "18", "S3", "20", "S4", "8",
	"H1", "100000-100999", "H2", "200000-200999", "H3", "300000-300999", "H4", "400000-400999",
	"I1", "<b 0xc0ffee><t>", "I2", "<r 5>", NULL,
};

static int obfuscate(struct wgc_device *device, const char *const *pairs)
{
	struct wgc_config *config;
	char error[160];
	int ret = wgc_config_new(&config);

	for (; !ret && *pairs; pairs += 2)
		ret = wgc_config_set_obfuscation(config, pairs[0], pairs[1], error, sizeof(error));
	if (!ret)
		ret = wgc_device_configure(device, config);
	wgc_config_free(config);
	return ret;
}

static bool obfuscation_is(struct wgc_device *device, const char *key, const char *want)
{
	struct wgc_config *config;
	char value[64] = "";
	bool same;

	if (wgc_device_get(device, &config))
		return false;
	same = !wgc_config_obfuscation(config, key, value, sizeof(value)) && !strcmp(value, want);
	wgc_config_free(config);
	return same;
}

/* Two obfuscated devices over real UDP: the send edge's prefixes and the receive path's unwrap
 * between them, and the API's parameters, read back and refused. */
TEST(libwgc_api_obfuscated_pair)
{
	struct wgc_config *config;
	struct end a, b;
	char error[160];

	CHECK(pair_up(&a, &b));
	CHECK_EQ(obfuscate(a.device, obfuscation_set), 0);
	CHECK_EQ(obfuscate(b.device, obfuscation_set), 0);
	CHECK_EQ(send_to(&a, &b, 300), 0);
	pump(&a, &b, 20);
	CHECK_EQ(b.delivered, 1);
	CHECK_EQ(send_to(&b, &a, 1200), 0);
	pump(&a, &b, 5);
	CHECK_EQ(a.delivered, 1);
	CHECK(obfuscation_is(a.device, "s1", "15"));
	CHECK(obfuscation_is(a.device, "H2", "200000-200999"));
	CHECK(obfuscation_is(a.device, "i2", "<r 5>"));
	/* Refused: one value at once, with its reason; a whole that does not fit, at configure. */
	CHECK_EQ(wgc_config_new(&config), 0);
	CHECK_EQ(wgc_config_set_obfuscation(config, "jc", "129", error, sizeof(error)), -EINVAL);
	CHECK(!strcmp(error, "jc: \"129\" is over the limit of 128"));
	CHECK_EQ(wgc_config_set_obfuscation(config, "colour", "1", error, sizeof(error)), -EINVAL);
	CHECK(!strcmp(error, "colour: not an obfuscation parameter"));
	CHECK_EQ(wgc_config_set_obfuscation(config, "s2", "71", error, sizeof(error)), 0);
	CHECK_EQ(wgc_device_configure(a.device, config), -EINVAL);
	wgc_config_free(config);
	CHECK(obfuscation_is(a.device, "s2", "18"));
	/* b no longer shares S4: its data messages no longer reach a. */
	CHECK_EQ(obfuscate(b.device, (const char *const[]){ "S4", "9", NULL }), 0);
	a.delivered = 0;
	CHECK_EQ(send_to(&b, &a, 100), 0);
	pump(&a, &b, 5);
	CHECK_EQ(a.delivered, 0);
	pair_down(&a, &b);
}

/* What a device obfuscated with `set` sends a peer (a plain socket here) for its first packet:
 * up to `max` datagrams, their lengths and first bytes. */
static int first_datagrams(const char *const *set, ssize_t *got, uint8_t (*first)[24], int max)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	const uint8_t to[4] = { 10, 0, 0, 2 };
	uint8_t buf[2048], other[WGC_KEY_LEN], other_pub[WGC_KEY_LEN], p[100];
	socklen_t len = sizeof(addr);
	struct wgc_config *config;
	struct wgc_peer *peer;
	char endpoint[32];
	struct end a;
	int sock, n = 0;

	virtual_now = 1000 * SECOND;
	CHECK_EQ(open_end(&a, 1, true), 0);
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	CHECK(bind(sock, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	CHECK(getsockname(sock, (struct sockaddr *)&addr, &len) == 0);
	snprintf(endpoint, sizeof(endpoint), "127.0.0.1:%u", ntohs(addr.sin_port));
	CHECK_EQ(wgc_key_generate(other), 0);
	CHECK_EQ(wgc_key_public(other_pub, other), 0);
	CHECK_EQ(wgc_config_new(&config), 0);
	CHECK_EQ(wgc_config_set_private_key(config, a.key), 0);
	CHECK_EQ(wgc_config_add_peer(config, other_pub, &peer), 0);
	CHECK_EQ(wgc_peer_add_allowed_ip(peer, "10.0.0.2/32"), 0);
	CHECK_EQ(wgc_peer_set_endpoint(peer, endpoint), 0);
	CHECK_EQ(wgc_device_configure(a.device, config), 0);
	wgc_config_free(config);
	CHECK_EQ(obfuscate(a.device, set), 0);
	CHECK_EQ(wgc_device_send_packet(a.device, p, ip_packet(p, a.inner, to, sizeof(p))), 0);
	for (int round = 0; round < 50; ++round) {
		ssize_t r;

		wgc_device_process(a.device);
		while (n < max && (r = recv(sock, buf, sizeof(buf), 0)) >= 0) {
			got[n] = r;
			memcpy(first[n], buf, r < 24 ? (size_t)r : 24);
			++n;
		}
		poll(NULL, 0, 2);
	}
	close(sock);
	wgc_device_free(a.device);
	return n;
}

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* I1, I2, then Jc junk of lengths in [Jmin, Jmax), then the initiation behind S1 random bytes
 * with a type in H1; nothing else (no retry within the time given). */
TEST(libwgc_api_obfuscated_datagrams_in_order)
{
	ssize_t got[8];
	uint8_t first[8][24];
	int n = first_datagrams(obfuscation_set, got, first, 8);

	CHECK_EQ(n, 6);
	if (n != 6)
		return;
	CHECK_EQ(got[0], 3 + 4);
	CHECK(first[0][0] == 0xc0 && first[0][1] == 0xff && first[0][2] == 0xee);
	CHECK_EQ(got[1], 5);
	for (int i = 2; i < 5; ++i)
		CHECK(got[i] >= 40 && got[i] < 50);
	CHECK_EQ(got[5], 15 + 148);
	CHECK(le32_at(first[5] + 15) >= 100000 && le32_at(first[5] + 15) <= 100999);
}

/* Junk of length 0 (Jmin 0) is sent as empty datagrams, each its own, never joined into one. */
TEST(libwgc_api_obfuscated_empty_junk)
{
	static const char *const set[] = { "jc", "3", "jmin", "0", "jmax", "1", "h1", "7", NULL };
	ssize_t got[8];
	uint8_t first[8][24];
	int n = first_datagrams(set, got, first, 8);

	CHECK_EQ(n, 4);
	if (n != 4)
		return;
	CHECK(got[0] == 0 && got[1] == 0 && got[2] == 0);
	CHECK_EQ(got[3], 148);
	CHECK_EQ(le32_at(first[3]), 7);
}
