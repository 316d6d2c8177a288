/*
 * The TCP transport's own interface beyond the seam (tcp_transport.c): its listener, which a
 * configuration prepares before anything changes and commits with the rest; its limits on
 * connections that have not authenticated; its counters.
 */
#ifndef WGL_TCP_H
#define WGL_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/endpoint.h"

struct wg_peer;
struct wgl_transport;

/* The longest frame a listener takes on a connection nothing has authenticated yet. */
enum { WGL_TCP_UNAUTHENTICATED_FRAME_MAX = 8190 };

/* Connections accepted on the listener that no message has authenticated yet. */
struct wgl_tcp_limits {
	unsigned unauthenticated;            /* at once, in all */
	unsigned unauthenticated_per_source; /* at once, from one remote address */
	unsigned unauthenticated_ms;         /* how long one may stay without authenticating */
	unsigned unauthenticated_bytes;      /* how much one may send without authenticating */
	unsigned connect_timeout_ms;         /* a connection we dial */
};

/* 256 in all, 16 per address, 10 s and 64 KiB each; dials time out after 5 s. */
extern const struct wgl_tcp_limits wgl_tcp_default_limits;

struct wgl_tcp_stats {
	uint64_t accepted, connects, connect_failures;
	uint64_t evicted;                 /* unauthenticated, closed to make room for a newer one */
	uint64_t unauthenticated_expired; /* closed for their deadline or their byte allowance */
	uint64_t rx_bad_frames;           /* a zero or oversize length: the connection closed */
	uint64_t redials;                 /* connections of ours ended for an unanswered handshake */
	uint64_t tx_dropped;              /* messages dropped: no connection, or its queue full */
	uint64_t rx_bytes, tx_bytes;      /* on the streams, framing included */
	unsigned connections;             /* open or opening now */
	unsigned unauthenticated;         /* of them, accepted and not yet authenticated */
};

/* A listener on `port` on IPv4 and IPv6 (0: none), bound but not yet accepting: 0, or -errno
 * (-EADDRINUSE) with nothing changed. commit swaps it in for the old one; cancel drops it. */
int wgl_tcp_prepare_listen(struct wgl_transport *tcp, uint16_t port, uint32_t fwmark);
void wgl_tcp_commit_listen(struct wgl_transport *tcp);
void wgl_tcp_cancel_listen(struct wgl_transport *tcp);

void wgl_tcp_set_limits(struct wgl_transport *tcp, const struct wgl_tcp_limits *limits);
void wgl_tcp_stats(const struct wgl_transport *tcp, struct wgl_tcp_stats *out);

/* Whether the engine would have the transport dial `to` for this peer: it is the peer's own
 * TCP endpoint, from its configuration (transport.c). */
bool wgl_tcp_dialable(const struct wg_peer *peer, const struct wg_endpoint *to);

/* A handshake went unanswered over the connection of ours to `to`: unless it is new, it is
 * closed and dialled again at once (a connection that died without a word: a NAT that forgot
 * it, an address gone), so the retry goes on a fresh one. */
void wgl_tcp_redial(struct wgl_transport *tcp, const struct wg_endpoint *to);

/* One source for the per-source limit: the same IPv4 address, or the same IPv6 /64. */
bool wgl_tcp_same_source(const struct wg_endpoint *a, const struct wg_endpoint *b);

#endif
