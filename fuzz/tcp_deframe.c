/* The TCP transport's stream deframer: never crash, never hand out a frame outside the buffer
 * or of a length it refuses, and cut the same frames out of the stream however it arrives
 * (the first byte picks the read sizes, as the transport reads into a buffer that keeps the
 * incomplete frame at its end). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "libwgc/tcpframe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_FRAMES = 512, BATCH = 8 };

struct cut {
	size_t len;
	uint32_t sum;
};

static uint32_t checksum(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; ++i)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* All frames of the stream in one go, as a reference. */
static int whole(const uint8_t *s, size_t len, size_t max, struct cut *out, unsigned *n, size_t *used)
{
	struct wgl_frame frames[BATCH];
	unsigned count;
	ssize_t r;

	*n = 0;
	*used = 0;
	do {
		r = wgl_tcp_deframe(s + *used, len - *used, max, frames, BATCH, &count);
		for (unsigned i = 0; i < count; ++i) {
			if (frames[i].offset + frames[i].len > len - *used || !frames[i].len || frames[i].len > max)
				__builtin_trap();
			if (*n < MAX_FRAMES)
				out[(*n)++] = (struct cut){ frames[i].len, checksum(s + *used + frames[i].offset, frames[i].len) };
		}
		if (r < 0)
			return -EPROTO;
		if ((size_t)r > len - *used)
			__builtin_trap();
		*used += (size_t)r;
	} while (count == BATCH);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[1 << 17];
	struct cut reference[MAX_FRAMES], got[MAX_FRAMES];
	unsigned nref, ngot = 0;
	size_t used_ref, max, step, fed = 0, tail = 0;
	int ret_ref, ret = 0;

	if (size < 2)
		return 0;
	max = data[0] & 1 ? 8190 : WGL_TCP_MESSAGE_MAX;
	step = 1 + data[1] * 7u;
	data += 2;
	size -= 2;
	ret_ref = whole(data, size, max, reference, &nref, &used_ref);
	/* Read by read, the tail carried over. */
	while (fed < size && !ret) {
		size_t n = size - fed < step ? size - fed : step, used;
		struct cut part[MAX_FRAMES];
		unsigned np;

		memcpy(buf + tail, data + fed, n);
		fed += n;
		ret = whole(buf, tail + n, max, part, &np, &used);
		for (unsigned i = 0; i < np && ngot < MAX_FRAMES; ++i)
			got[ngot++] = part[i];
		if (ret)
			break;
		memmove(buf, buf + used, tail + n - used);
		tail = tail + n - used;
		if (tail > WGL_TCP_FRAME_HEADER + max)
			__builtin_trap(); /* a tail longer than one frame may be */
	}
	if (ret != ret_ref || ngot != nref)
		__builtin_trap();
	for (unsigned i = 0; i < nref; ++i)
		if (got[i].len != reference[i].len || got[i].sum != reference[i].sum)
			__builtin_trap();
	return 0;
}
