/*
 * mac1, mac2 and cookie replies: the reference's bytes for replies in both directions, then
 * the rules (single use, bound to the mac1 we sent, expiry, secret rotation, rate limit).
 */
#include <arpa/inet.h>
#include <string.h>

#include "core/cookie.h"
#include "core/ratelimiter.h"
#include "harness.h"
#include "netsim.h"

#define V(buf, name) test_vector(buf, sizeof(buf), "wgref.txt", name)

struct pair {
	struct sim sim;
	struct sim_node *i, *r;
	struct wg_endpoint source;
	uint8_t script[56];
};

static void pair_setup(struct pair *p)
{
	uint8_t key[32];

	sim_init(&p->sim, 11);
	p->i = sim_add_node(&p->sim);
	p->r = sim_add_node(&p->sim);
	V(key, "initiator_static_private");
	sim_set_key(p->i, key);
	V(key, "responder_static_private");
	sim_set_key(p->r, key);
	sim_connect(p->i, p->r, NULL, true);
	wg_endpoint_parse(&p->source, "192.0.2.1:51820");
	/* What a first cookie reply draws: its nonce, then the checker's secret. */
	test_vector(p->script, 24, "wgref.txt", "cookie_nonce");
	test_vector(p->script + 24, 32, "wgref.txt", "cookie_secret");
}

static void script(struct sim_node *node, struct pair *p)
{
	node->script = p->script;
	node->script_len = sizeof(p->script);
}

TEST(cookie_reply_to_initiation_matches_reference)
{
	uint8_t init[148], want[148], reply_want[64];
	struct wg_message_cookie reply;
	struct wg_peer *peer;
	struct pair p;

	pair_setup(&p);
	peer = sim_peer(p.i, p.r);
	V(init, "initiation");
	/* The responder's cookie reply to that initiation, from that source. */
	script(p.r, &p);
	CHECK_EQ(wg_cookie_message_create(&reply, init, sizeof(init), &p.r->device.cookie_checker, &p.source,
					  &p.r->device.env), 0);
	V(reply_want, "cookie_reply");
	CHECK_MEM(&reply, reply_want, 64);

	/* The initiator, having sent that mac1, takes the cookie; the next macs carry mac2. */
	wg_cookie_add_mac_to_packet(init, sizeof(init), &peer->cookie, p.sim.now);
	V(want, "initiation");
	CHECK_MEM(init, want, 148);
	CHECK_EQ(wg_cookie_message_consume(&reply, &peer->cookie, p.sim.now), 0);
	wg_cookie_add_mac_to_packet(init, sizeof(init), &peer->cookie, p.sim.now);
	V(want, "initiation_with_mac2");
	CHECK_MEM(init, want, 148);

	/* And the responder, under load, accepts that mac2 from that source only. */
	CHECK_EQ(wg_cookie_validate_packet(&p.r->device.cookie_checker, init, 148, &p.source, true,
					   &p.r->device.ratelimiter, &p.r->device.env),
		 WG_VALID_MAC_WITH_COOKIE);
	p.source.addr.in.sin_port = htons(51821);
	CHECK_EQ(wg_cookie_validate_packet(&p.r->device.cookie_checker, init, 148, &p.source, true,
					   &p.r->device.ratelimiter, &p.r->device.env),
		 WG_VALID_MAC_BUT_NO_COOKIE);
	sim_free(&p.sim);
}

/* A reply to a response is encrypted under the initiator's key: the keys are not symmetric. */
TEST(cookie_reply_to_response_matches_reference)
{
	uint8_t resp[92], want[92], reply_want[64];
	struct wg_message_cookie reply;
	struct wg_peer *peer;
	struct pair p;

	pair_setup(&p);
	peer = sim_peer(p.r, p.i);
	V(resp, "response");
	script(p.i, &p);
	CHECK_EQ(wg_cookie_message_create(&reply, resp, sizeof(resp), &p.i->device.cookie_checker, &p.source,
					  &p.i->device.env), 0);
	V(reply_want, "cookie_reply_to_response");
	CHECK_MEM(&reply, reply_want, 64);
	wg_cookie_add_mac_to_packet(resp, sizeof(resp), &peer->cookie, p.sim.now);
	CHECK_EQ(wg_cookie_message_consume(&reply, &peer->cookie, p.sim.now), 0);
	wg_cookie_add_mac_to_packet(resp, sizeof(resp), &peer->cookie, p.sim.now);
	V(want, "response_with_mac2");
	CHECK_MEM(resp, want, 92);
	sim_free(&p.sim);
}

TEST(cookie_mac1_must_match)
{
	uint8_t init[148];
	struct pair p;

	pair_setup(&p);
	V(init, "initiation");
	CHECK_EQ(wg_cookie_validate_packet(&p.r->device.cookie_checker, init, 148, &p.source, false,
					   &p.r->device.ratelimiter, &p.r->device.env),
		 WG_VALID_MAC_BUT_NO_COOKIE);
	for (size_t i = 0; i < 148 - 16; i += 13) {
		init[i] ^= 1;
		CHECK_EQ(wg_cookie_validate_packet(&p.r->device.cookie_checker, init, 148, &p.source, false,
						   &p.r->device.ratelimiter, &p.r->device.env),
			 WG_INVALID_MAC);
		init[i] ^= 1;
	}
	/* mac1 is keyed to the receiver: the initiator itself does not accept it. */
	CHECK_EQ(wg_cookie_validate_packet(&p.i->device.cookie_checker, init, 148, &p.source, false,
					   &p.i->device.ratelimiter, &p.i->device.env),
		 WG_INVALID_MAC);
	sim_free(&p.sim);
}

TEST(cookie_single_use_and_bound_to_last_mac1)
{
	uint8_t init[148], other[148];
	struct wg_message_cookie reply;
	struct wg_peer *peer;
	struct pair p;

	pair_setup(&p);
	peer = sim_peer(p.i, p.r);
	V(init, "initiation");
	memcpy(other, init, sizeof(other));
	other[20] ^= 1;
	/* Nothing sent yet: no reply is wanted. */
	CHECK_EQ(wg_cookie_message_create(&reply, init, 148, &p.r->device.cookie_checker, &p.source,
					  &p.r->device.env), 0);
	CHECK(wg_cookie_message_consume(&reply, &peer->cookie, p.sim.now) < 0);
	/* A reply bound to a different mac1 than the one we last sent does not open. */
	wg_cookie_add_mac_to_packet(other, 148, &peer->cookie, p.sim.now);
	CHECK(wg_cookie_message_consume(&reply, &peer->cookie, p.sim.now) < 0);
	CHECK(!peer->cookie.is_valid);
	wg_cookie_add_mac_to_packet(init, 148, &peer->cookie, p.sim.now);
	CHECK_EQ(wg_cookie_message_consume(&reply, &peer->cookie, p.sim.now), 0);
	/* The same reply again: refused. */
	CHECK(wg_cookie_message_consume(&reply, &peer->cookie, p.sim.now) < 0);
	sim_free(&p.sim);
}

static bool has_mac2(const uint8_t *msg)
{
	static const uint8_t zero[16];

	return memcmp(msg + 132, zero, 16) != 0;
}

/* A cookie is used for 115 s; the responder's secret lives 120 s. */
TEST(cookie_expiry_and_secret_rotation)
{
	struct wg_message_cookie reply;
	struct wg_peer *peer;
	uint8_t init[148];
	struct pair p;

	pair_setup(&p);
	peer = sim_peer(p.i, p.r);
	V(init, "initiation");
	wg_cookie_add_mac_to_packet(init, 148, &peer->cookie, p.sim.now);
	wg_cookie_message_create(&reply, init, 148, &p.r->device.cookie_checker, &p.source, &p.r->device.env);
	CHECK_EQ(wg_cookie_message_consume(&reply, &peer->cookie, p.sim.now), 0);
	p.sim.now += 114 * SIM_SECOND;
	wg_cookie_add_mac_to_packet(init, 148, &peer->cookie, p.sim.now);
	CHECK(has_mac2(init));
	CHECK_EQ(wg_cookie_validate_packet(&p.r->device.cookie_checker, init, 148, &p.source, true,
					   &p.r->device.ratelimiter, &p.r->device.env),
		 WG_VALID_MAC_WITH_COOKIE);
	/* Past 120 s the responder has a new secret: the old cookie's mac2 no longer counts. */
	p.sim.now += 7 * SIM_SECOND;
	CHECK_EQ(wg_cookie_validate_packet(&p.r->device.cookie_checker, init, 148, &p.source, true,
					   &p.r->device.ratelimiter, &p.r->device.env),
		 WG_VALID_MAC_BUT_NO_COOKIE);
	wg_cookie_add_mac_to_packet(init, 148, &peer->cookie, p.sim.now);
	CHECK(!has_mac2(init));
	sim_free(&p.sim);
}

TEST(cookie_under_load_rate_limits_valid_sources)
{
	struct wg_message_cookie reply;
	struct wg_peer *peer;
	uint8_t init[148];
	struct pair p;
	int allowed = 0, limited = 0;

	pair_setup(&p);
	peer = sim_peer(p.i, p.r);
	V(init, "initiation");
	wg_cookie_add_mac_to_packet(init, 148, &peer->cookie, p.sim.now);
	wg_cookie_message_create(&reply, init, 148, &p.r->device.cookie_checker, &p.source, &p.r->device.env);
	wg_cookie_message_consume(&reply, &peer->cookie, p.sim.now);
	wg_cookie_add_mac_to_packet(init, 148, &peer->cookie, p.sim.now);
	for (int n = 0; n < 20; ++n) {
		enum wg_cookie_mac_state s = wg_cookie_validate_packet(&p.r->device.cookie_checker, init, 148, &p.source,
								       true, &p.r->device.ratelimiter, &p.r->device.env);
		allowed += s == WG_VALID_MAC_WITH_COOKIE;
		limited += s == WG_VALID_MAC_WITH_COOKIE_BUT_RATELIMITED;
	}
	CHECK_EQ(allowed, WG_RATELIMITER_PACKETS_BURSTABLE);
	CHECK_EQ(limited, 20 - WG_RATELIMITER_PACKETS_BURSTABLE);
	sim_free(&p.sim);
}
