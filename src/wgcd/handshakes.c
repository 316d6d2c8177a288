#include "wgcd/handshakes.h"

#include <string.h>

bool wgcd_handshake_push(struct wgcd_handshake_queue *q, const uint8_t *msg, size_t len,
			 const struct wg_endpoint *from)
{
	struct wgcd_handshake *h;

	if (q->count == WGCD_HANDSHAKE_QUEUE || len > sizeof(h->msg))
		return false;
	h = &q->item[(q->head + q->count++) % WGCD_HANDSHAKE_QUEUE];
	memcpy(h->msg, msg, len);
	h->len = len;
	h->from = *from;
	return true;
}

const struct wgcd_handshake *wgcd_handshake_pop(struct wgcd_handshake_queue *q)
{
	const struct wgcd_handshake *h;

	if (!q->count)
		return NULL;
	h = &q->item[q->head];
	q->head = (q->head + 1) % WGCD_HANDSHAKE_QUEUE;
	--q->count;
	return h;
}
