/*
 * The capture reader on any bytes as a file (fmemopen; libpcap reads pcap and pcapng): never
 * crash, never read outside a record, never leak, and a failure always says what and where.
 * Every message's bytes are read through (for the sanitizer) and its fields checked; TCP
 * streams are followed whenever their first frame's type byte is WireGuard's, so the fuzzer
 * gets through to the reassembly easily.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "wgc/capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	uint64_t messages, bytes, last_udp_frame;
	uint8_t fold;
};

static bool plausible(void *ctx, const uint8_t *data, size_t len)
{
	(void)ctx;
	return len && data[0] >= 1 && data[0] <= 4;
}

static void message(void *ctx, const struct capture_message *m)
{
	struct seen *seen = ctx;

	if ((m->family != AF_INET && m->family != AF_INET6) || m->len > 65535 || !m->frame || strcmp(m->file, "fuzz"))
		__builtin_trap();
	if (m->transport == CAPTURE_UDP) {
		/* datagrams come as their records do */
		if (m->frame <= seen->last_udp_frame)
			__builtin_trap();
		seen->last_udp_frame = m->frame;
	} else if (!m->len) {
		__builtin_trap(); /* a frame of length 0 is never delivered */
	}
	for (size_t i = 0; i < m->len; ++i)
		seen->fold ^= m->data[i];
	++seen->messages;
	seen->bytes += m->len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen seen = { 0 };
	struct capture_options options = { .frame_plausible = plausible, .message = message, .ctx = &seen };
	struct capture_counts counts = { 0 };
	struct wgc_err err = { "" };
	FILE *f;
	int ret;

	if (!size || size > 1 << 20 || !(f = fmemopen((void *)data, size, "rb")))
		return 0;
	ret = capture_read_stream(f, "fuzz", &options, &counts, &err);
	if (ret && ret != -EINVAL && ret != -EIO)
		__builtin_trap();
	if (ret && strncmp(err.text, "fuzz: ", 6))
		__builtin_trap();
	if (seen.messages > counts.packets + size || seen.bytes > size)
		__builtin_trap();
	return 0;
}
