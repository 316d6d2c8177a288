/*
 * A responder's Diffie-Hellman done ahead of the peer's part, in wgcd's four steps (noise.h):
 * es, the peer's checks, the response's ephemeral with ee and se, the commit. The handshake
 * completes as if done in one piece; a replay, a stranger's initiation or a peer's flood stops
 * at the checks, before the three multiplications of step 3; a result that does not fit
 * (another identity by now, another initiation, step 3 missing) is refused and counted.
 */
#include <errno.h>
#include <string.h>

#include "core/send.h"
#include "harness.h"
#include "netsim.h"

static const struct wg_message_initiation *initiation(const struct sim_record *msg)
{
	return (const struct wg_message_initiation *)msg->data;
}

static bool reveal(struct wg_responder_dh *dh, const struct sim_node *node, const struct sim_record *msg)
{
	return wg_noise_responder_reveal(dh, initiation(msg), &node->device.static_identity.private_key,
					 node->device.static_identity.static_public);
}

static int check(struct sim_node *node, const struct sim_record *msg, struct wg_responder_dh *dh)
{
	return wg_device_check_precomputed(&node->device, msg->data, msg->len, dh);
}

static int receive_precomputed(struct sim_node *node, const struct sim_record *msg, const struct sim_node *from,
			       struct wg_responder_dh *dh)
{
	return wg_device_receive_precomputed(&node->device, msg->data, msg->len, &from->addr, dh);
}

/* All four steps, as wgcd's loop and workers take them; the result of the commit. */
static int all_steps(struct sim_node *node, const struct sim_record *msg, const struct sim_node *from)
{
	struct wg_responder_dh dh;
	int ret = -EBADMSG;

	if (reveal(&dh, node, msg) && !check(node, msg, &dh) && wg_noise_responder_ephemeral(&dh, &node->device.env))
		ret = receive_precomputed(node, msg, from, &dh);
	wg_noise_responder_dh_clear(&dh);
	return ret;
}

/* a starts a handshake with b; its initiation is taken off the link. */
static void capture_initiation(struct sim *sim, struct sim_node **a, struct sim_node **b, uint64_t seed)
{
	sim_pair(sim, seed, a, b, NULL, false);
	sim->capture_type = WG_MESSAGE_HANDSHAKE_INITIATION;
	sim_send_ip(*a, *b, 7, 100);
	sim_run_for(sim, sim->latency);
}

TEST(responder_dh_completes_the_handshake)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_responder_dh dh;

	capture_initiation(&sim, &a, &b, 310);
	CHECK_EQ(sim.captured.count, 1);
	CHECK(reveal(&dh, b, &sim.captured.records[0]));
	CHECK(dh.ephemeral.pkey == NULL);
	CHECK_EQ(check(b, &sim.captured.records[0], &dh), 0);
	/* The check commits nothing: no state, no response yet. */
	CHECK_EQ(sim_peer(b, a)->handshake.state, WG_HANDSHAKE_ZEROED);
	CHECK(wg_noise_responder_ephemeral(&dh, &b->device.env));
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 0);
	CHECK_EQ(receive_precomputed(b, &sim.captured.records[0], a, &dh), 0);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 1);
	/* The response's ephemeral key now belongs to the handshake. */
	CHECK(dh.ephemeral.pkey == NULL);
	wg_noise_responder_dh_clear(&dh);

	/* a gets the response and sends what it staged; b takes it under the new session. */
	sim_run_for(&sim, 3 * sim.latency);
	CHECK_EQ(b->delivered.count, 1);
	CHECK_EQ(sim_delivered_seq(b, 0), 7);
	CHECK_EQ(b->device.stats.rx_handshake_failed, 0);
	sim_free(&sim);
}

/* What an eavesdropper can send without any key: the same initiation again. It stops at the
 * check, after es alone, and nothing of the peer's changes. */
TEST(responder_dh_replay_stops_before_the_response_dh)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_responder_dh dh;
	struct wg_peer *pb;

	capture_initiation(&sim, &a, &b, 314);
	pb = sim_peer(b, a);
	CHECK_EQ(all_steps(b, &sim.captured.records[0], a), 0);
	sim_run_for(&sim, 3 * sim.latency);
	CHECK(pb->keypairs.current != NULL);
	for (int i = 0; i < 3; ++i) {
		sim_run_for(&sim, 100 * SIM_MS);
		CHECK(reveal(&dh, b, &sim.captured.records[0]));
		CHECK_EQ(check(b, &sim.captured.records[0], &dh), -EBADMSG);
		wg_noise_responder_dh_clear(&dh);
	}
	CHECK_EQ(b->device.stats.rx_handshake_failed, 3);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 1);
	CHECK(pb->keypairs.current != NULL);
	sim_free(&sim);
}

/* Two copies of one initiation 20 ms apart both pass the check while neither is committed (the
 * rate rule allows one a 20 ms); the commit looks again, so only the first makes a handshake. */
TEST(responder_dh_commit_refuses_a_copy_that_passed_the_check)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_responder_dh first, copy;

	capture_initiation(&sim, &a, &b, 319);
	CHECK(reveal(&first, b, &sim.captured.records[0]));
	CHECK_EQ(check(b, &sim.captured.records[0], &first), 0);
	sim_run_for(&sim, 20 * SIM_MS);
	CHECK(reveal(&copy, b, &sim.captured.records[0]));
	CHECK_EQ(check(b, &sim.captured.records[0], &copy), 0);
	CHECK(wg_noise_responder_ephemeral(&first, &b->device.env));
	CHECK(wg_noise_responder_ephemeral(&copy, &b->device.env));
	CHECK_EQ(receive_precomputed(b, &sim.captured.records[0], a, &first), 0);
	CHECK_EQ(receive_precomputed(b, &sim.captured.records[0], a, &copy), -EBADMSG);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 1);
	wg_noise_responder_dh_clear(&first);
	wg_noise_responder_dh_clear(&copy);
	sim_free(&sim);
}

/* An initiation that decrypts under our key but from a key that is no peer of ours. */
TEST(responder_dh_stranger_stops_at_the_check)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_responder_dh dh;

	capture_initiation(&sim, &a, &b, 315);
	sim_remove_peer(b, a->public_key);
	CHECK(reveal(&dh, b, &sim.captured.records[0]));
	CHECK_EQ(check(b, &sim.captured.records[0], &dh), -EBADMSG);
	CHECK_EQ(b->device.stats.rx_handshake_failed, 1);
	wg_noise_responder_dh_clear(&dh);
	sim_free(&sim);
}

/* A peer's fresh initiations faster than 50 a second: only the first reaches step 3, even
 * before it is committed. */
TEST(responder_dh_flood_of_one_peer_stops_at_the_check)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_responder_dh first, second;
	struct wg_peer *pa;

	capture_initiation(&sim, &a, &b, 316);
	pa = sim_peer(a, b);
	sim_run_for(&sim, SIM_MS);
	pa->has_sent_handshake = false;
	wg_packet_send_handshake_initiation(pa, false);
	CHECK_EQ(sim.captured.count, 2);
	CHECK(reveal(&first, b, &sim.captured.records[0]));
	CHECK(reveal(&second, b, &sim.captured.records[1]));
	CHECK_EQ(check(b, &sim.captured.records[0], &first), 0);
	CHECK_EQ(check(b, &sim.captured.records[1], &second), -EBADMSG);
	/* 20 ms later the peer's rate allows another. */
	sim_run_for(&sim, 20 * SIM_MS);
	CHECK_EQ(check(b, &sim.captured.records[1], &second), 0);
	wg_noise_responder_dh_clear(&first);
	wg_noise_responder_dh_clear(&second);
	sim_free(&sim);
}

/* Our private key changed while the workers computed: the result is for a key we no longer
 * have, and answering with it would be a handshake under the old one. */
TEST(responder_dh_for_a_replaced_identity_is_refused)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_responder_dh dh;
	uint8_t new_key[32];

	capture_initiation(&sim, &a, &b, 311);
	CHECK(reveal(&dh, b, &sim.captured.records[0]));
	CHECK_EQ(check(b, &sim.captured.records[0], &dh), 0);
	CHECK(wg_noise_responder_ephemeral(&dh, &b->device.env));

	memset(new_key, 0x5a, sizeof(new_key));
	wg_device_set_private_key(&b->device, new_key);
	CHECK_EQ(check(b, &sim.captured.records[0], &dh), -EBADMSG);
	CHECK_EQ(receive_precomputed(b, &sim.captured.records[0], a, &dh), -EBADMSG);
	CHECK_EQ(b->device.stats.rx_handshake_failed, 2);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 0);
	wg_noise_responder_dh_clear(&dh);
	sim_free(&sim);
}

/* Computed for one initiation, committed with another: the transcript differs, so the
 * timestamp does not decrypt. */
TEST(responder_dh_of_another_initiation_is_refused)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_responder_dh dh;
	uint8_t response[sizeof(struct wg_message_response)] = { WG_MESSAGE_HANDSHAKE_RESPONSE };

	capture_initiation(&sim, &a, &b, 312);
	sim_run_for(&sim, 6 * SIM_SECOND); /* REKEY_TIMEOUT, and a retry */
	CHECK(sim.captured.count >= 2);

	CHECK(reveal(&dh, b, &sim.captured.records[0]));
	CHECK_EQ(check(b, &sim.captured.records[1], &dh), -EBADMSG);
	CHECK(wg_noise_responder_ephemeral(&dh, &b->device.env));
	CHECK_EQ(receive_precomputed(b, &sim.captured.records[1], a, &dh), -EBADMSG);
	wg_noise_responder_dh_clear(&dh);
	/* Checked for the first, committed with the second: what the check kept is not the
	 * second's. */
	CHECK(reveal(&dh, b, &sim.captured.records[0]));
	CHECK_EQ(check(b, &sim.captured.records[0], &dh), 0);
	CHECK(wg_noise_responder_ephemeral(&dh, &b->device.env));
	CHECK_EQ(receive_precomputed(b, &sim.captured.records[1], a, &dh), -EBADMSG);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 0);
	wg_noise_responder_dh_clear(&dh);
	/* A response is no initiation. */
	CHECK_EQ(wg_device_check_precomputed(&b->device, response, sizeof(response), &dh), -EINVAL);
	CHECK_EQ(wg_device_receive_precomputed(&b->device, response, sizeof(response), &a->addr, &dh), -EINVAL);
	sim_free(&sim);
}

/* A commit without step 3 is refused and keeps nothing: the same initiation, done properly,
 * still goes through afterwards. */
TEST(responder_dh_without_the_response_dh_keeps_nothing)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_responder_dh dh;

	capture_initiation(&sim, &a, &b, 317);
	CHECK(reveal(&dh, b, &sim.captured.records[0]));
	CHECK_EQ(check(b, &sim.captured.records[0], &dh), 0);
	CHECK_EQ(receive_precomputed(b, &sim.captured.records[0], a, &dh), -EBADMSG);
	CHECK_EQ(sim_peer(b, a)->handshake.state, WG_HANDSHAKE_ZEROED);
	wg_noise_responder_dh_clear(&dh);
	CHECK(!wg_noise_responder_ephemeral(&dh, &b->device.env));
	sim_run_for(&sim, 20 * SIM_MS);
	CHECK_EQ(all_steps(b, &sim.captured.records[0], a), 0);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 1);
	sim_free(&sim);
}

/* A response that could not be made (their ephemeral key is a low-order point: ee is zero)
 * does not count as a handshake we sent, so our own initiation is not held back. */
TEST(responder_dh_failed_response_does_not_hold_back_initiations)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_responder_dh dh;
	struct wg_peer *pb;

	capture_initiation(&sim, &a, &b, 318);
	pb = sim_peer(b, a);
	CHECK(reveal(&dh, b, &sim.captured.records[0]));
	CHECK_EQ(check(b, &sim.captured.records[0], &dh), 0);
	CHECK(wg_noise_responder_ephemeral(&dh, &b->device.env));
	memset(dh.ee, 0, sizeof(dh.ee));
	CHECK_EQ(receive_precomputed(b, &sim.captured.records[0], a, &dh), 0);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 0);
	CHECK(!pb->has_sent_handshake);
	wg_packet_send_handshake_initiation(pb, false);
	CHECK_EQ(sim.captured.count, 2);
	wg_noise_responder_dh_clear(&dh);
	sim_free(&sim);
}

/* An initiation for someone else does not decrypt: nothing computed, and a cleared result
 * is refused at every later step. */
TEST(responder_dh_of_an_initiation_to_another_key_fails)
{
	struct sim sim;
	struct sim_node *a, *b, *c;
	struct wg_responder_dh dh;

	capture_initiation(&sim, &a, &b, 313);
	c = sim_add_node(&sim);
	CHECK(!reveal(&dh, c, &sim.captured.records[0]));
	CHECK_EQ(check(c, &sim.captured.records[0], &dh), -EBADMSG);
	CHECK(!wg_noise_responder_ephemeral(&dh, &c->device.env));
	CHECK(dh.ephemeral.pkey == NULL);
	CHECK_EQ(receive_precomputed(c, &sim.captured.records[0], a, &dh), -EBADMSG);
	CHECK_EQ(c->device.stats.rx_handshake_failed, 2);
	sim_free(&sim);
}
