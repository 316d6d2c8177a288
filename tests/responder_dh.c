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

/* Initiations are taken off the link here, for the test to hand to the responder itself. */
static struct sim_record captured[4];
static size_t captured_count;

static bool capture_initiations(struct sim *sim, int from, int to, const uint8_t *msg, size_t len)
{
	(void)sim, (void)from, (void)to;
	if (msg[0] != WG_MESSAGE_HANDSHAKE_INITIATION || captured_count == 4)
		return false;
	captured[captured_count].len = len;
	memcpy(captured[captured_count++].data, msg, len);
	return true;
}

static void start_capturing(struct sim *sim)
{
	captured_count = 0;
	sim->drop = capture_initiations;
}

static bool responder_dh(struct wg_responder_dh *dh, const struct sim_node *node, const struct sim_record *msg)
{
	return wg_noise_responder_dh(dh, (const struct wg_message_initiation *)msg->data,
				     &node->device.static_identity.private_key, node->device.static_identity.static_public,
				     &node->device.env);
}

TEST(responder_dh_completes_the_handshake)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_responder_dh dh;

	sim_pair(&sim, 310, &a, &b, NULL, false);
	start_capturing(&sim);
	sim_send_ip(a, b, 7, 100);
	sim_run_for(&sim, sim.latency);
	CHECK_EQ(captured_count, 1);

	CHECK(responder_dh(&dh, b, &captured[0]));
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 0);
	CHECK_EQ(wg_device_receive_precomputed(&b->device, captured[0].data, captured[0].len, &a->addr, &dh), 0);
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
	start_capturing(&sim);
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, sim.latency);
	CHECK(responder_dh(&dh, b, &captured[0]));

	memset(new_key, 0x5a, sizeof(new_key));
	wg_device_set_private_key(&b->device, new_key);
	CHECK_EQ(wg_device_receive_precomputed(&b->device, captured[0].data, captured[0].len, &a->addr, &dh),
		 -EBADMSG);
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
	start_capturing(&sim);
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, 6 * SIM_SECOND); /* REKEY_TIMEOUT, and a retry */
	CHECK(captured_count >= 2);

	CHECK(responder_dh(&dh, b, &captured[0]));
	CHECK_EQ(wg_device_receive_precomputed(&b->device, captured[1].data, captured[1].len, &a->addr, &dh),
		 -EBADMSG);
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
	start_capturing(&sim);
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, sim.latency);

	CHECK(!responder_dh(&dh, c, &captured[0]));
	CHECK(dh.ephemeral.pkey == NULL);
	CHECK_EQ(wg_device_receive_precomputed(&c->device, captured[0].data, captured[0].len, &a->addr, &dh),
		 -EBADMSG);
	CHECK_EQ(c->device.stats.rx_handshake_failed, 1);
	sim_free(&sim);
}
