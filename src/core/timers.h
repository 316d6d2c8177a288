/*
 * The protocol's timers as named events. Each function is called when the event happens; the
 * events move the peer's deadlines, and the expiry handlers act when a deadline passes.
 *
 *   retransmit_handshake  armed when an initiation is sent: retry after REKEY_TIMEOUT + jitter,
 *                         give up after REKEY_ATTEMPT_TIME
 *   send_keepalive        armed when data arrives: answer with a keepalive if we send
 *                         nothing within KEEPALIVE_TIMEOUT
 *   new_handshake         armed when data is sent: start a handshake if nothing authenticated
 *                         comes back within KEEPALIVE_TIMEOUT + REKEY_TIMEOUT
 *   zero_key_material     armed when a session is derived: wipe everything after
 *                         3 * REJECT_AFTER_TIME without a new one
 *   persistent_keepalive  armed on every authenticated packet in or out: keepalive after the
 *                         configured interval of silence
 */
#ifndef WG_CORE_TIMERS_H
#define WG_CORE_TIMERS_H

struct wg_peer;

void wg_timers_init(struct wg_peer *peer);
/* Kill switch: after this nothing of the peer's fires, until timers are armed again. */
void wg_timers_stop(struct wg_peer *peer);

void wg_timers_data_sent(struct wg_peer *peer);
void wg_timers_data_received(struct wg_peer *peer);
void wg_timers_any_authenticated_packet_sent(struct wg_peer *peer);
void wg_timers_any_authenticated_packet_received(struct wg_peer *peer);
void wg_timers_handshake_initiated(struct wg_peer *peer);
void wg_timers_handshake_complete(struct wg_peer *peer);
void wg_timers_session_derived(struct wg_peer *peer);
void wg_timers_any_authenticated_packet_traversal(struct wg_peer *peer);

#endif
