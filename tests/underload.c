/*
 * Under load the responder answers handshakes without a valid mac2 with a cookie reply instead
 * of doing Diffie-Hellman; the initiator resends at once with mac2 and succeeds, well within
 * the second a flood may give it. Load lingers for a second after the backlog drains.
 */
#include <errno.h>

#include "core/send.h"
#include "harness.h"
#include "netsim.h"

#define S SIM_SECOND
#define LOADED (WG_MAX_QUEUED_INCOMING_HANDSHAKES / 8)

TEST(underload_cookie_then_handshake)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa, *pb;

	sim_pair(&sim, 300, &a, &b, NULL, false);
	pa = sim_peer(a, b);
	pb = sim_peer(b, a);
	wg_device_handshake_backlog(&b->device, LOADED);

	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, 2 * sim.latency);
	/* A cookie, not a response: b did no DH and kept no state for a. */
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_COOKIE), 1);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 0);
	CHECK_EQ(pb->handshake.state, WG_HANDSHAKE_ZEROED);
	CHECK_EQ(b->device.stats.cookie_replies_sent, 1);
	CHECK(pa->cookie.is_valid);
	/* The cookie makes a resend at once, not after REKEY_TIMEOUT; it carries mac2, and b, still
	 * loaded, answers it. */
	sim_run_for(&sim, 3 * sim.latency);
	CHECK_EQ(sim_sent_count(a, WG_MESSAGE_HANDSHAKE_INITIATION), 2);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 1);
	CHECK_EQ(b->delivered.count, 1);
	CHECK(wg_device_is_under_load(&b->device));
	/* One cookie, one resend: nothing more once the session stands. */
	sim_run_for(&sim, 6 * S);
	CHECK_EQ(sim_sent_count(a, WG_MESSAGE_HANDSHAKE_INITIATION), 2);
	sim_free(&sim);
}

TEST(underload_lingers_one_second)
{
	struct sim sim;
	struct sim_node *a;

	sim_init(&sim, 301);
	a = sim_add_node(&sim);
	CHECK(!wg_device_is_under_load(&a->device));
	wg_device_handshake_backlog(&a->device, LOADED - 1);
	CHECK(!wg_device_is_under_load(&a->device));
	wg_device_handshake_backlog(&a->device, LOADED);
	CHECK(wg_device_is_under_load(&a->device));
	wg_device_handshake_backlog(&a->device, 0);
	sim_run_for(&sim, 999 * SIM_MS);
	CHECK(wg_device_is_under_load(&a->device));
	sim_run_for(&sim, 2 * SIM_MS);
	CHECK(!wg_device_is_under_load(&a->device));
	sim_free(&sim);
}

/* Under load, even valid handshakes from one source are held to its rate. */
TEST(underload_rate_limits_a_flooding_source)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa;
	size_t floods = 0;

	sim_pair(&sim, 302, &a, &b, NULL, false);
	pa = sim_peer(a, b);
	wg_device_handshake_backlog(&b->device, LOADED);
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, 2 * sim.latency);
	CHECK(pa->cookie.is_valid);
	/* a (with its cookie) sends initiation after initiation, as fast as it can. */
	for (int i = 0; i < 30; ++i) {
		pa->has_sent_handshake = false;
		wg_packet_send_handshake_initiation(pa, false);
		++floods;
		sim_run_for(&sim, SIM_MS);
	}
	sim_run_for(&sim, S);
	CHECK_EQ(floods, 30);
	CHECK(b->device.stats.rx_ratelimited >= 20);
	CHECK(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE) <= WG_RATELIMITER_PACKETS_BURSTABLE + 1);
	sim_free(&sim);
}

/* The two steps of an I/O layer with a handshake queue: admission checks the macs and does no
 * Diffie-Hellman (or, under load, answers with a cookie reply); the handshake happens only when
 * the admitted message is received. */
TEST(underload_two_step_admission)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa, *pb;
	struct sim_record initiation;

	sim_pair(&sim, 303, &a, &b, NULL, false);
	pa = sim_peer(a, b);
	pb = sim_peer(b, a);
	wg_packet_send_handshake_initiation(pa, false);
	CHECK_EQ(a->sent.count, 1);
	initiation = a->sent.records[a->sent.count - 1];

	CHECK_EQ(wg_device_admit_handshake(&b->device, initiation.data, initiation.len, &a->addr), 0);
	CHECK_EQ(pb->handshake.state, WG_HANDSHAKE_ZEROED);
	CHECK_EQ(b->sent.count, 0);
	CHECK_EQ(wg_device_receive_admitted(&b->device, initiation.data, initiation.len, &a->addr), 0);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_RESPONSE), 1);

	wg_device_handshake_backlog(&b->device, LOADED);
	CHECK_EQ(wg_device_admit_handshake(&b->device, initiation.data, initiation.len, &a->addr), -EAGAIN);
	CHECK_EQ(sim_sent_count(b, WG_MESSAGE_HANDSHAKE_COOKIE), 1);
	CHECK_EQ(wg_device_admit_handshake(&b->device, initiation.data, 100, &a->addr), -EINVAL);
	CHECK_EQ(b->device.stats.rx_malformed, 1);
	sim_free(&sim);
}
