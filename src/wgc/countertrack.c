/* Which counters of a direction came, twice, late, or never. */
#include "wgc/countertrack.h"

#include <stdlib.h>
#include <string.h>

void countertrack_start(struct countertrack *track, uint64_t base)
{
	memset(track, 0, sizeof(*track));
	track->base = base;
}

static bool bit_is_set(const struct countertrack *track, uint64_t bit)
{
	return bit / 8 < track->bytes && (track->bits[bit / 8] >> (bit % 8) & 1);
}

/* Room for bit; false when memory runs out (the counter is then untracked). */
static bool make_room(struct countertrack *track, uint64_t bit)
{
	size_t wanted = track->bytes ? track->bytes : 64;
	uint8_t *bigger;

	if (bit / 8 < track->bytes)
		return true;
	while (wanted <= bit / 8)
		wanted *= 2;
	bigger = realloc(track->bits, wanted);
	if (!bigger)
		return false;
	memset(bigger + track->bytes, 0, wanted - track->bytes);
	track->bits = bigger;
	track->bytes = wanted;
	return true;
}

enum countertrack_verdict countertrack_add(struct countertrack *track, uint64_t counter)
{
	uint64_t bit = counter - track->base;
	enum countertrack_verdict verdict = COUNTER_NEW;

	if (counter < track->base || bit >= COUNTERTRACK_MAX ||
	    bit >= COUNTERTRACK_SLACK + COUNTERTRACK_SPREAD * (track->distinct + 1) || !make_room(track, bit)) {
		track->untracked++;
		return COUNTER_UNTRACKED;
	}
	if (bit_is_set(track, bit)) {
		track->replays++;
		return COUNTER_SEEN_BEFORE;
	}
	track->bits[bit / 8] |= (uint8_t)(1u << (bit % 8));
	track->distinct++;
	if (track->any && counter < track->highest) {
		track->reordered++;
		verdict = COUNTER_LATE;
	}
	if (!track->any || counter > track->highest)
		track->highest = counter;
	track->any = true;
	return verdict;
}

uint64_t countertrack_gaps(const struct countertrack *track, void (*fn)(void *ctx, const struct countertrack_gap *gap),
			   void *ctx)
{
	struct countertrack_gap gap = { 0, 0 };
	uint64_t missing = 0, end;

	if (!track->any)
		return 0;
	end = track->highest - track->base;
	for (uint64_t bit = 0; bit < end; ++bit) {
		if (!(bit % 8) && bit + 8 <= end && track->bits[bit / 8] == 0xff) {
			bit += 7;
			continue;
		}
		if (bit_is_set(track, bit))
			continue;
		gap.first = track->base + bit;
		gap.count = 1;
		while (bit + 1 < end && !bit_is_set(track, bit + 1))
			++bit, ++gap.count;
		missing += gap.count;
		if (fn)
			fn(ctx, &gap);
	}
	return missing;
}

void countertrack_free(struct countertrack *track)
{
	free(track->bits);
	memset(track, 0, sizeof(*track));
}
