/*
 * A hostile link: loss, duplication and reordering, and an attacker who replays and reflects
 * everything. Sessions still form and rekey; no packet is ever delivered twice, none is
 * delivered that was not sent, and replayed or reflected messages are never accepted.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "netsim.h"

#define S SIM_SECOND

/* The payload of every packet is a function of its seq: check it came through unaltered. */
static bool authentic(const struct sim_record *r, uint32_t seq)
{
	for (size_t i = 28; i < r->len; ++i)
		if (r->data[i] != (uint8_t)(i ^ seq))
			return false;
	return true;
}

static void check_deliveries(const struct sim_node *node, uint32_t base, uint32_t sent)
{
	uint8_t *seen = calloc(sent, 1);
	size_t dupes = 0, bogus = 0;

	for (size_t i = 0; i < node->delivered.count; ++i) {
		uint32_t seq = sim_delivered_seq(node, i) - base;

		if (seq >= sent || !authentic(&node->delivered.records[i], seq + base))
			++bogus;
		else if (seen[seq]++)
			++dupes;
	}
	CHECK_EQ(dupes, 0);
	CHECK_EQ(bogus, 0);
	free(seen);
}

static size_t out_of_order(const struct sim_node *node)
{
	size_t n = 0;

	for (size_t i = 1; i < node->delivered.count; ++i)
		n += sim_delivered_seq(node, i) < sim_delivered_seq(node, i - 1);
	return n;
}

TEST(lossy_link_loss_duplication_reordering)
{
	struct sim sim;
	struct sim_node *a, *b;
	const uint32_t count = 9000, burst = 3;

	sim_init(&sim, 400);
	sim.loss_percent = 15;
	sim.duplicate_percent = 10;
	sim.jitter = 40 * SIM_MS; /* bursts leave together and arrive in any order */
	a = sim_add_node(&sim);
	b = sim_add_node(&sim);
	sim_connect(a, b, NULL, false);
	for (uint32_t i = 0; i < count; i += burst) {
		for (uint32_t j = i; j < i + burst; ++j) {
			sim_send_ip(a, b, 10000 + j, 60 + j % 700);
			if (wg_endpoint_is_set(&sim_peer(b, a)->endpoint))
				sim_send_ip(b, a, 50000 + j, 60 + j % 500);
		}
		sim_run_for(&sim, 100 * SIM_MS);
	}
	sim_run_for(&sim, 5 * S);
	check_deliveries(b, 10000, count);
	check_deliveries(a, 50000, count);
	CHECK(out_of_order(b) > 100 && out_of_order(a) > 100);
	/* Most got through (15% loss, and packets staged while handshakes were lost). */
	CHECK(b->delivered.count > count * 70 / 100);
	CHECK(a->delivered.count > count * 70 / 100);
	/* 300 s: the session was renewed at least twice despite lost handshake messages. */
	CHECK(sim_peer(a, b)->handshakes_completed >= 3);
	CHECK(b->device.stats.rx_replayed > 0); /* the duplicates */
	CHECK(sim.duplicated > 0 && sim.dropped > 0);
	sim_free(&sim);
}

/* Everything a sent, sent to b again from another address: nothing is accepted or answered. */
TEST(lossy_replay_never_accepted)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_endpoint attacker, before;
	size_t delivered, b_sent;

	sim_pair(&sim, 401, &a, &b, NULL, false);
	for (uint32_t i = 0; i < 50; ++i) {
		sim_send_ip(a, b, i, 100);
		sim_run_for(&sim, 500 * SIM_MS);
	}
	delivered = b->delivered.count;
	b_sent = b->sent.count;
	before = sim_peer(b, a)->endpoint;
	wg_endpoint_parse(&attacker, "203.0.113.9:4444");
	for (size_t i = 0; i < a->sent.count; ++i)
		sim_inject(&sim, b->id, &attacker, a->sent.records[i].data, a->sent.records[i].len, i * SIM_MS);
	sim_run_for(&sim, 2 * S);
	CHECK_EQ(b->delivered.count, delivered);
	/* The replayed initiation is refused (old timestamp): no response, no new session. */
	CHECK_EQ(b->sent.count, b_sent);
	CHECK(b->device.stats.rx_handshake_failed >= 1);
	CHECK(b->device.stats.rx_replayed >= 50);
	CHECK(wg_endpoint_equal(&sim_peer(b, a)->endpoint, &before));
	sim_free(&sim);
}

/* Everything a sent, bounced back to a: none of it means anything to a. */
TEST(lossy_reflection_never_accepted)
{
	struct sim sim;
	struct sim_node *a, *b;
	size_t a_sent, a_delivered;

	sim_pair(&sim, 402, &a, &b, NULL, true);
	for (uint32_t i = 0; i < 20; ++i) {
		sim_send_ip(a, b, i, 100);
		sim_send_ip(b, a, 100 + i, 100);
		sim_run_for(&sim, 500 * SIM_MS);
	}
	a_sent = a->sent.count;
	a_delivered = a->delivered.count;
	for (size_t i = 0; i < a_sent; ++i)
		sim_inject(&sim, a->id, &b->addr, a->sent.records[i].data, a->sent.records[i].len, 0);
	sim_run_for(&sim, 2 * S);
	CHECK_EQ(a->delivered.count, a_delivered);
	CHECK_EQ(a->sent.count, a_sent);
	CHECK(a->device.stats.rx_invalid_mac + a->device.stats.rx_unknown_index + a->device.stats.rx_decrypt_failed >=
	      a_sent);
	sim_free(&sim);
}
