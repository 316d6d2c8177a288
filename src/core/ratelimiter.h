/*
 * Per-source handshake rate limit, applied under load to sources that proved they can receive
 * at their address (a valid cookie): a token bucket of 20 per second, burst 5, per IPv4
 * address or IPv6 /64. Entries idle for a second are collected by a timer.
 */
#ifndef WG_CORE_RATELIMITER_H
#define WG_CORE_RATELIMITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/deadlines.h"
#include "core/endpoint.h"
#include "core/env.h"

enum wg_ratelimiter_values {
	WG_RATELIMITER_PACKETS_PER_SECOND = 20,
	WG_RATELIMITER_PACKETS_BURSTABLE = 5,
	WG_RATELIMITER_TABLE_SIZE = 8192,
	WG_RATELIMITER_MAX_ENTRIES = WG_RATELIMITER_TABLE_SIZE * 8,
};

struct wg_ratelimiter_entry;

struct wg_ratelimiter {
	struct wg_ratelimiter_entry **buckets; /* allocated on first use */
	size_t count;
	uint8_t hash_key[16];                  /* random: sources are chosen by the sender */
	struct wg_timer gc;
	struct wg_deadlines *deadlines;
	const struct wg_env *env;
};

void wg_ratelimiter_init(struct wg_ratelimiter *rl, struct wg_deadlines *deadlines, const struct wg_env *env);
void wg_ratelimiter_free(struct wg_ratelimiter *rl);
/* One token from the source's bucket if it has one. False also when the table is full. */
bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, const struct wg_endpoint *source);

#endif
