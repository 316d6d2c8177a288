/*
 * The wg-quick configuration file parser: what every key means, the wg-quick keys, and an
 * exact error message (file, line, key, value) for each way a line can be wrong.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/key.h"
#include "harness.h"
#include "test_keys.h"
#include "wgc/conffile.h"


struct parsed {
	struct wgc_conffile parser;
	struct wg_config_device device;
	struct wgc_extras extras;
};

/* Feeds a text line by line, as a file would be read, and finishes. */
static int parse(struct parsed *p, const char *text)
{
	char *copy = strdup(text), *line, *next;

	wg_config_init(&p->device);
	wgc_extras_init(&p->extras);
	wgc_conffile_init(&p->parser, "wg0.conf", &p->device, &p->extras);
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!next && !*line)
			break;
		wgc_conffile_line(&p->parser, line);
	}
	free(copy);
	return wgc_conffile_finish(&p->parser);
}

static void release(struct parsed *p)
{
	wg_config_free(&p->device);
	wgc_extras_free(&p->extras);
}

static bool prefix_is(const struct wg_config_allowedip *a, const char *ip, unsigned cidr)
{
	uint8_t addr[16] = { 0 };
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

	inet_pton(family, ip, addr);
	return a->family == family && a->cidr == cidr && !memcmp(a->addr, addr, 16) && !a->remove;
}

TEST(conffile_parses_a_full_config)
{
	struct parsed p;
	struct wg_config_peer *peer;
	uint8_t key[32];

	CHECK_EQ(parse(&p, "[Interface]\n"
			   "PrivateKey = " B64_A "\n"
			   "ListenPort = 51820\n"
			   "FwMark = 0x1234\n"
			   "\n"
			   "[Peer]\n"
			   "PublicKey = " B64_B "\n"
			   "PresharedKey = " B64_C "\n"
			   "AllowedIPs = 10.0.0.2/32, fd00::2/128\n"
			   "Endpoint = 192.0.2.1:51820\n"
			   "PersistentKeepalive = 25\n"
			   "[Peer]\n"
			   "PublicKey = " B64_C "\n"
			   "AllowedIPs = 10.1.0.0/16\n"),
		 0);
	CHECK_EQ(p.device.flags, WG_DEVICE_HAS_PRIVATE_KEY | WG_DEVICE_HAS_LISTEN_PORT | WG_DEVICE_HAS_FWMARK |
					 WG_DEVICE_REPLACE_PEERS);
	test_unhex(key, 32, HEX_A);
	CHECK_MEM(p.device.private_key, key, 32);
	CHECK_EQ(p.device.listen_port, 51820);
	CHECK_EQ(p.device.fwmark, 0x1234);
	CHECK_EQ(p.device.num_peers, 2);
	peer = p.device.first_peer;
	test_unhex(key, 32, HEX_B);
	CHECK_MEM(peer->public_key, key, 32);
	test_unhex(key, 32, HEX_C);
	CHECK_MEM(peer->preshared_key, key, 32);
	CHECK_EQ(peer->flags, WG_PEER_REPLACE_ALLOWEDIPS | WG_PEER_HAS_PRESHARED_KEY |
				      WG_PEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL);
	CHECK_EQ(peer->persistent_keepalive_interval, 25);
	CHECK_EQ(peer->num_allowedips, 2);
	CHECK(prefix_is(&peer->allowedips[0], "10.0.0.2", 32));
	CHECK(prefix_is(&peer->allowedips[1], "fd00::2", 128));
	/* Endpoints stay text until resolved. */
	CHECK_EQ(p.extras.num_endpoints, 1);
	CHECK(p.extras.endpoints[0].peer == peer);
	CHECK(!strcmp(p.extras.endpoints[0].host, "192.0.2.1"));
	CHECK(!strcmp(p.extras.endpoints[0].port, "51820"));
	CHECK_EQ(p.extras.endpoints[0].line, 10);
	CHECK(!(peer->flags & WG_PEER_HAS_ENDPOINT));
	CHECK_EQ(peer->next->flags, WG_PEER_REPLACE_ALLOWEDIPS);
	CHECK(prefix_is(&peer->next->allowedips[0], "10.1.0.0", 16));
	release(&p);
}

/* Like `wg setconf`: what the file leaves out is reset, so the device holds exactly the file. */
TEST(conffile_empty_file_resets_everything)
{
	struct parsed p;

	CHECK_EQ(parse(&p, ""), 0);
	CHECK_EQ(p.device.flags, WG_DEVICE_HAS_PRIVATE_KEY | WG_DEVICE_HAS_LISTEN_PORT | WG_DEVICE_HAS_FWMARK |
					 WG_DEVICE_REPLACE_PEERS);
	CHECK_EQ(p.device.num_peers, 0);
	CHECK_EQ(p.extras.table, WGC_TABLE_AUTO);
	CHECK(!p.extras.table_given);
	CHECK_EQ(p.extras.mtu, 0);
	CHECK(!p.extras.save_config);
	release(&p);
}

TEST(conffile_wg_quick_keys)
{
	struct parsed p;
	struct wgc_address *a;
	uint8_t v6[16];

	CHECK_EQ(parse(&p, "[Interface]\n"
			   "Address = 10.0.0.1/24, fd00::1/64\n"
			   "Address = 192.0.2.7\n"
			   "MTU = 1380\n"
			   "SaveConfig = true\n"
			   "DNS = 1.1.1.1, 2606:4700::1111 example.com,corp.example\n"
			   "DNS = 9.9.9.9\n"),
		 0);
	CHECK_EQ(p.extras.num_addresses, 3);
	a = p.extras.addresses;
	CHECK(a[0].family == AF_INET && a[0].cidr == 24 && !memcmp(a[0].addr, "\x0a\x00\x00\x01", 4));
	inet_pton(AF_INET6, "fd00::1", v6);
	CHECK(a[1].family == AF_INET6 && a[1].cidr == 64 && !memcmp(a[1].addr, v6, 16));
	CHECK(a[2].family == AF_INET && a[2].cidr == 32);
	CHECK_EQ(p.extras.mtu, 1380);
	CHECK(p.extras.save_config);
	CHECK_EQ(p.extras.dns_servers.len, 3);
	CHECK(!strcmp(p.extras.dns_servers.items[0], "1.1.1.1"));
	CHECK(!strcmp(p.extras.dns_servers.items[1], "2606:4700::1111"));
	CHECK(!strcmp(p.extras.dns_servers.items[2], "9.9.9.9"));
	CHECK_EQ(p.extras.dns_search.len, 2);
	CHECK(!strcmp(p.extras.dns_search.items[0], "example.com"));
	CHECK(!strcmp(p.extras.dns_search.items[1], "corp.example"));
	release(&p);
}

/* Hooks keep their inner blanks and their order, each kind on its own list. */
TEST(conffile_hooks_in_order)
{
	struct parsed p;
	const struct wgc_strlist *h = p.extras.hooks;

	CHECK_EQ(parse(&p, "[Interface]\n"
			   "PostUp = echo  one   %i\n"
			   "PreUp = iptables -A FORWARD -i %i -j ACCEPT\n"
			   "PostUp = echo two\n"
			   "PreDown = echo pd\n"
			   "PostDown = echo a=b\n"
			   "postup=echo three\n"),
		 0);
	CHECK_EQ(h[WGC_POST_UP].len, 3);
	CHECK(!strcmp(h[WGC_POST_UP].items[0], "echo  one   %i"));
	CHECK(!strcmp(h[WGC_POST_UP].items[1], "echo two"));
	CHECK(!strcmp(h[WGC_POST_UP].items[2], "echo three"));
	CHECK_EQ(h[WGC_PRE_UP].len, 1);
	CHECK(!strcmp(h[WGC_PRE_UP].items[0], "iptables -A FORWARD -i %i -j ACCEPT"));
	CHECK(!strcmp(h[WGC_PRE_DOWN].items[0], "echo pd"));
	/* Only the first '=' separates the key. */
	CHECK(!strcmp(h[WGC_POST_DOWN].items[0], "echo a=b"));
	release(&p);
}

struct table_case {
	const char *value;
	enum wgc_table_mode mode;
	const char *text;
};

static const struct table_case table_cases[] = {
	/* 1 */ { "auto", WGC_TABLE_AUTO, "auto" },
	/* 2 */ { "AUTO", WGC_TABLE_AUTO, "AUTO" },
	/* 3 */ { "off", WGC_TABLE_OFF, "off" },
	/* 4 */ { "Off", WGC_TABLE_OFF, "Off" },
	/* 5 */ { "1234", WGC_TABLE_ID, "1234" },
	/* 6 */ { "4294967295", WGC_TABLE_ID, "4294967295" },
	/* 7 */ { "main", WGC_TABLE_ID, "main" },
	/* 8 */ { "vpn_table-2.x", WGC_TABLE_ID, "vpn_table-2.x" },
};

TEST(conffile_table_values)
{
	for (size_t i = 0; i < sizeof(table_cases) / sizeof(table_cases[0]); ++i) {
		struct parsed p;
		char text[128];

		snprintf(text, sizeof(text), "[Interface]\nTable = %s\n", table_cases[i].value);
		CHECK_EQ(parse(&p, text), 0);
		if (p.extras.table != table_cases[i].mode || strcmp(p.extras.table_text, table_cases[i].text) ||
		    !p.extras.table_given)
			test_fail(__FILE__, __LINE__, "table case %zu (\"%s\")", i + 1, table_cases[i].value);
		release(&p);
	}
}

/* Keys and section names in any case, comments anywhere, blanks where wg allows them. */
TEST(conffile_case_comments_and_blanks)
{
	struct parsed p;

	CHECK_EQ(parse(&p, "# a comment line\n"
			   "  [ interface ]   # trailing comment\n"
			   "privatekey=" B64_A "\r\n"
			   "LISTENPORT =\t 1 2 3 4 \n"
			   "fWmArK = off\n"
			   "\t\n"
			   "[PEER]\n"
			   "publickey = " B64_B " # who\n"
			   "ALLOWEDIPS = 10.0.0.0 / 8 , fd00:: / 8\n"
			   "persistentkeepalive = OFF\n"),
		 0);
	CHECK_EQ(p.device.listen_port, 1234);
	CHECK_EQ(p.device.fwmark, 0);
	CHECK_EQ(p.device.num_peers, 1);
	CHECK_EQ(p.device.first_peer->num_allowedips, 2);
	CHECK(prefix_is(&p.device.first_peer->allowedips[1], "fd00::", 8));
	CHECK_EQ(p.device.first_peer->persistent_keepalive_interval, 0);
	CHECK(p.device.first_peer->flags & WG_PEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL);
	release(&p);
}

/* Repeated AllowedIPs add up; a bare address is a single-host prefix; an empty value is none. */
TEST(conffile_repeated_allowed_ips)
{
	struct parsed p;
	const struct wg_config_peer *peer;

	CHECK_EQ(parse(&p, "[Peer]\n"
			   "AllowedIPs = 10.0.0.1\n"
			   "PublicKey = " B64_B "\n"
			   "AllowedIPs =\n"
			   "AllowedIPs = ::/0, 0.0.0.0/0\n"
			   "AllowedIPs = 2001:db8::7\n"),
		 0);
	peer = p.device.first_peer;
	CHECK_EQ(peer->num_allowedips, 4);
	CHECK(prefix_is(&peer->allowedips[0], "10.0.0.1", 32));
	CHECK(prefix_is(&peer->allowedips[1], "::", 0));
	CHECK(prefix_is(&peer->allowedips[2], "0.0.0.0", 0));
	CHECK(prefix_is(&peer->allowedips[3], "2001:db8::7", 128));
	release(&p);
}

TEST(conffile_endpoints)
{
	struct parsed p;
	const struct wgc_endpoint_text *e;

	CHECK_EQ(parse(&p, "[Peer]\nPublicKey = " B64_A "\nEndpoint = [2001:db8::1]:51820\n"
			   "[Peer]\nPublicKey = " B64_B "\nEndpoint = vpn.example.com:443\n"
			   "Endpoint = other.example:1\n"
			   "[Peer]\nPublicKey = " B64_C "\n"),
		 0);
	CHECK_EQ(p.extras.num_endpoints, 2);
	e = p.extras.endpoints;
	CHECK(!strcmp(e[0].host, "2001:db8::1") && !strcmp(e[0].port, "51820") && e[0].peer == p.device.first_peer);
	/* The later Endpoint of one peer replaces the earlier. */
	CHECK(!strcmp(e[1].host, "other.example") && !strcmp(e[1].port, "1") && e[1].line == 7);
	CHECK(e[1].peer == p.device.first_peer->next);
	release(&p);
}

struct bad_case {
	const char *text;
	const char *message; /* exactly */
};

static const struct bad_case bad_cases[] = {
	/* 1 */ { "[Interface]\nPrivateKey = abc", "wg0.conf:2: PrivateKey: not a valid base64 key" },
	/* 2 */ { "[Interface]\nListenPort = 65536",
		  "wg0.conf:2: ListenPort: \"65536\" is not a port number (0-65535)" },
	/* 3 */ { "[Interface]\nListenPort = -1", "wg0.conf:2: ListenPort: \"-1\" is not a port number (0-65535)" },
	/* 4 */ { "[Interface]\nFwMark = 0x100000000",
		  "wg0.conf:2: FwMark: \"0x100000000\" is not \"off\" or a number (decimal, or hex with 0x)" },
	/* 5 */ { "[Interface]\nFwMark = 12abc",
		  "wg0.conf:2: FwMark: \"12abc\" is not \"off\" or a number (decimal, or hex with 0x)" },
	/* 6 */ { "[Interface]\nAddress = 10.0.0.1/33",
		  "wg0.conf:2: Address: \"10.0.0.1/33\" is not an IP address with an optional /prefix-length" },
	/* 7 */ { "[Interface]\nAddress = 10.0.0.1/24, bogus",
		  "wg0.conf:2: Address: \"bogus\" is not an IP address with an optional /prefix-length" },
	/* 8 */ { "[Interface]\nDNS = 1.2.3", "wg0.conf:2: DNS: \"1.2.3\" is not an IPv4 or IPv6 address" },
	/* 9 */ { "[Interface]\nDNS = fd00::zz", "wg0.conf:2: DNS: \"fd00::zz\" is not an IPv4 or IPv6 address" },
	/* 10 */ { "[Interface]\nDNS = bad/domain",
		   "wg0.conf:2: DNS: \"bad/domain\" is neither an IP address nor a search domain" },
	/* 11 */ { "[Interface]\nMTU = 67", "wg0.conf:2: MTU: \"67\" is not a number from 68 to 65535" },
	/* 12 */ { "[Interface]\nMTU = 1500x", "wg0.conf:2: MTU: \"1500x\" is not a number from 68 to 65535" },
	/* 13 */ { "[Interface]\nTable = 0",
		   "wg0.conf:2: Table: \"0\" is not auto, off, a table number (1-4294967295) or a table name" },
	/* 14 */ { "[Interface]\nTable = 4294967296",
		   "wg0.conf:2: Table: \"4294967296\" is not auto, off, a table number (1-4294967295) or a table name" },
	/* 15 */ { "[Interface]\nTable = a;b",
		   "wg0.conf:2: Table: \"a;b\" is not auto, off, a table number (1-4294967295) or a table name" },
	/* 16 */ { "[Interface]\nSaveConfig = yes", "wg0.conf:2: SaveConfig: \"yes\" is neither true nor false" },
	/* 17 */ { "[Interface]\nPostUp =", "wg0.conf:2: PostUp: has no value" },
	/* 18 */ { "[Peer]\nPublicKey = " B64_A "x", "wg0.conf:2: PublicKey: not a valid base64 key" },
	/* 19 */ { "[Peer]\nPresharedKey = short", "wg0.conf:2: PresharedKey: not a valid base64 key" },
	/* 20 */ { "[Peer]\nPublicKey = " B64_A "\nAllowedIPs = 10.0.0.0/8, 300.0.0.0/8",
		   "wg0.conf:3: AllowedIPs: \"300.0.0.0/8\" is not an IP address with an optional /prefix-length" },
	/* 21 */ { "[Peer]\nAllowedIPs = fd00::/129",
		   "wg0.conf:2: AllowedIPs: \"fd00::/129\" is not an IP address with an optional /prefix-length" },
	/* 22 */ { "[Peer]\nAllowedIPs = 10.0.0.0/8,",
		   "wg0.conf:2: AllowedIPs: \"\" is not an IP address with an optional /prefix-length" },
	/* 23 */ { "[Peer]\nEndpoint = 2001:db8::1:51820",
		   "wg0.conf:2: Endpoint: \"2001:db8::1:51820\" is not host:port or [IPv6]:port" },
	/* 24 */ { "[Peer]\nEndpoint = host", "wg0.conf:2: Endpoint: \"host\" is not host:port or [IPv6]:port" },
	/* 25 */ { "[Peer]\nEndpoint = host:0",
		   "wg0.conf:2: Endpoint: \"host:0\" does not end in a port number (1-65535)" },
	/* 26 */ { "[Peer]\nEndpoint = [fd00::1]51820",
		   "wg0.conf:2: Endpoint: \"[fd00::1]51820\" is not host:port or [IPv6]:port" },
	/* 27 */ { "[Peer]\nEndpoint = ho$t:1", "wg0.conf:2: Endpoint: \"ho$t:1\" is not host:port or [IPv6]:port" },
	/* 28 */ { "[Peer]\nPersistentKeepalive = 65536",
		   "wg0.conf:2: PersistentKeepalive: \"65536\" is not \"off\" or seconds (0-65535)" },
	/* 29 */ { "[Interface]\nColour = blue", "wg0.conf:2: unknown key \"Colour\"" },
	/* 30 */ { "[Interface]\nPublicKey = " B64_A, "wg0.conf:2: PublicKey: belongs in [Peer], not [Interface]" },
	/* 31 */ { "[Peer]\nListenPort = 1", "wg0.conf:2: ListenPort: belongs in [Interface], not [Peer]" },
	/* 32 */ { "ListenPort = 1", "wg0.conf:1: ListenPort: comes before any section (expected [Interface] first)" },
	/* 33 */ { "[Interfaces]", "wg0.conf:1: unknown section \"[Interfaces]\" (expected [Interface] or [Peer])" },
	/* 34 */ { "[Interface]\njust text", "wg0.conf:2: expected \"Key = Value\" or a [Section]" },
	/* 35 */ { "[Peer]\nAllowedIPs = 10.0.0.0/8\n\n[Peer]\nPublicKey = " B64_A, "wg0.conf:1: [Peer]: has no PublicKey" },
	/* 36 */ { "[Interface]\n[Peer]\nAllowedIPs = 10.0.0.0/8", "wg0.conf:2: [Peer]: has no PublicKey" },
	/* 37 */ { "[Interface]\nListenPort = \x01\x7f", "wg0.conf:2: ListenPort: \"??\" is not a port number (0-65535)" },
	/* 38 */ { "[Interface]\nMTU = 1111111111111111111111111111111111111111111111111111111111111111111111",
		   "wg0.conf:2: MTU: \"1111111111111111111111111111111111111111111111111111111111111111...\" is not a "
		   "number from 68 to 65535" },
	/* 39 */ { "[Interface]\nListenPort = 1\nListenPort = x\nListenPort = 2",
		   "wg0.conf:3: ListenPort: \"x\" is not a port number (0-65535)" },
	/* 40 */ { "[Interface]\nJc = 129", "wg0.conf:2: Jc: \"129\" is over the limit of 128" },
	/* 41 */ { "[Interface]\nH2 = 9-5", "wg0.conf:2: H2: \"9-5\" is not a range: LO must be 1 or more and at most HI" },
	/* 42 */ { "[Interface]\nI1 = <b 0x1> <t>",
		   "wg0.conf:2: I1: <b> wants an even, non-zero number of hex digits at character 4 of \"<b 0x1> <t>\"" },
	/* 43 */ { "[Interface]\nS1 = 15\nS2 = 71\nMTU = 1400", "wg0.conf:3: S2: s2 (71) must not be s1 (15) + 56" },
	/* 44 */ { "[Peer]\nJc = 4", "wg0.conf:2: Jc: belongs in [Interface], not [Peer]" },
	/* 45 */ { "[Interface]\nJc = 4\nMTU = 1400", "wg0.conf:2: jmin (0) must be less than jmax (0)" },
	/* 46 */ { "[Interface]\nS1 = 3\nH1 = 2",
		   "wg0.conf:3: H1: h1 (2-2) overlaps h2 (2-2): each message type needs its own values" },
	/* 47 */ { "[Interface]\nKeyLog = wg0.keys", "wg0.conf:2: KeyLog: \"wg0.keys\" is not an absolute path" },
	/* 48 */ { "[Interface]\nMTU = 1400\nKeyLog =", "wg0.conf:3: KeyLog: has no value" },
	/* 49 */ { "[Interface]\nKeyLog = /var/log/\x01wg0.keys",
		   "wg0.conf:2: KeyLog: \"/var/log/?wg0.keys\" has a control character in it" },
	/* 50 */ { "[Peer]\nKeyLog = /tmp/x", "wg0.conf:2: KeyLog: belongs in [Interface], not [Peer]" },
	/* 51 */ { "KeyLog = /tmp/x", "wg0.conf:1: KeyLog: comes before any section (expected [Interface] first)" },
};

/* KeyLog, our extension: an absolute path with its inner blanks, any case of the key, the last
 * one given; none without it. */
TEST(conffile_keylog)
{
	char long_path[PATH_MAX + 32] = "[Interface]\nKeyLog = /";
	struct parsed p;

	CHECK_EQ(parse(&p, "[Interface]\nKeyLog = /var/log/wg0.keys\n"), 0);
	CHECK(p.extras.keylog && !strcmp(p.extras.keylog, "/var/log/wg0.keys"));
	release(&p);
	CHECK(p.extras.keylog == NULL);
	CHECK_EQ(parse(&p, "[Interface]\nkeylog = /tmp/first\nKEYLOG =  /root/my keys/wg0.keys  # secrets\n"), 0);
	CHECK(p.extras.keylog && !strcmp(p.extras.keylog, "/root/my keys/wg0.keys"));
	release(&p);
	CHECK_EQ(parse(&p, "[Interface]\nPrivateKey = " B64_A "\n"), 0);
	CHECK(p.extras.keylog == NULL);
	release(&p);
	memset(long_path + strlen(long_path), 'k', PATH_MAX);
	long_path[sizeof(long_path) - 1] = '\0';
	CHECK_EQ(parse(&p, long_path), -EINVAL);
	CHECK(strstr(p.parser.message, "wg0.conf:2: KeyLog: \"/kkk") && strstr(p.parser.message, "...\" is longer than a path may be"));
	release(&p);
}

/* AmneziaWG's keys as its config files write them, in any case; I's tags keep their spaces. */
TEST(conffile_obfuscation_keys)
{
	struct parsed p;
	const struct wg_obfuscation *o = &p.device.obfuscation.set;

	CHECK_EQ(parse(&p, "[Interface]\nJc = 4\njmin = 40\nJMAX = 70\nS1 = 15\nS2 = 18\nS3 = 20\nS4 = 8\n"
			   "H1 = 100000-100999\nH2 = 200000\nH3 = 300000-300999\nH4 = 400000-400999\n"
			   "I1 = <b 0xc0ffee> <r 8>\n"),
		 0);
	CHECK_EQ(p.device.obfuscation.has, (1u << WG_OBFS_I2) - 1);
	CHECK(o->junk_count == 4 && o->junk_min == 40 && o->junk_max == 70);
	CHECK(o->prefix[0] == 15 && o->prefix[3] == 8);
	CHECK(o->type[0].lo == 100000 && o->type[0].hi == 100999 && o->type[1].lo == 200000 && o->type[1].hi == 200000);
	CHECK(o->signature[0] && !strcmp(o->signature[0], "<b 0xc0ffee> <r 8>"));
	release(&p);
}

TEST(conffile_errors_name_file_line_key_and_value)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); ++i) {
		struct parsed p;

		CHECK_EQ(parse(&p, bad_cases[i].text), -EINVAL);
		if (strcmp(p.parser.message, bad_cases[i].message))
			test_fail(__FILE__, __LINE__, "case %zu: got \"%s\"", i + 1, p.parser.message);
		release(&p);
	}
}

/* A key in the wrong place, or almost right, is never echoed: it may be a private key. */
TEST(conffile_errors_never_echo_keys)
{
	static const char *const texts[] = {
		"[Interface]\nPrivateKey = " B64_A "A",
		"[Peer]\nPublicKey = " B64_A "=",
		"[Peer]\nPresharedKey = " B64_B "B",
		"[Interface]\n" B64_A,
		"[Interface]\nPrivateKey " B64_A,
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); ++i) {
		struct parsed p;

		CHECK_EQ(parse(&p, texts[i]), -EINVAL);
		CHECK(!strstr(p.parser.message, "6EtabScX"));
		CHECK(!strstr(p.parser.message, "WEAuaVuh"));
		release(&p);
	}
}

/* The first error sticks; nothing after it is taken in. */
TEST(conffile_first_error_sticks)
{
	struct parsed p;

	CHECK_EQ(parse(&p, "[Interface]\nListenPort = x\nListenPort = 5\n[Peer]\nPublicKey = " B64_A), -EINVAL);
	CHECK(!strncmp(p.parser.message, "wg0.conf:2:", 11));
	CHECK_EQ(p.device.listen_port, 0);
	CHECK_EQ(p.device.num_peers, 0);
	CHECK_EQ(wgc_conffile_line(&p.parser, "[Interface]"), -EINVAL);
	release(&p);
}

/* A private key read from a file leaves no copy of its text behind in freed memory (stdio's
 * buffer, a line grown by realloc). The key is made here, so no other test has its text. */
TEST(conffile_reading_a_file_leaves_no_key_text)
{
	char path[] = "/tmp/wgc-conffile-XXXXXX", text[128], b64[WG_KEY_BASE64_LEN + 1];
	uint8_t key[WG_KEY_LEN];
	uint64_t seed = (uint64_t)getpid();
	int fd = mkstemp(path), n;
	struct wg_config_device device;
	struct wgc_extras extras;
	char message[320];

	/* Freed memory stays in the heap, where the scan can see it, rather than being given back
	 * to the kernel when it happens to be the top of the heap. */
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	for (size_t i = 0; i < sizeof(key); ++i)
		key[i] = (uint8_t)test_random(&seed);
	wg_key_to_base64(b64, key);
	n = snprintf(text, sizeof(text), "[Interface]\nPrivateKey = %s\nListenPort = 7\n", b64);
	CHECK(fd >= 0);
	CHECK(write(fd, text, (size_t)n) == n);
	close(fd);
	memset(text, 0, sizeof(text));
	CHECK_EQ(wgc_conffile_read(path, "x.conf", &device, &extras, message, sizeof(message)), 0);
	CHECK(!memcmp(device.private_key, key, sizeof(key)));
	wg_config_free(&device);
	wgc_extras_free(&extras);
	unlink(path);
	CHECK_EQ(test_heap_copies_of_text(b64), 0);
	/* The scan sees the heap: a copy made there is found, once for each half. */
	char *copy = strdup(b64);
	CHECK_EQ(test_heap_copies_of_text(b64), 2);
	memset(copy, 0, strlen(b64));
	free(copy);
}

TEST(conffile_reads_a_file)
{
	char path[] = "/tmp/wgc-conffile-XXXXXX";
	int fd = mkstemp(path);
	struct wg_config_device device;
	struct wgc_extras extras;
	char message[320];
	const char *text = "[Interface]\nListenPort = 7\n[Peer]\nPublicKey = " B64_B "\nAllowedIPs = 10.0.0.0/8\n"
			   "Endpoint = 1.2.3.4:5";

	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	CHECK_EQ(wgc_conffile_read(path, "x.conf", &device, &extras, message, sizeof(message)), 0);
	CHECK_EQ(device.listen_port, 7);
	CHECK_EQ(device.num_peers, 1);
	CHECK(!strcmp(extras.endpoints[0].port, "5")); /* the last line needs no newline */
	wg_config_free(&device);
	wgc_extras_free(&extras);
	unlink(path);
	CHECK_EQ(wgc_conffile_read(path, "x.conf", &device, &extras, message, sizeof(message)), -ENOENT);
	CHECK(!strcmp(message, "x.conf: No such file or directory"));
	wg_config_free(&device);
	wgc_extras_free(&extras);
}
