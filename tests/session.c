/*
 * Two (or three) complete devices on the in-memory network: handshakes both ways, data both
 * ways, pre-shared keys, silence to the unauthenticated, roaming, cryptokey routing in both
 * directions, padding, staging, counters, and down/up.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/send.h"
#include "crypto/x25519.h"
#include "harness.h"
#include "netsim.h"

static void exchange(struct sim *sim, struct sim_node *a, struct sim_node *b, int rounds)
{
	for (int i = 0; i < rounds; ++i) {
		sim_send_ip(a, b, (uint32_t)(1000 + i), 200);
		sim_send_ip(b, a, (uint32_t)(2000 + i), 300);
		sim_run_for(sim, 100 * SIM_MS);
	}
}

TEST(session_initiator_to_responder)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa, *pb;

	sim_pair(&sim, 100, &a, &b, NULL, false);
	pa = sim_peer(a, b);
	pb = sim_peer(b, a);
	CHECK_EQ(sim_send_ip(a, b, 1, 100), 0);
	/* One round trip: initiation out, response back, and the staged packet goes. */
	sim_run_for(&sim, 2 * sim.latency);
	CHECK(pa->keypairs.current != NULL);
	CHECK_EQ(pa->handshakes_completed, 1);
	/* The responder holds its keypair as next until the first packet under it arrives. */
	CHECK(pb->keypairs.next != NULL || pb->keypairs.current != NULL);
	sim_run_for(&sim, sim.latency);
	CHECK(pb->keypairs.current != NULL && pb->keypairs.next == NULL);
	CHECK_EQ(pb->handshakes_completed, 1);
	CHECK_EQ(b->delivered.count, 1);
	CHECK_EQ(sim_delivered_seq(b, 0), 1);
	/* The responder learned the initiator's endpoint from the authenticated initiation. */
	CHECK(wg_endpoint_equal(&pb->endpoint, &a->addr));
	exchange(&sim, a, b, 20);
	CHECK_EQ(a->delivered.count, 20);
	CHECK_EQ(b->delivered.count, 21);
	for (size_t i = 0; i < 20; ++i) {
		CHECK_EQ(sim_delivered_seq(a, i), 2000 + i);
		CHECK_EQ(sim_delivered_seq(b, i + 1), 1000 + i);
	}
	/* One handshake each way sufficed, and last-handshake times are real wall times. */
	CHECK_EQ(sim_sent_count(a, WG_MESSAGE_HANDSHAKE_INITIATION), 1);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_INITIATION), 0);
	CHECK(pa->last_handshake_wall_ns > sim.wall_base);
	sim_free(&sim);
}

TEST(session_responder_side_initiates)
{
	struct sim sim;
	struct sim_node *a, *b;

	sim_pair(&sim, 101, &a, &b, NULL, true);
	CHECK_EQ(sim_send_ip(b, a, 7, 100), 0);
	sim_run_for(&sim, SIM_SECOND);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_INITIATION), 1);
	CHECK_EQ(sim_sent_count(a, WG_MESSAGE_HANDSHAKE_INITIATION), 0);
	CHECK_EQ(a->delivered.count, 1);
	exchange(&sim, a, b, 5);
	CHECK_EQ(a->delivered.count, 6);
	CHECK_EQ(b->delivered.count, 5);
	sim_free(&sim);
}

TEST(session_with_matching_psk_and_simultaneous_initiation)
{
	uint8_t psk[32];
	struct sim sim;
	struct sim_node *a, *b;

	memset(psk, 0x5a, sizeof(psk));
	sim_pair(&sim, 102, &a, &b, psk, true);
	/* Both start a handshake at once: each answers the other's, neither response finds its
	 * initiation any more, and the retry after REKEY_TIMEOUT settles it. */
	sim_send_ip(a, b, 1, 100);
	sim_send_ip(b, a, 2, 100);
	sim_run_for(&sim, 7 * SIM_SECOND);
	CHECK_EQ(a->delivered.count, 1);
	CHECK_EQ(b->delivered.count, 1);
	exchange(&sim, a, b, 3);
	CHECK_EQ(a->delivered.count, 4);
	CHECK_EQ(b->delivered.count, 4);
	sim_free(&sim);
}

/* The PSK enters only in the response: the initiator cannot open it, and nothing flows. */
TEST(session_psk_mismatch_fails)
{
	uint8_t psk_a[32], psk_b[32];
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_config_device c;

	memset(psk_a, 1, 32);
	memset(psk_b, 2, 32);
	sim_pair(&sim, 103, &a, &b, psk_a, false);
	wg_config_init(&c);
	wg_config_add_peer(&c, a->public_key)->flags = WG_PEER_HAS_PRESHARED_KEY;
	memcpy(c.first_peer->preshared_key, psk_b, 32);
	CHECK_EQ(wg_device_configure(&b->device, &c), 0);
	wg_config_free(&c);
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, 30 * SIM_SECOND);
	CHECK_EQ(b->delivered.count, 0);
	CHECK(a->device.stats.rx_handshake_failed >= 1);
	CHECK(sim_peer(a, b)->keypairs.current == NULL);
	CHECK_EQ(sim_sent_count(a, WG_MESSAGE_DATA), 0);
	sim_free(&sim);
}

/* Garbage, and handshakes from keys it does not know: the responder says nothing at all. */
TEST(session_silent_to_unauthenticated)
{
	struct sim sim;
	struct sim_node *a, *b, *stranger;
	uint8_t junk[200];
	uint64_t rng = 5;

	sim_init(&sim, 104);
	a = sim_add_node(&sim);
	b = sim_add_node(&sim);
	stranger = sim_add_node(&sim);
	sim_connect(a, b, NULL, false);
	/* The stranger knows b's public key (so mac1 is right) but b does not know it. */
	sim_connect(stranger, b, NULL, false);
	sim_remove_peer(b, stranger->public_key);
	sim_send_ip(stranger, b, 1, 100);
	for (int i = 0; i < 500; ++i) {
		size_t len = test_random(&rng) % sizeof(junk);

		for (size_t j = 0; j < len; ++j)
			junk[j] = (uint8_t)test_random(&rng);
		/* Every message type, right and wrong sizes. */
		if (len >= 4)
			junk[0] = (uint8_t)(i % 5), junk[1] = junk[2] = junk[3] = 0;
		sim_inject(&sim, b->id, &stranger->addr, junk, len, 0);
	}
	sim_run_for(&sim, 10 * SIM_SECOND);
	CHECK_EQ(b->sent.count, 0);
	CHECK(b->device.stats.rx_handshake_failed >= 1);
	CHECK(b->device.stats.rx_malformed > 0);
	CHECK(b->device.stats.rx_invalid_mac > 0);
	CHECK_EQ(b->delivered.count, 0);
	sim_free(&sim);
}

/* Scenario 16: low-order public keys are accepted as peers but never cause a handshake. */
TEST(session_low_order_peers_emit_nothing)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_config_device c;

	sim_init(&sim, 105);
	a = sim_add_node(&sim);
	b = sim_add_node(&sim);
	wg_config_init(&c);
	for (int i = 0; i < 7; ++i) {
		uint8_t key[32];
		struct wg_config_allowedip ip = { .family = AF_INET, .cidr = 32, .addr = { 10, 0, 0, (uint8_t)(100 + i) } };
		struct wg_config_peer *peer;
		char name[16];

		snprintf(name, sizeof(name), "point%d", i);
		test_vector(key, 32, "x25519-low-order.txt", name);
		peer = wg_config_add_peer(&c, key);
		peer->flags = WG_PEER_HAS_ENDPOINT | WG_PEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
		peer->endpoint = b->addr;
		peer->persistent_keepalive_interval = 1;
		wg_config_add_allowedip(peer, &ip);
	}
	CHECK_EQ(wg_device_configure(&a->device, &c), 0);
	wg_config_free(&c);
	CHECK_EQ(a->device.num_peers, 7);
	for (int i = 0; i < 7; ++i)
		sim_send_ip_between(a, a->tunnel_ip, (uint8_t[]){ 10, 0, 0, (uint8_t)(100 + i) }, (uint32_t)i, 100);
	sim_run_for(&sim, 60 * SIM_SECOND);
	CHECK_EQ(a->sent.count, 0);
	sim_free(&sim);
}

/* Roaming: the endpoint follows authenticated packets, and only those. */
TEST(session_roaming_follows_authenticated_packets_only)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pb;
	struct wg_endpoint old, spoof;
	uint8_t forged[64];

	sim_pair(&sim, 106, &a, &b, NULL, false);
	pb = sim_peer(b, a);
	exchange(&sim, a, b, 2);
	CHECK(wg_endpoint_equal(&pb->endpoint, &a->addr));
	old = a->addr;
	/* a moves to a new address and port (a new NAT mapping, say). */
	a->addr.addr.in.sin_addr.s_addr = htonl(0xc6336401u);
	a->addr.addr.in.sin_port = htons(40000);
	sim_send_ip(a, b, 50, 100);
	sim_run_for(&sim, SIM_SECOND);
	CHECK(wg_endpoint_equal(&pb->endpoint, &a->addr));
	CHECK(!wg_endpoint_equal(&pb->endpoint, &old));
	/* b's replies reach a at the new address. */
	size_t before = a->delivered.count;
	sim_send_ip(b, a, 51, 100);
	sim_run_for(&sim, SIM_SECOND);
	CHECK_EQ(a->delivered.count, before + 1);
	/* A forged data packet with a real receiver index from elsewhere does not move it. */
	memcpy(forged, a->sent.records[a->sent.count - 1].data, 64);
	forged[40] ^= 0xff;
	wg_endpoint_parse(&spoof, "203.0.113.66:666");
	sim_inject(&sim, b->id, &spoof, forged, 64, 0);
	sim_run_for(&sim, SIM_SECOND);
	CHECK(wg_endpoint_equal(&pb->endpoint, &a->addr));
	CHECK(b->device.stats.rx_decrypt_failed >= 1);
	sim_free(&sim);
}

/* Scenario 5: the inner source must be in the sending peer's AllowedIPs, also after they move. */
TEST(session_cryptokey_source_filter)
{
	struct sim sim;
	struct sim_node *a, *b, *c;
	struct wg_config_device config;
	struct wg_config_allowedip ip = { .family = AF_INET, .cidr = 32, .addr = { 10, 0, 0, 1 } };

	sim_init(&sim, 107);
	a = sim_add_node(&sim);
	b = sim_add_node(&sim);
	c = sim_add_node(&sim);
	sim_connect(a, b, NULL, false);
	sim_connect(c, b, NULL, false);
	exchange(&sim, a, b, 1);
	CHECK_EQ(b->delivered.count, 1);
	/* a claims another source address: decrypted, then dropped. */
	sim_send_ip(a, b, 2, 100); /* the genuine one still passes */
	CHECK_EQ(sim_send_ip_between(a, (uint8_t[]){ 10, 0, 0, 99 }, b->tunnel_ip, 3, 100), 0);
	sim_run_for(&sim, SIM_SECOND);
	CHECK_EQ(b->delivered.count, 2);
	CHECK_EQ(b->device.stats.rx_disallowed_source, 1);
	/* Move 10.0.0.1/32 from a to c on b: a's packets from 10.0.0.1 are now dishonest. */
	wg_config_init(&config);
	wg_config_add_allowedip(wg_config_add_peer(&config, c->public_key), &ip);
	CHECK_EQ(wg_device_configure(&b->device, &config), 0);
	wg_config_free(&config);
	sim_send_ip(a, b, 3, 100);
	sim_run_for(&sim, SIM_SECOND);
	CHECK_EQ(b->delivered.count, 2);
	CHECK_EQ(b->device.stats.rx_disallowed_source, 2);
	sim_free(&sim);
}

/* Plaintext is padded to 16, never past the MTU, and trimmed back by the inner length. */
TEST(session_padding_and_trimming)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct sim_record *last;

	sim_pair(&sim, 108, &a, &b, NULL, false);
	exchange(&sim, a, b, 1);
	for (size_t len = 28; len < 70; ++len) {
		sim_send_ip(a, b, (uint32_t)len, len);
		last = &a->sent.records[a->sent.count - 1];
		CHECK_EQ(last->len, 32 + ((len + 15) & ~(size_t)15));
	}
	/* Scenario 3: MTU 1300, a 1299-byte packet is padded to 1300, not 1312. */
	wg_device_set_mtu(&a->device, 1300);
	sim_send_ip(a, b, 9999, 1299);
	CHECK_EQ(a->sent.records[a->sent.count - 1].len, 32 + 1300);
	sim_send_ip(a, b, 9998, 1269);
	CHECK_EQ(a->sent.records[a->sent.count - 1].len, 32 + 1280);
	sim_run_for(&sim, SIM_SECOND);
	last = &b->delivered.records[b->delivered.count - 1];
	CHECK_EQ(last->len, 1269);
	CHECK_EQ(b->delivered.records[b->delivered.count - 2].len, 1299);
	CHECK_EQ(b->delivered.count, 1 + 42 + 2);
	for (size_t i = 1; i < 43; ++i)
		CHECK_EQ(b->delivered.records[i].len, 27 + i);
	sim_free(&sim);
}

static bool drop_all(struct sim *sim, int from, int to, const uint8_t *msg, size_t len)
{
	(void)sim, (void)from, (void)to, (void)msg, (void)len;
	return true;
}

/* While waiting for a handshake, the newest 128 packets wait; they go out in order after. */
TEST(session_staged_packets_keep_the_newest_128)
{
	struct sim sim;
	struct sim_node *a, *b;

	sim_pair(&sim, 109, &a, &b, NULL, false);
	sim.drop = drop_all;
	for (uint32_t i = 0; i < 200; ++i)
		CHECK_EQ(sim_send_ip(a, b, i, 100), 0);
	CHECK_EQ(sim_peer(a, b)->staged_count, WG_MAX_STAGED_PACKETS);
	CHECK_EQ(a->device.stats.tx_staged_dropped, 200 - WG_MAX_STAGED_PACKETS);
	sim_run_for(&sim, 3 * SIM_SECOND);
	sim.drop = NULL;
	/* The retry after REKEY_TIMEOUT gets through. */
	sim_run_for(&sim, 5 * SIM_SECOND);
	CHECK_EQ(b->delivered.count, WG_MAX_STAGED_PACKETS);
	for (size_t i = 0; i < b->delivered.count; ++i)
		CHECK_EQ(sim_delivered_seq(b, i), 200 - WG_MAX_STAGED_PACKETS + i);
	sim_free(&sim);
}

/* Transfer counters count whole WireGuard messages, handshakes included. */
TEST(session_transfer_counters)
{
	struct sim sim;
	struct sim_node *a, *b;
	uint64_t sent_a = 0, sent_b = 0;

	sim_pair(&sim, 110, &a, &b, NULL, false);
	exchange(&sim, a, b, 10);
	sim_run_for(&sim, SIM_SECOND);
	for (size_t i = 0; i < a->sent.count; ++i)
		sent_a += a->sent.records[i].len;
	for (size_t i = 0; i < b->sent.count; ++i)
		sent_b += b->sent.records[i].len;
	CHECK_EQ(sim_peer(a, b)->tx_bytes, sent_a);
	CHECK_EQ(sim_peer(b, a)->rx_bytes, sent_a);
	CHECK_EQ(sim_peer(b, a)->tx_bytes, sent_b);
	CHECK_EQ(sim_peer(a, b)->rx_bytes, sent_b);
	CHECK(sent_a > 10 * 200);
	sim_free(&sim);
}

/* Down drops sessions and stops every timer; up starts over and sends persistent keepalives. */
TEST(session_down_and_up)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa;
	size_t sent;

	sim_pair(&sim, 111, &a, &b, NULL, false);
	pa = sim_peer(a, b);
	exchange(&sim, a, b, 2);
	wg_device_down(&a->device);
	CHECK(pa->keypairs.current == NULL && pa->keypairs.previous == NULL && pa->keypairs.next == NULL);
	CHECK_EQ(wg_device_next_deadline(&a->device), UINT64_MAX);
	CHECK(sim_send_ip(a, b, 1, 100) < 0);
	sent = a->sent.count;
	sim_run_for(&sim, 100 * SIM_SECOND);
	CHECK_EQ(a->sent.count, sent);
	pa->persistent_keepalive_interval = 25;
	wg_device_up(&a->device);
	/* The keepalive needs a session: up starts a handshake at once. */
	CHECK_EQ(a->sent.count, sent + 1);
	CHECK_EQ(wg_le32_get(a->sent.records[sent].data), WG_MESSAGE_HANDSHAKE_INITIATION);
	sim_run_for(&sim, SIM_SECOND);
	CHECK(pa->keypairs.current != NULL);
	sim_free(&sim);
}

/* Many peers with timers running at once: 12 configured while down with persistent keepalives
 * and then brought up, and 20 idle peers that all get traffic. Every timer needs its place. */
static void add_many_peers(struct sim_node *a, const struct sim_node *b, int count, uint8_t seed, uint16_t keepalive)
{
	struct wg_config_device c;

	wg_config_init(&c);
	for (int i = 0; i < count; ++i) {
		uint8_t private_key[32], public_key[32];
		struct wg_config_allowedip ip = { .family = AF_INET, .cidr = 32, .addr = { 10, seed, 0, (uint8_t)i } };
		struct wg_config_peer *p;

		memset(private_key, seed + i, 32);
		wg_x25519_clamp(private_key);
		wg_x25519_public(public_key, private_key);
		p = wg_config_add_peer(&c, public_key);
		p->flags = WG_PEER_HAS_ENDPOINT | WG_PEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
		p->endpoint = b->addr;
		p->persistent_keepalive_interval = keepalive;
		wg_config_add_allowedip(p, &ip);
	}
	CHECK_EQ(wg_device_configure(&a->device, &c), 0);
	wg_config_free(&c);
}

TEST(session_many_peers_all_run_timers)
{
	struct sim sim;
	struct sim_node *a, *b;

	sim_init(&sim, 112);
	a = sim_add_node(&sim);
	b = sim_add_node(&sim);
	wg_device_down(&a->device);
	add_many_peers(a, b, 12, 20, 25);
	wg_device_up(&a->device);
	CHECK_EQ(sim_sent_count(a, WG_MESSAGE_HANDSHAKE_INITIATION), 12);
	add_many_peers(a, b, 20, 40, 0);
	for (int i = 0; i < 20; ++i)
		sim_send_ip_between(a, a->tunnel_ip, (uint8_t[]){ 10, 40, 0, (uint8_t)i }, (uint32_t)i, 100);
	CHECK(a->device.deadlines.len <= a->device.deadlines.cap);
	/* b knows none of them: each peer retries on its own schedule and gives up after 20
	 * tries; those with a persistent keepalive start over each time it fires. */
	sim_run_for(&sim, 200 * SIM_SECOND);
	struct wg_list *pos, *tmp;
	wg_list_for_each_safe(pos, tmp, &a->device.peer_list) {
		struct wg_peer *peer = wg_container_of(pos, struct wg_peer, peer_list);

		if (peer->persistent_keepalive_interval) {
			CHECK(peer->tx_bytes > (WG_MAX_TIMER_HANDSHAKES + 2) * sizeof(struct wg_message_initiation));
		} else {
			CHECK_EQ(peer->tx_bytes, (WG_MAX_TIMER_HANDSHAKES + 2) * sizeof(struct wg_message_initiation));
			CHECK(!wg_timer_pending(&peer->timer_retransmit_handshake));
			CHECK_EQ(peer->staged_count, 0);
		}
	}
	sim_free(&sim);
}
