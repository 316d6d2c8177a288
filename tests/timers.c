/*
 * Every timer of the protocol on virtual time: rekey at 120 s without loss, expiry at 180 s,
 * retries with jitter and giving up after 20 tries, keepalive after 10 s of one-way traffic,
 * persistent keepalive cadence, the new-handshake timer, the last-minute rekey at 165 s, and
 * zeroing of all keys at 540 s.
 */
#include <string.h>

#include "core/send.h"
#include "harness.h"
#include "netsim.h"

#define S SIM_SECOND

/* Times (relative to t0) at which node sent messages of a type and, unless 0, a length. */
static size_t sent_times(const struct sim_node *node, int type, size_t len, uint64_t t0, uint64_t *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < node->sent.count && n < cap; ++i) {
		const struct sim_record *r = &node->sent.records[i];

		if (r->len >= 4 && wg_le32_get(r->data) == (uint32_t)type && (!len || r->len == len) && r->at >= t0)
			out[n++] = r->at - t0;
	}
	return n;
}

static size_t initiations_sent(const struct sim_node *node, uint64_t t0, uint64_t *out, size_t cap)
{
	return sent_times(node, WG_MESSAGE_HANDSHAKE_INITIATION, 0, t0, out, cap);
}

/* A keepalive is a data message with nothing inside. */
static size_t keepalives_sent(const struct sim_node *node, uint64_t t0, uint64_t *out, size_t cap)
{
	return sent_times(node, WG_MESSAGE_DATA, WG_DATA_OVERHEAD, t0, out, cap);
}

/* Both ways, a packet a second each, for 400 s: three rekeys by the initiator, nothing lost. */
TEST(timers_rekey_after_120s_without_loss)
{
	struct sim sim;
	struct sim_node *a, *b;
	uint64_t t0, times[16];
	size_t n;

	sim_pair(&sim, 200, &a, &b, NULL, false);
	t0 = sim.now;
	sim_send_ip(a, b, 0, 100);
	sim_run_for(&sim, 500 * SIM_MS);
	for (uint32_t i = 1; i < 400; ++i) {
		sim_send_ip(a, b, i, 100);
		sim_send_ip(b, a, i, 100);
		sim_run_for(&sim, S);
	}
	sim_run_for(&sim, S);
	CHECK_EQ(b->delivered.count, 400);
	CHECK_EQ(a->delivered.count, 399);
	for (size_t i = 0; i < b->delivered.count; ++i)
		CHECK_EQ(sim_delivered_seq(b, i), i);
	for (size_t i = 0; i < a->delivered.count; ++i)
		CHECK_EQ(sim_delivered_seq(a, i), i + 1);
	/* Only the initiator rekeys on time: at the first packet sent after 120 s of a keypair. */
	n = initiations_sent(a, t0, times, 16);
	CHECK_EQ(n, 4);
	for (size_t i = 1; i < n; ++i)
		CHECK(times[i] - times[i - 1] >= 120 * S && times[i] - times[i - 1] <= 122 * S);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_INITIATION), 0);
	CHECK_EQ(sim_peer(a, b)->handshakes_completed, 4);
	CHECK_EQ(sim_peer(b, a)->handshakes_completed, 4);
	CHECK_EQ(a->device.stats.rx_expired + b->device.stats.rx_expired, 0);
	sim_free(&sim);
}

static bool drop_b_to_a(struct sim *sim, int from, int to, const uint8_t *msg, size_t len)
{
	(void)sim, (void)to, (void)msg, (void)len;
	return from == 1;
}

/* A keypair sends for 180 s and not a moment longer; then the next packet waits for a handshake. */
TEST(timers_reject_after_180s)
{
	struct sim sim;
	struct sim_node *a, *b;
	uint8_t late_message[64];
	struct wg_peer *pb;
	uint64_t t0;
	size_t data_before;

	sim_pair(&sim, 201, &a, &b, NULL, false);
	sim_send_ip(a, b, 0, 100);
	t0 = sim.now;
	sim_run_for(&sim, S);
	pb = sim_peer(b, a);
	/* At 179 s the responder's keypair still sends. That packet is held back: arriving, it
	 * would make the initiator rekey at the last minute, which is another test. */
	sim_run_until(&sim, t0 + 179 * S);
	sim.drop = drop_b_to_a;
	data_before = sim_sent_count(b, WG_MESSAGE_DATA);
	sim_send_ip(b, a, 1, 100);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_DATA), data_before + 1);
	memcpy(late_message, b->sent.records[b->sent.count - 1].data, 64);
	/* At 181 s it does not: the packet is staged and b, the responder, initiates. */
	sim_run_until(&sim, t0 + 181 * S);
	sim.drop = NULL;
	CHECK(!wg_noise_keypair_can_send(pb->keypairs.current, sim.now));
	sim_send_ip(b, a, 2, 100);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_DATA), data_before + 1);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_INITIATION), 1);
	CHECK_EQ(pb->staged_count, 1);
	/* The receiver refuses the held-back message: its keypair is past 180 s there too. */
	sim_inject(&sim, a->id, &b->addr, late_message, 64, 0);
	sim_run_for(&sim, S);
	CHECK_EQ(a->device.stats.rx_expired, 1);
	CHECK_EQ(a->delivered.count, 1);
	CHECK_EQ(sim_delivered_seq(a, 0), 2);
	sim_free(&sim);
}

static bool drop_all(struct sim *sim, int from, int to, const uint8_t *msg, size_t len)
{
	(void)sim, (void)from, (void)to, (void)msg, (void)len;
	return true;
}

/* No answer: retry every REKEY_TIMEOUT plus jitter, give up after 20 tries (about 100 s). */
TEST(timers_retry_with_jitter_then_give_up_after_20_tries)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa;
	uint64_t t0, times[64];
	size_t n;
	bool jittered = false;

	sim_pair(&sim, 202, &a, &b, NULL, false);
	pa = sim_peer(a, b);
	sim.drop = drop_all;
	t0 = sim.now;
	sim_send_ip(a, b, 0, 100);
	sim_run_for(&sim, 300 * S);
	n = initiations_sent(a, t0, times, 64);
	/* As the kernel and wireguard-go count: 20 initiations. */
	CHECK_EQ(n, WG_MAX_TIMER_HANDSHAKES + 2);
	CHECK_EQ(n, 20);
	for (size_t i = 1; i < n; ++i) {
		uint64_t gap = times[i] - times[i - 1];

		CHECK(gap >= 5 * S && gap < 5 * S + WG_REKEY_TIMEOUT_JITTER_MAX);
		jittered |= gap != 5 * S;
	}
	CHECK(jittered);
	/* The last try came 19 timeouts after the first (95 s plus jitter); the staged packet was
	 * dropped when it gave up, one timeout later. */
	CHECK(times[n - 1] - times[0] >= 95 * S && times[n - 1] - times[0] < 95 * S + 19 * WG_REKEY_TIMEOUT_JITTER_MAX);
	CHECK_EQ(pa->staged_count, 0);
	CHECK_EQ(a->device.stats.tx_staged_dropped, 1);
	CHECK(!wg_timer_pending(&pa->timer_retransmit_handshake));
	/* The half-done handshake lingers until the zeroing timer, 540 s after giving up. */
	CHECK_EQ(pa->handshake.state, WG_HANDSHAKE_CREATED_INITIATION);
	CHECK(wg_timer_pending(&pa->timer_zero_key_material));
	sim_run_until(&sim, t0 + times[n - 1] + 5 * S + 3 * WG_REJECT_AFTER_TIME * S + S);
	CHECK_EQ(pa->handshake.state, WG_HANDSHAKE_ZEROED);
	CHECK_EQ(a->device.index_hashtable.count, 0);
	/* New data starts a new round of attempts. */
	sim.drop = NULL;
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, S);
	CHECK_EQ(b->delivered.count, 1);
	sim_free(&sim);
}

/* Data one way: the receiver answers with a keepalive after 10 s of its own silence. All of it
 * happens before the initiator's rekey at 120 s, whose handshake would cancel the timer. */
TEST(timers_keepalive_after_10s_of_one_way_traffic)
{
	struct sim sim;
	struct sim_node *a, *b;
	uint64_t t0, times[8];
	size_t n;

	sim_pair(&sim, 203, &a, &b, NULL, false);
	sim_send_ip(a, b, 0, 100);
	/* Let the keepalive for that first packet go by. */
	sim_run_for(&sim, 30 * S);
	t0 = sim.now;
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, 15 * S);
	n = keepalives_sent(b, t0, times, 8);
	CHECK_EQ(n, 1);
	CHECK_EQ(times[0], 10 * S + sim.latency);
	/* If the receiver has data of its own to send within 10 s, no keepalive. */
	t0 = sim.now;
	sim_send_ip(a, b, 2, 100);
	sim_run_for(&sim, 3 * S);
	sim_send_ip(b, a, 3, 100);
	sim_run_for(&sim, 15 * S);
	CHECK_EQ(keepalives_sent(b, t0, times, 8), 0);
	/* Data arriving while the timer runs earns one more keepalive after it, then quiet. */
	sim_run_for(&sim, 12 * S);
	t0 = sim.now;
	sim_send_ip(a, b, 4, 100);
	sim_run_for(&sim, 5 * S);
	sim_send_ip(a, b, 5, 100);
	sim_run_for(&sim, 25 * S);
	n = keepalives_sent(b, t0, times, 8);
	CHECK_EQ(n, 2);
	CHECK_EQ(times[1] - times[0], 10 * S);
	CHECK(sim.now - t0 < 120 * S);
	sim_free(&sim);
}

/* Persistent keepalive: one when switched on, then one per interval of silence. */
TEST(timers_persistent_keepalive_cadence)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_config_device c;
	uint64_t t0, t_data, times[32];
	size_t n;

	sim_pair(&sim, 204, &a, &b, NULL, false);
	sim_send_ip(a, b, 0, 100);
	sim_run_for(&sim, 20 * S);
	t0 = sim.now;
	wg_config_init(&c);
	wg_config_add_peer(&c, b->public_key)->flags = WG_PEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
	c.first_peer->persistent_keepalive_interval = 15;
	CHECK_EQ(wg_device_configure(&a->device, &c), 0);
	wg_config_free(&c);
	sim_run_for(&sim, 45 * S + S / 2);
	n = keepalives_sent(a, t0, times, 32);
	CHECK_EQ(n, 4);
	CHECK_EQ(times[0], 0);
	for (size_t i = 1; i < n; ++i)
		CHECK_EQ(times[i] - times[i - 1], 15 * S);
	/* The interval counts from the last authenticated packet either way. Data from a at T
	 * earns a keepalive from b at T + 10 s (arriving one latency later), and a's next
	 * persistent keepalive comes 15 s after that, still before the rekey at 120 s. */
	sim_run_until(&sim, t0 + 50 * S);
	t_data = sim.now;
	sim_send_ip(a, b, 1, 100);
	sim_run_until(&sim, t_data + 10 * S + 2 * sim.latency + 15 * S - SIM_MS);
	CHECK_EQ(keepalives_sent(a, t_data, times, 32), 0);
	sim_run_for(&sim, 2 * SIM_MS);
	CHECK_EQ(keepalives_sent(a, t_data, times, 32), 1);
	sim_free(&sim);
}

/* Sent data but heard nothing back for KEEPALIVE + REKEY_TIMEOUT: start a new handshake. */
TEST(timers_new_handshake_after_15s_of_silence)
{
	struct sim sim;
	struct sim_node *a, *b;
	uint64_t t0, times[4];

	sim_pair(&sim, 205, &a, &b, NULL, false);
	sim_send_ip(a, b, 0, 100);
	sim_run_for(&sim, 20 * S);
	sim.drop = drop_b_to_a;
	t0 = sim.now;
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, 14 * S);
	CHECK_EQ(initiations_sent(a, t0, times, 4), 0);
	sim_run_for(&sim, 2 * S);
	CHECK_EQ(initiations_sent(a, t0, times, 4), 1);
	CHECK(times[0] >= 15 * S && times[0] < 15 * S + WG_REKEY_TIMEOUT_JITTER_MAX);
	sim_free(&sim);
}

/* Traffic only from the responder (keepalives): the initiator rekeys once at 165 s. */
TEST(timers_lastminute_rekey_at_165s)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_config_device c;
	uint64_t t0, times[8];
	size_t n;

	sim_pair(&sim, 206, &a, &b, NULL, false);
	sim_send_ip(a, b, 0, 100);
	sim_run_for(&sim, 2 * sim.latency);
	t0 = sim.now;
	wg_config_init(&c);
	wg_config_add_peer(&c, a->public_key)->flags = WG_PEER_HAS_PERSISTENT_KEEPALIVE_INTERVAL;
	c.first_peer->persistent_keepalive_interval = 7;
	CHECK_EQ(wg_device_configure(&b->device, &c), 0);
	wg_config_free(&c);
	sim_run_for(&sim, 200 * S);
	n = initiations_sent(a, t0, times, 8);
	CHECK(n >= 1);
	CHECK(times[0] >= 165 * S - 2 * sim.latency && times[0] <= 173 * S);
	CHECK(sim_peer(a, b)->handshakes_completed >= 2);
	sim_free(&sim);
}

/* 540 s after the last session was derived, every key is gone. */
TEST(timers_zero_key_material_after_540s)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa, *pb;
	uint64_t t0;

	sim_pair(&sim, 207, &a, &b, NULL, false);
	sim_send_ip(a, b, 0, 100);
	t0 = sim.now;
	sim_run_for(&sim, S);
	pa = sim_peer(a, b);
	pb = sim_peer(b, a);
	sim_run_until(&sim, t0 + 539 * S);
	CHECK(pa->keypairs.current != NULL);
	CHECK(pb->keypairs.current != NULL);
	sim_run_until(&sim, t0 + 541 * S);
	CHECK(pa->keypairs.current == NULL && pa->keypairs.previous == NULL && pa->keypairs.next == NULL);
	CHECK(pb->keypairs.current == NULL && pb->keypairs.previous == NULL && pb->keypairs.next == NULL);
	CHECK_EQ(a->device.index_hashtable.count, 0);
	CHECK_EQ(b->device.index_hashtable.count, 0);
	sim_free(&sim);
}

/* However many packets ask, at most one initiation per REKEY_TIMEOUT. */
TEST(timers_one_initiation_per_rekey_timeout)
{
	struct sim sim;
	struct sim_node *a, *b;

	sim_pair(&sim, 208, &a, &b, NULL, false);
	sim.drop = drop_all;
	for (int i = 0; i < 40; ++i) {
		sim_send_ip(a, b, (uint32_t)i, 100);
		sim_run_for(&sim, 100 * SIM_MS);
	}
	CHECK_EQ(sim_sent_count(a, WG_MESSAGE_HANDSHAKE_INITIATION), 1);
	sim_free(&sim);
}
