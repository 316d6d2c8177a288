/*
 * The replay window as a ring of 64-bit words. Words are cleared as the window slides forward,
 * a whole word at a time, which is why one word (64 bits) of the 8192 is never usable.
 */
#include "core/counter.h"

#include <string.h>

enum {
	BITS_PER_WORD = 64,
	WORD_SHIFT = 6,
	WORDS = WG_COUNTER_BITS_TOTAL / BITS_PER_WORD,
};

void wg_counter_init(struct wg_replay_counter *counter)
{
	memset(counter, 0, sizeof(*counter));
}

bool wg_counter_validate(struct wg_replay_counter *counter, uint64_t their_counter)
{
	uint64_t index, bit;

	if (counter->counter >= WG_REJECT_AFTER_MESSAGES + 1 || their_counter >= WG_REJECT_AFTER_MESSAGES)
		return false;
	/* Shift by one so that "nothing seen yet" (0) is below every real counter. */
	++their_counter;
	if (their_counter + WG_COUNTER_WINDOW_SIZE < counter->counter)
		return false;

	index = their_counter >> WORD_SHIFT;
	if (their_counter > counter->counter) {
		uint64_t current = counter->counter >> WORD_SHIFT;
		uint64_t stale = index - current < WORDS ? index - current : WORDS;

		/* Words between the old top and the new one hold bits of counters not yet seen. */
		for (uint64_t i = 1; i <= stale; ++i)
			counter->backtrack[(current + i) & (WORDS - 1)] = 0;
		counter->counter = their_counter;
	}

	index &= WORDS - 1;
	bit = 1ull << (their_counter & (BITS_PER_WORD - 1));
	if (counter->backtrack[index] & bit)
		return false;
	counter->backtrack[index] |= bit;
	return true;
}
