/*
 * The protocol's timers (paper section 6): events arm and cancel per-peer deadlines; the
 * expiry handlers below run from wg_device_run_timers. Timers arm only while the device is up
 * and the peer alive, so nothing fires after teardown.
 */
#include "core/timers.h"

#include "core/device.h"
#include "core/events.h"
#include "core/peer.h"
#include "core/send.h"

static uint64_t now_of(const struct wg_peer *peer)
{
	return peer->device->env.now(peer->device->env.ctx);
}

static uint64_t seconds(unsigned s)
{
	return (uint64_t)s * WG_NSEC_PER_SEC;
}

/*
 * Up to a third of a second, so that peers retrying at once drift apart. Jitter need not be
 * unpredictable, only different, and it is drawn whenever data is sent after anything was
 * received: so from xorshift64* seeded once, not from env.random (a system call each time in
 * wgcd; the kernel draws from a per-CPU batch).
 */
static uint64_t jitter(const struct wg_peer *peer)
{
	struct wg_device *device = peer->device;
	uint64_t x = device->jitter_state;

	if (!x) {
		device->env.random(device->env.ctx, &x, sizeof(x));
		x |= 1;
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	device->jitter_state = x;
	return ((x * 0x2545f4914f6cdd1dull) >> 32) % WG_REKEY_TIMEOUT_JITTER_MAX;
}

static void mod_peer_timer(struct wg_peer *peer, struct wg_timer *timer, uint64_t when)
{
	if (peer->device->is_up && !peer->is_dead)
		wg_timer_arm(&peer->device->deadlines, timer, when);
}

static unsigned long long id(const struct wg_peer *peer)
{
	return (unsigned long long)peer->internal_id;
}

static void expired_retransmit_handshake(struct wg_timer *timer)
{
	struct wg_peer *peer = wg_container_of(timer, struct wg_peer, timer_retransmit_handshake);

	/* The kernel's count: the first initiation and MAX_TIMER_HANDSHAKES + 1 retries, 20 in all,
	 * the last one sent about 95 s after the first. */
	if (peer->timer_handshake_attempts > WG_MAX_TIMER_HANDSHAKES) {
		wg_device_log(peer->device, WG_LOG_INFO,
			      "Handshake for peer %llu did not complete after %d attempts, giving up", id(peer),
			      WG_MAX_TIMER_HANDSHAKES + 2);
		wg_event_report(peer, &(struct wg_event){ .type = WG_EVENT_HANDSHAKE_GIVEN_UP,
							  .attempt = peer->timer_handshake_attempts + 1 });
		wg_timer_cancel(&peer->timer_send_keepalive);
		/* Packets waited long enough: drop them, and do not try again until new ones come. */
		wg_peer_purge_staged(peer);
		/* Clear out any residue of a partial exchange in a while. */
		if (!wg_timer_pending(&peer->timer_zero_key_material))
			mod_peer_timer(peer, &peer->timer_zero_key_material,
				       now_of(peer) + seconds(3 * WG_REJECT_AFTER_TIME));
		return;
	}
	++peer->timer_handshake_attempts;
	wg_device_log(peer->device, WG_LOG_DEBUG,
		      "Handshake for peer %llu did not complete after %d seconds, retrying (try %u)", id(peer),
		      WG_REKEY_TIMEOUT, peer->timer_handshake_attempts + 1);
	wg_event_report(peer, &(struct wg_event){ .type = WG_EVENT_HANDSHAKE_RETRY,
						  .attempt = peer->timer_handshake_attempts + 1 });
	/* The source address we reply from may be what is wrong. */
	wg_endpoint_clear_src(&peer->endpoint);
	wg_packet_send_handshake_initiation(peer, true);
}

static void expired_send_keepalive(struct wg_timer *timer)
{
	struct wg_peer *peer = wg_container_of(timer, struct wg_peer, timer_send_keepalive);

	wg_packet_send_keepalive(peer);
	if (peer->timer_need_another_keepalive) {
		peer->timer_need_another_keepalive = false;
		mod_peer_timer(peer, &peer->timer_send_keepalive, now_of(peer) + seconds(WG_KEEPALIVE_TIMEOUT));
	}
}

static void expired_new_handshake(struct wg_timer *timer)
{
	struct wg_peer *peer = wg_container_of(timer, struct wg_peer, timer_new_handshake);

	wg_device_log(peer->device, WG_LOG_DEBUG,
		      "Retrying handshake with peer %llu because we stopped hearing back after %d seconds", id(peer),
		      WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT);
	wg_endpoint_clear_src(&peer->endpoint);
	wg_packet_send_handshake_initiation(peer, false);
}

static void expired_zero_key_material(struct wg_timer *timer)
{
	struct wg_peer *peer = wg_container_of(timer, struct wg_peer, timer_zero_key_material);

	wg_device_log(peer->device, WG_LOG_DEBUG,
		      "Zeroing out all keys for peer %llu, since we haven't received a new one in %d seconds",
		      id(peer), 3 * WG_REJECT_AFTER_TIME);
	wg_noise_handshake_clear(peer);
	wg_noise_keypairs_wipe(peer);
}

static void expired_persistent_keepalive(struct wg_timer *timer)
{
	struct wg_peer *peer = wg_container_of(timer, struct wg_peer, timer_persistent_keepalive);

	if (peer->persistent_keepalive_interval)
		wg_packet_send_keepalive(peer);
}

void wg_timers_init(struct wg_peer *peer)
{
	wg_timer_init(&peer->timer_retransmit_handshake, expired_retransmit_handshake);
	wg_timer_init(&peer->timer_send_keepalive, expired_send_keepalive);
	wg_timer_init(&peer->timer_new_handshake, expired_new_handshake);
	wg_timer_init(&peer->timer_zero_key_material, expired_zero_key_material);
	wg_timer_init(&peer->timer_persistent_keepalive, expired_persistent_keepalive);
	peer->timer_handshake_attempts = 0;
	peer->timer_need_another_keepalive = false;
	peer->sent_lastminute_handshake = false;
}

void wg_timers_stop(struct wg_peer *peer)
{
	struct wg_deadlines *q = &peer->device->deadlines;

	wg_timer_remove(q, &peer->timer_retransmit_handshake);
	wg_timer_remove(q, &peer->timer_send_keepalive);
	wg_timer_remove(q, &peer->timer_new_handshake);
	wg_timer_remove(q, &peer->timer_zero_key_material);
	wg_timer_remove(q, &peer->timer_persistent_keepalive);
	peer->timer_handshake_attempts = 0;
	peer->timer_need_another_keepalive = false;
}

/* Should be called after an authenticated data packet is sent. */
void wg_timers_data_sent(struct wg_peer *peer)
{
	if (!wg_timer_pending(&peer->timer_new_handshake))
		mod_peer_timer(peer, &peer->timer_new_handshake,
			       now_of(peer) + seconds(WG_KEEPALIVE_TIMEOUT + WG_REKEY_TIMEOUT) + jitter(peer));
}

/* Should be called after an authenticated data packet is received. */
void wg_timers_data_received(struct wg_peer *peer)
{
	if (!wg_timer_pending(&peer->timer_send_keepalive))
		mod_peer_timer(peer, &peer->timer_send_keepalive, now_of(peer) + seconds(WG_KEEPALIVE_TIMEOUT));
	else
		peer->timer_need_another_keepalive = true;
}

/* Should be called after any type of authenticated packet is sent: keepalive, data, or handshake. */
void wg_timers_any_authenticated_packet_sent(struct wg_peer *peer)
{
	wg_timer_cancel(&peer->timer_send_keepalive);
}

/* Should be called after any type of authenticated packet is received: keepalive, data, or handshake. */
void wg_timers_any_authenticated_packet_received(struct wg_peer *peer)
{
	wg_timer_cancel(&peer->timer_new_handshake);
}

/* Should be called after a handshake initiation message is sent. */
void wg_timers_handshake_initiated(struct wg_peer *peer)
{
	mod_peer_timer(peer, &peer->timer_retransmit_handshake,
		       now_of(peer) + seconds(WG_REKEY_TIMEOUT) + jitter(peer));
}

/* Should be called after a handshake response message is received and processed, or when
 * the responder receives its first data packet under the new keypair. */
void wg_timers_handshake_complete(struct wg_peer *peer)
{
	wg_timer_cancel(&peer->timer_retransmit_handshake);
	peer->timer_handshake_attempts = 0;
	peer->sent_lastminute_handshake = false;
	peer->last_handshake_wall_ns = peer->device->env.wall(peer->device->env.ctx);
	++peer->handshakes_completed;
}

/* Should be called after an ephemeral key is created: before sending a response or after
 * receiving one. */
void wg_timers_session_derived(struct wg_peer *peer)
{
	mod_peer_timer(peer, &peer->timer_zero_key_material, now_of(peer) + seconds(3 * WG_REJECT_AFTER_TIME));
}

/* Should be called before any authenticated packet is sent or after one is received. */
void wg_timers_any_authenticated_packet_traversal(struct wg_peer *peer)
{
	if (peer->persistent_keepalive_interval)
		mod_peer_timer(peer, &peer->timer_persistent_keepalive,
			       now_of(peer) + seconds(peer->persistent_keepalive_interval));
}
