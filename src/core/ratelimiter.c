/* Token buckets per source, in a hash table keyed with a secret so senders cannot aim collisions. */
#include "core/ratelimiter.h"

#include <stdlib.h>
#include <string.h>

#include "core/list.h"
#include "core/messages.h"
#include "crypto/blake2s.h"

#define PACKET_COST (WG_NSEC_PER_SEC / WG_RATELIMITER_PACKETS_PER_SECOND)
#define TOKEN_MAX (PACKET_COST * WG_RATELIMITER_PACKETS_BURSTABLE)

struct wg_ratelimiter_entry {
	struct wg_ratelimiter_entry *next;
	uint64_t last_time, tokens;
	uint8_t family;
	uint8_t ip[8]; /* IPv4 address, or the /64 of an IPv6 one */
};

static void gc_fire(struct wg_timer *timer);

void wg_ratelimiter_init(struct wg_ratelimiter *rl, struct wg_deadlines *deadlines, const struct wg_env *env)
{
	memset(rl, 0, sizeof(*rl));
	rl->deadlines = deadlines;
	rl->env = env;
	wg_timer_init(&rl->gc, gc_fire);
}

static size_t bucket_of(const struct wg_ratelimiter *rl, uint8_t family, const uint8_t ip[8])
{
	uint8_t in[9], out[8];

	in[0] = family;
	memcpy(in + 1, ip, 8);
	wg_blake2s(out, sizeof(out), in, sizeof(in), rl->hash_key, sizeof(rl->hash_key));
	return (size_t)(wg_le64_get(out) & (WG_RATELIMITER_TABLE_SIZE - 1));
}

/* Removes entries idle for over a second, or all of them. */
static void collect(struct wg_ratelimiter *rl, uint64_t now, bool all)
{
	for (size_t i = 0; rl->buckets && i < WG_RATELIMITER_TABLE_SIZE; ++i) {
		struct wg_ratelimiter_entry **p = &rl->buckets[i];

		while (*p) {
			struct wg_ratelimiter_entry *e = *p;

			if (all || now - e->last_time > WG_NSEC_PER_SEC) {
				*p = e->next;
				free(e);
				--rl->count;
			} else {
				p = &e->next;
			}
		}
	}
}

static void gc_fire(struct wg_timer *timer)
{
	struct wg_ratelimiter *rl = wg_container_of(timer, struct wg_ratelimiter, gc);
	uint64_t now = rl->env->now(rl->env->ctx);

	collect(rl, now, false);
	if (rl->count)
		wg_timer_arm(rl->deadlines, &rl->gc, now + WG_NSEC_PER_SEC);
}

void wg_ratelimiter_free(struct wg_ratelimiter *rl)
{
	collect(rl, 0, true);
	wg_timer_remove(rl->deadlines, &rl->gc);
	free(rl->buckets);
	rl->buckets = NULL;
}

static bool take_token(struct wg_ratelimiter_entry *e, uint64_t now)
{
	uint64_t tokens = e->tokens + (now - e->last_time);

	if (tokens > TOKEN_MAX)
		tokens = TOKEN_MAX;
	e->last_time = now;
	if (tokens < PACKET_COST) {
		e->tokens = tokens;
		return false;
	}
	e->tokens = tokens - PACKET_COST;
	return true;
}

static bool start_table(struct wg_ratelimiter *rl)
{
	if (rl->buckets)
		return true;
	rl->buckets = calloc(WG_RATELIMITER_TABLE_SIZE, sizeof(*rl->buckets));
	if (rl->buckets)
		rl->env->random(rl->env->ctx, rl->hash_key, sizeof(rl->hash_key));
	return rl->buckets != NULL;
}

bool wg_ratelimiter_allow(struct wg_ratelimiter *rl, const struct wg_endpoint *source)
{
	uint64_t now = rl->env->now(rl->env->ctx);
	uint8_t ip[8] = { 0 }, family = (uint8_t)source->addr.sa.sa_family;
	struct wg_ratelimiter_entry *e, **bucket;

	if (family == AF_INET)
		memcpy(ip, &source->addr.in.sin_addr, 4);
	else if (family == AF_INET6)
		memcpy(ip, &source->addr.in6.sin6_addr, 8);
	else
		return false;
	if (!start_table(rl))
		return false;

	bucket = &rl->buckets[bucket_of(rl, family, ip)];
	for (e = *bucket; e; e = e->next)
		if (e->family == family && !memcmp(e->ip, ip, sizeof(ip)))
			return take_token(e, now);

	/* A full table refuses new sources rather than growing without bound under a flood. */
	if (rl->count >= WG_RATELIMITER_MAX_ENTRIES || !(e = calloc(1, sizeof(*e))))
		return false;
	e->family = family;
	memcpy(e->ip, ip, sizeof(ip));
	e->last_time = now;
	e->tokens = TOKEN_MAX - PACKET_COST;
	e->next = *bucket;
	*bucket = e;
	if (rl->count++ == 0)
		wg_timer_arm(rl->deadlines, &rl->gc, now + WG_NSEC_PER_SEC);
	return true;
}
