/*
 * Echo probes: a peer with a probe address (an inner address of the peer, inside its allowed
 * IPs; otherwise none is sent and it is reported unroutable) gets an ICMP or ICMPv6 echo request through the tunnel every probe interval, from the
 * tunnel interface's own address of that family (env.probe_source). Whatever WireGuard the
 * peer runs, its operating system answers; the core takes its own replies (by identifier,
 * source and magic) off the tunnel instead of delivering them, and from them measures the
 * round trip and the share of echoes that never came back.
 *
 * A probe is traffic like any other: it starts a handshake when there is no session, and it
 * keeps the tunnel from going idle.
 */
#ifndef WG_CORE_ECHO_H
#define WG_CORE_ECHO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wg_device;
struct wg_peer;

enum {
	WG_ECHO_INTERVAL_DEFAULT = 5,   /* seconds */
	WG_ECHO_INTERVAL_MAX = 3600,
	WG_ECHO_TIMEOUT = 5,            /* seconds: a reply later than this counts as lost */
	WG_ECHO_OUTSTANDING = 16,       /* echoes remembered while waiting for their reply */
	WG_ECHO_PAYLOAD = 16,           /* "wgc-echo" and the sequence's send time */
};

struct wg_echo_pending {
	uint16_t seq;
	bool waiting;
	uint64_t sent;                  /* env.now */
};

struct wg_echo {
	uint8_t family;                 /* AF_INET or AF_INET6 */
	uint8_t target[16];
	uint16_t id, next_seq;          /* id: random per peer, so replies are told apart */
	uint64_t last_try;              /* env.now of the last echo due, if has_tried */
	bool has_tried;
	bool unroutable;                /* the target is outside the peer's allowed IPs: none sent */
	/* The echoes sent and not yet answered or given up, by seq % WG_ECHO_OUTSTANDING. */
	struct wg_echo_pending pending[WG_ECHO_OUTSTANDING];
	uint64_t sent, answered, lost;  /* lost: unanswered after WG_ECHO_TIMEOUT */
	uint64_t rtt_last, rtt_min, rtt_max, rtt_sum; /* nanoseconds, of the answered */
};

/* Sets (family AF_INET or AF_INET6) or, with family 0, removes the peer's probe address: 0,
 * or -ENOMEM with nothing changed. The same address again changes nothing (its counts stay). */
int wg_echo_set_target(struct wg_peer *peer, uint8_t family, const uint8_t *address);
/* From the device's tick: sends what is due, gives up on echoes past WG_ECHO_TIMEOUT. */
void wg_echo_tick(struct wg_peer *peer, uint64_t now);
/* A decrypted packet from the peer: true when it is the answer to one of our echoes (then it
 * is counted, and not to be delivered). Cheap for every other packet. */
bool wg_echo_take_reply(struct wg_peer *peer, const uint8_t *packet, size_t len);

#endif
