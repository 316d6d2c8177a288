/*
 * WireGuard messages on a byte stream: each one a 2-byte big-endian length and the message,
 * nothing else ever written (no greeting, no handshake of our own). That is exactly the framing
 * of Mullvad's udp-over-tcp relays (udp2tcp, tcp2udp), so a TCP transport of ours works through
 * them in either role. Pure functions: the TCP transport's buffers go in, frames come out.
 */
#ifndef WGL_TCPFRAME_H
#define WGL_TCPFRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
	WGL_TCP_FRAME_HEADER = 2,
	/* The largest message a frame may carry: what its length field can say. A zero length
	 * closes the connection. */
	WGL_TCP_MESSAGE_MAX = 65535,
};

struct wgl_frame {
	size_t offset, len; /* the message, in the buffer deframed */
};

/* The complete frames at the start of buf[0..len), up to `max` of them, into frames[]: returns
 * the bytes they take (what follows is an incomplete frame, kept for the next read), or
 * -EPROTO when a frame's length is zero or above `message_max` (the connection is then to be
 * closed). *count is set either way, to the frames found before the bad one. */
ssize_t wgl_tcp_deframe(const uint8_t *buf, size_t len, size_t message_max, struct wgl_frame *frames,
			unsigned max, unsigned *count);

/* The length field for a message of len bytes (1 to WGL_TCP_MESSAGE_MAX). */
static inline void wgl_tcp_frame_header(uint8_t out[WGL_TCP_FRAME_HEADER], size_t len)
{
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
}

#endif
