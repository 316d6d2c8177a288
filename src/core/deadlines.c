/* A binary min-heap of timers keyed by queued_at, with each timer knowing its own slot. */
#include "core/deadlines.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void place(struct wg_deadlines *q, size_t i, struct wg_timer *timer)
{
	q->heap[i] = timer;
	timer->slot = (uint32_t)(i + 1);
}

static void sift_up(struct wg_deadlines *q, size_t i)
{
	struct wg_timer *timer = q->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (q->heap[parent]->queued_at <= timer->queued_at)
			break;
		place(q, i, q->heap[parent]);
		i = parent;
	}
	place(q, i, timer);
}

static void sift_down(struct wg_deadlines *q, size_t i)
{
	struct wg_timer *timer = q->heap[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= q->len)
			break;
		if (child + 1 < q->len && q->heap[child + 1]->queued_at < q->heap[child]->queued_at)
			++child;
		if (timer->queued_at <= q->heap[child]->queued_at)
			break;
		place(q, i, q->heap[child]);
		i = child;
	}
	place(q, i, timer);
}

static void push(struct wg_deadlines *q, struct wg_timer *timer)
{
	/* Holds while every armed timer was reserved for: a timer is queued at most once. */
	assert(q->len < q->cap);
	timer->queued_at = timer->deadline;
	place(q, q->len++, timer);
	sift_up(q, q->len - 1);
}

static void take_out(struct wg_deadlines *q, struct wg_timer *timer)
{
	size_t i = timer->slot - 1;
	struct wg_timer *last = q->heap[--q->len];

	timer->slot = 0;
	if (last == timer)
		return;
	place(q, i, last);
	sift_up(q, i);
	sift_down(q, last->slot - 1);
}

void wg_deadlines_init(struct wg_deadlines *q)
{
	memset(q, 0, sizeof(*q));
}

void wg_deadlines_free(struct wg_deadlines *q)
{
	for (size_t i = 0; i < q->len; ++i)
		q->heap[i]->slot = 0;
	free(q->heap);
	wg_deadlines_init(q);
}

int wg_deadlines_reserve(struct wg_deadlines *q, size_t n)
{
	size_t want = q->reserved + n, cap = q->cap ? q->cap : 16;
	struct wg_timer **heap;

	if (want > q->cap) {
		while (cap < want)
			cap *= 2;
		heap = realloc(q->heap, cap * sizeof(*heap));
		if (!heap)
			return -ENOMEM;
		q->heap = heap;
		q->cap = cap;
	}
	q->reserved = want;
	return 0;
}

void wg_deadlines_unreserve(struct wg_deadlines *q, size_t n)
{
	q->reserved -= n;
}

void wg_timer_init(struct wg_timer *timer, void (*fire)(struct wg_timer *timer))
{
	memset(timer, 0, sizeof(*timer));
	timer->fire = fire;
}

void wg_timer_arm(struct wg_deadlines *q, struct wg_timer *timer, uint64_t when)
{
	timer->deadline = when;
	timer->pending = true;
	if (!timer->slot) {
		push(q, timer);
	} else if (when < timer->queued_at) {
		timer->queued_at = when;
		sift_up(q, timer->slot - 1);
	}
}

void wg_timer_cancel(struct wg_timer *timer)
{
	timer->pending = false;
}

void wg_timer_remove(struct wg_deadlines *q, struct wg_timer *timer)
{
	timer->pending = false;
	if (timer->slot)
		take_out(q, timer);
}

uint64_t wg_deadlines_next(const struct wg_deadlines *q)
{
	return q->len ? q->heap[0]->queued_at : UINT64_MAX;
}

void wg_deadlines_run(struct wg_deadlines *q, uint64_t now)
{
	while (q->len && q->heap[0]->queued_at <= now) {
		struct wg_timer *timer = q->heap[0];

		if (timer->pending && timer->deadline > timer->queued_at) {
			/* Moved later since it was queued: take its real place, which keeps firing in
			 * deadline order even when that place is also due already. */
			timer->queued_at = timer->deadline;
			sift_down(q, 0);
			continue;
		}
		take_out(q, timer);
		if (timer->pending) {
			timer->pending = false;
			timer->fire(timer);
		}
	}
}
