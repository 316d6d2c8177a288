#include "libwgc/handshakes.h"

#include <string.h>

bool wgl_handshake_push(struct wgl_handshake_queue *q, const uint8_t *msg, size_t len,
			 const struct wg_endpoint *from)
{
	struct wgl_handshake *h;

	if (q->count == WGL_HANDSHAKE_QUEUE || len > sizeof(h->msg))
		return false;
	h = &q->item[(q->head + q->count++) % WGL_HANDSHAKE_QUEUE];
	memcpy(h->msg, msg, len);
	h->len = len;
	h->from = *from;
	return true;
}

const struct wgl_handshake *wgl_handshake_pop(struct wgl_handshake_queue *q)
{
	const struct wgl_handshake *h;

	if (!q->count)
		return NULL;
	h = &q->item[q->head];
	q->head = (q->head + 1) % WGL_HANDSHAKE_QUEUE;
	--q->count;
	return h;
}
