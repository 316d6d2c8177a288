/*
 * The outbound half: IP packets from the tunnel become data messages, and the handshake,
 * cookie and keepalive messages the protocol needs go out from here.
 */
#include "core/send.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "core/events.h"
#include "core/ippacket.h"
#include "core/peer.h"
#include "core/timers.h"
#include "crypto/secret.h"

static uint64_t now_of(const struct wg_device *device)
{
	return device->env.now(device->env.ctx);
}

/* The type word a message goes out with: its own, or one picked from its obfuscated range
 * (obfuscation.h). Set before the macs, which cover it. */
static void put_type(struct wg_device *device, uint8_t word[4], enum wg_message_type type)
{
	struct wg_type_range r = device->wire.type[type - 1];

	wg_le32_put(word, r.lo == r.hi ? r.lo : wg_keystream_between(device->obfuscation_random, r.lo, r.hi));
}

static int send_buffer_via(struct wg_peer *peer, const struct wg_endpoint *to, const uint8_t *msg, size_t len)
{
	struct wg_device *device = peer->device;
	int ret = -EDESTADDRREQ;

	if (wg_endpoint_is_set(to))
		ret = device->env.send(device->env.ctx, peer, to, msg, len);
	if (ret)
		++device->stats.tx_send_errors;
	else
		peer->tx_bytes += len;
	return ret;
}

int wg_packet_send_buffer_to_peer(struct wg_peer *peer, const uint8_t *msg, size_t len)
{
	return send_buffer_via(peer, &peer->endpoint, msg, len);
}

static bool handshake_sent_recently(const struct wg_peer *peer, uint64_t now)
{
	return peer->has_sent_handshake &&
	       now < peer->last_sent_handshake + (uint64_t)WG_REKEY_TIMEOUT * WG_NSEC_PER_SEC;
}

/* The copy a cookie reply may have resent; without memory there is just no resend. */
static void keep_sent_initiation(struct wg_peer *peer, const struct wg_message_initiation *packet)
{
	if (!peer->sent_initiation)
		peer->sent_initiation = malloc(sizeof(*peer->sent_initiation));
	if (peer->sent_initiation)
		*peer->sent_initiation = *packet;
	peer->may_resend_initiation = peer->sent_initiation != NULL;
}

static void send_initiation(struct wg_peer *peer, uint64_t now)
{
	struct wg_message_initiation packet;

	peer->last_sent_handshake = now;
	peer->has_sent_handshake = true;
	wg_device_log(peer->device, WG_LOG_DEBUG, "Sending handshake initiation to peer %llu",
		      (unsigned long long)peer->internal_id);
	if (!wg_noise_handshake_create_initiation(&packet, peer))
		return;
	put_type(peer->device, packet.type, WG_MESSAGE_HANDSHAKE_INITIATION);
	wg_cookie_add_mac_to_packet((uint8_t *)&packet, sizeof(packet), &peer->cookie, now);
	keep_sent_initiation(peer, &packet);
	wg_timers_any_authenticated_packet_traversal(peer);
	wg_timers_any_authenticated_packet_sent(peer);
	wg_packet_send_buffer_to_peer(peer, (uint8_t *)&packet, sizeof(packet));
	wg_timers_handshake_initiated(peer);
	wg_event_report(peer, &(struct wg_event){ .type = WG_EVENT_HANDSHAKE_INITIATED,
						  .attempt = peer->timer_handshake_attempts + 1 });
}

/*
 * A probe is an initiation like any other, but sent elsewhere than the endpoint and with no
 * retries of its own: an answer (from `via`) completes the handshake and moves the endpoint
 * there, as any authenticated message does; silence leaves the session on the endpoint as it
 * was, and the next handshake there simply replaces the probe's. It waits for a moment when
 * no handshake is in flight, so it never displaces one.
 */
int wg_packet_send_handshake_probe(struct wg_peer *peer, const struct wg_endpoint *via)
{
	struct wg_message_initiation packet;
	uint64_t now = now_of(peer->device);

	if (peer->is_dead || !peer->device->is_up)
		return -ENETDOWN;
	if (handshake_sent_recently(peer, now) || wg_timer_pending(&peer->timer_retransmit_handshake))
		return -EBUSY;
	if (!wg_noise_handshake_create_initiation(&packet, peer))
		return -ENOKEY;
	put_type(peer->device, packet.type, WG_MESSAGE_HANDSHAKE_INITIATION);
	peer->last_sent_handshake = now;
	peer->has_sent_handshake = true;
	wg_device_log(peer->device, WG_LOG_DEBUG, "Sending a probing handshake initiation to peer %llu",
		      (unsigned long long)peer->internal_id);
	wg_cookie_add_mac_to_packet((uint8_t *)&packet, sizeof(packet), &peer->cookie, now);
	keep_sent_initiation(peer, &packet);
	send_buffer_via(peer, via, (uint8_t *)&packet, sizeof(packet));
	wg_event_report(peer, &(struct wg_event){ .type = WG_EVENT_HANDSHAKE_INITIATED, .attempt = 1, .probe = true });
	return 0;
}

void wg_packet_repeat_handshake_initiation(struct wg_peer *peer)
{
	struct wg_message_initiation *packet = peer->sent_initiation;

	if (peer->is_dead || !packet || peer->handshake.state != WG_HANDSHAKE_CREATED_INITIATION ||
	    wg_le32_get(packet->sender_index) != peer->handshake.entry.index)
		return;
	wg_packet_send_buffer_to_peer(peer, (uint8_t *)packet, sizeof(*packet));
}

void wg_packet_send_handshake_initiation(struct wg_peer *peer, bool is_retry)
{
	uint64_t now = now_of(peer->device);

	if (!is_retry)
		peer->timer_handshake_attempts = 0;
	/* At most one initiation per REKEY_TIMEOUT, whoever asks for it. */
	if (handshake_sent_recently(peer, now) || peer->is_dead)
		return;
	send_initiation(peer, now);
}

/*
 * Resending the same message, not making a new one, is what keeps a forged cookie harmless: a
 * new initiation would replace the handshake the genuine response is for, and each new one
 * moves the timestamp on (two in one granule push it past the clock, and the peer keeps the
 * newest it saw). A responder under load dropped the first copy unread, so it takes this one.
 */
void wg_packet_resend_handshake_initiation(struct wg_peer *peer)
{
	struct wg_message_initiation *packet = peer->sent_initiation;

	if (peer->is_dead || !peer->may_resend_initiation ||
	    peer->handshake.state != WG_HANDSHAKE_CREATED_INITIATION ||
	    wg_le32_get(packet->sender_index) != peer->handshake.entry.index)
		return;
	peer->may_resend_initiation = false;
	wg_cookie_add_mac2_to_packet((uint8_t *)packet, sizeof(*packet), &peer->cookie, now_of(peer->device));
	wg_device_log(peer->device, WG_LOG_DEBUG, "Resending handshake initiation to peer %llu with a cookie",
		      (unsigned long long)peer->internal_id);
	wg_packet_send_buffer_to_peer(peer, (uint8_t *)packet, sizeof(*packet));
}

void wg_packet_send_handshake_response(struct wg_peer *peer, struct wg_responder_dh *dh)
{
	struct wg_message_response packet;
	uint64_t now = now_of(peer->device);

	if (!wg_noise_handshake_create_response(&packet, peer, dh))
		return;
	put_type(peer->device, packet.type, WG_MESSAGE_HANDSHAKE_RESPONSE);
	/* Only a response that exists holds back our own initiations for REKEY_TIMEOUT. */
	peer->last_sent_handshake = now;
	peer->has_sent_handshake = true;
	wg_cookie_add_mac_to_packet((uint8_t *)&packet, sizeof(packet), &peer->cookie, now);
	if (!wg_noise_handshake_begin_session(peer))
		return;
	wg_timers_session_derived(peer);
	wg_timers_any_authenticated_packet_traversal(peer);
	wg_timers_any_authenticated_packet_sent(peer);
	wg_packet_send_buffer_to_peer(peer, (uint8_t *)&packet, sizeof(packet));
}

void wg_packet_send_handshake_cookie(struct wg_device *device, const uint8_t *msg, size_t len,
				     const struct wg_endpoint *to)
{
	struct wg_message_cookie packet;

	if (wg_cookie_message_create(&packet, msg, len, &device->cookie_checker, to, &device->env))
		return;
	put_type(device, packet.type, WG_MESSAGE_HANDSHAKE_COOKIE);
	if (device->env.send(device->env.ctx, NULL, to, (uint8_t *)&packet, sizeof(packet)))
		++device->stats.tx_send_errors;
	else
		++device->stats.cookie_replies_sent;
}

/* Padded to 16 bytes, but never past the MTU: padding must not cause fragmentation. */
static size_t padded_length(size_t len, unsigned mtu)
{
	size_t last_unit = len, padded;

	if (!mtu)
		return (len + WG_MESSAGE_PADDING_MULTIPLE - 1) & ~(size_t)(WG_MESSAGE_PADDING_MULTIPLE - 1);
	if (last_unit > mtu)
		last_unit %= mtu;
	padded = (last_unit + WG_MESSAGE_PADDING_MULTIPLE - 1) & ~(size_t)(WG_MESSAGE_PADDING_MULTIPLE - 1);
	if (padded > mtu)
		padded = mtu;
	if (padded < last_unit)
		padded = last_unit;
	return len + (padded - last_unit);
}

/* Time-based rekey is the initiator's job; message-count rekey is anyone's. */
static void keep_key_fresh(struct wg_peer *peer)
{
	struct wg_keypair *keypair = peer->keypairs.current;
	uint64_t now = now_of(peer->device);

	if (keypair && keypair->sending_valid &&
	    (keypair->sending_counter > WG_REKEY_AFTER_MESSAGES ||
	     (keypair->i_am_the_initiator &&
	      now >= keypair->birthdate + (uint64_t)WG_REKEY_AFTER_TIME * WG_NSEC_PER_SEC)))
		wg_packet_send_handshake_initiation(peer, false);
}

void wg_packet_keep_key_fresh_after_receive(struct wg_peer *peer)
{
	struct wg_keypair *keypair = peer->keypairs.current;
	uint64_t now = now_of(peer->device);
	const uint64_t lastminute = (uint64_t)(WG_REJECT_AFTER_TIME - WG_KEEPALIVE_TIMEOUT - WG_REKEY_TIMEOUT) *
				    WG_NSEC_PER_SEC;

	/* Once per session: traffic only one way would otherwise let the keys lapse. */
	if (peer->sent_lastminute_handshake)
		return;
	if (keypair && keypair->sending_valid && keypair->i_am_the_initiator &&
	    now >= keypair->birthdate + lastminute) {
		peer->sent_lastminute_handshake = true;
		wg_packet_send_handshake_initiation(peer, false);
	}
}

/* plain has WG_PACKET_HEADROOM before it and WG_PACKET_TAILROOM after it. */
static void encrypt_and_send(struct wg_peer *peer, struct wg_keypair *keypair, uint8_t *plain, size_t len)
{
	struct wg_message_data *header = (struct wg_message_data *)(plain - sizeof(struct wg_message_data));
	size_t padded = padded_length(len, peer->device->mtu);
	uint64_t counter = keypair->sending_counter++;
	uint8_t nonce[WG_AEAD_NONCE_LEN];

	memset(plain + len, 0, padded - len);
	put_type(peer->device, header->type, WG_MESSAGE_DATA);
	wg_le32_put(header->receiver_index, keypair->remote_index);
	wg_le64_put(header->counter, counter);
	wg_aead_nonce(nonce, counter);
	if (wg_aead_seal(&keypair->sending, plain, plain, padded, NULL, 0, nonce)) {
		wg_secret_wipe(plain, padded);
		++peer->device->stats.tx_send_errors;
		return;
	}
	wg_timers_any_authenticated_packet_traversal(peer);
	wg_timers_any_authenticated_packet_sent(peer);
	/* Waiting for an answer makes sense only for data that actually left. */
	if (!wg_packet_send_buffer_to_peer(peer, (uint8_t *)header, sizeof(*header) + padded + WG_NOISE_AUTHTAG_LEN)) {
		++peer->tx_messages;
		if (len) {
			wg_timers_data_sent(peer);
			wg_peer_data_seen(peer, false);
		}
	}
	keep_key_fresh(peer);
}

void wg_packet_send_staged_packets(struct wg_peer *peer)
{
	struct wg_keypair *keypair = peer->keypairs.current;
	struct wg_staged_packet *staged;

	while (peer->staged_count) {
		/* No keypair that may send (none, too old, or out of nonces mid-queue): the rest
		 * wait for a handshake. */
		if (!wg_noise_keypair_can_send(keypair, now_of(peer->device))) {
			wg_noise_keypair_check_expiry(peer, keypair);
			wg_packet_send_handshake_initiation(peer, false);
			return;
		}
		staged = wg_peer_unstage(peer);
		encrypt_and_send(peer, keypair, staged->buffer + WG_PACKET_HEADROOM, staged->len);
		wg_peer_release_staged(peer->device, staged);
	}
}

void wg_packet_send_keepalive(struct wg_peer *peer)
{
	uint8_t empty[WG_PACKET_HEADROOM + WG_PACKET_TAILROOM];

	/* With a session and nothing waiting, straight out of a buffer of its own: keepalives are
	 * the most common message a quiet tunnel sends. */
	if (!peer->staged_count && wg_noise_keypair_can_send(peer->keypairs.current, now_of(peer->device))) {
		encrypt_and_send(peer, peer->keypairs.current, empty + WG_PACKET_HEADROOM, 0);
		return;
	}
	/* Else it waits for the session like data; staged data confirms a session as well. */
	if (!peer->staged_count && wg_peer_stage(peer, NULL, 0))
		return;
	wg_packet_send_staged_packets(peer);
}

int wg_device_send(struct wg_device *device, uint8_t *packet, size_t len)
{
	struct wg_ip_packet ip;
	struct wg_peer *peer;
	int ret;

	if (!device->is_up)
		return -ENETDOWN;
	if (!wg_ip_packet_parse(&ip, packet, len)) {
		++device->stats.tx_malformed;
		return -EINVAL;
	}
	peer = wg_allowedips_lookup(&device->peer_allowedips, ip.family, ip.dst);
	if (!peer) {
		++device->stats.tx_no_route;
		return -ENOKEY;
	}
	if (!wg_endpoint_is_set(&peer->endpoint)) {
		++device->stats.tx_no_endpoint;
		return -EDESTADDRREQ;
	}
	/* The common case, encrypted in the caller's buffer; order holds since nothing waits. */
	if (!peer->staged_count && wg_noise_keypair_can_send(peer->keypairs.current, now_of(device))) {
		encrypt_and_send(peer, peer->keypairs.current, packet, len);
		return 0;
	}
	ret = wg_peer_stage(peer, packet, len);
	if (!ret)
		wg_packet_send_staged_packets(peer);
	return ret;
}
