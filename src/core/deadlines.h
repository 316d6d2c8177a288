/*
 * Timers as deadlines in one min-heap per device. The I/O loop asks for the earliest deadline
 * and calls back when it has passed; nothing sleeps.
 *
 * The data path arms and cancels timers on nearly every packet, so both are lazy: a timer
 * moved later, or cancelled, keeps its place in the heap; when that place comes up it is
 * re-queued at its real deadline or dropped. Only moving a timer earlier touches the heap.
 */
#ifndef WG_CORE_DEADLINES_H
#define WG_CORE_DEADLINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wg_timer {
	uint64_t deadline;   /* when it fires, if pending */
	uint64_t queued_at;  /* its key in the heap: never after deadline while pending */
	uint32_t slot;       /* 1 + its heap index; 0 when not in the heap (32 bits: five per peer) */
	bool pending;
	void (*fire)(struct wg_timer *timer);
};

/* Each timer is in the heap at most once, so room for every registered timer is enough:
 * reserved counts them, and cap never falls below it. */
struct wg_deadlines {
	struct wg_timer **heap;
	size_t len, cap, reserved;
};

void wg_deadlines_init(struct wg_deadlines *q);
void wg_deadlines_free(struct wg_deadlines *q);
/* Registers n more timers and makes room for all of them, so that arming never allocates.
 * 0 or -ENOMEM (then nothing is registered). */
int wg_deadlines_reserve(struct wg_deadlines *q, size_t n);
/* Unregisters n timers, once they are out of the heap for good (wg_timer_remove). */
void wg_deadlines_unreserve(struct wg_deadlines *q, size_t n);

void wg_timer_init(struct wg_timer *timer, void (*fire)(struct wg_timer *timer));
/* (Re)arm to fire at `when`. The timer must be one of those reserved for. */
void wg_timer_arm(struct wg_deadlines *q, struct wg_timer *timer, uint64_t when);
void wg_timer_cancel(struct wg_timer *timer);
/* Takes the timer out of the heap now: before the memory holding it is freed. */
void wg_timer_remove(struct wg_deadlines *q, struct wg_timer *timer);

static inline bool wg_timer_pending(const struct wg_timer *timer)
{
	return timer->pending;
}

/* The earliest time anything may be due, UINT64_MAX when nothing is queued. Waking at a
 * lazily kept earlier time is harmless: run finds nothing due and re-queues. */
uint64_t wg_deadlines_next(const struct wg_deadlines *q);
/* Fires every timer whose deadline is at or before now, earliest first. A callback may arm
 * and cancel any timer, itself included. */
void wg_deadlines_run(struct wg_deadlines *q, uint64_t now);

#endif
