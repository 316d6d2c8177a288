/*
 * The pieces of `wgc up`/`down` that need no root: set text and get replies of the UAPI,
 * reading `ip` output (route MTU, addresses, rules), resolvconf input, SaveConfig's file, hook
 * expansion, finding the configuration, and running programs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/uapi.h"
#include "harness.h"
#include "test_keys.h"
#include "wgc/conffile.h"
#include "wgc/dns.h"
#include "wgc/hooks.h"
#include "wgc/mtu.h"
#include "wgc/quick.h"
#include "wgc/resolve.h"
#include "wgc/routes.h"
#include "wgc/run.h"
#include "wgc/saveconf.h"
#include "libwgc/settext.h"
#include "libwgc/control.h"

#define ZERO64 "0000000000000000000000000000000000000000000000000000000000000000"

static int parse_file(struct wg_config_device *device, struct wgc_extras *extras, const char *text)
{
	struct wgc_conffile parser;
	char *copy = strdup(text), *save = NULL;

	wg_config_init(device);
	wgc_extras_init(extras);
	wgc_conffile_init(&parser, "t.conf", device, extras);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		wgc_conffile_line(&parser, line);
	free(copy);
	return wgc_conffile_finish(&parser);
}

/* What `wg setconf` sends for this file, byte for byte. */
TEST(quick_settext_is_setconf)
{
	struct wg_config_device device;
	struct wgc_extras extras;
	struct wgl_text text;

	CHECK_EQ(parse_file(&device, &extras, "[Interface]\nPrivateKey = " B64_A "\nListenPort = 51820\n"
					      "[Peer]\nPublicKey = " B64_B "\nPresharedKey = " B64_C "\n"
					      "AllowedIPs = 10.0.0.2/32, fd00::/64\nEndpoint = [2001:db8::1]:9\n"
					      "PersistentKeepalive = 25\n[Peer]\nPublicKey = " B64_C "\n"),
		 0);
	CHECK_EQ(wg_endpoint_parse(&device.first_peer->endpoint, "[2001:db8::1]:9"), 0);
	device.first_peer->flags |= WG_PEER_HAS_ENDPOINT;
	wgl_text_init(&text);
	wgl_settext_format(&text, &device);
	CHECK_EQ(wgl_text_status(&text), 0);
	CHECK(!strcmp(text.buf, "private_key=" HEX_A "\nlisten_port=51820\nfwmark=0\nreplace_peers=true\n"
				"public_key=" HEX_B "\npreshared_key=" HEX_C "\nendpoint=[2001:db8::1]:9\n"
				"persistent_keepalive_interval=25\nreplace_allowed_ips=true\n"
				"allowed_ip=10.0.0.2/32\nallowed_ip=fd00::/64\n"
				"public_key=" HEX_C "\nreplace_allowed_ips=true\n"));
	wgl_text_free(&text);
	wg_config_free(&device);
	wgc_extras_free(&extras);
}

/* Whatever the tool sends, the core's own UAPI parser reads back into the same model. */
TEST(quick_settext_round_trips_through_the_core_parser)
{
	struct wg_config_device device, back;
	struct wgc_extras extras;
	struct wg_uapi_parser parser;
	struct wgl_text text;
	const struct wg_config_peer *a, *b;

	CHECK_EQ(parse_file(&device, &extras, "[Interface]\nFwMark = 7\n[Peer]\nPublicKey = " B64_B "\n"
					      "AllowedIPs = 0.0.0.0/0, ::/0\nPersistentKeepalive = off\n"),
		 0);
	wgl_text_init(&text);
	wgl_settext_format(&text, &device);
	wg_config_init(&back);
	wg_uapi_parser_init(&parser, &back);
	CHECK_EQ(wg_uapi_parse_text(&parser, text.buf, text.len), 0);
	CHECK_EQ(back.flags, device.flags);
	CHECK_EQ(back.fwmark, 7);
	a = device.first_peer;
	b = back.first_peer;
	CHECK(b && !memcmp(a->public_key, b->public_key, 32));
	CHECK_EQ(b->flags, a->flags);
	CHECK_EQ(b->num_allowedips, 2);
	CHECK(!memcmp(a->allowedips, b->allowedips, 2 * sizeof(*a->allowedips)));
	wgl_text_free(&text);
	wg_config_free(&back);
	wg_config_free(&device);
	wgc_extras_free(&extras);
}

static const char get_reply[] = "private_key=" HEX_A "\n"
				"listen_port=51820\n"
				"fwmark=51820\n"
				"public_key=" HEX_B "\n"
				"preshared_key=" ZERO64 "\n"
				"protocol_version=1\n"
				"endpoint=192.0.2.1:51820\n"
				"last_handshake_time_sec=1700000000\n"
				"last_handshake_time_nsec=5\n"
				"tx_bytes=100\n"
				"rx_bytes=200\n"
				"persistent_keepalive_interval=25\n"
				"future_key=whatever\n"
				"allowed_ip=10.0.0.0/24\n"
				"public_key=" HEX_C "\n"
				"endpoint=tcp://192.0.2.1:443\n"
				"errno=0\n\n";

TEST(quick_parse_get_reply)
{
	struct wg_config_device c;
	const struct wg_config_peer *p;

	wg_config_init(&c);
	CHECK_EQ(wgl_control_parse_get(get_reply, strlen(get_reply), &c), 0);
	CHECK_EQ(c.listen_port, 51820);
	CHECK_EQ(c.fwmark, 51820);
	CHECK_EQ(c.num_peers, 2);
	p = c.first_peer;
	CHECK_EQ(p->last_handshake_time_sec, 1700000000);
	CHECK_EQ(p->last_handshake_time_nsec, 5);
	CHECK_EQ(p->tx_bytes, 100);
	CHECK_EQ(p->rx_bytes, 200);
	CHECK_EQ(p->persistent_keepalive_interval, 25);
	CHECK(p->flags & WG_PEER_HAS_ENDPOINT);
	CHECK_EQ(p->num_allowedips, 1);
	/* An endpoint the core cannot read is left out, not fatal. */
	CHECK(!(p->next->flags & WG_PEER_HAS_ENDPOINT));
	wg_config_free(&c);
}

struct get_error_case {
	const char *text;
	int error;
};

static const struct get_error_case get_errors[] = {
	/* 1 */ { "errno=-2\n\n", -2 },
	/* 2 */ { "listen_port=1\nerrno=-22\n\n", -22 },
	/* 3 */ { "rx_bytes=5\nerrno=0\n\n", -EINVAL },  /* a peer's counter before any peer */
	/* 4 */ { "public_key=" HEX_B "\nrx_bytes=-1\n", -EINVAL },
	/* 5 */ { "public_key=" HEX_B "\ntx_bytes=18446744073709551616\n", -EINVAL },
	/* 6 */ { "listen_port=x\n", -EINVAL },
	/* 7 */ { "errno=x\n\n", -EPROTO },
	/* 8 */ { "errno=71\n\n", -EPROTO },  /* the positive spelling, read as the same error */
	/* 9 */ { "errno=-\n\n", -EPROTO },
};

TEST(quick_parse_get_errors)
{
	for (size_t i = 0; i < sizeof(get_errors) / sizeof(get_errors[0]); ++i) {
		struct wg_config_device c;
		int ret;

		wg_config_init(&c);
		ret = wgl_control_parse_get(get_errors[i].text, strlen(get_errors[i].text), &c);
		if (ret != get_errors[i].error)
			test_fail(__FILE__, __LINE__, "get error case %zu: %d", i + 1, ret);
		wg_config_free(&c);
	}
}

struct route_case {
	const char *text;
	int ret;
	unsigned mtu;
	const char *dev;
};

static const struct route_case route_cases[] = {
	/* 1 */ { "192.0.2.1 via 10.0.0.1 dev eth0 src 10.0.0.5 uid 0 \n    cache \n", 0, 0, "eth0" },
	/* 2 */ { "default via 10.0.0.1 dev eth0 proto dhcp mtu 1400\n", 0, 1400, "" },
	/* 3 */ { "default via 10.0.0.1 dev eth0 mtu lock 1380 advmss lock 1300\n", 0, 1380, "" },
	/* 4 */ { "192.0.2.1 dev veth0 advmss lock 1300 src 192.0.2.9\n", 0, 0, "veth0" },
	/* 5 */ { "", -ENOENT, 0, "" },
	/* 6 */ { "unreachable 192.0.2.1\ndefault dev eth9\n", -ENOENT, 0, "" }, /* only the first line counts */
};

TEST(quick_route_mtu_parsing)
{
	for (size_t i = 0; i < sizeof(route_cases) / sizeof(route_cases[0]); ++i) {
		char dev[IF_NAMESIZE];
		unsigned mtu;
		int ret = wgc_mtu_parse_route(route_cases[i].text, &mtu, dev);

		if (ret != route_cases[i].ret || mtu != route_cases[i].mtu || strcmp(dev, route_cases[i].dev))
			test_fail(__FILE__, __LINE__, "route case %zu: %d %u \"%s\"", i + 1, ret, mtu, dev);
	}
}

TEST(quick_resolvconf_input)
{
	struct wg_config_device device;
	struct wgc_extras extras;
	struct wgl_text text;

	CHECK_EQ(parse_file(&device, &extras, "[Interface]\nDNS = 10.0.0.1, example.com\nDNS = fd00::53 corp\n"), 0);
	CHECK(wgc_dns_wanted(&extras));
	wgl_text_init(&text);
	wgc_dns_resolvconf_input(&text, &extras);
	CHECK(!strcmp(text.buf, "nameserver 10.0.0.1\nnameserver fd00::53\nsearch example.com corp\n"));
	wgl_text_free(&text);
	wgc_extras_free(&extras);
	wg_config_free(&device);
	/* Search domains alone: wg-quick registers nothing. */
	CHECK_EQ(parse_file(&device, &extras, "[Interface]\nDNS = example.com\n"), 0);
	CHECK(!wgc_dns_wanted(&extras));
	wgc_extras_free(&extras);
	wg_config_free(&device);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

TEST(quick_resolvconf_record_name)
{
	char path[] = "/tmp/wgc-order-XXXXXX", name[64];
	int fd = mkstemp(path);

	close(fd);
	write_text(path, "# interface-order\nlo.inet*\nlo.dnsmasq\ntun*\ntap*\n*\n");
	wgc_dns_record_name(name, sizeof(name), "wg0", path);
	CHECK(!strcmp(name, "tun.wg0"));
	write_text(path, "lo\n*\n");
	wgc_dns_record_name(name, sizeof(name), "wg0", path);
	CHECK(!strcmp(name, "wg0"));
	unlink(path);
	wgc_dns_record_name(name, sizeof(name), "wg0", path);
	CHECK(!strcmp(name, "wg0"));
}

TEST(quick_saveconf_addresses_from_ip)
{
	struct wgc_strlist list = { 0 };
	const char *output = "7: wg0    inet 10.0.0.1/24 scope global wg0\\       valid_lft forever preferred_lft forever\n"
			     "7: wg0    inet6 fd00::1/64 scope global \\       valid_lft forever preferred_lft forever\n";

	CHECK_EQ(wgc_saveconf_parse_addresses(output, &list), 0);
	CHECK_EQ(list.len, 2);
	CHECK(!strcmp(list.items[0], "10.0.0.1/24"));
	CHECK(!strcmp(list.items[1], "fd00::1/64"));
	wgc_strlist_free(&list);
}

/* SaveConfig's file keeps the wg-quick keys and parses back into the same configuration. */
TEST(quick_saveconf_format_round_trips)
{
	const char *file = "[Interface]\nDNS = 10.0.0.53, example.com\nMTU = 1400\nTable = off\nSaveConfig = true\n"
			   "PreUp = echo 1\nPostUp = echo 2 %i\nPostUp = echo 3\nPreDown = echo 4\nPostDown = echo 5\n";
	struct wg_config_device device, running, again;
	struct wgc_extras extras, extras_again;
	struct wgc_strlist addresses = { 0 };
	struct wgl_text text;

	CHECK_EQ(parse_file(&device, &extras, file), 0);
	wg_config_init(&running);
	CHECK_EQ(wgl_control_parse_get(get_reply, strlen(get_reply), &running), 0);
	wgc_strlist_add(&addresses, "10.0.0.1/24");
	wgl_text_init(&text);
	wgc_saveconf_format(&text, &extras, &addresses, 1400, &running);
	CHECK(!strcmp(text.buf, "[Interface]\nAddress = 10.0.0.1/24\nDNS = 10.0.0.53\nDNS = example.com\nMTU = 1400\n"
				"Table = off\nSaveConfig = true\nPreUp = echo 1\nPostUp = echo 2 %i\nPostUp = echo 3\n"
				"PreDown = echo 4\nPostDown = echo 5\nListenPort = 51820\nFwMark = 0xca6c\n"
				"PrivateKey = " B64_A "\n\n[Peer]\nPublicKey = " B64_B "\nAllowedIPs = 10.0.0.0/24\n"
				"Endpoint = 192.0.2.1:51820\nPersistentKeepalive = 25\n\n[Peer]\nPublicKey = " B64_C "\n"));
	CHECK_EQ(parse_file(&again, &extras_again, text.buf), 0);
	CHECK(!memcmp(again.private_key, running.private_key, 32));
	CHECK_EQ(again.fwmark, 51820);
	CHECK_EQ(again.num_peers, 2);
	CHECK_EQ(extras_again.hooks[WGC_POST_UP].len, 2);
	CHECK(extras_again.save_config);
	wgl_text_free(&text);
	wgc_strlist_free(&addresses);
	wgc_extras_free(&extras);
	wgc_extras_free(&extras_again);
	wg_config_free(&device);
	wg_config_free(&running);
	wg_config_free(&again);
}

/* KeyLog is ours to keep: SaveConfig writes it back as the file had it. */
TEST(quick_saveconf_keeps_keylog)
{
	struct wg_config_device device, running, again;
	struct wgc_extras extras, extras_again;
	struct wgc_strlist addresses = { 0 };
	struct wgl_text text;

	CHECK_EQ(parse_file(&device, &extras, "[Interface]\nSaveConfig = true\nKeyLog = /var/log/wg 0.keys\n"), 0);
	wg_config_init(&running);
	CHECK_EQ(wgl_control_parse_get(get_reply, strlen(get_reply), &running), 0);
	wgl_text_init(&text);
	wgc_saveconf_format(&text, &extras, &addresses, 0, &running);
	CHECK(strstr(text.buf, "[Interface]\nSaveConfig = true\nKeyLog = /var/log/wg 0.keys\n") == text.buf);
	CHECK_EQ(parse_file(&again, &extras_again, text.buf), 0);
	CHECK(extras_again.keylog && !strcmp(extras_again.keylog, "/var/log/wg 0.keys"));
	wgl_text_free(&text);
	wgc_extras_free(&extras);
	wgc_extras_free(&extras_again);
	wg_config_free(&device);
	wg_config_free(&running);
	wg_config_free(&again);
}

/* An obfuscated device's parameters are saved under AmneziaWG's names and read back the same. */
TEST(quick_saveconf_keeps_obfuscation)
{
	static const char reply[] = "private_key=" HEX_A "\nlisten_port=51820\njc=4\njmin=40\njmax=70\ns1=15\n"
				    "h1=100000-100999\nh2=2\nh3=3\nh4=400000\ni1=<b 0xc0ffee> <t>\nerrno=0\n";
	struct wg_config_device running, again;
	struct wgc_extras extras, extras_again;
	struct wgc_strlist addresses = { 0 };
	struct wgl_text text;

	wgc_extras_init(&extras);
	wg_config_init(&running);
	CHECK_EQ(wgl_control_parse_get(reply, strlen(reply), &running), 0);
	wgl_text_init(&text);
	wgc_saveconf_format(&text, &extras, &addresses, 0, &running);
	CHECK(strstr(text.buf, "Jc = 4\nJmin = 40\nJmax = 70\nS1 = 15\nH1 = 100000-100999\nH2 = 2\nH3 = 3\n"
			       "H4 = 400000\nI1 = <b 0xc0ffee> <t>\n") != NULL);
	CHECK_EQ(parse_file(&again, &extras_again, text.buf), 0);
	CHECK(again.obfuscation.set.prefix[0] == 15 && again.obfuscation.set.type[3].lo == 400000);
	CHECK(again.obfuscation.set.signature[0] && !strcmp(again.obfuscation.set.signature[0], "<b 0xc0ffee> <t>"));
	wgl_text_free(&text);
	wgc_extras_free(&extras);
	wgc_extras_free(&extras_again);
	wg_config_free(&running);
	wg_config_free(&again);
}

/* Another daemon's parameters that wgc cannot read (a newer tag, a signature past our line's
 * length) are left out of its get; the rest of the reply stands. */
TEST(quick_get_of_another_daemon_keeps_what_it_can_read)
{
	static char reply[WG_UAPI_LINE_MAX + 512];
	struct wg_config_device running;
	int n = snprintf(reply, sizeof(reply), "private_key=" HEX_A "\nlisten_port=51820\njc=4\njmin=40\njmax=70\n"
				 "h1=100000-100999\ni1=<c><b 0xab>\ni2=");

	while (n < (int)sizeof(reply) - 128)
		reply[n++] = 'x';
	snprintf(reply + n, sizeof(reply) - (size_t)n, "\ni3=<t>\npublic_key=" HEX_B "\nerrno=0\n");
	wg_config_init(&running);
	CHECK_EQ(wgl_control_parse_get(reply, strlen(reply), &running), 0);
	CHECK_EQ(running.listen_port, 51820);
	CHECK_EQ(running.obfuscation.set.junk_count, 4);
	CHECK_EQ(running.obfuscation.set.type[0].hi, 100999);
	CHECK(!running.obfuscation.set.signature[0] && !running.obfuscation.set.signature[1]);
	CHECK(running.obfuscation.set.signature[2] && !strcmp(running.obfuscation.set.signature[2], "<t>"));
	CHECK_EQ(running.num_peers, 1);
	wg_config_free(&running);
}

TEST(quick_hook_expansion)
{
	static const char *const cases[][2] = {
		{ "echo %i", "echo wg0" },
		{ "%i%i", "wg0wg0" },
		{ "no marker", "no marker" },
		{ "100%", "100%" },
		{ "%%i %I", "%wg0 %I" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
		char *out = wgc_hook_expand(cases[i][0], "wg0");

		if (strcmp(out, cases[i][1]))
			test_fail(__FILE__, __LINE__, "hook case %zu: \"%s\"", i + 1, out);
		free(out);
	}
}

TEST(quick_hooks_run_in_order_and_stop_at_a_failure)
{
	char dir[] = "/tmp/wgc-hooks-XXXXXX", cmd[3][128], *out = NULL;
	struct wgc_strlist hooks = { 0 };
	struct wgc_err err;
	const char *cat[] = { "cat", cmd[2], NULL };

	CHECK(mkdtemp(dir) != NULL);
	snprintf(cmd[0], sizeof(cmd[0]), "echo one %%i >> %s/log", dir);
	snprintf(cmd[1], sizeof(cmd[1]), "echo two >> %s/log; false", dir);
	snprintf(cmd[2], sizeof(cmd[2]), "%s/log", dir);
	wgc_strlist_add(&hooks, cmd[0]);
	wgc_strlist_add(&hooks, cmd[1]);
	wgc_strlist_add(&hooks, "echo never >> /dev/null");
	CHECK_EQ(wgc_hooks_run(&hooks, "wgx", &err), -EIO);
	CHECK(strstr(err.text, "; false' failed") != NULL);
	CHECK_EQ(wgc_run(cat, NULL, &out, false, NULL), 0);
	CHECK(out && !strcmp(out, "one wgx\ntwo\n"));
	free(out);
	unlink(cmd[2]);
	rmdir(dir);
	wgc_strlist_free(&hooks);
}

TEST(quick_run_reports_exit_status_and_missing_programs)
{
	const char *fails[] = { "sh", "-c", "exit 3", NULL };
	const char *missing[] = { "wgc-no-such-program", NULL };
	const char *echo_in[] = { "cat", NULL };
	struct wgc_err err;
	char *out = NULL;

	CHECK_EQ(wgc_run(fails, NULL, NULL, false, &err), -EIO);
	CHECK(!strcmp(err.text, "`sh -c exit 3' failed with exit status 3"));
	CHECK_EQ(wgc_run(missing, NULL, NULL, false, &err), -ENOENT);
	CHECK(!strcmp(err.text, "cannot run wgc-no-such-program: No such file or directory"));
	CHECK_EQ(wgc_run(echo_in, "nameserver 1.1.1.1\n", &out, false, &err), 0);
	CHECK(out && !strcmp(out, "nameserver 1.1.1.1\n"));
	free(out);
}

TEST(quick_rule_matching)
{
	const char *rules = "0:\tfrom all lookup local\n"
			    "32764:\tfrom all lookup main suppress_prefixlength 0\n"
			    "32765:\tnot from all fwmark 0xca6c lookup 518201\n"
			    "32766:\tfrom all lookup main\n";

	CHECK(wgc_routes_rule_present(rules, "from all lookup main suppress_prefixlength 0"));
	CHECK(!wgc_routes_rule_present(rules, "lookup 51820"));
	CHECK(wgc_routes_rule_present(rules, "lookup 518201"));
	CHECK(wgc_routes_rule_present(rules, "lookup main"));
}

TEST(quick_interface_names)
{
	CHECK(wgc_quick_name_valid("wg0"));
	CHECK(wgc_quick_name_valid("a_b=c+d.e-f"));
	CHECK(wgc_quick_name_valid("123456789012345"));
	CHECK(!wgc_quick_name_valid("1234567890123456"));
	CHECK(!wgc_quick_name_valid(""));
	CHECK(!wgc_quick_name_valid("wg/0"));
	CHECK(!wgc_quick_name_valid("wg 0"));
}

TEST(quick_load_finds_and_checks_the_file)
{
	char dir[] = "/tmp/wgc-quick-XXXXXX", path[128];
	struct wgc_quick q;
	struct wgc_err err;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/wgq0.conf", dir);
	write_text(path, "[Interface]\nListenPort = 5\n");
	chmod(path, 0600);
	chmod(dir, 0700);
	CHECK_EQ(wgc_quick_load(&q, path, &err), 0);
	CHECK(!strcmp(q.ifname, "wgq0"));
	CHECK_EQ(q.device.listen_port, 5);
	CHECK(!q.world_accessible);
	wgc_quick_free(&q);
	chmod(path, 0644);
	chmod(dir, 0755);
	CHECK_EQ(wgc_quick_load(&q, path, &err), 0);
	CHECK(q.world_accessible);
	wgc_quick_free(&q);
	write_text(path, "[Interface]\nListenPort = x\n");
	CHECK_EQ(wgc_quick_load(&q, path, &err), -EINVAL);
	CHECK(strstr(err.text, "wgq0.conf:2: ListenPort: \"x\"") != NULL);
	wgc_quick_free(&q);
	unlink(path);
	CHECK_EQ(wgc_quick_load(&q, path, &err), -ENOENT);
	CHECK(strstr(err.text, "' does not exist") != NULL);
	wgc_quick_free(&q);
	snprintf(path, sizeof(path), "%s/bad name.conf", dir);
	write_text(path, "");
	CHECK_EQ(wgc_quick_load(&q, path, &err), -EINVAL);
	CHECK(strstr(err.text, "must be a valid interface name followed by .conf") != NULL);
	wgc_quick_free(&q);
	unlink(path);
	rmdir(dir);
}

/* wgc's transport keys: read from the file, sent as their UAPI keys, parsed back by the core. */
TEST(quick_transport_keys_round_trip)
{
	struct wg_config_device device, back;
	struct wgc_extras extras;
	struct wg_uapi_parser parser;
	struct wgl_text text;
	const struct wg_config_peer *p;

	CHECK_EQ(parse_file(&device, &extras, "[Interface]\nTCPListenPort = 443\nUDPProbeInterval = 30\n"
					      "[Peer]\nPublicKey = " B64_B "\nEndpoint = 192.0.2.1:51820\n"
					      "Transport = AUTO\nTCPEndpoint = 192.0.2.1:443\n"),
		 0);
	CHECK_EQ(wgc_resolve_endpoints(&extras, "t.conf", &(struct wgc_err){ 0 }), 0);
	wgl_text_init(&text);
	wgl_settext_format(&text, &device);
	CHECK(strstr(text.buf, "tcp_listen_port=443\nudp_probe_interval=30\n"));
	CHECK(strstr(text.buf, "endpoint=192.0.2.1:51820\ntransport=auto\ntcp_endpoint=192.0.2.1:443\n"));
	wg_config_init(&back);
	wg_uapi_parser_init(&parser, &back);
	CHECK_EQ(wg_uapi_parse_text(&parser, text.buf, text.len), 0);
	CHECK_EQ(back.tcp_listen_port, 443);
	CHECK_EQ(back.udp_probe_interval, 30);
	p = back.first_peer;
	CHECK(p && (p->flags & WG_PEER_HAS_TRANSPORT) && p->transport_mode == WG_TRANSPORT_MODE_AUTO);
	CHECK(p && (p->flags & WG_PEER_HAS_TCP_ENDPOINT) && p->tcp_endpoint.transport == WG_TRANSPORT_TCP);
	wgl_text_free(&text);
	wg_config_free(&back);
	wg_config_free(&device);
	wgc_extras_free(&extras);
}

/* Bad values name the key and the value, as every other key's do. */
TEST(quick_transport_keys_refuse_bad_values)
{
	static const char *const bad[] = {
		"[Interface]\nTCPListenPort = 70000\n",
		"[Interface]\nUDPProbeInterval = 0\n",
		"[Peer]\nPublicKey = " B64_B "\nTransport = quic\n",
		"[Peer]\nPublicKey = " B64_B "\nTCPEndpoint = 192.0.2.1\n",
		"[Peer]\nPublicKey = " B64_B "\nTCPListenPort = 443\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
		struct wg_config_device device;
		struct wgc_extras extras;

		CHECK(parse_file(&device, &extras, bad[i]) != 0);
		wg_config_free(&device);
		wgc_extras_free(&extras);
	}
}

/* Probe and ProbeInterval: file -> UAPI set -> the core's parser; bad values refused. */
TEST(quick_probe_keys)
{
	static const char *const bad[] = {
		"[Interface]\nProbeInterval = 0\n",
		"[Interface]\nProbeInterval = 3601\n",
		"[Peer]\nPublicKey = " B64_B "\nProbe = 10.0.0\n",
		"[Peer]\nPublicKey = " B64_B "\nProbe =\n",
		"[Interface]\nProbe = 10.0.0.2\n",
	};
	struct wg_config_device device, back;
	struct wgc_extras extras;
	struct wg_uapi_parser parser;
	struct wgl_text text;

	CHECK_EQ(parse_file(&device, &extras, "[Interface]\nProbeInterval = 2\n"
					      "[Peer]\nPublicKey = " B64_B "\nProbe = fd00::2\n"),
		 0);
	wgl_text_init(&text);
	wgl_settext_format(&text, &device);
	CHECK(strstr(text.buf, "probe_interval=2\n"));
	CHECK(strstr(text.buf, "probe=fd00::2\n"));
	wg_config_init(&back);
	wg_uapi_parser_init(&parser, &back);
	CHECK_EQ(wg_uapi_parse_text(&parser, text.buf, text.len), 0);
	CHECK_EQ(back.probe_interval, 2);
	CHECK(back.first_peer && back.first_peer->probe.family == AF_INET6);
	wgl_text_free(&text);
	wg_config_free(&back);
	wg_config_free(&device);
	wgc_extras_free(&extras);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
		CHECK(parse_file(&device, &extras, bad[i]) != 0);
		wg_config_free(&device);
		wgc_extras_free(&extras);
	}
}

/* An auto peer on TCP saves where UDP went; a peer that came over TCP saves no Endpoint. */
static const char tcp_get_reply[] = "private_key=" HEX_A "\n"
				    "listen_port=51820\n"
				    "tcp_listen_port=443\n"
				    "public_key=" HEX_B "\n"
				    "endpoint=192.0.2.1:443\n"
				    "persistent_keepalive_interval=0\n"
				    "transport=auto\n"
				    "tcp_endpoint=192.0.2.1:443\n"
				    "transport_active=tcp\n"
				    "transport_reason=udp-unanswered\n"
				    "udp_endpoint=192.0.2.1:51820\n"
				    "public_key=" HEX_C "\n"
				    "endpoint=198.51.100.7:40123\n"
				    "persistent_keepalive_interval=0\n"
				    "transport_active=tcp\n"
				    "transport_reason=peer-chose\n"
				    "errno=0\n\n";

TEST(quick_saveconf_transport_endpoints)
{
	struct wg_config_device running;
	struct wgc_extras extras;
	struct wgc_strlist addresses = { 0 };
	struct wgl_text text;

	wgc_extras_init(&extras);
	wg_config_init(&running);
	CHECK_EQ(wgl_control_parse_get(tcp_get_reply, strlen(tcp_get_reply), &running), 0);
	wgl_text_init(&text);
	wgc_saveconf_format(&text, &extras, &addresses, 0, &running);
	CHECK(strstr(text.buf, "TCPListenPort = 443\n"));
	CHECK(strstr(text.buf, "Endpoint = 192.0.2.1:51820\nTransport = auto\nTCPEndpoint = 192.0.2.1:443\n"));
	CHECK(!strstr(text.buf, "198.51.100.7"));
	wgl_text_free(&text);
	wgc_extras_free(&extras);
	wg_config_free(&running);
}
