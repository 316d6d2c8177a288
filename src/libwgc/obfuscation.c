/* The send edge of obfuscation: prefixes, signature packets and junk, all from the device's
 * keyed stream (never a system call per packet). */
#include "libwgc/obfuscation.h"

#include <errno.h>
#include <stdlib.h>

#include "core/signature.h"
#include "libwgc/engine.h"
#include "libwgc/tcp.h"

static uint8_t *scratch(struct wgl_engine *engine)
{
	if (!engine->obfuscation_scratch)
		engine->obfuscation_scratch = malloc(WGL_OBFUSCATION_SCRATCH);
	return engine->obfuscation_scratch;
}

/* A datagram of the peer's (so a TCP connection is dialled for it as for the initiation). On
 * TCP only what a listener takes before the handshake authenticates the connection goes: no
 * empty frame (it cannot be framed), none over a first frame's limit, and no more than
 * WGL_OBFUSCATION_TCP_EXTRA bytes before one initiation (*budget). What fails is the
 * transport's to count. */
static void queue_extra(struct wgl_transport *t, struct wg_peer *peer, const struct wg_endpoint *to,
			const uint8_t *data, size_t len, size_t *budget)
{
	if (t->ops->kind == WG_TRANSPORT_TCP) {
		if (!len || len > WGL_TCP_UNAUTHENTICATED_FRAME_MAX || len > *budget)
			return;
		*budget -= len;
	}
	t->ops->queue(t, peer, to, NULL, 0, data, len);
}

/* I1..I5 that are set, then Jc junk datagrams of lengths in [Jmin, Jmax). */
static void queue_before_initiation(struct wgl_engine *engine, struct wgl_transport *t, struct wg_peer *peer,
				    const struct wg_endpoint *to, uint8_t *buf)
{
	struct wg_device *device = &engine->device;
	const struct wg_obfuscation *o = &device->obfuscation;
	uint32_t unix_time = (uint32_t)(device->env.wall(device->env.ctx) / WG_NSEC_PER_SEC);
	size_t budget = WGL_OBFUSCATION_TCP_EXTRA;

	for (int i = 0; i < WG_OBFS_SIGNATURES; ++i)
		if (o->signature[i])
			queue_extra(t, peer, to, buf,
				    wg_signature_build(o->signature[i], buf, device->obfuscation_random, unix_time), &budget);
	for (uint32_t i = 0; i < o->junk_count; ++i) {
		size_t len = wg_keystream_between(device->obfuscation_random, o->junk_min, o->junk_max - 1);

		wg_keystream_fill(device->obfuscation_random, buf, len);
		queue_extra(t, peer, to, buf, len, &budget);
	}
}

int wgl_obfuscation_queue(struct wgl_engine *engine, struct wgl_transport *t, struct wg_peer *peer,
			  const struct wg_endpoint *to, const uint8_t *msg, size_t len)
{
	const struct wg_wire_format *wire = &engine->device.wire;
	enum wg_message_type type = wg_message_classify(wire, msg, len);
	uint8_t *buf = scratch(engine);
	size_t prefix = type == WG_MESSAGE_INVALID ? 0 : wire->prefix[type - 1];

	if (!buf)
		return -ENOMEM;
	if (type == WG_MESSAGE_HANDSHAKE_INITIATION)
		queue_before_initiation(engine, t, peer, to, buf);
	wg_keystream_fill(engine->device.obfuscation_random, buf, prefix);
	return t->ops->queue(t, peer, to, buf, prefix, msg, len);
}
