/*
 * The transport seam: how WireGuard messages leave and arrive, behind one small interface.
 * UDP (udp.c, with GSO/GRO batching in txqueue.c) and TCP (tcp_transport.c) implement it; each endpoint
 * names the transport that carries it (wg_endpoint.transport), so the core stays unaware and
 * roaming is per transport.
 *
 * A transport opens its sockets bound to a port and marked with a fwmark, registers its own
 * watches with the engine's epoll set, queues messages for endpoints during a round of the
 * loop and sends them at its end (flush), and hands what it receives to the engine in batches
 * (wgl_ingress_batch). Every call comes from the engine's loop thread, under its lock.
 */
#ifndef WGL_TRANSPORT_H
#define WGL_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/endpoint.h"

struct wg_peer;
struct wgl_engine;
struct wgl_transport;

/* What a transport hands the engine: one received buffer, in the transport's memory until the
 * engine's flush after the event. */
struct wgl_datagram {
	uint8_t *data;
	size_t len;
	size_t segment;               /* UDP GRO joined datagrams of this size (the last may be
	                               * shorter); 0 when it is one message */
	struct wg_endpoint from;      /* with its transport, and the local address it reached */
};

/* The length of the message at offset in d: GRO-joined datagrams are taken apart by walking
 * offset from 0 to d->len by what this returns. */
static inline size_t wgl_datagram_part(const struct wgl_datagram *d, size_t offset)
{
	size_t rest = d->len - offset;

	return d->segment && d->segment < rest ? d->segment : rest;
}

/* The engine's side of the seam (ingress.c): a batch of received buffers. Returns what its
 * messages did, for a transport that cares: WGL_INGRESS_AUTHENTICATED when one authenticated
 * then and there (data the core accepted; a handshake message authenticates later, when the
 * core answers it), WGL_INGRESS_ADMITTED when a handshake message passed its macs. */
enum { WGL_INGRESS_AUTHENTICATED = 1u << 0, WGL_INGRESS_ADMITTED = 1u << 1 };
unsigned wgl_ingress_batch(struct wgl_engine *engine, struct wgl_datagram *batch, int count);

struct wgl_transport_ops {
	enum wg_transport_kind kind;
	/* New sockets on `port` (0: a free one) with `fwmark`, not yet watched. 0, or -errno with
	 * nothing open (-EADDRINUSE: the port is taken). */
	int (*open)(struct wgl_engine *engine, uint16_t port, uint32_t fwmark, struct wgl_transport **out);
	/* Registers the watches: from now on it receives. 0 or -errno (nothing registered). */
	int (*watch)(struct wgl_transport *t);
	/* Takes them out of the epoll set again: it receives no more. */
	void (*unwatch)(struct wgl_transport *t);
	/* Sends what is queued, unregisters, closes, frees. */
	void (*close)(struct wgl_transport *t);
	int (*set_fwmark)(struct wgl_transport *t, uint32_t fwmark);
	uint16_t (*port)(const struct wgl_transport *t);
	/* Where a datagram of up to `room` bytes may be built in place before queue() is given
	 * it: the payload goes WG_PACKET_HEADROOM in, and queue() then copies nothing. Required of
	 * the UDP transport: the TUN's super-packets are cut straight into its queue. */
	uint8_t *(*reserve)(struct wgl_transport *t, size_t room);
	/* Queues one datagram for `to` on behalf of `peer` (NULL: a cookie reply): the prefix
	 * (obfuscation's random bytes; prefix_len 0: none) and then the message, as one datagram
	 * or frame. 0, or -errno when it is dropped at once (the core counts that as a send
	 * error). Datagrams the transport later fails to send are taken back from the peer
	 * (wg_peer_send_failed). A message built where reserve() said, prefix_len bytes further
	 * in, with the prefix in front, is not copied. */
	int (*queue)(struct wgl_transport *t, struct wg_peer *peer, const struct wg_endpoint *to,
		     const uint8_t *prefix, size_t prefix_len, const uint8_t *msg, size_t len);
	/* Sends everything queued (also before a peer is freed, so nothing queued refers to it). */
	void (*flush)(struct wgl_transport *t);
	/* Optional: its own deadlines, due by `now`; returns the next one (UINT64_MAX: none). A
	 * transport that sets a new deadline between ticks says so (wgl_engine_transport_deadline). */
	uint64_t (*tick)(struct wgl_transport *t, uint64_t now);
	/* Optional: frees what it closed during the loop's batch, between batches (when no event
	 * the loop still holds can name it). */
	void (*collect)(struct wgl_transport *t);
	/* Optional: the peer is about to be freed (after a flush): forget every reference to it. */
	void (*forget)(struct wgl_transport *t, struct wg_peer *peer);
};

struct wgl_transport {
	const struct wgl_transport_ops *ops;
	struct wgl_engine *engine;
	struct wgl_transport *next_retired; /* on the engine's list of retired transports */
};

/* The transports the engine knows, by kind. */
extern const struct wgl_transport_ops wgl_udp_transport;
extern const struct wgl_transport_ops wgl_tcp_transport;

#endif
