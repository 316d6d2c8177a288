#include "wgcd/txqueue.h"

#include <string.h>

/* Whether the next datagram may join the run: same endpoint, not longer than the run's
 * datagrams, and the run not ended by a shorter one or full. */
static bool can_join(const struct wgcd_udp_run *run, unsigned run_count, const struct wgcd_txqueue_entry *e)
{
	return run_count < WGCD_GSO_SEGMENTS && e->len <= run->segment && run->len % run->segment == 0 &&
	       run->len + e->len <= WGCD_GSO_BYTES && wg_endpoint_equal(run->to, &e->to);
}

static unsigned build_runs(struct wgcd_txqueue *q, bool gso)
{
	unsigned runs = 0, run_count = 0;

	for (unsigned i = 0; i < q->count; ++i) {
		const struct wgcd_txqueue_entry *e = &q->entry[i];
		struct wgcd_udp_run *run = &q->run[runs - 1];

		if (runs && gso && can_join(run, run_count, e)) {
			run->len += e->len;
			++run_count;
			continue;
		}
		q->run[runs++] = (struct wgcd_udp_run){ &e->to, q->arena + e->offset, e->len, e->len };
		run_count = 1;
	}
	return runs;
}

unsigned wgcd_txqueue_flush(struct wgcd_txqueue *q, struct wgcd_udp *udp)
{
	unsigned failed = 0;

	if (q->count)
		failed = wgcd_udp_send_runs(udp, q->run, build_runs(q, !udp->no_gso));
	q->count = 0;
	q->used = 0;
	return failed;
}

unsigned wgcd_txqueue_add(struct wgcd_txqueue *q, struct wgcd_udp *udp, const struct wg_endpoint *to,
			  const uint8_t *msg, size_t len)
{
	unsigned failed = 0;

	if (q->count == WGCD_TXQUEUE_DATAGRAMS || q->used + len > WGCD_TXQUEUE_BYTES)
		failed = wgcd_txqueue_flush(q, udp);
	q->entry[q->count] = (struct wgcd_txqueue_entry){ .offset = q->used, .len = len, .to = *to };
	memcpy(q->arena + q->used, msg, len);
	q->used += len;
	++q->count;
	return failed;
}
