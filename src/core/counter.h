/* The receive replay window: 8192 bits as in RFC 6479, of which 8128 are a sliding window. */
#ifndef WG_CORE_COUNTER_H
#define WG_CORE_COUNTER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/messages.h"

struct wg_replay_counter {
	uint64_t counter; /* one more than the highest counter accepted so far */
	uint64_t backtrack[WG_COUNTER_BITS_TOTAL / 64];
	/* Counters not received by the time the top is 64 to 128 counters past them, and of
	 * those, how many came after all (within the window). Both only grow, so that either can
	 * be a monotonic counter; what never came is lost - late. */
	uint64_t lost, late;
};

void wg_counter_init(struct wg_replay_counter *counter);

/*
 * Accepts a counter once, and only while it is within the window and below
 * REJECT_AFTER_MESSAGES. Call only after the packet authenticated: an unauthenticated
 * counter must never move the window.
 */
bool wg_counter_validate(struct wg_replay_counter *counter, uint64_t their_counter);

#endif
