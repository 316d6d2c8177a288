/*
 * A probing initiation (wg_packet_send_handshake_probe): one initiation elsewhere than the
 * endpoint, never while a handshake is in flight, never retried; its answer completes a
 * handshake and moves the endpoint to where it came from.
 */
#include <errno.h>
#include <string.h>

#include "core/messages.h"
#include "core/peer.h"
#include "core/send.h"
#include "harness.h"
#include "netsim.h"

#define S SIM_SECOND

/* a and b with a session a started, and an endpoint of b's address where nothing answers. */
static struct wg_peer *established(struct sim *sim, uint64_t seed, struct sim_node **a, struct sim_node **b,
				   struct wg_endpoint *nowhere)
{
	sim_pair(sim, seed, a, b, NULL, false);
	sim_send_ip(*a, *b, 1, 100);
	sim_run_for(sim, 6 * S);
	*nowhere = (*b)->addr;
	nowhere->addr.in.sin_port = htons(9);
	return sim_peer(*a, *b);
}

TEST(probe_waits_for_the_handshake_in_flight)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa;

	sim_pair(&sim, 900, &a, &b, NULL, false);
	pa = sim_peer(a, b);
	sim_send_ip(a, b, 1, 100);
	/* The initiation just left: no probe beside it. */
	CHECK_EQ(wg_packet_send_handshake_probe(pa, &b->addr), -EBUSY);
	sim_run_for(&sim, S);
	CHECK_EQ(sim_event_count(a, WG_EVENT_HANDSHAKE_COMPLETE), 1);
	/* Within REKEY_TIMEOUT of it, still not. */
	CHECK_EQ(wg_packet_send_handshake_probe(pa, &b->addr), -EBUSY);
	sim_free(&sim);
}

TEST(probe_answer_moves_the_endpoint_and_completes_a_handshake)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa;
	struct wg_endpoint nowhere;
	size_t initiations;

	pa = established(&sim, 901, &a, &b, &nowhere);
	CHECK_EQ(sim_event_count(a, WG_EVENT_HANDSHAKE_COMPLETE), 1);
	/* a's endpoint for b goes somewhere nothing answers (a transport that broke). */
	wg_peer_set_endpoint(pa, &nowhere);
	initiations = sim_sent_count(a, WG_MESSAGE_HANDSHAKE_INITIATION);
	CHECK_EQ(wg_packet_send_handshake_probe(pa, &b->addr), 0);
	CHECK_EQ(sim_sent_count(a, WG_MESSAGE_HANDSHAKE_INITIATION), initiations + 1);
	sim_run_for(&sim, S);
	CHECK_EQ(sim_event_count(a, WG_EVENT_HANDSHAKE_COMPLETE), 2);
	CHECK(wg_endpoint_same_remote(&pa->endpoint, &b->addr));
	/* And the tunnel carries data there. */
	sim_send_ip(a, b, 2, 100);
	sim_run_for(&sim, S);
	CHECK_EQ(sim_delivered_seq(b, 1), 2);
	sim_free(&sim);
}

TEST(probe_unanswered_is_never_retried)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa;
	struct wg_endpoint nowhere;
	size_t initiations;

	pa = established(&sim, 902, &a, &b, &nowhere);
	initiations = sim_sent_count(a, WG_MESSAGE_HANDSHAKE_INITIATION);
	CHECK_EQ(wg_packet_send_handshake_probe(pa, &nowhere), 0);
	sim_run_for(&sim, 30 * S);
	CHECK_EQ(sim_sent_count(a, WG_MESSAGE_HANDSHAKE_INITIATION), initiations + 1);
	/* The session over the endpoint carries on meanwhile. */
	CHECK(wg_endpoint_same_remote(&pa->endpoint, &b->addr));
	sim_send_ip(a, b, 2, 100);
	sim_run_for(&sim, S);
	CHECK_EQ(sim_delivered_seq(b, 1), 2);
	/* A later probe may go again. */
	CHECK_EQ(wg_packet_send_handshake_probe(pa, &nowhere), 0);
	sim_free(&sim);
}
