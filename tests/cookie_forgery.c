/*
 * An on-path attacker who sees our initiations but cannot drop packets can forge cookie replies:
 * their key is HASH("cookie--" || responder's public key) and their additional data our mac1,
 * both visible on the wire. Whatever it sends, the handshake in flight completes on the normal
 * schedule, we start no more than one handshake per REKEY_TIMEOUT (a cookie buys at most one
 * resend of the message in flight, unchanged but for mac2), our timestamps never run ahead of
 * the clock, and so a restart afterwards handshakes at once.
 */
#include <string.h>

#include "core/cookie.h"
#include "harness.h"
#include "netsim.h"

#define S SIM_SECOND

/* The attacker: a cookie checker of its own, keyed by the victim's public key, answers every
 * initiation it sees towards `target` 1 ms later, ahead of the genuine response. */
struct forger {
	struct wg_cookie_checker checker;
	int victim, target;
	unsigned forged;
	bool responder_unreachable;
};

static struct forger forger;

static bool watch_initiations(struct sim *sim, int from, int to, const uint8_t *msg, size_t len)
{
	struct sim_node *victim = &sim->nodes[forger.victim];
	struct wg_message_cookie cookie;

	if (from == forger.victim && to == forger.target && len == sizeof(struct wg_message_initiation) &&
	    msg[0] == WG_MESSAGE_HANDSHAKE_INITIATION &&
	    !wg_cookie_message_create(&cookie, msg, len, &forger.checker, &victim->addr, &victim->device.env)) {
		sim_inject(sim, forger.victim, &sim->nodes[forger.target].addr, (uint8_t *)&cookie, sizeof(cookie),
			   SIM_MS);
		++forger.forged;
	}
	return to == forger.target && forger.responder_unreachable;
}

static void forger_start(struct sim *sim, const struct sim_node *victim, const struct sim_node *target)
{
	memset(&forger, 0, sizeof(forger));
	forger.victim = victim->id;
	forger.target = target->id;
	wg_cookie_checker_precompute_device_keys(&forger.checker, target->public_key);
	sim->drop = watch_initiations;
}

/* What a TAI64N timestamp of this wall time (rounded down as ours are) would be. */
static void timestamp_of(uint8_t out[WG_NOISE_TIMESTAMP_LEN], uint64_t wall_ns)
{
	uint8_t none[WG_NOISE_TIMESTAMP_LEN] = { 0 };

	wg_noise_tai64n_now(out, none, wall_ns);
}

static bool timestamp_ahead_of_clock(struct sim *sim, const struct wg_peer *peer)
{
	uint8_t clock[WG_NOISE_TIMESTAMP_LEN];

	timestamp_of(clock, sim->wall_base + sim->now);
	return memcmp(peer->handshake.last_sent_timestamp, clock, sizeof(clock)) > 0;
}

/* Distinct handshakes among the initiations a node sent: each has its own sender index. */
static size_t handshakes_started(const struct sim_node *node, uint64_t since, uint64_t *times, size_t cap)
{
	size_t n = 0;
	uint32_t last_index = 0;

	for (size_t i = 0; i < node->sent.count; ++i) {
		const struct sim_record *r = &node->sent.records[i];
		uint32_t index;

		if (r->at < since || r->data[0] != WG_MESSAGE_HANDSHAKE_INITIATION)
			continue;
		index = wg_le32_get(r->data + 4);
		if (n && index == last_index)
			continue;
		if (n < cap)
			times[n] = r->at;
		++n;
		last_index = index;
	}
	return n;
}

TEST(cookie_forgery_cannot_stall_the_handshake)
{
	struct sim sim;
	struct sim_node *a, *b;

	sim_pair(&sim, 700, &a, &b, NULL, false);
	forger_start(&sim, a, b);
	sim_send_ip(a, b, 1, 100);
	/* One round trip and the confirming packet: the genuine response still fits. */
	sim_run_for(&sim, 3 * sim.latency + SIM_MS);
	CHECK(forger.forged >= 1);
	CHECK_EQ(sim_peer(a, b)->handshakes_completed, 1);
	CHECK_EQ(b->delivered.count, 1);
	/* The forged cookie bought one resend of the same initiation, which b refused. */
	CHECK_EQ(sim_sent_count(a, WG_MESSAGE_HANDSHAKE_INITIATION), 2);
	CHECK_EQ(handshakes_started(a, 0, NULL, 0), 1);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 1);
	CHECK(!timestamp_ahead_of_clock(&sim, sim_peer(a, b)));
	/* Traffic carries on under the session; the attacker keeps trying for a minute. */
	for (int i = 0; i < 60; ++i) {
		sim_send_ip(a, b, (uint32_t)(2 + i), 100);
		sim_run_for(&sim, S);
	}
	CHECK_EQ(b->delivered.count, 61);
	CHECK_EQ(handshakes_started(a, 0, NULL, 0), 1);
	sim_free(&sim);
}

/* The responder never answers: retries go out every REKEY_TIMEOUT and no faster, each with at
 * most one cookie-bought resend, and the attempts end as they would without the attacker. */
TEST(cookie_forgery_cannot_raise_the_initiation_rate)
{
	struct sim sim;
	struct sim_node *a, *b;
	uint64_t times[64], t0;
	size_t n;

	sim_pair(&sim, 701, &a, &b, NULL, false);
	forger_start(&sim, a, b);
	forger.responder_unreachable = true;
	t0 = sim.now;
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, 200 * S);
	n = handshakes_started(a, t0, times, 64);
	CHECK_EQ(n, WG_MAX_TIMER_HANDSHAKES + 2);
	for (size_t i = 1; i < n && i < 64; ++i)
		CHECK(times[i] - times[i - 1] >= WG_REKEY_TIMEOUT * S);
	CHECK(sim_sent_count(a, WG_MESSAGE_HANDSHAKE_INITIATION) <= 2 * n);
	CHECK(forger.forged >= n);
	CHECK(!timestamp_ahead_of_clock(&sim, sim_peer(a, b)));
	sim_free(&sim);
}

/* After a minute of forged cookies the initiator restarts (its per-peer timestamp floor is
 * gone): its honest initiation must be newer than anything b accepted, or b would refuse it as
 * a replay until the wall clock caught up. */
TEST(cookie_forgery_leaves_no_timestamp_ahead_after_restart)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa;

	sim_pair(&sim, 702, &a, &b, NULL, false);
	forger_start(&sim, a, b);
	for (int i = 0; i < 60; ++i) {
		pa = sim_peer(a, b);
		/* Each second a's keys are thrown away, so every packet needs a new handshake. */
		wg_noise_expire_current_peer_keypairs(pa);
		pa->has_sent_handshake = false;
		sim_send_ip(a, b, (uint32_t)i, 100);
		sim_run_for(&sim, S);
		CHECK(!timestamp_ahead_of_clock(&sim, pa));
	}
	sim.drop = NULL;
	sim_restart(a);
	sim_connect(a, b, NULL, false);
	sim_send_ip(a, b, 1000, 100);
	sim_run_for(&sim, 3 * sim.latency + SIM_MS);
	CHECK_EQ(sim_peer(a, b)->handshakes_completed, 1);
	CHECK_EQ(b->delivered.count, 61);
	CHECK_EQ(sim_delivered_seq(b, 60), 1000);
	sim_free(&sim);
}
