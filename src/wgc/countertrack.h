/*
 * The counters one direction of a captured session used, as a bitmap from the first one
 * tracked: which came twice (replays or duplicates), which never came (lost before the
 * capture point, or still in flight at its end), which came late (reordered).
 */
#ifndef WGC_COUNTERTRACK_H
#define WGC_COUNTERTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * At most 2^24 counters a direction (2 MiB), and a span of at most 4096 + 64 per counter seen,
 * so memory grows with the packets read, not with how far apart a crafted capture puts two
 * counters; those beyond are counted as untracked.
 */
enum { COUNTERTRACK_MAX = 1 << 24, COUNTERTRACK_SLACK = 4096, COUNTERTRACK_SPREAD = 64 };

struct countertrack {
	uint64_t base;           /* the counter of bit 0 */
	uint8_t *bits;           /* owned; grown by doubling */
	size_t bytes;
	bool any;
	uint64_t highest;
	uint64_t distinct, replays, reordered, untracked;
};

enum countertrack_verdict { COUNTER_NEW, COUNTER_LATE, COUNTER_SEEN_BEFORE, COUNTER_UNTRACKED };

/* The first counter a direction expects: 0 after a captured handshake, else the first seen. */
void countertrack_start(struct countertrack *track, uint64_t base);
enum countertrack_verdict countertrack_add(struct countertrack *track, uint64_t counter);

struct countertrack_gap {
	uint64_t first, count;
};
/* Calls fn for each run of counters below the highest that never came, in order; returns
 * the number of counters missing in all. */
uint64_t countertrack_gaps(const struct countertrack *track, void (*fn)(void *ctx, const struct countertrack_gap *gap),
			   void *ctx);
void countertrack_free(struct countertrack *track);

#endif
