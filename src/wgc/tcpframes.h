/*
 * TCP streams of a capture, each direction reassembled in sequence order and cut into the TCP
 * transport's frames (a 2-byte big-endian length, then the message; docs/tcp.md).
 *
 * A stream is one direction of a connection (addresses, ports, and which end sends). A SYN
 * sets its initial sequence number, and its first frame starts right after it; a stream
 * whose SYN was not captured starts at the first segment that carries data, wherever in a
 * frame that falls. Retransmitted and overlapping bytes are trimmed (the first copy wins);
 * segments ahead of a hole are held until it is filled. A stream's first frame decides
 * whether it is followed (the plausible callback); one that is not costs a table lookup per
 * segment from then on. FIN (once every byte before it is in) and RST end a stream; a SYN
 * with a new initial sequence starts the key's next one.
 *
 * A hole is given up (its bytes counted in gap_bytes) when the stream moves on by more than
 * TCP_FRAMES_HOLD_MAX, when it holds TCP_FRAMES_HELD_MAX segments, on RST, or at
 * tcp_frames_finish. The incomplete frame before the hole goes with it, and the stream looks
 * for a frame boundary again in the data after it: at each byte offset a candidate frame
 * (length, then that many bytes; a length of 0 is none) is put to the plausible callback, and
 * the first one it accepts is where frames resume. A candidate waits for its bytes while more
 * can come; before the next hole and at the stream's end it is passed over instead. The bytes
 * passed over are counted as gap bytes too; after TCP_FRAMES_SEEK_MAX of them (more than the
 * largest frame, so a boundary was in there) the stream is given up. A stream whose SYN was
 * not captured looks for its first frame the same way (uncounted: it was never followed). A
 * stream that sends a frame of length 0 (invalid) is dropped.
 *
 * Memory: per stream at most one incomplete frame and what the search for a boundary needs
 * (about 128 KiB), plus TCP_FRAMES_HOLD_MAX held; TCP_FRAMES_STREAMS_MAX streams (ended and
 * ignored ones are swept when the table is full), TCP_FRAMES_MEMORY_MAX bytes in all. A stream
 * that finds no room is dropped, its segments counted (dropped_segments).
 */
#ifndef WGC_TCPFRAMES_H
#define WGC_TCPFRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	TCP_FRAMES_HOLD_MAX = 256 * 1024,         /* sequence space held ahead of a hole */
	TCP_FRAMES_HELD_MAX = 1024,               /* segments held ahead of a hole */
	TCP_FRAMES_SEEK_MAX = 2 + 65535,          /* bytes tried for a frame boundary */
	TCP_FRAMES_STREAMS_MAX = 65536,
	TCP_FRAMES_MEMORY_MAX = 64 * 1024 * 1024,
};

/* One direction of a connection. Zero-filled (no padding) so that it compares as bytes. */
struct tcp_flow {
	int32_t family;                 /* AF_INET or AF_INET6 */
	uint8_t src[16], dst[16];       /* 4 or 16 bytes used, the rest zero */
	uint16_t sport, dport;
};

struct tcp_segment {
	struct tcp_flow flow;
	uint32_t seq;
	bool syn, fin, rst;
	const uint8_t *data;            /* the payload */
	size_t len;
	uint64_t frame, time_ns;        /* the packet it came in */
};

/* Whether a stream's first frame (the message, without its length) is one to follow. */
typedef bool tcp_frames_plausible_fn(void *ctx, const uint8_t *data, size_t len);
/* A complete frame's message, valid during the call; frame and time are the packet's whose
 * bytes completed it (for data held behind a hole given up at the end: the last of its own). */
typedef void tcp_frames_deliver_fn(void *ctx, const struct tcp_flow *flow, uint64_t frame, uint64_t time_ns,
				   const uint8_t *data, size_t len);

struct tcp_stream;

/* All streams of one capture. Owned by one reader: no locking. */
struct tcp_frames {
	tcp_frames_plausible_fn *plausible;     /* NULL: every stream is followed */
	tcp_frames_deliver_fn *deliver;
	void *ctx;
	struct tcp_stream **buckets;            /* chained hash table, grown by doubling */
	size_t bucket_count, stream_count;
	size_t dead_count;                      /* streams ended or not followed: swept when full */
	size_t bytes;                           /* held and buffered, over all streams */
	uint64_t gap_bytes;                     /* see above */
	uint64_t dropped_segments;              /* of streams there was no room for (streams, memory) */
};

void tcp_frames_init(struct tcp_frames *frames, tcp_frames_plausible_fn *plausible, tcp_frames_deliver_fn *deliver,
		     void *ctx);
/* One TCP segment, in capture order; the frames it completes are delivered before it returns. */
void tcp_frames_receive(struct tcp_frames *frames, const struct tcp_segment *segment);
/* The capture ended: every hole is given up, what was held after it is delivered, and all is
 * freed (the counters stay). */
void tcp_frames_finish(struct tcp_frames *frames);

#endif
