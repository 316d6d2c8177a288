#include "libwgc/tcpframe.h"

#include <errno.h>

ssize_t wgl_tcp_deframe(const uint8_t *buf, size_t len, size_t message_max, struct wgl_frame *frames,
			unsigned max, unsigned *count)
{
	size_t used = 0;

	*count = 0;
	while (*count < max && len - used >= WGL_TCP_FRAME_HEADER) {
		size_t message = (size_t)buf[used] << 8 | buf[used + 1];

		if (!message || message > message_max)
			return -EPROTO;
		if (len - used - WGL_TCP_FRAME_HEADER < message)
			break;
		frames[(*count)++] = (struct wgl_frame){ used + WGL_TCP_FRAME_HEADER, message };
		used += WGL_TCP_FRAME_HEADER + message;
	}
	return (ssize_t)used;
}
