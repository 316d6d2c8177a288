/*
 * The Noise_IKpsk2 handshake byte for byte against the independent Python reference
 * (vectors/wgref.py), and its state machine refusing messages out of turn.
 */
#include <string.h>

#include "core/noise.h"
#include "core/send.h"
#include "crypto/blake2s.h"
#include "harness.h"
#include "netsim.h"

#define V(buf, name) test_vector(buf, sizeof(buf), "wgref.txt", name)

TEST(noise_initial_chaining_key_and_hash)
{
	static const char construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
	static const char identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";
	uint8_t ck[32], hash[32], want[32];
	struct wg_blake2s_state state;

	wg_blake2s(ck, 32, construction, strlen(construction), NULL, 0);
	V(want, "initial_chaining_key");
	CHECK_MEM(ck, want, 32);
	wg_blake2s_init(&state, 32);
	wg_blake2s_update(&state, ck, 32);
	wg_blake2s_update(&state, identifier, strlen(identifier));
	wg_blake2s_final(&state, hash);
	V(want, "initial_hash");
	CHECK_MEM(hash, want, 32);
}

struct kat {
	struct sim sim;
	struct sim_node *initiator, *responder;
	uint8_t initiator_script[36], responder_script[36];
	uint8_t plaintext[64];
	size_t plaintext_len;
};

/* Two devices with the reference's keys, psk, ephemerals (scripted randomness) and clock. */
static void kat_setup(struct kat *k, bool with_psk)
{
	uint8_t key[32], psk[32];

	sim_init(&k->sim, 1);
	k->sim.wall_base = 1700000000ull * SIM_SECOND + (7ull << 24) - k->sim.now;
	k->initiator = sim_add_node(&k->sim);
	k->responder = sim_add_node(&k->sim);
	V(key, "initiator_static_private");
	sim_set_key(k->initiator, key);
	V(key, "responder_static_private");
	sim_set_key(k->responder, key);
	V(psk, "preshared_key");
	sim_connect(k->initiator, k->responder, with_psk ? psk : NULL, false);

	V(k->initiator_script, "initiator_ephemeral_private");
	test_unhex(k->initiator_script + 32, 4, "44332211");
	V(k->responder_script, "responder_ephemeral_private");
	test_unhex(k->responder_script + 32, 4, "88776655");
	k->initiator->script = k->initiator_script;
	k->initiator->script_len = sizeof(k->initiator_script);
	k->responder->script = k->responder_script;
	k->responder->script_len = sizeof(k->responder_script);
	k->plaintext_len = V(k->plaintext, "transport_plaintext");
}

TEST(noise_handshake_and_transport_match_reference)
{
	uint8_t buffer[WG_PACKET_HEADROOM + 64 + WG_PACKET_TAILROOM], want[256];
	struct kat k;
	size_t n;

	kat_setup(&k, true);
	/* The first packet for the responder starts the handshake and waits for it. */
	memcpy(buffer + WG_PACKET_HEADROOM, k.plaintext, k.plaintext_len);
	CHECK_EQ(wg_device_send(&k.initiator->device, buffer + WG_PACKET_HEADROOM, k.plaintext_len), 0);
	CHECK_EQ(k.initiator->sent.count, 1);
	n = V(want, "initiation");
	CHECK_EQ(k.initiator->sent.records[0].len, n);
	CHECK_MEM(k.initiator->sent.records[0].data, want, n);

	sim_run_for(&k.sim, k.sim.latency);
	CHECK_EQ(k.responder->sent.count, 1);
	n = V(want, "response");
	CHECK_EQ(k.responder->sent.records[0].len, n);
	CHECK_MEM(k.responder->sent.records[0].data, want, n);

	/* The response releases the staged packet, first under the new keys (counter 0). */
	sim_run_for(&k.sim, k.sim.latency);
	CHECK_EQ(k.initiator->sent.count, 2);
	n = V(want, "transport_counter0");
	CHECK_EQ(k.initiator->sent.records[1].len, n);
	CHECK_MEM(k.initiator->sent.records[1].data, want, n);
	wg_packet_send_keepalive(sim_peer(k.initiator, k.responder));
	n = V(want, "transport_keepalive_counter1");
	CHECK_EQ(k.initiator->sent.records[2].len, n);
	CHECK_MEM(k.initiator->sent.records[2].data, want, n);

	/* The responder decrypts it, trims the padding, and delivers exactly the packet. */
	sim_run_for(&k.sim, k.sim.latency);
	CHECK_EQ(k.responder->delivered.count, 1);
	CHECK_EQ(k.responder->delivered.records[0].len, k.plaintext_len);
	CHECK_MEM(k.responder->delivered.records[0].data, k.plaintext, k.plaintext_len);
	sim_free(&k.sim);
}

TEST(noise_response_without_psk_matches_reference)
{
	uint8_t want[92];
	struct kat k;

	kat_setup(&k, false);
	wg_packet_send_handshake_initiation(sim_peer(k.initiator, k.responder), false);
	sim_run_for(&k.sim, k.sim.latency);
	V(want, "nopsk_response");
	CHECK_EQ(k.responder->sent.count, 1);
	CHECK_MEM(k.responder->sent.records[0].data, want, sizeof(want));
	sim_free(&k.sim);
}

/* Each create/consume refuses to run from the wrong state and leaves things as they were. */
TEST(noise_state_machine_refuses_out_of_turn)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_peer *pa, *pb;
	struct wg_message_initiation init;
	struct wg_message_response resp;

	sim_pair(&sim, 2, &a, &b, NULL, true);
	pa = sim_peer(a, b);
	pb = sim_peer(b, a);

	/* No initiation consumed: no response can be made. */
	CHECK(!wg_noise_handshake_create_response(&resp, pb, NULL));
	CHECK(!wg_noise_handshake_begin_session(pb));
	CHECK(wg_noise_handshake_create_initiation(&init, pa));
	CHECK_EQ(pa->handshake.state, WG_HANDSHAKE_CREATED_INITIATION);
	/* The initiator cannot answer its own initiation, nor begin a session yet. */
	CHECK(!wg_noise_handshake_create_response(&resp, pa, NULL));
	CHECK(!wg_noise_handshake_begin_session(pa));
	/* Its own initiation is not for itself: mac aside, the static decrypts to no peer of a's. */
	CHECK(wg_noise_handshake_consume_initiation(&init, &a->device, NULL) == NULL);

	CHECK(wg_noise_handshake_consume_initiation(&init, &b->device, NULL) == pb);
	CHECK(wg_noise_handshake_create_response(&resp, pb, NULL));
	CHECK_EQ(pb->handshake.state, WG_HANDSHAKE_CREATED_RESPONSE);
	/* The responder does not consume responses. */
	CHECK(wg_noise_handshake_consume_response(&resp, &b->device) == NULL);
	CHECK(wg_noise_handshake_consume_response(&resp, &a->device) == pa);
	CHECK_EQ(pa->handshake.state, WG_HANDSHAKE_CONSUMED_RESPONSE);
	/* A response is consumed once. */
	CHECK(wg_noise_handshake_consume_response(&resp, &a->device) == NULL);
	CHECK(wg_noise_handshake_begin_session(pa));
	CHECK(wg_noise_handshake_begin_session(pb));
	CHECK_EQ(pa->handshake.state, WG_HANDSHAKE_ZEROED);
	CHECK_EQ(pb->handshake.state, WG_HANDSHAKE_ZEROED);
	/* Initiator's keypair is current at once; the responder's waits as next. */
	CHECK(pa->keypairs.current && pa->keypairs.current->i_am_the_initiator);
	CHECK(pb->keypairs.next && !pb->keypairs.current);
	/* The keypair answers to the handshake's index. */
	CHECK_EQ(pa->keypairs.current->remote_index, pb->keypairs.next->entry.index);
	CHECK_EQ(pb->keypairs.next->remote_index, pa->keypairs.current->entry.index);
	sim_free(&sim);
}

/* A replayed initiation (same timestamp) is refused even with a valid mac. */
TEST(noise_initiation_replay_and_flood_refused)
{
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_message_initiation init, again;
	struct wg_peer *pa;

	sim_pair(&sim, 3, &a, &b, NULL, true);
	pa = sim_peer(a, b);
	CHECK(wg_noise_handshake_create_initiation(&init, pa));
	CHECK(wg_noise_handshake_consume_initiation(&init, &b->device, NULL) != NULL);
	sim_run_for(&sim, SIM_SECOND);
	CHECK(wg_noise_handshake_consume_initiation(&init, &b->device, NULL) == NULL);
	/* A fresh initiation within 20 ms of the last accepted one is a flood. */
	CHECK(wg_noise_handshake_create_initiation(&again, pa));
	CHECK(wg_noise_handshake_consume_initiation(&again, &b->device, NULL) != NULL);
	CHECK(wg_noise_handshake_create_initiation(&again, pa));
	sim_run_for(&sim, 10 * SIM_MS);
	CHECK(wg_noise_handshake_consume_initiation(&again, &b->device, NULL) == NULL);
	sim_run_for(&sim, 20 * SIM_MS);
	CHECK(wg_noise_handshake_create_initiation(&again, pa));
	CHECK(wg_noise_handshake_consume_initiation(&again, &b->device, NULL) != NULL);
	sim_free(&sim);
}

/* Timestamps: rounded down to 2^24 ns, never repeating or going back even if the clock does. */
TEST(noise_tai64n_rounds_down_and_never_goes_back)
{
	uint8_t last[12] = { 0 }, t[12], want[12];

	wg_noise_tai64n_now(t, last, 1700000000ull * SIM_SECOND + 123456789);
	test_unhex(want, 12, "400000006553f10a07000000");
	CHECK_MEM(t, want, 12);
	/* Same granule: one granule later. */
	wg_noise_tai64n_now(t, last, 1700000000ull * SIM_SECOND + 123456790);
	test_unhex(want, 12, "400000006553f10a08000000");
	CHECK_MEM(t, want, 12);
	/* Clock stepped back an hour: still after the last one sent. */
	wg_noise_tai64n_now(t, last, 1699996400ull * SIM_SECOND);
	test_unhex(want, 12, "400000006553f10a09000000");
	CHECK_MEM(t, want, 12);
	/* Carry into the seconds. */
	memcpy(last, (uint8_t[12]){ 0x40, 0, 0, 0, 0x65, 0x53, 0xf1, 0x0a, 0x3b, 0, 0, 0 }, 12);
	wg_noise_tai64n_now(t, last, 0);
	test_unhex(want, 12, "400000006553f10b00000000");
	CHECK_MEM(t, want, 12);
}

/*
 * Timestamps are kept per peer. A server starting hundreds of handshakes in one instant must
 * not push any peer's timestamp ahead of the clock: after a restart it could not make itself
 * heard until the clock caught up.
 */
TEST(noise_timestamps_per_peer_survive_a_restart)
{
	enum { OTHERS = 500 };
	struct sim sim;
	struct sim_node *a, *b;
	struct wg_config_device c;
	uint8_t expected[12], none[12] = { 0 };

	sim_pair(&sim, 4, &a, &b, NULL, false);
	wg_config_init(&c);
	for (int i = 0; i < OTHERS; ++i) {
		uint8_t key[32] = { 9, (uint8_t)i, (uint8_t)(i >> 8) };
		struct wg_config_allowedip ip = { .family = AF_INET, .cidr = 32, .addr = { 10, 8, (uint8_t)(i >> 8), (uint8_t)i } };
		struct wg_config_peer *p = wg_config_add_peer(&c, key);

		p->flags = WG_PEER_HAS_ENDPOINT;
		p->endpoint = b->addr; /* b knows none of them */
		wg_config_add_allowedip(p, &ip);
	}
	CHECK_EQ(wg_device_configure(&a->device, &c), 0);
	wg_config_free(&c);
	for (int i = 0; i < OTHERS; ++i)
		sim_send_ip_between(a, a->tunnel_ip, (uint8_t[]){ 10, 8, (uint8_t)(i >> 8), (uint8_t)i }, 1, 100);
	sim_send_ip(a, b, 1, 100);
	sim_run_for(&sim, SIM_SECOND);
	CHECK_EQ(b->delivered.count, 1);
	/* b saw the clock itself (rounded down), not 500 granules beyond it. */
	wg_noise_tai64n_now(expected, none, sim.wall_base + sim.now - SIM_SECOND);
	CHECK_MEM(sim_peer(b, a)->handshake.latest_timestamp, expected, 12);

	sim_run_for(&sim, SIM_SECOND);
	sim_restart(a);
	sim_connect(a, b, NULL, false);
	sim_send_ip(a, b, 2, 100);
	sim_run_for(&sim, 3 * sim.latency);
	CHECK_EQ(b->delivered.count, 2);
	sim_free(&sim);
}
