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
