/*
 * The event loop: one epoll set, level-triggered. Each readable descriptor is drained a batch at
 * a time so that no source (a flood on the UDP socket, a busy tunnel) starves the others, and
 * the timer is re-armed from the core's next deadline after every round.
 *
 * A round is what the caller's loop calls (wgl_engine_round, never waiting) and what run does
 * between waits, on wgcd's main thread or the engine's own; it holds the engine's lock, and
 * only the wait is outside it.
 */
#include "libwgc/engine.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "libwgc/env.h"
#include "libwgc/ingress.h"
#include "libwgc/peertransport.h"

enum { EVENTS_PER_WAIT = 32 };

void wgl_engine_stop(struct wgl_engine *engine, const char *reason)
{
	uint64_t one = 1;

	if (!engine->stopping)
		wgl_log(engine, WG_LOG_INFO, "stopping: %s", reason);
	engine->stopping = true;
	engine->stop_reason = reason;
	/* A loop waiting on another thread wakes for it. */
	if (write(engine->wake_watch.fd, &one, sizeof(one)) < 0)
		return;
}

uint64_t wgl_engine_clock(const struct wgl_engine *engine)
{
	return engine->options.clock ? engine->options.clock(engine->options.ctx) : wgl_monotonic_now();
}

void wgl_engine_tick(struct wgl_engine *engine)
{
	engine->now = wgl_engine_clock(engine);
}

static uint64_t earlier(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t wgl_engine_earliest_deadline(struct wgl_engine *engine)
{
	return earlier(wg_device_next_deadline(&engine->device),
		       earlier(engine->transport_deadline, engine->probe_deadline));
}

uint64_t wgl_engine_next_deadline(struct wgl_engine *engine)
{
	uint64_t deadline;

	pthread_mutex_lock(&engine->lock);
	deadline = wgl_engine_earliest_deadline(engine);
	pthread_mutex_unlock(&engine->lock);
	return deadline;
}

void wgl_engine_transport_deadline(struct wgl_engine *engine, uint64_t when)
{
	engine->transport_deadline = earlier(engine->transport_deadline, when);
}

void wgl_engine_run_timers(struct wgl_engine *engine)
{
	if (wg_device_next_deadline(&engine->device) <= engine->now)
		wg_device_run_timers(&engine->device);
	if (engine->transport_deadline <= engine->now) {
		engine->transport_deadline = UINT64_MAX;
		for (int i = 0; i < WG_TRANSPORT_KINDS; ++i) {
			struct wgl_transport *t = engine->transports[i];

			if (t && t->ops->tick)
				wgl_engine_transport_deadline(engine, t->ops->tick(t, engine->now));
		}
	}
	if (engine->probe_deadline <= engine->now)
		wgl_peer_transports_tick(engine);
}

/* Absolute monotonic time, the clock the core's deadlines are on. With the caller's clock
 * there is no timer: the caller calls when its clock says. */
static void arm_timer(struct wgl_engine *engine)
{
	uint64_t deadline = wgl_engine_earliest_deadline(engine);

	if (engine->options.clock || deadline == engine->armed_deadline)
		return;
	if (!wgl_watch_arm_timer(engine->timer_watch.fd, deadline))
		engine->armed_deadline = deadline;
}

void wgl_engine_settle(struct wgl_engine *engine)
{
	wgl_engine_flush(engine);
	wgl_events_dispatch(&engine->events);
	/* What the subscribers did in return goes out too. */
	wgl_engine_flush(engine);
	arm_timer(engine);
}

/* The events of one wait, each followed by a flush: a UDP batch's decrypted packets wait for
 * the tunnel in the buffers they arrived in, which the next event may read into again. */
static void handle(struct wgl_engine *engine, const struct epoll_event *events, int n)
{
	engine->in_round = true;
	for (int i = 0; i < n; ++i) {
		struct wgl_watch *watch = events[i].data.ptr;

		wgl_engine_tick(engine);
		watch->ready(watch, events[i].events);
		wgl_engine_flush(engine);
	}
	wgl_engine_tick(engine);
	/* A caller's clock has no timer descriptor: its deadlines are looked at every round. */
	if (engine->options.clock && wgl_engine_earliest_deadline(engine) <= engine->now)
		wgl_engine_run_timers(engine);
	wgl_ingress_handshakes(engine);
	wgl_engine_settle(engine);
	if (engine->round_hook)
		engine->round_hook(engine->round_ctx);
	engine->in_round = false;
}

int wgl_engine_round(struct wgl_engine *engine)
{
	struct epoll_event events[EVENTS_PER_WAIT];
	int n, ret = 0;

	pthread_mutex_lock(&engine->lock);
	/* The engine's own thread holds batches of its own; a callback's nested round would run
	 * inside this one's. */
	if (engine->has_thread || engine->in_round) {
		pthread_mutex_unlock(&engine->lock);
		return -EBUSY;
	}
	wgl_ingress_start_workers(engine);
	wgl_engine_close_retired(engine);
	n = epoll_wait(engine->epoll_fd, events, EVENTS_PER_WAIT, 0);
	if (n < 0 && errno != EINTR)
		ret = -errno;
	else
		handle(engine, events, n < 0 ? 0 : n);
	if (!ret && engine->tun_gone)
		ret = -ENODEV;
	pthread_mutex_unlock(&engine->lock);
	return ret;
}

int wgl_engine_run(struct wgl_engine *engine)
{
	struct epoll_event events[EVENTS_PER_WAIT];
	int ret = 0;

	pthread_mutex_lock(&engine->lock);
	/* Threads here, after any fork. */
	wgl_ingress_start_workers(engine);
	arm_timer(engine);
	while (!engine->stopping) {
		/* Queued handshakes are work too: look for events, but do not wait for them. */
		int timeout = wgl_ingress_pending(engine) ? 0 : -1, n;

		wgl_engine_close_retired(engine);
		pthread_mutex_unlock(&engine->lock);
		n = epoll_wait(engine->epoll_fd, events, EVENTS_PER_WAIT, timeout);
		pthread_mutex_lock(&engine->lock);
		if (n < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		handle(engine, events, n < 0 ? 0 : n);
	}
	pthread_mutex_unlock(&engine->lock);
	return ret;
}

static void *run_thread(void *arg)
{
	wgl_engine_run(arg);
	return NULL;
}

int wgl_engine_start(struct wgl_engine *engine)
{
	int ret;

	if (engine->options.clock)
		return -EINVAL;
	pthread_mutex_lock(&engine->lock);
	ret = engine->has_thread ? -EALREADY : 0;
	if (!ret) {
		engine->stopping = false;
		ret = -pthread_create(&engine->thread, NULL, run_thread, engine);
		engine->has_thread = !ret;
	}
	pthread_mutex_unlock(&engine->lock);
	return ret;
}

int wgl_engine_join(struct wgl_engine *engine)
{
	pthread_mutex_lock(&engine->lock);
	if (!engine->has_thread) {
		pthread_mutex_unlock(&engine->lock);
		return -EALREADY;
	}
	wgl_engine_stop(engine, "stopped by its owner");
	pthread_mutex_unlock(&engine->lock);
	pthread_join(engine->thread, NULL);
	pthread_mutex_lock(&engine->lock);
	engine->has_thread = false;
	/* Stopped, not dead: the caller's own loop may run it from here on. */
	engine->stopping = false;
	pthread_mutex_unlock(&engine->lock);
	return 0;
}
