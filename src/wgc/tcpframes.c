/*
 * TCP streams reassembled and cut into frames (tcpframes.h). Sequence numbers are compared as
 * signed 32-bit differences; everything held is within TCP_FRAMES_HOLD_MAX ahead of next_seq,
 * so offsets relative to it are small and positive.
 */
#include "wgc/tcpframes.h"

#include <stdlib.h>
#include <string.h>

enum tcp_stream_state {
	TCP_STREAM_SEEKING,             /* looking for the first frame to follow (after a hole too) */
	TCP_STREAM_FOLLOWED,            /* pending[] starts at a frame: frames are delivered */
	TCP_STREAM_DEAD,                /* not followed, given up, dropped or ended: nothing kept */
};

/* Bytes after a hole, until it is filled or given up. A stream's list is sorted by seq and its
 * pieces never overlap (what overlaps one already held is trimmed on the way in). */
struct tcp_held {
	struct tcp_held *next;
	uint32_t seq, len;
	uint64_t frame, time_ns;
	uint8_t data[];
};

struct tcp_stream {
	struct tcp_stream *next;        /* in its bucket */
	struct tcp_flow flow;
	uint32_t hash;
	enum tcp_stream_state state;
	bool aligned;                   /* SEEKING: the next byte starts a frame (the SYN said so) */
	bool followed;                  /* was followed once: what it loses is counted as gap bytes */
	bool dropped;                   /* DEAD for lack of room: its segments are counted */
	bool syn_seen, fin_seen;
	uint32_t isn, fin_seq;
	uint32_t next_seq;              /* the byte after the last one fed */
	uint64_t last_frame, last_time; /* the packet of the last bytes fed */
	size_t skipped;                 /* SEEKING: offsets tried since the search began */
	uint8_t *pending;               /* fed, not yet a whole frame (or candidate frame) */
	size_t pending_len, pending_cap;
	struct tcp_held *held;
	size_t held_count;
};

static int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static uint32_t flow_hash(const struct tcp_flow *flow)
{
	const uint8_t *p = (const uint8_t *)flow;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(*flow); ++i)
		h = (h ^ p[i]) * 16777619u;
	return h ^ h >> 15;
}

void tcp_frames_init(struct tcp_frames *frames, tcp_frames_plausible_fn *plausible, tcp_frames_deliver_fn *deliver,
		     void *ctx)
{
	memset(frames, 0, sizeof(*frames));
	frames->plausible = plausible;
	frames->deliver = deliver;
	frames->ctx = ctx;
}

/* Frees what the stream holds; it stays in the table, dead, until a SYN or a sweep. */
static void stream_kill(struct tcp_frames *t, struct tcp_stream *s)
{
	struct tcp_held *h;

	while ((h = s->held)) {
		s->held = h->next;
		t->bytes -= sizeof(*h) + h->len;
		free(h);
	}
	s->held_count = 0;
	t->bytes -= s->pending_cap;
	free(s->pending);
	s->pending = NULL;
	s->pending_len = s->pending_cap = 0;
	if (s->state != TCP_STREAM_DEAD) {
		s->state = TCP_STREAM_DEAD;
		++t->dead_count;
	}
}

static void stream_drop(struct tcp_frames *t, struct tcp_stream *s)
{
	stream_kill(t, s);
	s->dropped = true;
}

/* Room in pending[] for `more` bytes; false (and the stream dropped) when there is none. */
static bool stream_reserve(struct tcp_frames *t, struct tcp_stream *s, size_t more)
{
	size_t need = s->pending_len + more, cap = s->pending_cap ? s->pending_cap : 2048;
	uint8_t *grown = NULL;

	if (need <= s->pending_cap)
		return true;
	while (cap < need)
		cap *= 2;
	if (t->bytes - s->pending_cap + cap <= TCP_FRAMES_MEMORY_MAX)
		grown = realloc(s->pending, cap);
	if (!grown) {
		stream_drop(t, s);
		return false;
	}
	t->bytes += cap - s->pending_cap;
	s->pending = grown;
	s->pending_cap = cap;
	return true;
}

/* The frames (or, seeking, the candidate frames) at the start of buf: returns the bytes used up;
 * the rest is an incomplete frame. final: no more bytes will follow these, so a candidate that
 * does not fit is passed over rather than waited for. Kills the stream when it is not to be
 * followed any more, and then touches buf no further (it may have been pending[], now freed). */
static size_t stream_parse(struct tcp_frames *t, struct tcp_stream *s, const uint8_t *buf, size_t len,
			   uint64_t frame, uint64_t time_ns, bool final)
{
	size_t at = 0;

	while (s->state != TCP_STREAM_DEAD && len - at >= 2) {
		size_t flen = (size_t)buf[at] << 8 | buf[at + 1];
		bool whole = len - at - 2 >= flen;

		if (s->state == TCP_STREAM_FOLLOWED) {
			if (!whole)
				break;
			if (!flen) {
				stream_kill(t, s);
				break;
			}
			if (t->deliver)
				t->deliver(t->ctx, &s->flow, frame, time_ns, buf + at + 2, flen);
			at += 2 + flen;
		} else if (!whole && !final) {
			break;
		} else if (whole && flen && (!t->plausible || t->plausible(t->ctx, buf + at + 2, flen))) {
			s->state = TCP_STREAM_FOLLOWED;
			s->followed = true;
		} else if (s->aligned || s->skipped >= TCP_FRAMES_SEEK_MAX) {
			stream_kill(t, s);
		} else {
			++at;
			++s->skipped;
			if (s->followed)
				++t->gap_bytes;
		}
	}
	return at;
}

/* Nothing more will follow what is pending (a hole, the end): a search for a frame boundary in
 * it goes through to its end. */
static void stream_settle(struct tcp_frames *t, struct tcp_stream *s)
{
	size_t used;

	if (s->state != TCP_STREAM_SEEKING || !s->pending_len)
		return;
	used = stream_parse(t, s, s->pending, s->pending_len, s->last_frame, s->last_time, true);
	if (s->state == TCP_STREAM_DEAD)
		return;
	s->pending_len -= used;
	memmove(s->pending, s->pending + used, s->pending_len);
}

/* In-order bytes, at next_seq. Straight from the segment while nothing is pending; the
 * incomplete frame left over is copied. */
static void stream_feed(struct tcp_frames *t, struct tcp_stream *s, const uint8_t *data, size_t len,
			uint64_t frame, uint64_t time_ns)
{
	size_t used;

	s->next_seq += (uint32_t)len;
	s->last_frame = frame;
	s->last_time = time_ns;
	if (s->state == TCP_STREAM_DEAD)
		return;
	if (s->pending_len) {
		if (!stream_reserve(t, s, len))
			return;
		memcpy(s->pending + s->pending_len, data, len);
		s->pending_len += len;
		used = stream_parse(t, s, s->pending, s->pending_len, frame, time_ns, false);
		if (s->state == TCP_STREAM_DEAD)
			return;
		s->pending_len -= used;
		memmove(s->pending, s->pending + used, s->pending_len);
		return;
	}
	used = stream_parse(t, s, data, len, frame, time_ns, false);
	if (s->state == TCP_STREAM_DEAD || used == len || !stream_reserve(t, s, len - used))
		return;
	memcpy(s->pending, data + used, len - used);
	s->pending_len = len - used;
}

/* Feeds what is held from next_seq on. frame 0: each piece completes frames as its own packet
 * (at the end of the capture); otherwise as the packet that let them through. */
static void stream_drain(struct tcp_frames *t, struct tcp_stream *s, uint64_t frame, uint64_t time_ns)
{
	struct tcp_held *h;

	while (s->state != TCP_STREAM_DEAD && (h = s->held) && seq_diff(h->seq, s->next_seq) <= 0) {
		uint32_t skip = s->next_seq - h->seq;

		s->held = h->next;
		--s->held_count;
		t->bytes -= sizeof(*h) + h->len;
		if (skip < h->len)
			stream_feed(t, s, h->data + skip, h->len - skip, frame ? frame : h->frame,
				    frame ? time_ns : h->time_ns);
		free(h);
	}
}

static struct tcp_held *held_new(struct tcp_frames *t, struct tcp_stream *s, uint32_t seq, const uint8_t *data,
				 uint32_t len, const struct tcp_segment *segment)
{
	struct tcp_held *h = NULL;

	if (t->bytes + sizeof(*h) + len <= TCP_FRAMES_MEMORY_MAX)
		h = malloc(sizeof(*h) + len);
	if (!h) {
		stream_drop(t, s);
		return NULL;
	}
	h->seq = seq;
	h->len = len;
	h->frame = segment->frame;
	h->time_ns = segment->time_ns;
	memcpy(h->data, data, len);
	t->bytes += sizeof(*h) + len;
	++s->held_count;
	return h;
}

/* Holds data at seq (ahead of next_seq, within the hold limit), in the pieces not held yet. */
static void stream_hold(struct tcp_frames *t, struct tcp_stream *s, uint32_t seq, const uint8_t *data, size_t len,
			const struct tcp_segment *segment)
{
	struct tcp_held **link = &s->held, *h, *piece;
	uint32_t first = seq - s->next_seq, a = first, b = a + (uint32_t)len, end;

	while (a < b && s->state != TCP_STREAM_DEAD) {
		end = b;
		if ((h = *link)) {
			uint32_t c = h->seq - s->next_seq, d = c + h->len;

			if (c <= a) {
				a = d > a ? d : a;
				link = &h->next;
				continue;
			}
			end = c < b ? c : b;
		}
		piece = held_new(t, s, s->next_seq + a, data + (a - first), end - a, segment);
		if (!piece)
			return;
		piece->next = h;
		*link = piece;
		link = &piece->next;
		a = end;
	}
}

/* Gives up the hole before the earliest data held or arriving (at seq): its bytes and the
 * incomplete frame before it are gap bytes of a followed stream, and what follows is searched
 * for a frame boundary. */
static void stream_skip(struct tcp_frames *t, struct tcp_stream *s, uint32_t seq, uint64_t frame, uint64_t time_ns)
{
	uint32_t to = seq;

	stream_settle(t, s);
	if (s->state == TCP_STREAM_DEAD)
		return;
	if (s->held && seq_diff(s->held->seq, seq) < 0)
		to = s->held->seq;
	if (s->followed)
		t->gap_bytes += (uint32_t)(to - s->next_seq) + s->pending_len;
	s->next_seq = to;
	s->pending_len = 0;
	s->state = TCP_STREAM_SEEKING;
	s->aligned = false;
	s->skipped = 0;
	stream_drain(t, s, frame, time_ns);
}

/* A live stream's segment: trimmed to what is new, fed if in order, held if ahead, and holes
 * given up while it would reach past the hold limit. */
static void stream_segment(struct tcp_frames *t, struct tcp_stream *s, const struct tcp_segment *segment)
{
	uint32_t seq = segment->seq + (segment->syn ? 1 : 0);
	const uint8_t *data = segment->data;
	size_t len = segment->len;

	if (segment->fin) {
		s->fin_seen = true;
		s->fin_seq = seq + (uint32_t)len;
	}
	while (len && s->state != TCP_STREAM_DEAD) {
		int32_t off = seq_diff(seq, s->next_seq);

		if (off < 0) {
			uint32_t back = s->next_seq - seq;

			if (back >= len)
				return;
			data += back;
			len -= back;
			seq = s->next_seq;
			off = 0;
		}
		if (!off) {
			stream_feed(t, s, data, len, segment->frame, segment->time_ns);
			stream_drain(t, s, segment->frame, segment->time_ns);
			return;
		}
		if ((uint32_t)off + len <= TCP_FRAMES_HOLD_MAX && s->held_count < TCP_FRAMES_HELD_MAX) {
			stream_hold(t, s, seq, data, len, segment);
			return;
		}
		stream_skip(t, s, seq, segment->frame, segment->time_ns);
	}
}

static struct tcp_stream *stream_find(const struct tcp_frames *t, const struct tcp_flow *flow, uint32_t hash)
{
	struct tcp_stream *s = NULL;

	if (t->bucket_count)
		s = t->buckets[hash & (t->bucket_count - 1)];
	while (s && (s->hash != hash || memcmp(&s->flow, flow, sizeof(*flow))))
		s = s->next;
	return s;
}

static bool table_grow(struct tcp_frames *t)
{
	size_t count = t->bucket_count ? t->bucket_count * 2 : 64;
	struct tcp_stream **buckets = calloc(count, sizeof(*buckets)), *s;

	if (!buckets)
		return false;
	for (size_t i = 0; i < t->bucket_count; ++i) {
		while ((s = t->buckets[i])) {
			t->buckets[i] = s->next;
			s->next = buckets[s->hash & (count - 1)];
			buckets[s->hash & (count - 1)] = s;
		}
	}
	free(t->buckets);
	t->buckets = buckets;
	t->bucket_count = count;
	return true;
}

/* Removes the dead streams (they hold nothing but their entry). */
static void table_sweep(struct tcp_frames *t)
{
	for (size_t i = 0; i < t->bucket_count; ++i) {
		struct tcp_stream **link = &t->buckets[i], *s;

		while ((s = *link)) {
			if (s->state != TCP_STREAM_DEAD) {
				link = &s->next;
				continue;
			}
			*link = s->next;
			free(s);
			--t->stream_count;
			--t->dead_count;
		}
	}
}

static struct tcp_stream *stream_add(struct tcp_frames *t, const struct tcp_flow *flow, uint32_t hash)
{
	struct tcp_stream *s = NULL, **bucket;

	if (t->stream_count >= TCP_FRAMES_STREAMS_MAX && t->dead_count >= TCP_FRAMES_STREAMS_MAX / 8)
		table_sweep(t);
	if (t->stream_count < TCP_FRAMES_STREAMS_MAX && (t->stream_count < t->bucket_count || table_grow(t)))
		s = calloc(1, sizeof(*s));
	if (!s) {
		++t->dropped_segments;
		return NULL;
	}
	s->flow = *flow;
	s->hash = hash;
	bucket = &t->buckets[hash & (t->bucket_count - 1)];
	s->next = *bucket;
	*bucket = s;
	++t->stream_count;
	return s;
}

/* A SYN starts the key's stream anew, unless it repeats the one that started it. */
static struct tcp_stream *stream_syn(struct tcp_frames *t, struct tcp_stream *s, const struct tcp_segment *segment,
				     uint32_t hash)
{
	if (s && s->syn_seen && s->isn == segment->seq)
		return s;
	if (s) {
		stream_kill(t, s);
		--t->dead_count;
	} else if (!(s = stream_add(t, &segment->flow, hash))) {
		return NULL;
	}
	s->state = TCP_STREAM_SEEKING;
	s->aligned = true;
	s->followed = s->dropped = s->fin_seen = false;
	s->syn_seen = true;
	s->isn = segment->seq;
	s->next_seq = segment->seq + 1;
	s->skipped = 0;
	return s;
}

/* RST or FIN: what is held behind holes comes out first (nothing will fill them now). */
static void stream_end(struct tcp_frames *t, struct tcp_stream *s, const struct tcp_segment *segment)
{
	while (s->state != TCP_STREAM_DEAD && s->held)
		stream_skip(t, s, s->held->seq, segment->frame, segment->time_ns);
	stream_settle(t, s);
	stream_kill(t, s);
}

void tcp_frames_receive(struct tcp_frames *frames, const struct tcp_segment *segment)
{
	uint32_t hash = flow_hash(&segment->flow);
	struct tcp_stream *s = stream_find(frames, &segment->flow, hash);

	if (segment->syn && !segment->rst) {
		s = stream_syn(frames, s, segment, hash);
	} else if (!s && segment->len && !segment->rst) {
		/* No SYN captured: the stream starts here, wherever in a frame that is. */
		if ((s = stream_add(frames, &segment->flow, hash)))
			s->next_seq = segment->seq;
	}
	if (!s)
		return;
	if (s->state == TCP_STREAM_DEAD) {
		if (s->dropped)
			++frames->dropped_segments;
		return;
	}
	stream_segment(frames, s, segment);
	if (s->state != TCP_STREAM_DEAD &&
	    (segment->rst || (s->fin_seen && seq_diff(s->next_seq, s->fin_seq) >= 0)))
		stream_end(frames, s, segment);
}

static int held_order(const void *a, const void *b)
{
	const struct tcp_stream *x = *(struct tcp_stream *const *)a, *y = *(struct tcp_stream *const *)b;

	return x->held->frame < y->held->frame ? -1 : x->held->frame > y->held->frame;
}

/* Streams with data held behind a hole, in the order their first held segment came. */
static void finish_held(struct tcp_frames *t)
{
	struct tcp_stream **list, *s;
	size_t n = 0;

	list = malloc((t->stream_count ? t->stream_count : 1) * sizeof(*list));
	for (size_t i = 0; list && i < t->bucket_count; ++i)
		for (s = t->buckets[i]; s; s = s->next)
			if (s->held)
				list[n++] = s;
	if (list)
		qsort(list, n, sizeof(*list), held_order);
	for (size_t i = 0; i < n; ++i)
		while (list[i]->state != TCP_STREAM_DEAD && list[i]->held)
			stream_skip(t, list[i], list[i]->held->seq, 0, 0);
	free(list);
}

void tcp_frames_finish(struct tcp_frames *frames)
{
	struct tcp_stream *s;

	finish_held(frames);
	for (size_t i = 0; i < frames->bucket_count; ++i) {
		while ((s = frames->buckets[i])) {
			frames->buckets[i] = s->next;
			stream_settle(frames, s);
			stream_kill(frames, s);
			free(s);
		}
	}
	free(frames->buckets);
	frames->buckets = NULL;
	frames->bucket_count = frames->stream_count = frames->dead_count = 0;
}
