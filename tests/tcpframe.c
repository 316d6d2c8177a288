/*
 * The stream deframer (libwgc/tcpframe.h): whole frames out of a byte stream cut anywhere,
 * the incomplete one left for the next read, zero and oversize lengths refused.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"
#include "libwgc/tcpframe.h"

/* frames of lengths lens[] (bodies a running byte pattern) into out; returns the total. */
static size_t frame_stream(uint8_t *out, const size_t *lens, int n)
{
	size_t at = 0;

	for (int i = 0; i < n; ++i) {
		wgl_tcp_frame_header(out + at, lens[i]);
		for (size_t j = 0; j < lens[i]; ++j)
			out[at + WGL_TCP_FRAME_HEADER + j] = (uint8_t)(i * 31 + j);
		at += WGL_TCP_FRAME_HEADER + lens[i];
	}
	return at;
}

TEST(tcpframe_header_is_big_endian_length)
{
	uint8_t h[2];

	wgl_tcp_frame_header(h, 148);
	CHECK(h[0] == 0 && h[1] == 148);
	wgl_tcp_frame_header(h, 0x1234);
	CHECK(h[0] == 0x12 && h[1] == 0x34);
	wgl_tcp_frame_header(h, 65535);
	CHECK(h[0] == 0xff && h[1] == 0xff);
}

TEST(tcpframe_whole_frames_with_their_offsets)
{
	static uint8_t buf[4096];
	const size_t lens[] = { 148, 92, 32, 1452 };
	struct wgl_frame frames[8];
	unsigned count;
	size_t total = frame_stream(buf, lens, 4);

	CHECK_EQ(wgl_tcp_deframe(buf, total, 65535, frames, 8, &count), (ssize_t)total);
	CHECK_EQ(count, 4);
	CHECK_EQ(frames[0].offset, 2);
	CHECK_EQ(frames[0].len, 148);
	CHECK_EQ(frames[1].offset, 152);
	CHECK_EQ(frames[3].len, 1452);
	CHECK_EQ(buf[frames[3].offset], (uint8_t)(3 * 31));
}

/* Every cut of a stream: the frames before the cut come out, the rest waits whole. */
TEST(tcpframe_every_cut_leaves_the_incomplete_frame)
{
	static uint8_t buf[1024];
	const size_t lens[] = { 148, 1, 92, 300 };
	struct wgl_frame frames[8];
	unsigned count;
	size_t total = frame_stream(buf, lens, 4), ends[4], at = 0;

	for (int i = 0; i < 4; ++i)
		ends[i] = at += WGL_TCP_FRAME_HEADER + lens[i];
	for (size_t cut = 0; cut <= total; ++cut) {
		unsigned expect = 0;
		size_t used = 0;

		while (expect < 4 && ends[expect] <= cut)
			used = ends[expect++];
		CHECK_EQ(wgl_tcp_deframe(buf, cut, 65535, frames, 8, &count), (ssize_t)used);
		CHECK_EQ(count, expect);
	}
}

TEST(tcpframe_stops_at_the_batch_size)
{
	static uint8_t buf[1024];
	const size_t lens[] = { 10, 20, 30, 40, 50 };
	struct wgl_frame frames[2];
	unsigned count;
	size_t total = frame_stream(buf, lens, 5);
	ssize_t used = wgl_tcp_deframe(buf, total, 65535, frames, 2, &count);

	CHECK_EQ(count, 2);
	CHECK_EQ(used, 2 * 2 + 10 + 20);
	used += wgl_tcp_deframe(buf + used, total - (size_t)used, 65535, frames, 2, &count);
	CHECK_EQ(count, 2);
	CHECK_EQ(frames[1].len, 40);
	CHECK_EQ(wgl_tcp_deframe(buf + used, total - (size_t)used, 65535, frames, 2, &count),
		 (ssize_t)(total - (size_t)used));
	CHECK_EQ(count, 1);
}

/* A zero length, or one above what the connection accepts, ends it: the frames before the
 * bad one are still handed out. */
TEST(tcpframe_refuses_zero_and_oversize_lengths)
{
	static uint8_t buf[1024];
	const size_t lens[] = { 148 };
	struct wgl_frame frames[8];
	unsigned count;
	size_t total = frame_stream(buf, lens, 1);

	buf[total] = 0;
	buf[total + 1] = 0;
	CHECK_EQ(wgl_tcp_deframe(buf, total + 2, 65535, frames, 8, &count), -EPROTO);
	CHECK_EQ(count, 1);
	CHECK_EQ(frames[0].len, 148);
	/* Larger than the connection accepts, before its body arrives. */
	wgl_tcp_frame_header(buf, 8191);
	CHECK_EQ(wgl_tcp_deframe(buf, 2, 8190, frames, 8, &count), -EPROTO);
	CHECK_EQ(count, 0);
	/* Exactly the limit is fine, and waits for its body. */
	wgl_tcp_frame_header(buf, 8190);
	CHECK_EQ(wgl_tcp_deframe(buf, 2, 8190, frames, 8, &count), 0);
	CHECK_EQ(count, 0);
	/* A lone first byte of a length is no frame yet. */
	CHECK_EQ(wgl_tcp_deframe(buf, 1, 8190, frames, 8, &count), 0);
}
