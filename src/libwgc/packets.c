#include "libwgc/packets.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secret.h"

int wgl_packets_init(struct wgl_packets *packets, void (*callback)(void *, const uint8_t *, size_t), void *ctx)
{
	*packets = (struct wgl_packets){ .callback = callback, .ctx = ctx };
	packets->ref = calloc(WGL_PACKETS_ROUND, sizeof(*packets->ref));
	packets->queue = callback ? NULL : calloc(WGL_PACKETS_QUEUE, sizeof(*packets->queue));
	return packets->ref && (callback || packets->queue) ? 0 : -ENOMEM;
}

/* What the tunnel delivered is the program's plaintext: wiped before it is freed. */
static void free_copy(struct wgl_packet_copy *copy)
{
	wg_secret_wipe(copy->data, copy->len);
	free(copy);
}

void wgl_packets_free(struct wgl_packets *packets)
{
	while (packets->queue && packets->count) {
		free_copy(packets->queue[packets->head]);
		packets->head = (packets->head + 1) % WGL_PACKETS_QUEUE;
		--packets->count;
	}
	free(packets->queue);
	free(packets->ref);
	packets->queue = NULL;
	packets->ref = NULL;
}

bool wgl_packets_add(struct wgl_packets *packets, const uint8_t *packet, size_t len)
{
	if (packets->refs == WGL_PACKETS_ROUND)
		return false;
	packets->ref[packets->refs++] = (struct wgl_packet_ref){ packet, len };
	return true;
}

/* The newest are dropped when the program does not keep up, as a full TUN queue drops. */
static void enqueue(struct wgl_packets *packets, const struct wgl_packet_ref *ref)
{
	struct wgl_packet_copy *copy;

	if (packets->count == WGL_PACKETS_QUEUE || !(copy = malloc(sizeof(*copy) + ref->len))) {
		++packets->dropped;
		return;
	}
	copy->len = ref->len;
	memcpy(copy->data, ref->data, ref->len);
	packets->queue[(packets->head + packets->count++) % WGL_PACKETS_QUEUE] = copy;
}

void wgl_packets_flush(struct wgl_packets *packets)
{
	if (packets->flushing)
		return;
	packets->flushing = true;
	for (unsigned i = 0; i < packets->refs; ++i) {
		if (packets->callback)
			packets->callback(packets->ctx, packets->ref[i].data, packets->ref[i].len);
		else
			enqueue(packets, &packets->ref[i]);
	}
	packets->refs = 0;
	packets->flushing = false;
}

ssize_t wgl_packets_read(struct wgl_packets *packets, uint8_t *buf, size_t cap)
{
	struct wgl_packet_copy *copy;
	ssize_t ret;

	if (!packets->queue || !packets->count)
		return -EAGAIN;
	copy = packets->queue[packets->head];
	packets->head = (packets->head + 1) % WGL_PACKETS_QUEUE;
	--packets->count;
	ret = copy->len <= cap ? (ssize_t)copy->len : -EMSGSIZE;
	if (ret > 0)
		memcpy(buf, copy->data, copy->len);
	free_copy(copy);
	return ret;
}
