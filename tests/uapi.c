/* The UAPI text: set lines into the configuration model, errors that say what is wrong, get replies. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/uapi.h"
#include "harness.h"
#include "netsim.h"

#define KEY_A "e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a"
#define KEY_B "58402e695ba1772b1cc9309755f043251ea77fdcf10fbe63989ceb7e19321376"
#define KEY_C "662e14fd594556f522604703340351258903b64f35553763f19426ab2a515c58"

/* Parses a whole text into a fresh configuration; returns the first error. */
static int parse(struct wg_uapi_parser *p, struct wg_config_device *config, const char *text)
{
	wg_config_init(config);
	wg_uapi_parser_init(p, config);
	return wg_uapi_parse_text(p, text, strlen(text));
}

TEST(uapi_parses_a_full_set)
{
	struct wg_uapi_parser p;
	struct wg_config_device c;
	struct wg_config_peer *peer;
	uint8_t key[32];

	CHECK_EQ(parse(&p, &c,
		       "private_key=" KEY_A "\n"
		       "listen_port=51820\n"
		       "fwmark=0\n"
		       "replace_peers=true\n"
		       "public_key=" KEY_B "\n"
		       "preshared_key=" KEY_C "\n"
		       "endpoint=[2001:db8::1]:51820\n"
		       "persistent_keepalive_interval=25\n"
		       "replace_allowed_ips=true\n"
		       "allowed_ip=10.0.0.2/32\n"
		       "allowed_ip=fd00::/64\n"
		       "allowed_ip=-10.9.0.0/16\n"
		       "protocol_version=1\n"
		       "public_key=" KEY_C "\n"
		       "remove=true\n"
		       "public_key=" KEY_A "\n"
		       "update_only=true\n"),
		 0);
	CHECK_EQ(c.flags, WG_DEVICE_HAS_PRIVATE_KEY | WG_DEVICE_HAS_LISTEN_PORT | WG_DEVICE_HAS_FWMARK |
				  WG_DEVICE_REPLACE_PEERS);
	test_unhex(key, 32, KEY_A);
	CHECK_MEM(c.private_key, key, 32);
	CHECK_EQ(c.listen_port, 51820);
	CHECK_EQ(c.num_peers, 3);
	peer = c.first_peer;
	test_unhex(key, 32, KEY_B);
	CHECK_MEM(peer->public_key, key, 32);
	CHECK_EQ(peer->flags, WG_PEER_HAS_PRESHARED_KEY | WG_PEER_HAS_ENDPOINT |
				      WG_PEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL | WG_PEER_REPLACE_ALLOWEDIPS);
	CHECK_EQ(peer->endpoint.addr.sa.sa_family, AF_INET6);
	CHECK_EQ(ntohs(peer->endpoint.addr.in6.sin6_port), 51820);
	CHECK_EQ(peer->persistent_keepalive_interval, 25);
	CHECK_EQ(peer->num_allowedips, 3);
	CHECK(peer->allowedips[0].family == AF_INET && peer->allowedips[0].cidr == 32 && !peer->allowedips[0].remove);
	CHECK(peer->allowedips[1].family == AF_INET6 && peer->allowedips[1].cidr == 64);
	CHECK(peer->allowedips[2].remove && peer->allowedips[2].cidr == 16);
	CHECK_EQ(peer->next->flags, WG_PEER_REMOVE_ME);
	CHECK_EQ(peer->next->next->flags, WG_PEER_UPDATE_ONLY);
	wg_config_free(&c);
}

struct bad_line {
	const char *text;
	const char *message; /* the exact error */
};

static const struct bad_line bad_lines[] = {
	{ "listen_port=65536", "line 1: listen_port: \"65536\" is not a port number (0-65535)" },
	{ "listen_port=-1", "line 1: listen_port: \"-1\" is not a port number (0-65535)" },
	{ "listen_port= 5", "line 1: listen_port: \" 5\" is not a port number (0-65535)" },
	{ "fwmark=4294967296", "line 1: fwmark: \"4294967296\" is not a number (0-4294967295)" },
	{ "private_key=abc", "line 1: private_key: expected 64 hex digits (got 3 characters)" },
	{ "replace_peers=false", "line 1: replace_peers: only \"true\" is valid, not \"false\"" },
	{ "endpoint=192.0.2.1:1", "line 1: endpoint: a peer key, but no public_key line came before it" },
	{ "public_key=" KEY_A "\nfwmark=3", "line 2: fwmark: a device key, but it follows a peer's public_key" },
	{ "public_key=xyz", "line 1: public_key: \"xyz\" is not 64 hex digits" },
	{ "public_key=" KEY_A "\nallowed_ip=10.0.0.0/33",
	  "line 2: allowed_ip: \"10.0.0.0/33\" is not [-]IP/prefix-length" },
	{ "public_key=" KEY_A "\nallowed_ip=10.0.0.0", "line 2: allowed_ip: \"10.0.0.0\" is not [-]IP/prefix-length" },
	{ "public_key=" KEY_A "\nendpoint=host:51820",
	  "line 2: endpoint: \"host:51820\" is not IP:port or [IPv6]:port" },
	{ "public_key=" KEY_A "\npersistent_keepalive_interval=65536",
	  "line 2: persistent_keepalive_interval: \"65536\" is not 0-65535 seconds" },
	{ "public_key=" KEY_A "\nprotocol_version=2", "line 2: protocol_version: only 1 is known, not \"2\"" },
	{ "public_key=" KEY_A "\nremove=yes", "line 2: remove: only \"true\" is valid, not \"yes\"" },
	{ "public_key=" KEY_A "\nrx_bytes=1", "line 2: rx_bytes: reported by get, cannot be set" },
	{ "colour=blue", "line 1: unknown key \"colour\"" },
	{ "=5", "line 1: no such key in \"=5\"" },
	{ "jc=129", "line 1: jc: \"129\" is over the limit of 128" },
	{ "public_key=" KEY_A "\ns1=2000", "line 2: s1: \"2000\" is over the limit of 1132" },
	{ "h1=5-4", "line 1: h1: \"5-4\" is not a range: LO must be 1 or more and at most HI" },
	{ "i1=<q>", "line 1: i1: unknown tag (b, r, rc, rd or t) at character 2 of \"<q>\"" },
};

TEST(uapi_errors_name_line_key_and_value)
{
	struct wg_uapi_parser p;
	struct wg_config_device c;

	for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); ++i) {
		CHECK_EQ(parse(&p, &c, bad_lines[i].text), -EINVAL);
		if (strcmp(p.message, bad_lines[i].message))
			test_fail(__FILE__, __LINE__, "\"%s\": got \"%s\"", bad_lines[i].text, p.message);
		wg_config_free(&c);
	}
}

/* A line that is not key=value is a protocol error (EPROTO), as wireguard-go answers it. */
TEST(uapi_line_without_equals_is_a_protocol_error)
{
	struct wg_uapi_parser p;
	struct wg_config_device c;

	CHECK_EQ(parse(&p, &c, "listen_port=1\nno equals sign"), -EPROTO);
	CHECK(!strcmp(p.message, "line 2: expected key=value, got \"no equals sign\""));
	wg_config_free(&c);
}

/* Secrets never appear in an error, even when almost right. */
TEST(uapi_errors_never_echo_keys)
{
	struct wg_uapi_parser p;
	struct wg_config_device c;

	CHECK_EQ(parse(&p, &c, "private_key=" KEY_A "0"), -EINVAL);
	CHECK(!strstr(p.message, KEY_A));
	wg_config_free(&c);
	CHECK_EQ(parse(&p, &c, "public_key=" KEY_B "\npreshared_key=" KEY_C "z"), -EINVAL);
	CHECK(!strstr(p.message, KEY_C));
	wg_config_free(&c);
}

/* After the first error, nothing more is taken in. */
TEST(uapi_first_error_sticks)
{
	struct wg_uapi_parser p;
	struct wg_config_device c;

	CHECK_EQ(parse(&p, &c, "listen_port=x\nlisten_port=5\npublic_key=" KEY_A), -EINVAL);
	CHECK(!strncmp(p.message, "line 1:", 7));
	CHECK_EQ(c.listen_port, 0);
	CHECK_EQ(c.num_peers, 0);
	wg_config_free(&c);
}

static char *get(struct wg_device *device)
{
	struct wg_config_device dump;
	size_t len;
	char *text;

	CHECK_EQ(wg_device_dump(device, &dump), 0);
	text = wg_uapi_format(&dump, &len);
	CHECK_EQ(strlen(text), len);
	wg_config_free(&dump);
	return text;
}

/* A get reply in wireguard-go's order, with the values `wg show` reads. */
TEST(uapi_get_reply_format)
{
	struct wg_uapi_parser p;
	struct wg_config_device c;
	struct sim sim;
	struct sim_node *node;
	char *text;

	sim_init(&sim, 5);
	node = sim_add_node(&sim);
	CHECK_EQ(parse(&p, &c,
		       "private_key=" KEY_A "\nlisten_port=51820\nfwmark=7\n"
		       "public_key=" KEY_B "\nendpoint=192.0.2.9:12345\npersistent_keepalive_interval=0\n"
		       "allowed_ip=10.1.2.3/24\nallowed_ip=fd00::1/128\n"
		       "public_key=" KEY_C "\npreshared_key=" KEY_A "\n"),
		 0);
	CHECK_EQ(wg_device_configure(&node->device, &c), 0);
	wg_config_free(&c);
	/* The port is the I/O layer's to bind and report; here the test is the I/O layer. */
	wg_device_set_listen_port(&node->device, 51820);
	text = get(&node->device);
	/* The private key is stored clamped; host bits of prefixes are masked. */
	CHECK(!strcmp(text,
		      "private_key=e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a\n"
		      "listen_port=51820\n"
		      "fwmark=7\n"
		      "public_key=" KEY_B "\n"
		      "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
		      "protocol_version=1\n"
		      "endpoint=192.0.2.9:12345\n"
		      "last_handshake_time_sec=0\n"
		      "last_handshake_time_nsec=0\n"
		      "tx_bytes=0\n"
		      "rx_bytes=0\n"
		      "persistent_keepalive_interval=0\n"
		      "allowed_ip=10.1.2.0/24\n"
		      "allowed_ip=fd00::1/128\n"
		      "public_key=" KEY_C "\n"
		      "preshared_key=" KEY_A "\n"
		      "protocol_version=1\n"
		      "last_handshake_time_sec=0\n"
		      "last_handshake_time_nsec=0\n"
		      "tx_bytes=0\n"
		      "rx_bytes=0\n"
		      "persistent_keepalive_interval=0\n"));
	free(text);
	sim_free(&sim);
}

/* get -> set on a fresh device -> get gives the same text. */
TEST(uapi_get_set_round_trip)
{
	struct wg_uapi_parser p;
	struct wg_config_device c;
	struct sim sim;
	struct sim_node *a, *b;
	char *first, *second;

	sim_init(&sim, 6);
	a = sim_add_node(&sim);
	b = sim_add_node(&sim);
	CHECK_EQ(parse(&p, &c,
		       "private_key=" KEY_A "\nlisten_port=1\npublic_key=" KEY_B "\nallowed_ip=0.0.0.0/0\n"
		       "allowed_ip=::/0\nendpoint=[2001:db8::7]:9\npublic_key=" KEY_C "\nallowed_ip=192.168.0.0/16\n"),
		 0);
	CHECK_EQ(wg_device_configure(&a->device, &c), 0);
	wg_config_free(&c);
	first = get(&a->device);
	/* Read-back values are not settable: drop them as `wg setconf` would. */
	char *filtered = calloc(1, strlen(first) + 1), *line = strtok(first, "\n");
	for (; line; line = strtok(NULL, "\n"))
		if (strncmp(line, "last_handshake", 14) && strncmp(line, "tx_bytes", 8) && strncmp(line, "rx_bytes", 8))
			strcat(strcat(filtered, line), "\n");
	CHECK_EQ(parse(&p, &c, filtered), 0);
	CHECK_EQ(wg_device_configure(&b->device, &c), 0);
	wg_config_free(&c);
	free(first);
	first = get(&a->device);
	second = get(&b->device);
	CHECK(!strcmp(first, second));
	free(first);
	free(second);
	free(filtered);
	sim_free(&sim);
}

TEST(uapi_text_rejects_nul_bytes)
{
	static const char text[] = "listen_port=1\nfwmark=2\0\nlisten_port=3";
	struct wg_uapi_parser p;
	struct wg_config_device c;

	wg_config_init(&c);
	wg_uapi_parser_init(&p, &c);
	CHECK_EQ(wg_uapi_parse_text(&p, text, sizeof(text) - 1), -EINVAL);
	CHECK(!strcmp(p.message, "line 2: contains a NUL byte"));
	CHECK_EQ(c.listen_port, 1);
	wg_config_free(&c);
}

/* amneziawg-go's form: device keys after fwmark, the numbers set, h1..h4 always, the signatures
 * set; keys after a peer are still the device's; and a round trip keeps them. */
TEST(uapi_obfuscation_get_reply)
{
	struct wg_uapi_parser p;
	struct wg_config_device c;
	struct sim sim;
	struct sim_node *node, *other;
	char *text, *again;

	sim_init(&sim, 7);
	node = sim_add_node(&sim);
	other = sim_add_node(&sim);
	CHECK_EQ(parse(&p, &c,
		       "private_key=" KEY_A "\nfwmark=7\npublic_key=" KEY_B "\n"
		       "jc=4\njmin=40\njmax=70\ns1=15\nh1=100-199\nh3=300\ni2=<b 0xab><t>\n"),
		 0);
	CHECK_EQ(wg_device_configure(&node->device, &c), 0);
	wg_config_free(&c);
	wg_device_set_listen_port(&node->device, 51820);
	text = get(&node->device);
	CHECK(!strncmp(text,
		       "private_key=e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a\n"
		       "listen_port=51820\n"
		       "fwmark=7\n"
		       "jc=4\njmin=40\njmax=70\ns1=15\nh1=100-199\nh2=2\nh3=300\nh4=4\ni2=<b 0xab><t>\n"
		       "public_key=" KEY_B "\n",
		       strlen("private_key=e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a\n"
			      "listen_port=51820\nfwmark=7\n"
			      "jc=4\njmin=40\njmax=70\ns1=15\nh1=100-199\nh2=2\nh3=300\nh4=4\ni2=<b 0xab><t>\n"
			      "public_key=" KEY_B "\n")));
	/* Unsetting every parameter makes it plain again, and its get wireguard-go's. */
	CHECK_EQ(parse(&p, &c, "jc=0\njmin=0\njmax=0\ns1=0\nh1=0\nh3=0\ni2=\n"), 0);
	CHECK_EQ(wg_device_configure(&node->device, &c), 0);
	wg_config_free(&c);
	again = get(&node->device);
	CHECK(!strstr(again, "jc=") && !strstr(again, "h1=") && !strstr(again, "i2="));
	CHECK(node->device.wire.plain && !wg_device_is_obfuscated(&node->device));
	free(again);
	(void)other;
	free(text);
	sim_free(&sim);
}

TEST(uapi_long_lines)
{
	static char text[WG_UAPI_LINE_MAX + 64];
	struct wg_uapi_parser p;
	struct wg_config_device c;
	size_t n;

	/* A signature of the longest text fits one line. */
	n = (size_t)snprintf(text, sizeof(text), "i1=<b 0x");
	while (n < 3 + WG_OBFS_SIGNATURE_TEXT_MAX - 1)
		text[n++] = 'a';
	text[n++] = '>';
	text[n] = '\0';
	CHECK_EQ(n, WG_UAPI_LINE_MAX);
	wg_config_init(&c);
	wg_uapi_parser_init(&p, &c);
	CHECK_EQ(wg_uapi_parse_text(&p, text, n), 0);
	wg_config_free(&c);
	/* One more character is too long. */
	memmove(text + 1, text, n + 1);
	text[0] = 'i';
	text[1] = '1';
	wg_config_init(&c);
	wg_uapi_parser_init(&p, &c);
	CHECK_EQ(wg_uapi_parse_text(&p, text, n + 1), -EINVAL);
	CHECK(!strcmp(p.message, "line 1: longer than 8191 characters"));
	wg_config_free(&c);
}
