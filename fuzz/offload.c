/* The TUN offload parsers on hostile input: a virtio-net header and a packet, as a TUN read
 * would give them. Cutting must stay inside its buffers and never produce more than the input
 * holds; every segment then goes through the coalescer, which must write every byte it was
 * given exactly once. */
#include <stdint.h>
#include <string.h>

#include "libwgc/offload/coalesce.h"
#include "libwgc/offload/segment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t packet[65536 + 256], segments[64][65536 + 256];
static struct wgl_coalescer coalescer;

static int count_bytes(void *ctx, const struct iovec *iov, int count)
{
	size_t *written = ctx;

	for (int i = 1; i < count; ++i)
		*written += iov[i].iov_len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr vnet;
	struct wgl_segmenter seg;
	size_t len, n, in = 0, written = 0;
	unsigned count = 0;

	if (size < sizeof(vnet) + 1 || size - sizeof(vnet) > sizeof(packet))
		return 0;
	memcpy(&vnet, data, sizeof(vnet));
	len = size - sizeof(vnet) - 1;
	memcpy(packet, data + sizeof(vnet) + 1, len);
	coalescer = (struct wgl_coalescer){ .udp = data[sizeof(vnet)] & 1 };
	if (vnet.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		wgl_checksum_finish(&vnet, packet, len);
		return 0;
	}
	if (wgl_segmenter_init(&seg, &vnet, packet, len))
		return 0;
	while (count < 64 && (n = wgl_segmenter_next(&seg, segments[count]))) {
		if (n > seg.header_len + seg.gso_size)
			__builtin_trap();
		/* Only what parses as a whole IP packet is ever delivered to the coalescer. */
		wgl_coalescer_add(&coalescer, segments[count], n);
		in += n;
		++count;
	}
	wgl_coalescer_flush(&coalescer, count_bytes, &written);
	if (written > in)
		__builtin_trap();
	return 0;
}
