/*
 * The core's environment on Linux: the monotonic clock for timers, the real-time clock for
 * handshake timestamps, getrandom() for keys, the UDP sockets out and the TUN device in.
 */
#include "wgcd/env.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "wgcd/daemon.h"

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t wgcd_env_now(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* Read once per event (wgcd_tick), not per packet: the core asks several times for every
 * packet, and no timer of WireGuard's needs finer than the length of one event. */
static uint64_t now(void *ctx)
{
	struct wgcd *daemon = ctx;

	return daemon->now;
}

void wgcd_tick(struct wgcd *daemon)
{
	daemon->now = wgcd_env_now();
}

static uint64_t wall(void *ctx)
{
	(void)ctx;
	return clock_ns(CLOCK_REALTIME);
}

/* getrandom() on the urandom pool does not fail once the pool is initialised, but it may
 * return short or be interrupted; no key is ever made from fewer bytes than asked for. */
static void random_bytes(void *ctx, void *out, size_t len)
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

/* Queued: the loop sends after each event (wgcd_flush), so a burst leaves in a few system
 * calls. Datagrams the kernel then refuses are taken back from the peer's counters. */
static int send_datagram(void *ctx, struct wg_peer *peer, const struct wg_endpoint *to, const uint8_t *msg,
			 size_t len)
{
	struct wgcd *daemon = ctx;

	daemon->device.stats.tx_send_errors += wgcd_txqueue_add(daemon->txqueue, &daemon->udp, peer, to, msg, len);
	return 0;
}

/* Queued datagrams refer to their peer: they leave before it goes. */
static void forget(void *ctx, struct wg_peer *peer)
{
	struct wgcd *daemon = ctx;

	(void)peer;
	if (daemon->txqueue)
		daemon->device.stats.tx_send_errors += wgcd_txqueue_flush(daemon->txqueue, &daemon->udp);
}

static int write_tun(void *ctx, const struct iovec *iov, int count)
{
	struct wgcd *daemon = ctx;

	return wgcd_tun_writev(&daemon->tun, iov, count);
}

/* Queued in place, in the receive buffer it was decrypted in; the loop writes the batch before
 * that buffer is reused. A full TUN queue drops the packet, as a full NIC queue would. */
static void deliver(void *ctx, struct wg_peer *from, const uint8_t *packet, size_t len)
{
	struct wgcd *daemon = ctx;

	(void)from;
	if (!wgcd_coalescer_add(daemon->coalescer, (uint8_t *)packet, len)) {
		wgcd_coalescer_flush(daemon->coalescer, write_tun, daemon);
		wgcd_coalescer_add(daemon->coalescer, (uint8_t *)packet, len);
	}
}

void wgcd_flush(struct wgcd *daemon)
{
	wgcd_coalescer_flush(daemon->coalescer, write_tun, daemon);
	daemon->device.stats.tx_send_errors += wgcd_txqueue_flush(daemon->txqueue, &daemon->udp);
}

static void log_message(void *ctx, enum wg_log_level level, const char *message)
{
	struct wgcd *daemon = ctx;

	wgcd_log(&daemon->log, level, "%s", message);
}

struct wg_env wgcd_env(struct wgcd *daemon)
{
	return (struct wg_env){
		.ctx = daemon, .now = now, .wall = wall, .random = random_bytes,
		.send = send_datagram, .forget = forget, .deliver = deliver, .log = log_message,
	};
}
