/* Handshake rate limit: burst of 5, then 20 per second, per IPv4 address or IPv6 /64. */
#include <arpa/inet.h>
#include <string.h>

#include "core/ratelimiter.h"
#include "harness.h"

struct clock {
	uint64_t now;
	uint64_t rng;
};

static uint64_t clock_now(void *ctx)
{
	return ((struct clock *)ctx)->now;
}

static void clock_random(void *ctx, void *out, size_t len)
{
	for (size_t i = 0; i < len; ++i)
		((uint8_t *)out)[i] = (uint8_t)test_random(&((struct clock *)ctx)->rng);
}

static struct wg_endpoint v4(const char *ip)
{
	struct wg_endpoint e = { 0 };

	e.addr.in.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &e.addr.in.sin_addr);
	return e;
}

static struct wg_endpoint v6(const char *ip)
{
	struct wg_endpoint e = { 0 };

	e.addr.in6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, ip, &e.addr.in6.sin6_addr);
	return e;
}

static int allowed_burst(struct wg_ratelimiter *rl, const struct wg_endpoint *e)
{
	int n = 0;

	while (n < 100 && wg_ratelimiter_allow(rl, e))
		++n;
	return n;
}

TEST(ratelimiter_burst_then_rate_per_source)
{
	struct clock c = { .now = 5000000000ull, .rng = 1 };
	struct wg_env env = { .ctx = &c, .now = clock_now, .random = clock_random };
	struct wg_deadlines q;
	struct wg_ratelimiter rl;
	struct wg_endpoint a = v4("192.0.2.1"), b = v4("192.0.2.2");
	struct wg_endpoint six = v6("2001:db8:1:2::1"), same64 = v6("2001:db8:1:2:ffff::9"), other64 = v6("2001:db8:1:3::1");

	wg_deadlines_init(&q);
	wg_deadlines_reserve(&q, 1);
	wg_ratelimiter_init(&rl, &q, &env);
	CHECK_EQ(allowed_burst(&rl, &a), 5);
	/* Another address has its own bucket. */
	CHECK_EQ(allowed_burst(&rl, &b), 5);
	/* 50 ms buys one more packet; a second buys 20, capped at the burst of 5. */
	c.now += 50000000;
	CHECK_EQ(allowed_burst(&rl, &a), 1);
	c.now += 1000000000;
	CHECK_EQ(allowed_burst(&rl, &a), 5);
	/* IPv6 sources share a bucket per /64. */
	CHECK_EQ(allowed_burst(&rl, &six), 5);
	CHECK_EQ(allowed_burst(&rl, &same64), 0);
	CHECK_EQ(allowed_burst(&rl, &other64), 5);
	/* Sustained: 20 per second. */
	int total = 0;
	for (int ms = 0; ms < 10000; ms += 10) {
		c.now += 10000000;
		total += wg_ratelimiter_allow(&rl, &a);
	}
	CHECK(total >= 199 && total <= 201);
	wg_ratelimiter_free(&rl);
	wg_deadlines_free(&q);
}

TEST(ratelimiter_collects_idle_entries)
{
	struct clock c = { .now = 5000000000ull, .rng = 1 };
	struct wg_env env = { .ctx = &c, .now = clock_now, .random = clock_random };
	struct wg_deadlines q;
	struct wg_ratelimiter rl;
	struct wg_endpoint a = v4("198.51.100.7");

	wg_deadlines_init(&q);
	wg_deadlines_reserve(&q, 1);
	wg_ratelimiter_init(&rl, &q, &env);
	CHECK(wg_ratelimiter_allow(&rl, &a));
	CHECK_EQ(rl.count, 1);
	CHECK(wg_deadlines_next(&q) != UINT64_MAX);
	c.now += 1500000000ull;
	wg_deadlines_run(&q, c.now);
	c.now += 1000000000ull;
	wg_deadlines_run(&q, c.now);
	CHECK_EQ(rl.count, 0);
	CHECK_EQ(wg_deadlines_next(&q), UINT64_MAX);
	wg_ratelimiter_free(&rl);
	wg_deadlines_free(&q);
}
