/* Everything the core puts on the wire, and when: handshakes, keepalives, staged data. */
#ifndef WG_CORE_SEND_H
#define WG_CORE_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/endpoint.h"

struct wg_peer;
struct wg_device;
struct wg_responder_dh;

/* Rate limited to one per REKEY_TIMEOUT per peer; is_retry keeps the attempt count. */
void wg_packet_send_handshake_initiation(struct wg_peer *peer, bool is_retry);
/* One initiation to `via` rather than the endpoint (an I/O layer trying another way to the
 * peer), without retransmissions: 0, -EBUSY while a handshake is in flight or one left within
 * REKEY_TIMEOUT, -ENOKEY without an identity, -ENETDOWN when the device is down. */
int wg_packet_send_handshake_probe(struct wg_peer *peer, const struct wg_endpoint *via);
/* The initiation in flight once more, byte for byte, to the endpoint as it is now: for an I/O
 * layer that moved the endpoint to another transport just after it left. Its state, index and
 * timestamp stay; the responder accepts whichever copy reaches it first. */
void wg_packet_repeat_handshake_initiation(struct wg_peer *peer);
/* A cookie reply answered the initiation in flight: that same message again, now with mac2, at
 * most once per initiation. The handshake, its index and its timestamp stay as they were. */
void wg_packet_resend_handshake_initiation(struct wg_peer *peer);
/* dh: the responder's Diffie-Hellman computed ahead (noise.h, wg_responder_dh), or NULL. */
void wg_packet_send_handshake_response(struct wg_peer *peer, struct wg_responder_dh *dh);
void wg_packet_send_handshake_cookie(struct wg_device *device, const uint8_t *msg, size_t len,
				     const struct wg_endpoint *to);
/* A keepalive, or the staged packets if there are any (they confirm the session as well). */
void wg_packet_send_keepalive(struct wg_peer *peer);
/* Sends what is staged if a keypair can, else starts a handshake. */
void wg_packet_send_staged_packets(struct wg_peer *peer);
/* After receiving: the initiator rekeys once when its keypair nears REJECT_AFTER_TIME. */
void wg_packet_keep_key_fresh_after_receive(struct wg_peer *peer);

/* Sends a finished message to the peer's endpoint, counting it. 0 or -errno. */
int wg_packet_send_buffer_to_peer(struct wg_peer *peer, const uint8_t *msg, size_t len);

#endif
