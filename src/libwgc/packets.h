/*
 * The tunnel side of a device without a TUN: the IP packets the tunnel delivered during one
 * round, referenced where they were decrypted (in a transport's receive buffers) and handed
 * over at the round's flush, before those buffers are reused: to the program's packet
 * callback, or copied into a bounded queue that wgc_device_read_packet empties.
 */
#ifndef WGL_PACKETS_H
#define WGL_PACKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
	WGL_PACKETS_ROUND = 2048, /* references per flush; a full receive batch with GRO */
	WGL_PACKETS_QUEUE = 1024, /* copies waiting for the program to read them */
};

struct wgl_packet_ref {
	const uint8_t *data;
	size_t len;
};

struct wgl_packet_copy {
	size_t len;
	uint8_t data[];
};

struct wgl_packets {
	void (*callback)(void *ctx, const uint8_t *packet, size_t len); /* NULL: the queue */
	void *ctx;
	unsigned refs;
	struct wgl_packet_ref *ref;            /* WGL_PACKETS_ROUND of them */
	unsigned head, count;
	struct wgl_packet_copy **queue;        /* WGL_PACKETS_QUEUE ring of copies */
	uint64_t dropped;
	bool flushing;                         /* a callback's own sends flush no packets again */
};

int wgl_packets_init(struct wgl_packets *packets, void (*callback)(void *, const uint8_t *, size_t), void *ctx);
/* Frees the queue, wiping what the program never read. */
void wgl_packets_free(struct wgl_packets *packets);
/* A delivered packet, by reference until the flush; false when full (flush, then again). */
bool wgl_packets_add(struct wgl_packets *packets, const uint8_t *packet, size_t len);
/* Hands over every reference (callback, or a copy into the queue) and forgets them. */
void wgl_packets_flush(struct wgl_packets *packets);
/* The oldest queued packet into buf: its length, -EAGAIN, or -EMSGSIZE (dropped). */
ssize_t wgl_packets_read(struct wgl_packets *packets, uint8_t *buf, size_t cap);

#endif
