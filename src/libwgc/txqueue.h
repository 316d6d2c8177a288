/*
 * Datagrams for the network gathered over one round of the event loop and sent together:
 * equal-sized datagrams to one endpoint (the segments of one TSO super-packet, a burst of small
 * packets to one peer) go as one UDP GSO run, and the runs go in one sendmmsg. A round that
 * sends a handshake or a keepalive costs one system call as before; a round that encrypts 64 KiB
 * of TCP costs one instead of forty-five.
 */
#ifndef WGL_TXQUEUE_H
#define WGL_TXQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/endpoint.h"
#include "libwgc/udp.h"

enum {
	WGL_TXQUEUE_BYTES = 1 << 20,
	WGL_TXQUEUE_DATAGRAMS = 1024,
};

struct wg_peer;

struct wgl_txqueue_entry {
	size_t offset, len;             /* in the arena, each right after the one before */
	struct wg_endpoint to;
	struct wg_peer *peer;           /* NULL for a cookie reply; flushed before the peer is freed */
};

struct wgl_txqueue {
	size_t used;
	unsigned count;
	struct wgl_txqueue_entry entry[WGL_TXQUEUE_DATAGRAMS];
	struct wgl_udp_run run[WGL_TXQUEUE_DATAGRAMS];
	uint8_t arena[WGL_TXQUEUE_BYTES];
};

/* Where the next datagram's payload may be built in place (WG_PACKET_HEADROOM into the free
 * space, with `room` bytes free from the start), so that adding it copies nothing; flushes
 * first when there is not that much room, adding what the flush returned to *failed. */
uint8_t *wgl_txqueue_reserve(struct wgl_txqueue *q, struct wgl_udp *udp, size_t room, uint64_t *failed);
/* Copies one datagram in, the prefix and then the message, unless the message already lies
 * where it goes (prefix_len bytes after where the next datagram starts); when the queue is
 * full it is flushed first. Returns what that flush returned. */
unsigned wgl_txqueue_add(struct wgl_txqueue *q, struct wgl_udp *udp, struct wg_peer *peer,
			  const struct wg_endpoint *to, const uint8_t *prefix, size_t prefix_len, const uint8_t *msg,
			  size_t len);
/* Sends everything queued and empties the queue. A peer's datagrams that could not be sent are
 * taken back from its counters (wg_peer_send_failed); the number of the others is returned. */
unsigned wgl_txqueue_flush(struct wgl_txqueue *q, struct wgl_udp *udp);

#endif
