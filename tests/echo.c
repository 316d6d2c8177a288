/*
 * Echo probes on virtual time: the requests are well-formed ICMP from the tunnel's address to
 * the probe address at the interval, the peer's answers (made here, as its operating system
 * would) give the round trip and are never delivered, unanswered ones count as lost, and other
 * ICMP passes through untouched.
 */
#include <arpa/inet.h>
#include <string.h>

#include "core/echo.h"
#include "harness.h"
#include "netsim.h"

static bool drop_replies;

static bool drop(struct sim *sim, int from, int to, const uint8_t *msg, size_t len)
{
	(void)sim;
	(void)to;
	(void)len;
	return drop_replies && from == 1 && msg[0] == WG_MESSAGE_DATA;
}

static uint16_t checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* What b's operating system does with the echo requests it was delivered since *cursor: answers
 * each (addresses swapped, type 0, checksum redone), or, with `id_delta`, answers with another
 * identifier. Returns how many requests there were. */
static unsigned answer(struct sim_node *b, size_t *cursor, uint16_t id_delta)
{
	unsigned n = 0;

	for (; *cursor < b->delivered.count; ++*cursor) {
		const struct sim_record *r = &b->delivered.records[*cursor];
		uint8_t buffer[WG_PACKET_HEADROOM + 64 + WG_PACKET_TAILROOM], *p = buffer + WG_PACKET_HEADROOM;

		if (r->len != 44 || r->data[9] != 1 || r->data[20] != 8)
			continue;
		++n;
		memcpy(p, r->data, r->len);
		memcpy(p + 12, r->data + 16, 4);
		memcpy(p + 16, r->data + 12, 4);
		p[20] = 0;
		wg_be16_put(p + 24, (uint16_t)(wg_be16_get(p + 24) + id_delta));
		p[22] = p[23] = 0;
		wg_be16_put(p + 22, checksum(p + 20, 24));
		wg_device_send(&b->device, p, r->len);
	}
	return n;
}

/* Runs for `duration` in 1 ms steps, b answering at once. */
static void run_answering(struct sim *sim, struct sim_node *b, size_t *cursor, uint64_t duration, uint16_t id_delta)
{
	for (uint64_t t = 0; t < duration; t += SIM_MS) {
		sim_run_for(sim, SIM_MS);
		answer(b, cursor, id_delta);
	}
}

static void setup(struct sim *sim, uint64_t seed, struct sim_node **a, struct sim_node **b)
{
	drop_replies = false;
	sim_init(sim, seed);
	sim->drop = drop;
	*a = sim_add_node(sim);
	*b = sim_add_node(sim);
	sim_connect(*a, *b, NULL, false);
	wg_echo_set_target(sim_peer(*a, *b), AF_INET, (*b)->tunnel_ip);
}

TEST(echo_probes_measure_the_round_trip)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa;
	size_t cursor = 0;
	const struct sim_record *request;

	setup(&sim, 950, &a, &b);
	pa = sim_peer(a, b);
	run_answering(&sim, b, &cursor, 31 * SIM_SECOND, 0);
	/* One every 5 s from the first tick on, each from a's tunnel address to the probe address. */
	CHECK(pa->echo->sent >= 6 && pa->echo->sent <= 7);
	CHECK(pa->echo->answered + 1 >= pa->echo->sent); /* the last may be on its way */
	CHECK_EQ(pa->echo->lost, 0);
	request = &b->delivered.records[0];
	CHECK(!memcmp(request->data + 12, a->tunnel_ip, 4) && !memcmp(request->data + 16, b->tunnel_ip, 4));
	CHECK_EQ(checksum(request->data, 20), 0);
	CHECK_EQ(checksum(request->data + 20, 24), 0);
	/* The first waited for the handshake (a round trip more); the others: 2 x 10 ms, and up
	 * to the millisecond the answer waited for. */
	CHECK(pa->echo->rtt_last >= 20 * SIM_MS && pa->echo->rtt_last <= 22 * SIM_MS);
	CHECK(pa->echo->rtt_min >= 20 * SIM_MS && pa->echo->rtt_min <= 22 * SIM_MS);
	CHECK(pa->echo->rtt_max <= 45 * SIM_MS);
	/* The answers were a's own: none reached a's tunnel. */
	CHECK_EQ(a->delivered.count, 0);
	sim_free(&sim);
}

TEST(echo_unanswered_probes_count_as_lost)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa;
	size_t cursor = 0;

	setup(&sim, 951, &a, &b);
	pa = sim_peer(a, b);
	run_answering(&sim, b, &cursor, 11 * SIM_SECOND, 0);
	CHECK(pa->echo->answered >= 2);
	drop_replies = true;
	run_answering(&sim, b, &cursor, 20 * SIM_SECOND, 0);
	drop_replies = false;
	run_answering(&sim, b, &cursor, 12 * SIM_SECOND, 0);
	/* Four sent into the silence, each given up 5 s later; the rest answered. */
	CHECK_EQ(pa->echo->lost, 4);
	CHECK(pa->echo->answered + pa->echo->lost + 1 >= pa->echo->sent);
	sim_free(&sim);
}

/* A reply that is not ours (another identifier: someone else's ping) is delivered as usual. */
TEST(echo_other_replies_are_delivered)
{
	struct sim sim;
	struct sim_node *a, *b;
	size_t cursor = 0;

	setup(&sim, 952, &a, &b);
	run_answering(&sim, b, &cursor, 11 * SIM_SECOND, 1);
	CHECK_EQ(sim_peer(a, b)->echo->answered, 0);
	CHECK(a->delivered.count >= 2);
	/* Removing the probe stops the echoes. */
	wg_echo_set_target(sim_peer(a, b), 0, NULL);
	cursor = b->delivered.count;
	run_answering(&sim, b, &cursor, 11 * SIM_SECOND, 1);
	CHECK_EQ(b->delivered.count, cursor);
	sim_free(&sim);
}
