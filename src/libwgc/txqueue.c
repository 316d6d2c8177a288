#include "libwgc/txqueue.h"

#include <string.h>

#include "core/device.h"
#include "core/peer.h"

/* Whether the next datagram may join the run: same endpoint, not longer than the run's
 * datagrams, and the run not ended by a shorter one or full. */
static bool can_join(const struct wgl_udp_run *run, unsigned run_count, const struct wgl_txqueue_entry *e)
{
	/* An empty datagram (junk of length 0) is a run of its own: GSO cannot cut zero-sized segments. */
	return run_count < WGL_GSO_SEGMENTS && e->len && e->len <= run->segment && run->len % run->segment == 0 &&
	       run->len + e->len <= WGL_GSO_BYTES && run->owner == e->peer && wg_endpoint_equal(run->to, &e->to);
}

static unsigned build_runs(struct wgl_txqueue *q, bool gso)
{
	unsigned runs = 0, run_count = 0;

	for (unsigned i = 0; i < q->count; ++i) {
		const struct wgl_txqueue_entry *e = &q->entry[i];

		if (runs && gso && can_join(&q->run[runs - 1], run_count, e)) {
			q->run[runs - 1].len += e->len;
			++run_count;
			continue;
		}
		q->run[runs++] = (struct wgl_udp_run){ .to = &e->to, .data = q->arena + e->offset, .len = e->len,
							.segment = e->len, .owner = e->peer };
		run_count = 1;
	}
	return runs;
}

uint8_t *wgl_txqueue_reserve(struct wgl_txqueue *q, struct wgl_udp *udp, size_t room, uint64_t *failed)
{
	/* One entry is kept free too: a datagram built here must find a slot. */
	if (q->count >= WGL_TXQUEUE_DATAGRAMS - 1 || q->used + room > WGL_TXQUEUE_BYTES)
		*failed += wgl_txqueue_flush(q, udp);
	return q->arena + q->used + WG_PACKET_HEADROOM;
}

unsigned wgl_txqueue_flush(struct wgl_txqueue *q, struct wgl_udp *udp)
{
	unsigned runs, unowned = 0;

	if (!q->count)
		return 0;
	runs = build_runs(q, !udp->no_gso);
	if (wgl_udp_send_runs(udp, q->run, runs))
		for (unsigned i = 0; i < runs; ++i) {
			struct wgl_udp_run *run = &q->run[i];

			if (run->failed && run->owner)
				wg_peer_send_failed(run->owner, run->failed, run->failed_bytes);
			else
				unowned += run->failed;
		}
	q->count = 0;
	q->used = 0;
	return unowned;
}

unsigned wgl_txqueue_add(struct wgl_txqueue *q, struct wgl_udp *udp, struct wg_peer *peer,
			  const struct wg_endpoint *to, const uint8_t *prefix, size_t prefix_len, const uint8_t *msg,
			  size_t len)
{
	unsigned failed = 0;
	bool in_place = msg == q->arena + q->used + prefix_len;
	size_t total = prefix_len + len;

	if (!in_place && (q->count == WGL_TXQUEUE_DATAGRAMS || q->used + total > WGL_TXQUEUE_BYTES))
		failed = wgl_txqueue_flush(q, udp);
	q->entry[q->count] = (struct wgl_txqueue_entry){ .offset = q->used, .len = total, .to = *to, .peer = peer };
	if (prefix_len)
		memcpy(q->arena + q->used, prefix, prefix_len);
	if (!in_place)
		memcpy(q->arena + q->used + prefix_len, msg, len);
	q->used += total;
	++q->count;
	return failed;
}
