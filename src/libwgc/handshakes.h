/*
 * Handshake messages waiting for their Diffie-Hellman, apart from the data path: a UDP batch
 * decrypts its data at once and only queues the handshakes it admits, and the loop works off a
 * few of them per round. A flood therefore delays data by a bounded amount instead of
 * starving it, and the queue's length is the backlog that tells the core it is under load,
 * when it answers with cookie replies (cheap, and done at admission) instead of queueing.
 */
#ifndef WGL_HANDSHAKES_H
#define WGL_HANDSHAKES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/endpoint.h"
#include "core/messages.h"

enum {
	WGL_HANDSHAKE_QUEUE = WG_MAX_QUEUED_INCOMING_HANDSHAKES,
	WGL_HANDSHAKES_PER_ROUND = 16, /* about 3 ms of Diffie-Hellman between data batches */
};

struct wgl_handshake {
	uint8_t msg[sizeof(struct wg_message_initiation)];
	size_t len;
	struct wg_endpoint from;
};

struct wgl_handshake_queue {
	unsigned head, count;
	struct wgl_handshake item[WGL_HANDSHAKE_QUEUE];
};

/* False when the queue is full or the message is longer than a handshake. */
bool wgl_handshake_push(struct wgl_handshake_queue *q, const uint8_t *msg, size_t len,
			 const struct wg_endpoint *from);
/* The oldest, or NULL; valid until the next push. */
const struct wgl_handshake *wgl_handshake_pop(struct wgl_handshake_queue *q);

#endif
