/*
 * What `wgc show` prints: the health verdict at its exact boundaries, byte counts and ages in
 * words, JSON escaping, and whole text and JSON renderings of a known configuration.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/key.h"
#include "harness.h"
#include "test_keys.h"
#include "wgc/health.h"
#include "wgc/human.h"
#include "wgc/json.h"
#include "wgc/show.h"

struct health_case {
	uint64_t last, now;
	enum wgc_health expected;
};

static const struct health_case health_cases[] = {
	/* 1 */ { 0, 1000, WGC_HEALTH_NEVER },
	/* 2 */ { 0, 0, WGC_HEALTH_NEVER },
	/* 3 */ { 1000, 1000, WGC_HEALTH_HEALTHY },
	/* 4 */ { 1000, 1179, WGC_HEALTH_HEALTHY },
	/* 5 */ { 1000, 1180, WGC_HEALTH_STALE },
	/* 6 */ { 1000, 1181, WGC_HEALTH_STALE },
	/* 7 */ { 1000, 1599, WGC_HEALTH_STALE },
	/* 8 */ { 1000, 1600, WGC_HEALTH_STALE },
	/* 9 */ { 1000, 1601, WGC_HEALTH_DEAD },
	/* 10 */ { 1000, 999999, WGC_HEALTH_DEAD },
	/* 11 */ { 2000, 1000, WGC_HEALTH_HEALTHY }, /* clock skew: a handshake "in the future" */
};

TEST(show_health_boundaries)
{
	for (size_t i = 0; i < sizeof(health_cases) / sizeof(health_cases[0]); ++i)
		if (wgc_health_of(health_cases[i].last, health_cases[i].now) != health_cases[i].expected)
			test_fail(__FILE__, __LINE__, "health case %zu", i + 1);
	CHECK(!strcmp(wgc_health_name(WGC_HEALTH_HEALTHY), "healthy"));
	CHECK(!strcmp(wgc_health_name(WGC_HEALTH_STALE), "stale"));
	CHECK(!strcmp(wgc_health_name(WGC_HEALTH_DEAD), "dead"));
	CHECK(!strcmp(wgc_health_name(WGC_HEALTH_NEVER), "never connected"));
}

struct bytes_case {
	uint64_t bytes;
	const char *text;
};

static const struct bytes_case bytes_cases[] = {
	/* 1 */ { 0, "0 B" },
	/* 2 */ { 1023, "1023 B" },
	/* 3 */ { 1024, "1.00 KiB" },
	/* 4 */ { 1536, "1.50 KiB" },
	/* 5 */ { 1048575, "1024.00 KiB" },
	/* 6 */ { 1048576, "1.00 MiB" },
	/* 7 */ { 5ull << 30, "5.00 GiB" },
	/* 8 */ { 3ull << 40, "3.00 TiB" },
	/* 9 */ { 2048ull << 40, "2048.00 TiB" },
};

TEST(show_human_bytes)
{
	char text[32];

	for (size_t i = 0; i < sizeof(bytes_cases) / sizeof(bytes_cases[0]); ++i) {
		wgc_human_bytes(text, sizeof(text), bytes_cases[i].bytes);
		if (strcmp(text, bytes_cases[i].text))
			test_fail(__FILE__, __LINE__, "bytes case %zu: \"%s\"", i + 1, text);
	}
}

struct ago_case {
	int64_t seconds;
	const char *text;
};

static const struct ago_case ago_cases[] = {
	/* 1 */ { -5, "Now" },
	/* 2 */ { 0, "Now" },
	/* 3 */ { 1, "1 second ago" },
	/* 4 */ { 59, "59 seconds ago" },
	/* 5 */ { 60, "1 minute ago" },
	/* 6 */ { 125, "2 minutes, 5 seconds ago" },
	/* 7 */ { 3601, "1 hour, 1 second ago" },
	/* 8 */ { 86400 + 7200 + 60, "1 day, 2 hours, 1 minute ago" },
	/* 9 */ { 2 * 365 * 86400 + 3, "2 years, 3 seconds ago" },
};

TEST(show_human_ago)
{
	char text[96];

	for (size_t i = 0; i < sizeof(ago_cases) / sizeof(ago_cases[0]); ++i) {
		wgc_human_ago(text, sizeof(text), ago_cases[i].seconds);
		if (strcmp(text, ago_cases[i].text))
			test_fail(__FILE__, __LINE__, "ago case %zu: \"%s\"", i + 1, text);
	}
}

/* Renders into memory with one of the show functions. */
static char *render(void (*fn)(FILE *, const char *), const char *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, arg);
	fclose(f);
	return buf;
}

TEST(show_json_escaping)
{
	char *s = render(wgc_json_string, "a\"b\\c\nd\te\x01\x1f\x7f/\xc3\xa9");

	CHECK(!strcmp(s, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f\\u007f/\xc3\xa9\""));
	free(s);
	s = render(wgc_json_string, "");
	CHECK(!strcmp(s, "\"\""));
	free(s);
}

/* Device with private key A; peer B (PSK C, endpoint, two prefixes, handshake 125 s ago); peer C bare. */
static void example(struct wg_config_device *device, uint64_t now)
{
	struct wg_config_allowedip a = { .family = AF_INET, .cidr = 24 };
	struct wg_config_peer *peer;
	uint8_t key[32];

	wg_config_init(device);
	device->flags = WG_DEVICE_HAS_PRIVATE_KEY;
	wg_key_from_base64(device->private_key, B64_A);
	device->listen_port = 51820;
	device->fwmark = 51820;
	wg_key_from_base64(key, B64_B);
	peer = wg_config_add_peer(device, key);
	peer->flags = WG_PEER_HAS_PRESHARED_KEY | WG_PEER_HAS_ENDPOINT;
	wg_key_from_base64(peer->preshared_key, B64_C);
	wg_endpoint_parse(&peer->endpoint, "[2001:db8::1]:51820");
	inet_pton(AF_INET, "10.0.0.0", a.addr);
	wg_config_add_allowedip(peer, &a);
	a = (struct wg_config_allowedip){ .family = AF_INET6, .cidr = 128 };
	inet_pton(AF_INET6, "fd00::2", a.addr);
	wg_config_add_allowedip(peer, &a);
	peer->last_handshake_time_sec = now - 125;
	peer->rx_bytes = 1536;
	peer->tx_bytes = 100;
	peer->persistent_keepalive_interval = 25;
	wg_key_from_base64(key, B64_C);
	wg_config_add_peer(device, key);
}

/* What a peer's JSON has from a daemon without monitoring: every member, null. */
#define NO_MONITOR                                                                                                \
	"\"state\": null, \"state_since\": null, \"handshake_latency_ms\": null, \"handshake_latency_min_ms\": null, " \
	"\"handshake_latency_avg_ms\": null, \"handshake_latency_max_ms\": null, \"rtt_ms\": null, "                     \
	"\"handshake_rtt_ms\": null, \"probe_rtt_ms\": null, \"rx_loss_ratio\": null, \"probe_loss_ratio\": null, "      \
	"\"probe_sent\": null, \"probe_lost\": null, \"rx_bps\": null, \"tx_bps\": null, \"rx_bps_10s\": null, "        \
	"\"tx_bps_10s\": null, \"rx_messages\": null, \"tx_messages\": null, \"rx_lost\": null, \"rx_late\": null, "    \
	"\"rx_replayed\": null, \"handshakes\": null, \"handshake_failures\": null"

static char *render_device(bool json)
{
	struct wg_config_device device;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	example(&device, 1000000);
	if (json)
		wgc_show_json(f, "wg0", &device, &(struct wgc_show_view){ .now_sec = 1000000 });
	else
		wgc_show_text(f, "wg0", &device, &(struct wgc_show_view){ .now_sec = 1000000 });
	fclose(f);
	wg_config_free(&device);
	return buf;
}

TEST(show_text_rendering)
{
	char pub[WG_KEY_BASE64_LEN + 1], expected[2048];
	struct wg_config_device device;
	char *text = render_device(false);

	example(&device, 0);
	CHECK(wgc_show_public_key(pub, &device));
	wg_config_free(&device);
	snprintf(expected, sizeof(expected),
		 "interface: wg0\n"
		 "  public key: %s\n"
		 "  private key: (hidden)\n"
		 "  listening port: 51820\n"
		 "  fwmark: 0xca6c\n"
		 "\n"
		 "peer: " B64_B "\n"
		 "  preshared key: (hidden)\n"
		 "  endpoint: [2001:db8::1]:51820\n"
		 "  allowed ips: 10.0.0.0/24, fd00::2/128\n"
		 "  latest handshake: 2 minutes, 5 seconds ago\n"
		 "  transfer: 1.50 KiB received, 100 B sent\n"
		 "  persistent keepalive: every 25 seconds\n"
		 "  health: healthy\n"
		 "\n"
		 "peer: " B64_C "\n"
		 "  allowed ips: (none)\n"
		 "  health: never connected\n",
		 pub);
	if (strcmp(text, expected))
		test_fail(__FILE__, __LINE__, "got:\n%s", text);
	CHECK(!strstr(text, B64_A));
	free(text);
}

TEST(show_json_rendering)
{
	char pub[WG_KEY_BASE64_LEN + 1], expected[2048];
	struct wg_config_device device;
	char *text = render_device(true);

	example(&device, 0);
	CHECK(wgc_show_public_key(pub, &device));
	wg_config_free(&device);
	snprintf(expected, sizeof(expected),
		 "\"wg0\": {\"public_key\": \"%s\", \"listen_port\": 51820, \"fwmark\": 51820, "
		 "\"tcp_listen_port\": null, \"obfuscation\": null, \"peers\": [\n"
		 "    {\"public_key\": \"" B64_B "\", \"endpoint\": \"[2001:db8::1]:51820\", "
		 "\"transport\": \"udp\", \"transport_active\": \"udp\", \"transport_reason\": \"configured\", "
		 "\"tcp_endpoint\": null, "
		 "\"allowed_ips\": [\"10.0.0.0/24\", \"fd00::2/128\"], \"latest_handshake\": 999875, "
		 "\"rx_bytes\": 1536, \"tx_bytes\": 100, \"persistent_keepalive\": 25, \"health\": \"healthy\", " NO_MONITOR "},\n"
		 "    {\"public_key\": \"" B64_C "\", \"endpoint\": null, \"transport\": \"udp\", "
		 "\"transport_active\": \"udp\", \"transport_reason\": \"configured\", \"tcp_endpoint\": null, "
		 "\"allowed_ips\": [], "
		 "\"latest_handshake\": null, \"rx_bytes\": 0, \"tx_bytes\": 0, \"persistent_keepalive\": null, "
		 "\"health\": \"never connected\", " NO_MONITOR "}\n"
		 "  ]}",
		 pub);
	if (strcmp(text, expected))
		test_fail(__FILE__, __LINE__, "got:\n%s", text);
	CHECK(!strstr(text, B64_A));
	free(text);
}

/* The same public key as `echo B64_A | wg pubkey`. */
TEST(show_public_key_matches_wg)
{
	struct wg_config_device device;
	char pub[WG_KEY_BASE64_LEN + 1];

	example(&device, 0);
	CHECK(wgc_show_public_key(pub, &device));
	CHECK(!strcmp(pub, "wVMuGz01CPx+vDVPpnliDzPyhxSVQuaExnt7DYE2Kyk="));
	wg_config_free(&device);
	wg_config_init(&device);
	CHECK(!wgc_show_public_key(pub, &device));
	device.flags = WG_DEVICE_HAS_PRIVATE_KEY; /* all zero: none */
	CHECK(!wgc_show_public_key(pub, &device));
}

/* The TCP transport's lines: only for what is not plain UDP in the text, always in the JSON. */
TEST(show_transport_rendering)
{
	struct wg_config_device device;
	struct wg_config_peer *peer;
	uint8_t key[WG_KEY_LEN];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	wg_config_init(&device);
	device.listen_port = 51820;
	device.tcp_listen_port = 443;
	device.flags |= WG_DEVICE_HAS_TCP_LISTEN_PORT;
	wg_key_from_base64(key, B64_B);
	peer = wg_config_add_peer(&device, key);
	peer->flags |= WG_PEER_HAS_ENDPOINT | WG_PEER_HAS_TRANSPORT | WG_PEER_HAS_TCP_ENDPOINT |
		       WG_PEER_HAS_TRANSPORT_STATE;
	wg_endpoint_parse(&peer->endpoint, "192.0.2.1:443");
	wg_endpoint_parse(&peer->tcp_endpoint, "192.0.2.1:443");
	peer->transport_mode = WG_TRANSPORT_MODE_AUTO;
	peer->transport_active = WG_TRANSPORT_TCP;
	peer->transport_reason = WG_TRANSPORT_UDP_UNANSWERED;
	f = open_memstream(&buf, &len);
	wgc_show_text(f, "wg0", &device, &(struct wgc_show_view){ 0 });
	wgc_show_json(f, "wg0", &device, &(struct wgc_show_view){ 0 });
	fclose(f);
	CHECK(strstr(buf, "  tcp listening port: 443\n"));
	CHECK(strstr(buf, "  tcp endpoint: 192.0.2.1:443\n  transport: auto, on tcp (no answer over udp)\n"));
	CHECK(strstr(buf, "\"tcp_listen_port\": 443, "));
	CHECK(strstr(buf, "\"transport\": \"auto\", \"transport_active\": \"tcp\", "
			  "\"transport_reason\": \"udp-unanswered\", \"tcp_endpoint\": \"192.0.2.1:443\""));
	free(buf);
	wg_config_free(&device);
}

/* From a wgcd's monitoring report: the lines and members it adds, the history on request. */
TEST(show_monitor_rendering)
{
	struct wg_config_device device;
	struct wg_monitor_report report;
	struct wg_monitor_peer_report *p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	example(&device, 1000000);
	wg_monitor_report_init(&report);
	p = wg_monitor_report_add_peer(&report);
	memcpy(p->public_key, device.first_peer->public_key, 32);
	p->state = WG_STATE_CONNECTED;
	p->state_since_wall = 999880ull * 1000000000u;
	p->handshakes = 3;
	p->handshake_failures = 1;
	p->latency_last = 1900000;
	p->latency_min = 1200000;
	p->latency_avg = 1600000;
	p->latency_max = 1900000;
	p->handshake_rtt = 1900000;
	p->rx_messages = 980;
	p->rx_lost = 20;
	p->rates.rx_bps = 12300000;
	p->transition_count = 1;
	p->transitions = calloc(WG_MONITOR_HISTORY, sizeof(*p->transitions));
	p->transitions[0] = (struct wg_monitor_transition_report){ .wall = 999880ull * 1000000000u,
								   .from = WG_STATE_HANDSHAKING, .to = WG_STATE_CONNECTED };
	strcpy(p->transitions[0].reason, "handshake completed in 1.9 ms");
	f = open_memstream(&buf, &len);
	wgc_show_text(f, "wg0", &device, &(struct wgc_show_view){ .now_sec = 1000000, .monitor = &report, .history = true });
	wgc_show_json(f, "wg0", &device, &(struct wgc_show_view){ .now_sec = 1000000, .monitor = &report, .history = true });
	fclose(f);
	CHECK(strstr(buf, "  health: healthy\n  state: connected, since 2 minutes ago\n"
			  "  handshakes: 3 completed, 1 unanswered, latency 1.9 ms (min 1.2, avg 1.6, max 1.9), rtt 1.9 ms\n"
			  "  throughput: 12.30 Mbit/s in, 0 bit/s out (10 s: 0 bit/s in, 0 bit/s out)\n"
			  "  inbound loss: 2.000% (20 lost, 0 late, 0 replayed)\n"
			  "  transitions:\n    2 minutes ago: handshaking -> connected: handshake completed in 1.9 ms\n"));
	CHECK(strstr(buf, "\"state\": \"connected\", \"state_since\": 999880.000, \"handshake_latency_ms\": 1.900, "));
	CHECK(strstr(buf, "\"rtt_ms\": 1.900, \"handshake_rtt_ms\": 1.900, \"probe_rtt_ms\": null, "
			  "\"rx_loss_ratio\": 0.020000, \"probe_loss_ratio\": null, \"probe_sent\": 0, \"probe_lost\": 0, "
			  "\"rx_bps\": 12300000, "));
	CHECK(strstr(buf, "\"handshakes\": 3, \"handshake_failures\": 1, \"transitions\": [{\"time\": 999880.000, "
			  "\"from\": \"handshaking\", \"to\": \"connected\", \"reason\": \"handshake completed in 1.9 ms\"}]"));
	/* The second peer is not in the report: its members are null, its text has no state. */
	CHECK(strstr(buf, "\"health\": \"never connected\", \"state\": null, "));
	free(buf);
	wg_monitor_report_free(&report);
	wg_config_free(&device);
}
