/* The replay window: numbered table cases, then a long random walk against a naive model. */
#include <stdlib.h>
#include <string.h>

#include "core/counter.h"
#include "harness.h"

#define W WG_COUNTER_WINDOW_SIZE
#define REJECT WG_REJECT_AFTER_MESSAGES

struct replay_case {
	uint64_t counter;
	bool accepted;
};

static const struct replay_case replay_cases[] = {
	/*  1 */ { 0, true },
	/*  2 */ { 1, true },
	/*  3 */ { 1, false },          /* duplicate */
	/*  4 */ { 9, true },           /* a gap is fine */
	/*  5 */ { 8, true },           /* late, inside the window */
	/*  6 */ { 7, true },
	/*  7 */ { 7, false },
	/*  8 */ { W + 9, true },       /* window now [9, W + 9] */
	/*  9 */ { 9, false },          /* oldest in the window, but seen */
	/* 10 */ { 10, true },          /* in the window, unseen */
	/* 11 */ { 8, false },          /* one past the oldest: too old */
	/* 12 */ { W + 9, false },
	/* 13 */ { 24521, true },       /* a jump of more than the ring: window [16393, 24521] */
	/* 14 */ { 16393, true },       /* exactly the oldest the window holds */
	/* 15 */ { 16392, false },      /* one older */
	/* 16 */ { 16394, true },
	/* 17 */ { 24457, true },       /* one word below the top */
	/* 18 */ { 24522, true },
	/* 19 */ { 24586, true },       /* 16394 + 8192: #16's bit, cleared as the top entered its word */
	/* 20 */ { 16458, true },       /* the new oldest: 24586 - W */
	/* 21 */ { REJECT - 1, true },  /* the last counter ever accepted */
	/* 22 */ { REJECT, false },
	/* 23 */ { REJECT - 2, true },  /* still inside the window */
	/* 24 */ { UINT64_MAX, false },
	/* 25 */ { REJECT - 1, false },
};

TEST(counter_table_cases)
{
	struct wg_replay_counter c;

	wg_counter_init(&c);
	for (size_t i = 0; i < sizeof(replay_cases) / sizeof(replay_cases[0]); ++i) {
		bool got = wg_counter_validate(&c, replay_cases[i].counter);

		if (got != replay_cases[i].accepted)
			test_fail(__FILE__, __LINE__, "case %zu: counter %llu %s", i + 1,
				  (unsigned long long)replay_cases[i].counter, got ? "accepted" : "rejected");
	}
}

/* A counter far in the future moves the window; nothing old is accepted after. */
TEST(counter_first_packet_may_be_anything)
{
	struct wg_replay_counter c;

	wg_counter_init(&c);
	CHECK(wg_counter_validate(&c, 1000000));
	CHECK(!wg_counter_validate(&c, 0));
	CHECK(wg_counter_validate(&c, 1000000 - W));
	CHECK(!wg_counter_validate(&c, 1000000 - W - 1));
}

/*
 * The model: accept n once, if below REJECT_AFTER_MESSAGES and no more than W behind the
 * highest accepted so far. The ring keeps exactly that many bits, so it must agree everywhere.
 */
TEST(counter_matches_naive_model_on_random_walk)
{
	enum { SPAN = 1 << 16, STEPS = 200000 };
	struct wg_replay_counter c;
	uint8_t *seen = calloc(SPAN, 1);
	uint64_t rng = 42, highest = 0;
	bool any = false;
	int mismatches = 0;

	wg_counter_init(&c);
	for (int i = 0; i < STEPS && highest < SPAN - 20000; ++i) {
		uint64_t r = test_random(&rng), n;

		/* Mostly near the top, sometimes far behind, sometimes far ahead. */
		if (r % 10 < 6)
			n = highest + (r >> 8) % 8;
		else if (r % 10 < 9)
			n = highest > (r >> 8) % (W + 200) ? highest - (r >> 8) % (W + 200) : 0;
		else
			n = highest + (r >> 8) % 12000;
		bool want = !seen[n] && (!any || n + W >= highest);
		bool got = wg_counter_validate(&c, n);

		if (got != want && mismatches++ < 5)
			test_fail(__FILE__, __LINE__, "step %d: counter %llu (highest %llu): got %d want %d", i,
				  (unsigned long long)n, (unsigned long long)highest, got, want);
		if (want) {
			seen[n] = 1;
			if (!any || n > highest)
				highest = n;
			any = true;
		}
	}
	CHECK_EQ(mismatches, 0);
	free(seen);
}

/* What the window moved past without receiving it, against a model: every counter in the words
 * judged (two words behind the top's), less those accepted. 2% dropped, some late (and taken
 * back), one jump past the ring. */
TEST(counter_counts_what_the_window_moved_past)
{
	enum { N = 200000 };
	static bool accepted[N + 20000];
	struct wg_replay_counter c;
	uint64_t rng = 42, late = UINT64_MAX, expected = 0, current, sent = 0;

	wg_counter_init(&c);
	memset(accepted, 0, sizeof(accepted));
	for (uint64_t n = 0; n < N; ++n) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		if (n == N / 2)
			n += 10000; /* a jump of more than the ring */
		if ((rng >> 33) % 100 < 2)
			continue; /* lost */
		if ((rng >> 40) % 100 < 3 && late == UINT64_MAX) {
			late = n; /* held back, sent a little later */
			continue;
		}
		accepted[n] = wg_counter_validate(&c, n);
		if (late != UINT64_MAX && (rng >> 50) % 8 == 0) {
			accepted[late] = wg_counter_validate(&c, late);
			late = UINT64_MAX;
		}
		sent = n;
	}
	current = c.counter >> 6;
	for (uint64_t n = 0; ((n + 1) >> 6) + 2 <= current && n <= sent; ++n)
		expected += !accepted[n];
	CHECK_EQ(c.lost - c.late, expected);
	/* About 2% of what was sent, and the jump's 10,000. */
	CHECK(c.lost - c.late > 10000 + N / 100 && c.lost - c.late < 10000 + N / 25);
}

/* No loss, no count: in order, pairs swapped, or one counter 1000 late (counted, then taken back). */
TEST(counter_nothing_lost_counts_nothing)
{
	struct wg_replay_counter c;

	wg_counter_init(&c);
	for (uint64_t n = 0; n < 100000; n += 2) {
		if (n != 4)
			CHECK(wg_counter_validate(&c, n + 1));
		CHECK(wg_counter_validate(&c, n));
		if (n == 1000) {
			CHECK_EQ(c.lost, 1);
			CHECK(wg_counter_validate(&c, 5));
			CHECK_EQ(c.late, 1);
		}
	}
	CHECK_EQ(c.lost, 1); /* both only grow: lost, and came late */
	CHECK_EQ(c.late, 1);
}

/* Loss shows within 128 counters; one so late that the window refuses it stays lost. */
TEST(counter_loss_is_judged_soon_and_too_late_stays_lost)
{
	struct wg_replay_counter c;

	wg_counter_init(&c);
	for (uint64_t n = 0; n < 200; ++n)
		if (n != 7)
			CHECK(wg_counter_validate(&c, n));
	CHECK_EQ(c.lost, 1);
	for (uint64_t n = 200; n < 20000; ++n)
		CHECK(wg_counter_validate(&c, n));
	CHECK(!wg_counter_validate(&c, 7));
	CHECK_EQ(c.lost, 1);
	CHECK_EQ(c.late, 0);
}
