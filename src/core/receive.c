/*
 * The inbound half: classify a datagram, authenticate it, and only then act on it. Nothing
 * that fails authentication changes any state or gets an answer; each failure is counted.
 */
#include <errno.h>
#include <string.h>

#include "core/device.h"
#include "core/events.h"
#include "core/ippacket.h"
#include "core/peer.h"
#include "core/send.h"
#include "core/timers.h"

static uint64_t now_of(const struct wg_device *device)
{
	return device->env.now(device->env.ctx);
}

/* mac1 always; under load also mac2, and a cookie reply instead of DH when it is missing. */
static int check_macs(struct wg_device *device, const uint8_t *msg, size_t len, const struct wg_endpoint *from)
{
	bool under_load = wg_device_is_under_load(device);
	enum wg_cookie_mac_state state = wg_cookie_validate_packet(&device->cookie_checker, msg, len, from, under_load,
								    &device->ratelimiter, &device->env);

	if ((under_load && state == WG_VALID_MAC_WITH_COOKIE) || (!under_load && state == WG_VALID_MAC_BUT_NO_COOKIE))
		return 0;
	if (under_load && state == WG_VALID_MAC_BUT_NO_COOKIE) {
		wg_packet_send_handshake_cookie(device, msg, len, from);
		return -EAGAIN;
	}
	if (state == WG_VALID_MAC_WITH_COOKIE_BUT_RATELIMITED)
		++device->stats.rx_ratelimited;
	else
		++device->stats.rx_invalid_mac;
	return -EBADMSG;
}

static struct wg_peer *receive_initiation(struct wg_device *device, const uint8_t *msg,
					  const struct wg_endpoint *from, struct wg_responder_dh *dh)
{
	struct wg_peer *peer = wg_noise_handshake_consume_initiation((const struct wg_message_initiation *)msg, device,
								     dh);

	if (!peer)
		return NULL;
	wg_peer_set_endpoint(peer, from);
	wg_packet_send_handshake_response(peer, dh);
	return peer;
}

static struct wg_peer *receive_response(struct wg_device *device, const uint8_t *msg,
					const struct wg_endpoint *from)
{
	struct wg_peer *peer = wg_noise_handshake_consume_response((const struct wg_message_response *)msg, device);

	if (!peer)
		return NULL;
	wg_peer_set_endpoint(peer, from);
	if (wg_noise_handshake_begin_session(peer)) {
		wg_timers_session_derived(peer);
		wg_timers_handshake_complete(peer);
		/* From our initiation (the first, if a cookie made us send it again) to this. */
		wg_event_report(peer, &(struct wg_event){ .type = WG_EVENT_HANDSHAKE_COMPLETE, .initiator = true,
							  .rtt = now_of(device) - peer->last_sent_handshake });
		/* Staged packets, or else a keepalive: either confirms the session to the responder. */
		wg_packet_send_keepalive(peer);
	}
	return peer;
}

/* After the macs: the Diffie-Hellman part (for an initiation perhaps done already: dh). */
static int consume_handshake(struct wg_device *device, const uint8_t *msg, size_t len, enum wg_message_type type,
			     const struct wg_endpoint *from, struct wg_responder_dh *dh)
{
	struct wg_peer *peer;

	if (type == WG_MESSAGE_HANDSHAKE_INITIATION)
		peer = receive_initiation(device, msg, from, dh);
	else
		peer = receive_response(device, msg, from);
	if (!peer) {
		++device->stats.rx_handshake_failed;
		return -EBADMSG;
	}
	peer->rx_bytes += len;
	wg_timers_any_authenticated_packet_received(peer);
	wg_timers_any_authenticated_packet_traversal(peer);
	return 0;
}

static int receive_handshake(struct wg_device *device, const uint8_t *msg, size_t len, enum wg_message_type type,
			     const struct wg_endpoint *from)
{
	int ret = check_macs(device, msg, len, from);

	return ret ? ret : consume_handshake(device, msg, len, type, from, NULL);
}

/* The message's type when the device is up and it is a well-formed handshake message; else
 * -ENETDOWN or -EINVAL (counted as malformed). */
static int handshake_type(struct wg_device *device, const uint8_t *msg, size_t len)
{
	enum wg_message_type type = wg_message_classify(&device->wire, msg, len);

	if (!device->is_up)
		return -ENETDOWN;
	if (type != WG_MESSAGE_HANDSHAKE_INITIATION && type != WG_MESSAGE_HANDSHAKE_RESPONSE) {
		++device->stats.rx_malformed;
		return -EINVAL;
	}
	return (int)type;
}

int wg_device_admit_handshake(struct wg_device *device, const uint8_t *msg, size_t len,
			      const struct wg_endpoint *from)
{
	int type = handshake_type(device, msg, len);

	return type < 0 ? type : check_macs(device, msg, len, from);
}

int wg_device_receive_admitted(struct wg_device *device, const uint8_t *msg, size_t len,
			       const struct wg_endpoint *from)
{
	int type = handshake_type(device, msg, len);

	return type < 0 ? type : consume_handshake(device, msg, len, (enum wg_message_type)type, from, NULL);
}

int wg_device_check_precomputed(struct wg_device *device, const uint8_t *msg, size_t len,
				struct wg_responder_dh *dh)
{
	int type = handshake_type(device, msg, len);

	if (type != WG_MESSAGE_HANDSHAKE_INITIATION)
		return type < 0 ? type : -EINVAL;
	if (!wg_noise_handshake_check_initiation((const struct wg_message_initiation *)msg, device, dh)) {
		++device->stats.rx_handshake_failed;
		return -EBADMSG;
	}
	return 0;
}

int wg_device_receive_precomputed(struct wg_device *device, const uint8_t *msg, size_t len,
				  const struct wg_endpoint *from, struct wg_responder_dh *dh)
{
	int type = handshake_type(device, msg, len);

	if (type != WG_MESSAGE_HANDSHAKE_INITIATION)
		return type < 0 ? type : -EINVAL;
	return consume_handshake(device, msg, len, WG_MESSAGE_HANDSHAKE_INITIATION, from, dh);
}

static int receive_cookie(struct wg_device *device, const uint8_t *msg)
{
	const struct wg_message_cookie *cookie = (const struct wg_message_cookie *)msg;
	/* A reply to our initiation names its handshake; one to our response, the keypair that
	 * handshake became. */
	struct wg_index_entry *entry = wg_index_table_lookup(&device->index_hashtable,
							     wg_le32_get(cookie->receiver_index),
							     WG_INDEX_HANDSHAKE | WG_INDEX_KEYPAIR);

	if (!entry || wg_cookie_message_consume(cookie, &entry->peer->cookie, now_of(device))) {
		++device->stats.rx_cookie_invalid;
		return -EBADMSG;
	}
	/* The responder is under load and dropped our initiation: with mac2 the same message gets
	 * through now rather than after REKEY_TIMEOUT. Anyone who saw the initiation can forge
	 * this reply, so it buys one resend of that message and nothing else (send.h). */
	if (entry->kind == WG_INDEX_HANDSHAKE)
		wg_packet_resend_handshake_initiation(entry->peer);
	return 0;
}

static struct wg_keypair *data_keypair(struct wg_device *device, const struct wg_message_data *header)
{
	struct wg_index_entry *entry = wg_index_table_lookup(&device->index_hashtable,
							     wg_le32_get(header->receiver_index), WG_INDEX_KEYPAIR);

	return entry ? wg_container_of(entry, struct wg_keypair, entry) : NULL;
}

/* Decrypts in place; the window moves only for a counter that authenticated. */
static int decrypt_data(struct wg_device *device, struct wg_keypair *keypair, uint8_t *msg, size_t len)
{
	struct wg_message_data *header = (struct wg_message_data *)msg;
	uint64_t counter = wg_le64_get(header->counter), lost, late;
	uint8_t nonce[WG_AEAD_NONCE_LEN];

	if (!wg_noise_keypair_can_receive(keypair, now_of(device))) {
		wg_noise_keypair_check_expiry(keypair->entry.peer, keypair);
		keypair->receiving_valid = false;
		++device->stats.rx_expired;
		return -EKEYEXPIRED;
	}
	wg_aead_nonce(nonce, counter);
	if (wg_aead_open(&keypair->receiving, header->encrypted_data, header->encrypted_data,
			 len - WG_DATA_OVERHEAD, NULL, 0, nonce)) {
		++device->stats.rx_decrypt_failed;
		return -EBADMSG;
	}
	lost = keypair->receiving_counter.lost;
	late = keypair->receiving_counter.late;
	if (!wg_counter_validate(&keypair->receiving_counter, counter)) {
		++device->stats.rx_replayed;
		++keypair->entry.peer->rx_replayed;
		return -EALREADY;
	}
	keypair->entry.peer->rx_lost += keypair->receiving_counter.lost - lost;
	keypair->entry.peer->rx_late += keypair->receiving_counter.late - late;
	++keypair->entry.peer->rx_messages;
	return 0;
}

/* Cryptokey routing in reverse: the inner source must be one the sending peer may use. */
static int deliver_data(struct wg_device *device, struct wg_peer *peer, const uint8_t *plain, size_t len)
{
	struct wg_ip_packet ip;

	if (!wg_ip_packet_parse(&ip, plain, len)) {
		++device->stats.rx_invalid_inner;
		return -EINVAL;
	}
	if (wg_allowedips_lookup(&device->peer_allowedips, ip.family, ip.src) != peer) {
		++device->stats.rx_disallowed_source;
		return -EPERM;
	}
	/* Our own echo probes' answers stop here (echo.h). */
	if (peer->echo && wg_echo_take_reply(peer, plain, ip.total_len))
		return 0;
	device->env.deliver(device->env.ctx, peer, plain, ip.total_len);
	return 0;
}

static int receive_data(struct wg_device *device, uint8_t *msg, size_t len, const struct wg_endpoint *from)
{
	struct wg_keypair *keypair = data_keypair(device, (const struct wg_message_data *)msg);
	size_t plain_len = len - WG_DATA_OVERHEAD;
	struct wg_peer *peer;
	int ret;

	if (!keypair) {
		++device->stats.rx_unknown_index;
		return -ENOKEY;
	}
	ret = decrypt_data(device, keypair, msg, len);
	if (ret)
		return ret;
	peer = keypair->entry.peer;
	/* Authenticated: now the peer may roam, and the session counts as confirmed. */
	wg_peer_set_endpoint(peer, from);
	if (wg_noise_received_with_keypair(peer, keypair)) {
		wg_timers_handshake_complete(peer);
		/* The responder's round trip: from its response (the keypair's birth) to this. */
		wg_event_report(peer, &(struct wg_event){ .type = WG_EVENT_HANDSHAKE_COMPLETE,
							  .rtt = now_of(device) - keypair->birthdate });
		wg_packet_send_staged_packets(peer);
	}
	wg_packet_keep_key_fresh_after_receive(peer);
	wg_timers_any_authenticated_packet_received(peer);
	wg_timers_any_authenticated_packet_traversal(peer);
	if (plain_len == 0) {
		peer->rx_bytes += len;
		return 0;
	}
	wg_timers_data_received(peer);
	wg_peer_data_seen(peer, true);
	ret = deliver_data(device, peer, msg + sizeof(struct wg_message_data), plain_len);
	if (!ret)
		peer->rx_bytes += len;
	return ret;
}

int wg_device_receive(struct wg_device *device, uint8_t *msg, size_t len, const struct wg_endpoint *from)
{
	enum wg_message_type type = wg_message_classify(&device->wire, msg, len);

	if (!device->is_up)
		return -ENETDOWN;
	switch (type) {
	case WG_MESSAGE_HANDSHAKE_INITIATION:
	case WG_MESSAGE_HANDSHAKE_RESPONSE:
		return receive_handshake(device, msg, len, type, from);
	case WG_MESSAGE_HANDSHAKE_COOKIE:
		return receive_cookie(device, msg);
	case WG_MESSAGE_DATA:
		return receive_data(device, msg, len, from);
	default:
		++device->stats.rx_malformed;
		return -EINVAL;
	}
}
