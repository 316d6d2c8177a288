/* The deadline heap: order, lazy re-arming and cancelling, removal, against a naive model. */
#include <stdlib.h>

#include "core/deadlines.h"
#include "core/list.h"
#include "harness.h"

struct probe {
	struct wg_timer timer;
	int fired;
	uint64_t fired_at, *clock;
	int order, *sequence;
};

static void on_fire(struct wg_timer *timer)
{
	struct probe *p = wg_container_of(timer, struct probe, timer);

	++p->fired;
	p->fired_at = *p->clock;
	p->order = ++*p->sequence;
}

TEST(deadlines_fire_in_order_and_only_when_due)
{
	struct wg_deadlines q;
	struct probe p[3];
	uint64_t now = 0;
	int seq = 0;

	wg_deadlines_init(&q);
	CHECK_EQ(wg_deadlines_reserve(&q, 3), 0);
	for (int i = 0; i < 3; ++i) {
		p[i] = (struct probe){ .clock = &now, .sequence = &seq };
		wg_timer_init(&p[i].timer, on_fire);
	}
	wg_timer_arm(&q, &p[0].timer, 300);
	wg_timer_arm(&q, &p[1].timer, 100);
	wg_timer_arm(&q, &p[2].timer, 200);
	CHECK_EQ(wg_deadlines_next(&q), 100);
	now = 99;
	wg_deadlines_run(&q, now);
	CHECK_EQ(seq, 0);
	now = 250;
	wg_deadlines_run(&q, now);
	CHECK_EQ(p[1].order, 1);
	CHECK_EQ(p[2].order, 2);
	CHECK_EQ(p[0].fired, 0);
	CHECK(wg_timer_pending(&p[0].timer) && !wg_timer_pending(&p[1].timer));
	now = 1000;
	wg_deadlines_run(&q, now);
	CHECK_EQ(p[0].fired, 1);
	CHECK_EQ(wg_deadlines_next(&q), UINT64_MAX);
	wg_deadlines_free(&q);
}

TEST(deadlines_lazy_rearm_and_cancel)
{
	struct wg_deadlines q;
	struct probe p = { 0 };
	uint64_t now = 0;
	int seq = 0;

	p.clock = &now;
	p.sequence = &seq;
	wg_deadlines_init(&q);
	wg_deadlines_reserve(&q, 1);
	wg_timer_init(&p.timer, on_fire);
	wg_timer_arm(&q, &p.timer, 100);
	/* Pushed later: the early wake-up finds nothing due and re-queues. */
	wg_timer_arm(&q, &p.timer, 500);
	CHECK(wg_deadlines_next(&q) <= 500);
	now = 100;
	wg_deadlines_run(&q, now);
	CHECK_EQ(p.fired, 0);
	CHECK_EQ(wg_deadlines_next(&q), 500);
	/* Pulled earlier: takes effect at once. */
	wg_timer_arm(&q, &p.timer, 200);
	CHECK_EQ(wg_deadlines_next(&q), 200);
	/* Cancelled: nothing fires, the slot is dropped when reached. */
	wg_timer_cancel(&p.timer);
	now = 600;
	wg_deadlines_run(&q, now);
	CHECK_EQ(p.fired, 0);
	CHECK_EQ(q.len, 0);
	/* Cancel then re-arm before the old slot comes up: fires once, at the new time. */
	wg_timer_arm(&q, &p.timer, 700);
	wg_timer_cancel(&p.timer);
	wg_timer_arm(&q, &p.timer, 800);
	now = 750;
	wg_deadlines_run(&q, now);
	CHECK_EQ(p.fired, 0);
	now = 800;
	wg_deadlines_run(&q, now);
	CHECK_EQ(p.fired, 1);
	CHECK_EQ(p.fired_at, 800);
	wg_deadlines_free(&q);
}

/* Many timers, random arm/cancel/remove: each fires exactly when its last arming said. */
TEST(deadlines_random_operations_match_model)
{
	enum { N = 500, OPS = 20000 };
	struct probe *p = calloc(N, sizeof(*p));
	uint64_t *want = calloc(N, sizeof(*want)); /* 0: not pending */
	struct wg_deadlines q;
	uint64_t now = 1, rng = 9;
	int seq = 0, bad = 0;

	wg_deadlines_init(&q);
	wg_deadlines_reserve(&q, N);
	for (int i = 0; i < N; ++i) {
		p[i].clock = &now;
		p[i].sequence = &seq;
		wg_timer_init(&p[i].timer, on_fire);
	}
	for (int op = 0; op < OPS; ++op) {
		uint64_t r = test_random(&rng);
		int i = (int)(r % N);

		switch ((r >> 16) % 5) {
		case 0: case 1: case 2:
			want[i] = now + 1 + (r >> 24) % 1000;
			wg_timer_arm(&q, &p[i].timer, want[i]);
			break;
		case 3:
			want[i] = 0;
			if ((r >> 24) % 2)
				wg_timer_cancel(&p[i].timer);
			else
				wg_timer_remove(&q, &p[i].timer);
			break;
		default:
			now += (r >> 24) % 50;
			for (int j = 0; j < N; ++j)
				p[j].fired = 0;
			wg_deadlines_run(&q, now);
			for (int j = 0; j < N; ++j) {
				bool due = want[j] && want[j] <= now;

				if (p[j].fired != (due ? 1 : 0) || (due && p[j].fired_at != now))
					++bad;
				if (due)
					want[j] = 0;
			}
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(q.len <= N);
	wg_deadlines_free(&q);
	free(p);
	free(want);
}

/* Callbacks that re-arm themselves and arm or cancel others, checked after every operation: heap
 * order, slots, nothing due left pending, and firing in deadline order within each run. */
enum { NT = 64 };
static struct wg_timer chaos[NT];
static struct wg_deadlines chaos_q;
static uint64_t chaos_now, chaos_last_fired, chaos_rng;
static int chaos_bad, chaos_out_of_order;

static void chaos_fire(struct wg_timer *t)
{
	uint64_t r = test_random(&chaos_rng);

	if (t->deadline > chaos_now || t->pending)
		++chaos_bad;
	if (t->deadline < chaos_last_fired)
		++chaos_out_of_order;
	chaos_last_fired = t->deadline;
	if (r % 3 == 0)
		wg_timer_arm(&chaos_q, t, chaos_now + 1 + r % 1000);
	if (r % 5 == 0)
		wg_timer_cancel(&chaos[(r >> 8) % NT]);
	if (r % 7 == 0)
		wg_timer_arm(&chaos_q, &chaos[(r >> 16) % NT], chaos_now + 1 + (r >> 24) % 50);
}

static int heap_violations(void)
{
	int bad = 0;

	for (int i = 0; i < NT; ++i)
		if (chaos[i].pending && (!chaos[i].slot || chaos[i].queued_at > chaos[i].deadline))
			++bad;
	for (size_t i = 1; i < chaos_q.len; ++i)
		if (chaos_q.heap[(i - 1) / 2]->queued_at > chaos_q.heap[i]->queued_at || chaos_q.heap[i]->slot != i + 1)
			++bad;
	return bad;
}

TEST(deadlines_invariants_with_rearming_callbacks)
{
	chaos_rng = 5;
	chaos_now = 1000;
	wg_deadlines_init(&chaos_q);
	wg_deadlines_reserve(&chaos_q, NT);
	for (int i = 0; i < NT; ++i)
		wg_timer_init(&chaos[i], chaos_fire);
	for (int op = 0; op < 200000 && !chaos_bad; ++op) {
		uint64_t r = test_random(&chaos_rng);
		struct wg_timer *t = &chaos[r % NT];

		switch ((r >> 8) % 5) {
		case 0: case 1:
			wg_timer_arm(&chaos_q, t, chaos_now + (r >> 16) % 500);
			break;
		case 2:
			wg_timer_cancel(t);
			break;
		case 3:
			wg_timer_remove(&chaos_q, t);
			break;
		default:
			chaos_now += (r >> 16) % 100;
			chaos_last_fired = 0;
			wg_deadlines_run(&chaos_q, chaos_now);
			for (int i = 0; i < NT; ++i)
				chaos_bad += chaos[i].pending && chaos[i].deadline <= chaos_now;
		}
		chaos_bad += heap_violations();
	}
	CHECK_EQ(chaos_bad, 0);
	CHECK_EQ(chaos_out_of_order, 0);
	CHECK(chaos_q.len <= chaos_q.cap);
	wg_deadlines_free(&chaos_q);
}

/* A timer moved later whose new deadline is also due fires after the ones due before it. */
TEST(deadlines_moved_later_keeps_order)
{
	struct wg_deadlines q;
	struct probe a = { 0 }, b = { 0 };
	uint64_t now = 0;
	int seq = 0;

	a.clock = b.clock = &now;
	a.sequence = b.sequence = &seq;
	wg_deadlines_init(&q);
	wg_deadlines_reserve(&q, 2);
	wg_timer_init(&a.timer, on_fire);
	wg_timer_init(&b.timer, on_fire);
	wg_timer_arm(&q, &a.timer, 10);
	wg_timer_arm(&q, &a.timer, 30);
	wg_timer_arm(&q, &b.timer, 20);
	now = 40;
	wg_deadlines_run(&q, now);
	CHECK_EQ(b.order, 1);
	CHECK_EQ(a.order, 2);
	wg_deadlines_free(&q);
}
