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

/*
 * Loss is judged JUDGE_WORDS words behind the top: a counter not received by the time the top
 * is that far ahead (64 to 128 counters) is counted lost, and counted late as well should it
 * still come within the window. So a reorder of a few packets is never counted, and loss shows after ~100
 * packets rather than after the 8192 of the whole window.
 */
enum { JUDGE_WORDS = 2 };

/*
 * The top moves from word `current` to word `top`. First the words that come to lie
 * JUDGE_WORDS behind it are judged: those held in the ring by their unset bits, those after
 * `current` (never held) whole; then the ring slots of the new words are cleared. The shift by
 * one in wg_counter_validate makes word 0's bit 0 stand for no counter.
 */
static void slide(struct wg_replay_counter *counter, uint64_t current, uint64_t top)
{
	uint64_t first = current + 1 > JUDGE_WORDS ? current + 1 - JUDGE_WORDS : 0;
	uint64_t jump = top - current, stale = jump < WORDS ? jump : WORDS;

	for (uint64_t word = first; word <= current && word + JUDGE_WORDS <= top; ++word)
		counter->lost += (uint64_t)(BITS_PER_WORD - __builtin_popcountll(counter->backtrack[word & (WORDS - 1)])) -
				 (word == 0);
	if (top >= current + 1 + JUDGE_WORDS)
		counter->lost += (top - JUDGE_WORDS - current) * BITS_PER_WORD;
	for (uint64_t i = 1; i <= stale; ++i)
		counter->backtrack[(current + i) & (WORDS - 1)] = 0;
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
		slide(counter, counter->counter >> WORD_SHIFT, index);
		counter->counter = their_counter;
	}

	bit = 1ull << (their_counter & (BITS_PER_WORD - 1));
	if (counter->backtrack[index & (WORDS - 1)] & bit)
		return false;
	counter->backtrack[index & (WORDS - 1)] |= bit;
	/* Late, but within the window: it was counted lost when its word was judged. */
	if (index + JUDGE_WORDS <= counter->counter >> WORD_SHIFT)
		++counter->late;
	return true;
}
