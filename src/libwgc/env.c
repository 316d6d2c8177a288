/*
 * The core's environment in the engine: the engine's clock for timers, the wall clock for
 * handshake timestamps, getrandom() for keys, the transports out, the tunnel (a TUN device or
 * the program's packet queue) in, the caller's log, and the event queue.
 */
#include "libwgc/env.h"

#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "libwgc/engine.h"
#include "libwgc/obfuscation.h"
#include "libwgc/peertransport.h"

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t wgl_monotonic_now(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* Read once per event (wgl_engine_tick), not per packet: the core asks several times for
 * every packet, and no timer of WireGuard's needs finer than the length of one event. */
static uint64_t now(void *ctx)
{
	struct wgl_engine *engine = ctx;

	return engine->now;
}

/* With the caller's clock, wall time moves as that clock does (a simulation's handshakes still
 * carry rising timestamps). */
static uint64_t wall(void *ctx)
{
	struct wgl_engine *engine = ctx;

	if (engine->options.clock)
		return engine->wall_at_start + (engine->now - engine->clock_at_start);
	return clock_ns(CLOCK_REALTIME);
}

/* getrandom() on the urandom pool does not fail once the pool is initialised, but it may
 * return short or be interrupted; no key is ever made from fewer bytes than asked for. */
void wgl_random_bytes(void *ctx, void *out, size_t len)
{
	uint8_t *p = out;

	(void)ctx;
	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0 && errno != EINTR)
			abort();
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
	}
}

/* Queued by the endpoint's transport, which sends at the end of the event (wgl_engine_flush):
 * a burst leaves in a few system calls. Datagrams refused then are taken back from the peer. */
static int send_message(void *ctx, struct wg_peer *peer, const struct wg_endpoint *to, const uint8_t *msg,
			size_t len)
{
	struct wgl_engine *engine = ctx;
	struct wgl_transport *t = to->transport < WG_TRANSPORT_KINDS ? engine->transports[to->transport] : NULL;

	if (!t)
		return -EAFNOSUPPORT;
	if (wg_device_is_obfuscated(&engine->device))
		return wgl_obfuscation_queue(engine, t, peer, to, msg, len);
	return t->ops->queue(t, peer, to, NULL, 0, msg, len);
}

/* Queued datagrams refer to their peer: they leave before it goes. */
static void forget(void *ctx, struct wg_peer *peer)
{
	struct wgl_engine *engine = ctx;

	for (int i = 0; i < WG_TRANSPORT_KINDS; ++i) {
		struct wgl_transport *t = engine->transports[i];

		if (!t)
			continue;
		t->ops->flush(t);
		if (t->ops->forget)
			t->ops->forget(t, peer);
	}
}

static int write_tun(void *ctx, const struct iovec *iov, int count)
{
	struct wgl_engine *engine = ctx;

	return wgl_tun_writev(&engine->tun, iov, count);
}

/* Queued in place, in the receive buffer it was decrypted in; the loop writes the batch before
 * that buffer is reused. A full queue drops the packet, as a full NIC queue would. */
static void deliver(void *ctx, struct wg_peer *from, const uint8_t *packet, size_t len)
{
	struct wgl_engine *engine = ctx;

	(void)from;
	if (engine->tunnel == WGL_TUNNEL_NONE) {
		if (!wgl_packets_add(&engine->packets, packet, len)) {
			wgl_packets_flush(&engine->packets);
			wgl_packets_add(&engine->packets, packet, len);
		}
		return;
	}
	if (!wgl_coalescer_add(engine->coalescer, (uint8_t *)packet, len)) {
		wgl_coalescer_flush(engine->coalescer, write_tun, engine);
		wgl_coalescer_add(engine->coalescer, (uint8_t *)packet, len);
	}
}

void wgl_engine_flush(struct wgl_engine *engine)
{
	if (engine->tunnel == WGL_TUNNEL_NONE)
		wgl_packets_flush(&engine->packets);
	else
		wgl_coalescer_flush(engine->coalescer, write_tun, engine);
	for (int i = 0; i < WG_TRANSPORT_KINDS; ++i)
		if (engine->transports[i])
			engine->transports[i]->ops->flush(engine->transports[i]);
}

static void log_message(void *ctx, enum wg_log_level level, const char *message)
{
	struct wgl_engine *engine = ctx;

	if (engine->options.log)
		engine->options.log(engine->options.ctx, level, message);
}

static void event(void *ctx, const struct wg_event *event)
{
	struct wgl_engine *engine = ctx;

	wgl_events_add(&engine->events, event);
	/* After it is queued: a transport switch it causes is reported after it. */
	wgl_peer_transports_event(engine, event);
}

/* The TUN interface's first address of the family (IPv6: not link-local). */
static bool read_tun_address(const struct wgl_engine *engine, int family, uint8_t out[16])
{
	struct ifaddrs *all, *a;
	bool found = false;

	if (getifaddrs(&all))
		return false;
	for (a = all; a && !found; a = a->ifa_next) {
		if (!a->ifa_addr || a->ifa_addr->sa_family != family || strcmp(a->ifa_name, engine->tun.name))
			continue;
		if (family == AF_INET) {
			memcpy(out, &((struct sockaddr_in *)a->ifa_addr)->sin_addr, 4);
			found = true;
		} else if (!IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr)) {
			memcpy(out, &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr, 16);
			found = true;
		}
	}
	freeifaddrs(all);
	return found;
}

/* Echo probes' source, read again once a second at most: addresses come and go with
 * `ip address`, and every peer's probe may be due in the same tick. A device without a TUN
 * here has none. */
static bool probe_source(void *ctx, int family, uint8_t out[16])
{
	struct wgl_engine *engine = ctx;
	__typeof__(engine->probe_sources[0]) *cached = &engine->probe_sources[family == AF_INET6];

	if (engine->tunnel == WGL_TUNNEL_NONE)
		return false;
	if (!cached->read || engine->now - cached->read_at >= WG_NSEC_PER_SEC) {
		cached->found = read_tun_address(engine, family, cached->addr);
		cached->read_at = engine->now;
		cached->read = true;
	}
	if (cached->found)
		memcpy(out, cached->addr, family == AF_INET ? 4 : 16);
	return cached->found;
}

struct wg_env wgl_env(struct wgl_engine *engine)
{
	return (struct wg_env){
		.ctx = engine, .now = now, .wall = wall, .random = wgl_random_bytes, .send = send_message,
		.forget = forget, .deliver = deliver, .log = log_message, .event = event, .probe_source = probe_source,
	};
}
