/*
 * A responder's Diffie-Hellman computed ahead of the peer's part (wg_noise_responder_dh, what
 * wgcd's worker threads do): the handshake completes as if done in one piece, and a result
 * that does not fit (another identity by now, another initiation) is refused and counted.
 */
#include <errno.h>
#include <string.h>

#include "core/send.h"
#include "harness.h"
#include "netsim.h"

static bool responder_dh(struct wg_responder_dh *dh, const struct sim_node *node, const struct sim_record *msg)
{
	return wg_noise_responder_dh(dh, (const struct wg_message_initiation *)msg->data,
				     &node->device.static_identity.private_key, node->device.static_identity.static_public,
				     &node->device.env);
}

static int receive_precomputed(struct sim_node *node, const struct sim_record *msg, const struct sim_node *from,
			       struct wg_responder_dh *dh)
{
	return wg_device_receive_precomputed(&node->device, msg->data, msg->len, &from->addr, dh);
}

TEST(responder_dh_completes_the_handshake)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_responder_dh dh;

	sim_pair(&sim, 310, &a, &b, NULL, false);
	sim.capture_type = WG_MESSAGE_HANDSHAKE_INITIATION;
	sim_send_ip(a, b, 7, 100);
	sim_run_for(&sim, sim.latency);
	CHECK_EQ(sim.captured.count, 1);

	CHECK(responder_dh(&dh, b, &sim.captured.records[0]));
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

/* Our private key changed while the workers computed: the result is for a key we no longer
 * have, and answering with it would be a handshake under the old one. */
TEST(responder_dh_for_a_replaced_identity_is_refused)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_responder_dh dh;
	uint8_t new_key[32];

	sim_pair(&sim, 311, &a, &b, NULL, false);
	sim.capture_type = WG_MESSAGE_HANDSHAKE_INITIATION;
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, sim.latency);
	CHECK(responder_dh(&dh, b, &sim.captured.records[0]));

	memset(new_key, 0x5a, sizeof(new_key));
	wg_device_set_private_key(&b->device, new_key);
	CHECK_EQ(receive_precomputed(b, &sim.captured.records[0], a, &dh), -EBADMSG);
	CHECK_EQ(b->device.stats.rx_handshake_failed, 1);
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

	sim_pair(&sim, 312, &a, &b, NULL, false);
	sim.capture_type = WG_MESSAGE_HANDSHAKE_INITIATION;
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, 6 * SIM_SECOND); /* REKEY_TIMEOUT, and a retry */
	CHECK(sim.captured.count >= 2);

	CHECK(responder_dh(&dh, b, &sim.captured.records[0]));
	CHECK_EQ(receive_precomputed(b, &sim.captured.records[1], a, &dh), -EBADMSG);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 0);
	wg_noise_responder_dh_clear(&dh);
	/* A response is no initiation. */
	CHECK_EQ(wg_device_receive_precomputed(&b->device, response, sizeof(response), &a->addr, &dh), -EINVAL);
	sim_free(&sim);
}

/* An initiation for someone else does not decrypt: nothing computed, and a cleared result
 * is refused too. */
TEST(responder_dh_of_an_initiation_to_another_key_fails)
{
	struct sim sim;
	struct sim_node *a, *b, *c;
	struct wg_responder_dh dh;

	sim_pair(&sim, 313, &a, &b, NULL, false);
	c = sim_add_node(&sim);
	sim.capture_type = WG_MESSAGE_HANDSHAKE_INITIATION;
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, sim.latency);

	CHECK(!responder_dh(&dh, c, &sim.captured.records[0]));
	CHECK(dh.ephemeral.pkey == NULL);
	CHECK_EQ(receive_precomputed(c, &sim.captured.records[0], a, &dh), -EBADMSG);
	CHECK_EQ(c->device.stats.rx_handshake_failed, 1);
	sim_free(&sim);
}
