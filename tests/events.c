/*
 * The core's events on virtual time (core/events.h): each at its moment with its facts, the
 * round trip exactly the link's, keys only while reporting them is on, an endpoint change only
 * for a new address, data after idle only after WG_IDLE_TIME, expiry with its reason.
 */
#include <string.h>

#include "core/send.h"
#include "harness.h"
#include "netsim.h"

#define S SIM_SECOND

TEST(events_handshake_in_order_with_its_round_trip)
{
	struct sim sim;
	struct sim_node *a, *b;
	const struct sim_event *e;

	sim_pair(&sim, 800, &a, &b, NULL, false);
	CHECK_EQ(sim_event_count(a, WG_EVENT_PEER_ADDED), 1);
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, 4 * sim.latency);
	e = sim_first_event(a, WG_EVENT_HANDSHAKE_INITIATED);
	CHECK(e && e->event.attempt == 1);
	/* Initiation out and response back: two latencies; the responder's, from its response to
	 * the first data under the session, two as well. */
	e = sim_first_event(a, WG_EVENT_HANDSHAKE_COMPLETE);
	CHECK(e && e->event.initiator && e->event.rtt == 2 * sim.latency);
	e = sim_first_event(b, WG_EVENT_HANDSHAKE_COMPLETE);
	CHECK(e && !e->event.initiator && e->event.rtt == 2 * sim.latency);
	CHECK_EQ(sim_event_count(a, WG_EVENT_KEYS_DERIVED), 1);
	CHECK_EQ(sim_event_count(b, WG_EVENT_KEYS_DERIVED), 1);
	/* b learned a's endpoint from the initiation. */
	e = sim_first_event(b, WG_EVENT_ENDPOINT_CHANGED);
	CHECK(e && wg_endpoint_equal(&e->endpoint, &a->addr));
	sim_free(&sim);
}

/* Off by default; on, both ends' keys match crossed, with the handshake's indices. */
TEST(events_keys_only_when_asked)
{
	struct sim sim;
	struct sim_node *a, *b;
	const struct sim_event *ea, *eb;
	uint8_t psk[32];

	memset(psk, 0x77, sizeof(psk));
	sim_pair(&sim, 801, &a, &b, psk, false);
	wg_device_report_keys(&a->device, true);
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, 4 * sim.latency);
	ea = sim_first_event(a, WG_EVENT_KEYS_DERIVED);
	eb = sim_first_event(b, WG_EVENT_KEYS_DERIVED);
	CHECK(ea && ea->has_keys && eb && !eb->has_keys);
	if (!ea || !ea->has_keys)
		goto out;
	CHECK(!memcmp(ea->keys.local_static_private, a->private_key, 32));
	CHECK(!memcmp(ea->keys.remote_static_public, b->public_key, 32));
	CHECK(!memcmp(ea->keys.preshared_key, psk, 32));
	CHECK_EQ(ea->keys.remote_index, sim_peer(a, b)->keypairs.current->remote_index);
	CHECK_EQ(ea->keys.local_index, sim_peer(a, b)->keypairs.current->entry.index);
	/* The ephemeral key is the initiation's: its public half went out in it. */
	{
		uint8_t pub[32];
		const struct sim_record *init = &a->sent.records[0];

		CHECK(wg_x25519_public(pub, ea->keys.local_ephemeral_private));
		CHECK(!memcmp(pub, ((const struct wg_message_initiation *)init->data)->unencrypted_ephemeral, 32));
	}
out:
	sim_free(&sim);
}

/* A new local source is kept quietly; a new address is news. */
TEST(events_endpoint_change_only_for_a_new_address)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_endpoint moved;
	struct wg_peer *pb;

	sim_pair(&sim, 802, &a, &b, NULL, true);
	pb = sim_peer(b, a);
	CHECK_EQ(sim_event_count(b, WG_EVENT_ENDPOINT_CHANGED), 1); /* configured */
	moved = pb->endpoint;
	moved.src.in.s_addr = 0x01020304;
	wg_peer_set_endpoint(pb, &moved);
	CHECK_EQ(sim_event_count(b, WG_EVENT_ENDPOINT_CHANGED), 1);
	moved.addr.in.sin_port ^= 1;
	wg_peer_set_endpoint(pb, &moved);
	CHECK_EQ(sim_event_count(b, WG_EVENT_ENDPOINT_CHANGED), 2);
	moved.transport = WG_TRANSPORT_TCP;
	wg_peer_set_endpoint(pb, &moved);
	CHECK_EQ(sim_event_count(b, WG_EVENT_ENDPOINT_CHANGED), 3);
	sim_free(&sim);
}

TEST(events_data_after_idle)
{
	struct sim sim;
	struct sim_node *a, *b;
	const struct sim_event *e;

	sim_pair(&sim, 803, &a, &b, NULL, false);
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, S);
	CHECK_EQ(sim_event_count(a, WG_EVENT_DATA_AFTER_IDLE), 1);
	CHECK_EQ(sim_event_count(b, WG_EVENT_DATA_AFTER_IDLE), 1);
	CHECK(sim_first_event(b, WG_EVENT_DATA_AFTER_IDLE)->event.received);
	/* Busy: no more of them. */
	for (int i = 0; i < 10; ++i) {
		sim_send_ip(a, b, (uint32_t)(2 + i), 100);
		sim_run_for(&sim, S);
	}
	CHECK_EQ(sim_event_count(a, WG_EVENT_DATA_AFTER_IDLE), 1);
	/* Quiet for longer than WG_IDLE_TIME (keepalives are not data), then data again. */
	sim_run_for(&sim, WG_IDLE_TIME + S);
	sim_send_ip(a, b, 100, 100);
	sim_run_for(&sim, S);
	CHECK_EQ(sim_event_count(a, WG_EVENT_DATA_AFTER_IDLE), 2);
	e = &a->events[a->event_count - 1];
	while (e > a->events && e->event.type != WG_EVENT_DATA_AFTER_IDLE)
		--e;
	CHECK(e->event.idle >= WG_IDLE_TIME && !e->event.received);
	sim_free(&sim);
}

/* A keypair used past REJECT_AFTER_TIME reports its age; the zeroing timer reports the wipe. */
TEST(events_keypair_expiry_and_wipe)
{
	struct sim sim;
	struct sim_node *a, *b;

	sim_pair(&sim, 804, &a, &b, NULL, false);
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, S);
	/* Reported when next used: the keypair is found too old on the way out. */
	sim_run_for(&sim, 181 * S);
	CHECK_EQ(sim_event_count(a, WG_EVENT_KEYPAIR_EXPIRED), 0);
	sim_send_ip(a, b, 2, 100);
	CHECK_EQ(sim_event_count(a, WG_EVENT_KEYPAIR_EXPIRED), 1);
	CHECK_EQ(sim_first_event(a, WG_EVENT_KEYPAIR_EXPIRED)->event.reason, WG_EXPIRED_AGE);
	/* The packet waits for a new session, which comes; then everything goes quiet for good. */
	sim_run_for(&sim, S);
	CHECK_EQ(b->delivered.count, 2);
	sim_run_for(&sim, 3 * WG_REJECT_AFTER_TIME * S + S);
	CHECK(sim_event_count(a, WG_EVENT_KEYPAIR_EXPIRED) >= 2);
	CHECK_EQ(a->events[a->event_count - 1].event.type, WG_EVENT_KEYPAIR_EXPIRED);
	CHECK_EQ(a->events[a->event_count - 1].event.reason, WG_EXPIRED_WIPED);
	sim_free(&sim);
}

TEST(events_peer_removed)
{
	struct sim sim;
	struct sim_node *a, *b;

	sim_pair(&sim, 805, &a, &b, NULL, false);
	sim_remove_peer(a, b->public_key);
	CHECK_EQ(sim_event_count(a, WG_EVENT_PEER_REMOVED), 1);
	sim_free(&sim);
}
