/*
 * Per-peer monitoring on virtual time: the states through a peer's life (and its death), the
 * handshake figures, throughput, inbound loss against what the link dropped, the history ring.
 */
#include <stdio.h>
#include <string.h>

#include "core/monitor.h"
#include "core/send.h"
#include "harness.h"
#include "netsim.h"

static bool link_down;
static unsigned drop_data_per_10000;
static uint64_t data_dropped;

/* A dead peer (both ways) or, for data from node 0 to node 1, a lossy direction. */
static bool drop(struct sim *sim, int from, int to, const uint8_t *msg, size_t len)
{
	(void)len;
	if (link_down)
		return true;
	if (from == 0 && to == 1 && msg[0] == WG_MESSAGE_DATA && sim_uniform(sim, 10000) < drop_data_per_10000) {
		++data_dropped;
		return true;
	}
	return false;
}

static void setup(struct sim *sim, uint64_t seed, struct sim_node **a, struct sim_node **b)
{
	link_down = false;
	drop_data_per_10000 = 0;
	data_dropped = 0;
	sim_init(sim, seed);
	sim->drop = drop;
	*a = sim_add_node(sim);
	*b = sim_add_node(sim);
	sim_connect(*a, *b, NULL, false);
}

/* a sends one packet every 100 ms for `duration`. */
static void traffic(struct sim *sim, struct sim_node *a, struct sim_node *b, uint64_t duration)
{
	for (uint64_t t = 0; t < duration; t += 100 * SIM_MS) {
		sim_send_ip(a, b, 1, 100);
		sim_run_for(sim, 100 * SIM_MS);
	}
}

static const struct wg_transition *last_transition(const struct wg_peer *peer)
{
	return wg_monitor_transition(&peer->monitor, peer->monitor.history_count - 1);
}

/* A transition's reason as text (valid until the next call). */
static const char *reason_of(const struct wg_transition *t)
{
	static char text[WG_MONITOR_REASON_MAX];

	wg_monitor_reason(t, text);
	return text;
}

TEST(monitor_states_through_life_and_death)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa, *pb;
	uint64_t died;

	setup(&sim, 900, &a, &b);
	pa = sim_peer(a, b);
	pb = sim_peer(b, a);
	CHECK_EQ(pa->monitor.state, WG_STATE_NEVER);
	traffic(&sim, a, b, SIM_SECOND);
	CHECK_EQ(pa->monitor.state, WG_STATE_CONNECTED);
	CHECK_EQ(pb->monitor.state, WG_STATE_CONNECTED);
	/* never -> handshaking -> connected; the handshake took one round trip of 2 x 10 ms. */
	CHECK(wg_monitor_transition(&pa->monitor, 0)->to == WG_STATE_HANDSHAKING ||
	      wg_monitor_transition(&pa->monitor, 1)->to == WG_STATE_HANDSHAKING);
	CHECK(strstr(reason_of(last_transition(pa)), "handshake completed in 20.0 ms") != NULL);
	CHECK_EQ(pa->monitor.latency_last, 20 * SIM_MS);
	CHECK_EQ(pa->monitor.latency_count, 1);
	CHECK_EQ(pa->monitor.handshakes, 1);
	CHECK(strstr(reason_of(last_transition(pb)), "(answered)") != NULL);
	CHECK_EQ(pb->monitor.latency_count, 0); /* a responder measures a round trip, not a latency */
	CHECK(pb->monitor.handshake_rtt > 0);

	/* b dies. a keeps sending: after 15 s without an answer a new handshake, retried every
	 * 5 s; stale when the fourth finds three unanswered, dead at the 21st (20 unanswered). */
	link_down = true;
	died = sim.now;
	traffic(&sim, a, b, 40 * SIM_SECOND);
	CHECK_EQ(pa->monitor.state, WG_STATE_STALE);
	CHECK(strstr(reason_of(last_transition(pa)), "no response to 3 initiations") != NULL);
	CHECK(pa->monitor.state_since - died >= 20 * SIM_SECOND && pa->monitor.state_since - died <= 35 * SIM_SECOND);
	sim_run_for(&sim, 100 * SIM_SECOND);
	CHECK_EQ(pa->monitor.state, WG_STATE_DEAD);
	CHECK(pa->monitor.handshake_failures >= 19);

	/* b comes back: the next retry (one every REKEY_TIMEOUT while traffic flows) completes. */
	link_down = false;
	traffic(&sim, a, b, 6 * SIM_SECOND);
	CHECK_EQ(pa->monitor.state, WG_STATE_CONNECTED);
	CHECK_EQ(pa->monitor.handshakes, 2);
	sim_free(&sim);
}

TEST(monitor_dead_attempts_shortened)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa;

	setup(&sim, 901, &a, &b);
	a->device.monitor_settings.dead_attempts = 5;
	pa = sim_peer(a, b);
	traffic(&sim, a, b, SIM_SECOND);
	link_down = true;
	traffic(&sim, a, b, 50 * SIM_SECOND);
	CHECK_EQ(pa->monitor.state, WG_STATE_DEAD);
	CHECK(strstr(reason_of(last_transition(pa)), "no response to 5 initiations") != NULL);
	sim_free(&sim);
}

/* Without traffic nothing is sent: the keys lapse (stale at 180 s), then silence is death. */
TEST(monitor_idle_peer_ages)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa;
	uint64_t connected;

	setup(&sim, 902, &a, &b);
	pa = sim_peer(a, b);
	traffic(&sim, a, b, 100 * SIM_MS);
	sim_run_for(&sim, SIM_SECOND);
	connected = pa->monitor.state_since;
	sim_run_for(&sim, 170 * SIM_SECOND);
	CHECK_EQ(pa->monitor.state, WG_STATE_CONNECTED);
	sim_run_for(&sim, 15 * SIM_SECOND);
	CHECK_EQ(pa->monitor.state, WG_STATE_STALE);
	CHECK(strstr(reason_of(last_transition(pa)), "keys expired after 180 s") != NULL);
	CHECK(pa->monitor.state_since - connected >= 180 * SIM_SECOND &&
	      pa->monitor.state_since - connected <= 182 * SIM_SECOND);
	sim_run_for(&sim, 420 * SIM_SECOND);
	CHECK_EQ(pa->monitor.state, WG_STATE_DEAD);
	CHECK(strstr(reason_of(last_transition(pa)), "no handshake for 600 s") != NULL);
	sim_free(&sim);
}

/* 50 packets a second of 100 bytes for 12 s: 50 messages a second of 16 bytes of header,
 * 112 padded and 16 of tag. */
TEST(monitor_throughput)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_monitor_rates rates;

	setup(&sim, 903, &a, &b);
	for (int i = 0; i < 12 * 50; ++i) {
		sim_send_ip(a, b, (uint32_t)i, 100);
		sim_run_for(&sim, 20 * SIM_MS);
	}
	wg_monitor_rates(&sim_peer(b, a)->monitor, &rates);
	CHECK(rates.rx_pps >= 49 && rates.rx_pps <= 51);
	CHECK(rates.rx_pps_avg >= 49 && rates.rx_pps_avg <= 51);
	CHECK(rates.rx_bps >= 49 * 144 * 8 && rates.rx_bps <= 51 * 144 * 8);
	CHECK_EQ(rates.tx_pps, 0);
	wg_monitor_rates(&sim_peer(a, b)->monitor, &rates);
	CHECK(rates.tx_pps_avg >= 49 && rates.tx_pps_avg <= 51);
	sim_free(&sim);
}

/* 2% of a's data to b dropped over 25,000 messages: b counts as lost what the link dropped but
 * for those still within the last 128 counters; nothing is lost the other way. */
TEST(monitor_inbound_loss_matches_the_link)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pb, *pa;
	double ratio;

	setup(&sim, 904, &a, &b);
	pa = sim_peer(a, b);
	pb = sim_peer(b, a);
	traffic(&sim, a, b, SIM_SECOND);
	drop_data_per_10000 = 200;
	for (int i = 0; i < 25000; ++i) {
		sim_send_ip(a, b, (uint32_t)i, 60);
		if (i % 10 == 0)
			sim_send_ip(b, a, (uint32_t)i, 60);
		if (i % 50 == 0)
			sim_run_for(&sim, 5 * SIM_MS);
	}
	sim_run_for(&sim, SIM_SECOND);
	CHECK(pb->rx_lost <= data_dropped && pb->rx_lost + 128 >= data_dropped);
	CHECK_EQ(pb->rx_late, 0); /* this link drops, it does not reorder */
	ratio = (double)pb->rx_lost / (double)(pb->rx_lost + pb->rx_messages);
	CHECK(ratio > 0.015 && ratio < 0.025);
	CHECK_EQ(pa->rx_lost, 0);
	CHECK_EQ(pb->rx_replayed, 0);
	sim_free(&sim);
}

/* The ring keeps the last 64 transitions, oldest first. */
TEST(monitor_history_keeps_the_last_64)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa;
	struct wg_endpoint endpoint;
	char text[32];

	setup(&sim, 905, &a, &b);
	pa = sim_peer(a, b);
	for (int i = 0; i < 100; ++i) {
		snprintf(text, sizeof(text), "192.0.2.%d:%d", i + 1, 1000 + i);
		CHECK_EQ(wg_endpoint_parse(&endpoint, text), 0);
		wg_peer_set_endpoint(pa, &endpoint);
	}
	CHECK_EQ(pa->monitor.history_count, WG_MONITOR_HISTORY);
	CHECK(strstr(reason_of(last_transition(pa)), "192.0.2.100:1099") != NULL);
	CHECK(strstr(reason_of(wg_monitor_transition(&pa->monitor, 0)), "192.0.2.37:1036") != NULL);
	sim_free(&sim);
}

/* Probes of another path (libwgc's fallback trying UDP) go unanswered as a rule: however many,
 * a connected peer stays connected and no handshake counts as failed. */
TEST(monitor_ignores_unanswered_path_probes)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa;
	struct wg_endpoint nowhere;

	setup(&sim, 906, &a, &b);
	pa = sim_peer(a, b);
	traffic(&sim, a, b, SIM_SECOND);
	nowhere = b->addr;
	nowhere.addr.in.sin_port = htons(9);
	for (int i = 0; i < 5; ++i) {
		sim_run_for(&sim, 6 * SIM_SECOND);
		CHECK_EQ(wg_packet_send_handshake_probe(pa, &nowhere), 0);
	}
	sim_run_for(&sim, 6 * SIM_SECOND);
	CHECK_EQ(pa->monitor.state, WG_STATE_CONNECTED);
	CHECK_EQ(pa->monitor.handshake_failures, 0);
	CHECK_EQ(pa->monitor.unanswered, 0);
	sim_free(&sim);
}

/* Down wipes the sessions (stale: keys wiped) and forgets the initiation in flight: the first
 * after up is not a failure. */
TEST(monitor_down_and_up)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa;

	setup(&sim, 907, &a, &b);
	pa = sim_peer(a, b);
	traffic(&sim, a, b, SIM_SECOND);
	link_down = true;
	traffic(&sim, a, b, 16 * SIM_SECOND); /* a new handshake left, unanswered */
	CHECK(pa->monitor.awaiting_response);
	wg_device_down(&a->device);
	CHECK_EQ(pa->monitor.state, WG_STATE_STALE);
	CHECK(strstr(reason_of(last_transition(pa)), "keys wiped") != NULL);
	link_down = false;
	wg_device_up(&a->device);
	traffic(&sim, a, b, SIM_SECOND);
	CHECK_EQ(pa->monitor.state, WG_STATE_CONNECTED);
	CHECK_EQ(pa->monitor.handshake_failures, 0);
	sim_free(&sim);
}
