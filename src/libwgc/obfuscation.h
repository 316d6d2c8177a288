/*
 * AmneziaWG's obfuscation at the send edge: each message's random prefix, and before each
 * initiation the signature packets (I1..I5) and the junk (Jc datagrams). The core has set the
 * type word already (its macs cover it); on the way in, ingress strips the prefix with
 * wg_message_unwrap before anything else looks at the message.
 */
#ifndef WGL_OBFUSCATION_H
#define WGL_OBFUSCATION_H

#include <stddef.h>
#include <stdint.h>

#include "core/endpoint.h"
#include "core/messages.h"

struct wg_peer;
struct wgl_engine;
struct wgl_transport;

enum {
	/* Room for the longest prefix (S3, S4 up to 65535) or signature packet. */
	WGL_OBFUSCATION_SCRATCH = 65536,
	/* On TCP, the junk and signature frames before one initiation: at most this many bytes,
	 * an eighth of a listener's default allowance for a connection not yet authenticated
	 * (64 KiB, tcp.h), so that a retry, each with its resend after a cookie reply, and their
	 * frames' headers fit too; each frame at most a first frame's limit. */
	WGL_OBFUSCATION_TCP_EXTRA = 8192,
};

/* Queues one message of an obfuscated device over t, as the transport's queue() does. */
int wgl_obfuscation_queue(struct wgl_engine *engine, struct wgl_transport *t, struct wg_peer *peer,
			  const struct wg_endpoint *to, const uint8_t *msg, size_t len);

/* How far in front of a data message its prefix starts: room to leave when building one in
 * a transport's reserved space. 0 for a plain device. */
static inline size_t wgl_obfuscation_data_prefix(const struct wg_wire_format *wire)
{
	return wire->prefix[WG_MESSAGE_DATA - 1];
}

#endif
