/*
 * Applying configurations to a device: what each flag means, the key edge cases of the
 * kernel's selftests, rejection that changes nothing, and configuration at scale.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/uapi.h"
#include "harness.h"
#include "netsim.h"

static int set(struct wg_device *device, const char *text)
{
	struct wg_config_device config;
	struct wg_uapi_parser p;
	int ret;

	wg_config_init(&config);
	wg_uapi_parser_init(&p, &config);
	ret = wg_uapi_parse_text(&p, text, strlen(text));
	if (!ret)
		ret = wg_device_configure(device, &config);
	wg_config_free(&config);
	return ret;
}

static void hex(char out[65], const uint8_t key[32])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; ++i) {
		out[2 * i] = digits[key[i] >> 4];
		out[2 * i + 1] = digits[key[i] & 15];
	}
	out[64] = '\0';
}

static struct wg_peer *route4(struct wg_device *device, const char *ip)
{
	uint8_t a[4];

	inet_pton(AF_INET, ip, a);
	return wg_allowedips_lookup(&device->peer_allowedips, AF_INET, a);
}

struct fixture {
	struct sim sim;
	struct sim_node *n[3];
	char key[3][65];
	char buf[1024];
};

static void setup(struct fixture *f)
{
	sim_init(&f->sim, 21);
	for (int i = 0; i < 3; ++i) {
		f->n[i] = sim_add_node(&f->sim);
		hex(f->key[i], f->n[i]->public_key);
	}
}

TEST(config_peer_flags)
{
	struct fixture f;
	struct wg_device *d;

	setup(&f);
	d = &f.n[0]->device;
	snprintf(f.buf, sizeof(f.buf), "public_key=%s\nallowed_ip=10.0.0.0/24\npublic_key=%s\nallowed_ip=10.1.0.0/24\n",
		 f.key[1], f.key[2]);
	CHECK_EQ(set(d, f.buf), 0);
	CHECK_EQ(d->num_peers, 2);
	/* update_only does not create. */
	snprintf(f.buf, sizeof(f.buf), "public_key=%s\nupdate_only=true\nallowed_ip=10.2.0.0/24\n",
		 "1111111111111111111111111111111111111111111111111111111111111111");
	CHECK_EQ(set(d, f.buf), 0);
	CHECK_EQ(d->num_peers, 2);
	CHECK(route4(d, "10.2.0.1") == NULL);
	/* Without replace_allowed_ips, prefixes add up; "-" takes one away. */
	snprintf(f.buf, sizeof(f.buf), "public_key=%s\nallowed_ip=10.5.0.0/16\nallowed_ip=-10.0.0.0/24\n", f.key[1]);
	CHECK_EQ(set(d, f.buf), 0);
	CHECK(route4(d, "10.5.1.1") == sim_peer(f.n[0], f.n[1]));
	CHECK(route4(d, "10.0.0.1") == NULL);
	/* replace_allowed_ips starts over. */
	snprintf(f.buf, sizeof(f.buf), "public_key=%s\nreplace_allowed_ips=true\nallowed_ip=10.6.0.0/16\n", f.key[1]);
	CHECK_EQ(set(d, f.buf), 0);
	CHECK(route4(d, "10.5.1.1") == NULL);
	CHECK(route4(d, "10.6.1.1") == sim_peer(f.n[0], f.n[1]));
	/* remove takes the peer and its routes. */
	snprintf(f.buf, sizeof(f.buf), "public_key=%s\nremove=true\n", f.key[2]);
	CHECK_EQ(set(d, f.buf), 0);
	CHECK_EQ(d->num_peers, 1);
	CHECK(route4(d, "10.1.0.1") == NULL);
	/* replace_peers leaves only the peers of this set. */
	snprintf(f.buf, sizeof(f.buf), "replace_peers=true\npublic_key=%s\n", f.key[2]);
	CHECK_EQ(set(d, f.buf), 0);
	CHECK_EQ(d->num_peers, 1);
	CHECK(sim_peer(f.n[0], f.n[2]) != NULL && sim_peer(f.n[0], f.n[1]) == NULL);
	CHECK(route4(d, "10.6.1.1") == NULL);
	sim_free(&f.sim);
}

/* Scenario 6: remove and re-add peers within one set. */
TEST(config_remove_and_readd_in_one_set)
{
	struct fixture f;
	struct wg_device *d;

	setup(&f);
	d = &f.n[0]->device;
	snprintf(f.buf, sizeof(f.buf), "public_key=%s\nallowed_ip=10.0.0.2/32\n", f.key[1]);
	CHECK_EQ(set(d, f.buf), 0);
	snprintf(f.buf, sizeof(f.buf), "public_key=%s\nremove=true\npublic_key=%s\nallowed_ip=10.0.0.9/32\n",
		 f.key[1], f.key[1]);
	CHECK_EQ(set(d, f.buf), 0);
	CHECK_EQ(d->num_peers, 1);
	CHECK(sim_peer(f.n[0], f.n[1]) != NULL);
	CHECK(route4(d, "10.0.0.2") == NULL);
	CHECK(route4(d, "10.0.0.9") == sim_peer(f.n[0], f.n[1]));
	sim_free(&f.sim);
}

/* Scenario 15: our own key as a peer is ignored; a new private key matching a peer removes it. */
TEST(config_own_key_and_private_key_edge_cases)
{
	struct fixture f;
	struct wg_device *d;
	char private_hex[65];

	setup(&f);
	d = &f.n[0]->device;
	snprintf(f.buf, sizeof(f.buf), "public_key=%s\nallowed_ip=10.9.0.0/16\npublic_key=%s\n", f.key[0], f.key[1]);
	CHECK_EQ(set(d, f.buf), 0);
	CHECK_EQ(d->num_peers, 1);
	CHECK(route4(d, "10.9.0.1") == NULL);
	/* Take node 1's private key: the peer with that public key goes. */
	hex(private_hex, f.n[1]->private_key);
	snprintf(f.buf, sizeof(f.buf), "private_key=%s\n", private_hex);
	CHECK_EQ(set(d, f.buf), 0);
	CHECK_EQ(d->num_peers, 0);
	CHECK(!memcmp(d->static_identity.static_public, f.n[1]->public_key, 32));
	/* An all-zero private key removes the identity (what `wg set wg0 private-key /dev/null` sends). */
	CHECK_EQ(set(d, "private_key=0000000000000000000000000000000000000000000000000000000000000000\n"), 0);
	CHECK(!d->static_identity.has_identity);
	sim_free(&f.sim);
}

/* A new private key invalidates sessions: the next packet needs a new handshake. */
TEST(config_private_key_change_expires_sessions)
{
	struct sim sim;
	struct sim_node *a, *b;
	uint8_t fresh[32];
	char hexkey[65], line[100];

	sim_pair(&sim, 22, &a, &b, NULL, true);
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, SIM_SECOND);
	CHECK_EQ(b->delivered.count, 1);
	for (int i = 0; i < 32; ++i)
		fresh[i] = (uint8_t)(i + 1);
	hex(hexkey, fresh);
	snprintf(line, sizeof(line), "private_key=%s\n", hexkey);
	CHECK_EQ(set(&a->device, line), 0);
	CHECK(!wg_noise_keypair_can_send(sim_peer(a, b)->keypairs.current, sim.now));
	size_t initiations = sim_sent_count(a, WG_MESSAGE_HANDSHAKE_INITIATION);
	sim_send_ip(a, b, 2, 100);
	CHECK_EQ(sim_sent_count(a, WG_MESSAGE_HANDSHAKE_INITIATION), initiations + 1);
	sim_free(&sim);
}

/* A configuration that fails validation changes nothing at all. */
TEST(config_rejected_whole)
{
	struct fixture f;
	struct wg_device *d;
	struct wg_config_device config;
	struct wg_config_peer *peer;
	struct wg_config_allowedip bad = { .family = AF_INET, .cidr = 40 };

	setup(&f);
	d = &f.n[0]->device;
	snprintf(f.buf, sizeof(f.buf), "fwmark=1000\npublic_key=%s\nallowed_ip=10.0.0.0/8\n", f.key[1]);
	CHECK_EQ(set(d, f.buf), 0);
	wg_config_init(&config);
	config.flags = WG_DEVICE_HAS_FWMARK | WG_DEVICE_REPLACE_PEERS;
	config.fwmark = 2000;
	peer = wg_config_add_peer(&config, f.n[2]->public_key);
	wg_config_add_allowedip(peer, &bad);
	CHECK_EQ(wg_device_configure(d, &config), -EINVAL);
	wg_config_free(&config);
	CHECK_EQ(d->fwmark, 1000);
	CHECK_EQ(d->num_peers, 1);
	CHECK(route4(d, "10.1.2.3") == sim_peer(f.n[0], f.n[1]));
	sim_free(&f.sim);
}

/* Scenario 14 at the core: 130,561 prefixes on one peer; 40 peers with 52 each; peers without. */
TEST(config_at_scale)
{
	struct wg_config_device config, dump;
	struct wg_config_peer *peer;
	struct sim sim;
	struct sim_node *node;
	uint8_t key[32];

	sim_init(&sim, 23);
	node = sim_add_node(&sim);
	wg_config_init(&config);
	memset(key, 0x42, 32);
	peer = wg_config_add_peer(&config, key);
	for (uint32_t i = 0; i < 65536; ++i) {
		struct wg_config_allowedip a = { .family = AF_INET, .cidr = 32, .addr = { 10, 0, (uint8_t)(i >> 8), (uint8_t)i } };
		wg_config_add_allowedip(peer, &a);
	}
	for (uint32_t i = 0; i < 65025; ++i) {
		struct wg_config_allowedip a = { .family = AF_INET6, .cidr = 128, .addr = { 0xfd, [14] = (uint8_t)(i >> 8), [15] = (uint8_t)i } };
		wg_config_add_allowedip(peer, &a);
	}
	for (int p = 0; p < 40; ++p) {
		key[0] = (uint8_t)p;
		struct wg_config_peer *q = wg_config_add_peer(&config, key);
		for (int i = 0; i < 52; ++i) {
			struct wg_config_allowedip a = { .family = AF_INET, .cidr = 32, .addr = { 172, 16, (uint8_t)p, (uint8_t)i } };
			wg_config_add_allowedip(q, &a);
		}
	}
	key[0] = 0xee;
	wg_config_add_peer(&config, key);
	CHECK_EQ(wg_device_configure(&node->device, &config), 0);
	wg_config_free(&config);
	CHECK_EQ(node->device.num_peers, 42);
	CHECK_EQ(wg_device_dump(&node->device, &dump), 0);
	CHECK_EQ(dump.num_peers, 42);
	CHECK_EQ(dump.first_peer->num_allowedips, 130561);
	CHECK_EQ(dump.first_peer->next->num_allowedips, 52);
	CHECK_EQ(dump.last_peer->num_allowedips, 0);
	wg_config_free(&dump);
	sim_free(&sim);
}
