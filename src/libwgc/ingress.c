/*
 * What the transports receive, into the core: GRO-joined datagrams taken apart, data decrypted
 * at once, handshake messages admitted at once (macs, or a cookie reply under load) and queued
 * for their Diffie-Hellman, on the workers or in the loop's own queue. The queues' length is
 * the backlog that decides "under load".
 */
#include "libwgc/ingress.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "libwgc/engine.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

enum { DH_COMMITS_PER_ROUND = 256 };

static unsigned handshake_backlog(struct wgl_engine *engine)
{
	return engine->handshakes->count + (engine->dh_workers ? wgl_dh_workers_backlog(engine->dh_workers) : 0);
}

/* Initiations to the workers when they run; responses, and everything when they do not, to
 * the loop's own queue. */
static bool queue_handshake(struct wgl_engine *engine, enum wg_message_type type, const uint8_t *msg, size_t len,
			    const struct wg_endpoint *from)
{
	if (engine->dh_workers && type == WG_MESSAGE_HANDSHAKE_INITIATION)
		return wgl_dh_workers_push(engine->dh_workers, msg, len, from, &engine->device.static_identity);
	return wgl_handshake_push(engine->handshakes, msg, len, from);
}

/* WGL_INGRESS_* for what the message did. */
static unsigned receive_message(struct wgl_engine *engine, uint8_t *datagram, size_t len,
				const struct wg_endpoint *from)
{
	size_t prefix;
	enum wg_message_type type = wg_message_unwrap(&engine->device.wire, datagram, len, &prefix);
	uint8_t *msg = datagram + prefix;

	/* Obfuscated: what fits no message of the device's format reaches nothing else (without
	 * its prefix it might pass for a plain message). */
	if (type == WG_MESSAGE_INVALID && !engine->device.wire.plain) {
		wg_device_drop_malformed(&engine->device);
		return 0;
	}
	len -= prefix;
	if (type != WG_MESSAGE_HANDSHAKE_INITIATION && type != WG_MESSAGE_HANDSHAKE_RESPONSE)
		return !wg_device_receive(&engine->device, msg, len, from) && type == WG_MESSAGE_DATA
			       ? WGL_INGRESS_AUTHENTICATED : 0;
	wg_device_handshake_backlog(&engine->device, handshake_backlog(engine));
	if (wg_device_admit_handshake(&engine->device, msg, len, from))
		return 0;
	if (!queue_handshake(engine, type, msg, len, from))
		++engine->stats.rx_handshake_overflow;
	return WGL_INGRESS_ADMITTED;
}

unsigned wgl_ingress_batch(struct wgl_engine *engine, struct wgl_datagram *batch, int count)
{
	unsigned seen = 0;

	for (int i = 0; i < count; ++i)
		for (size_t off = 0, len; off < batch[i].len; off += len) {
			len = wgl_datagram_part(&batch[i], off);
			seen |= receive_message(engine, batch[i].data + off, len, &batch[i].from);
		}
	return seen;
}

void wgl_ingress_handshakes(struct wgl_engine *engine)
{
	const struct wgl_handshake *h;

	for (int i = 0; i < WGL_HANDSHAKES_PER_ROUND && (h = wgl_handshake_pop(engine->handshakes)); ++i)
		wg_device_receive_admitted(&engine->device, h->msg, h->len, &h->from);
}

bool wgl_ingress_pending(const struct wgl_engine *engine)
{
	return engine->handshakes->count != 0;
}

/* Finished steps in the order they were queued, on this thread: after es, the peer's checks,
 * and only what passes goes back for the response's Diffie-Hellman; after that, the
 * handshake's state and the response. Up to a bound per round; the rest wake the next one. */
static void on_dh_done(struct wgl_watch *watch, uint32_t events)
{
	struct wgl_engine *engine = container_of(watch, struct wgl_engine, dh_watch);
	struct wgl_dh_workers *workers = engine->dh_workers;
	struct wgl_dh_job *job;

	(void)events;
	wgl_dh_workers_clear_event(workers);
	for (int i = 0; (job = wgl_dh_workers_done(workers)); ++i) {
		const uint8_t *msg = (const uint8_t *)&job->msg;

		if (i == DH_COMMITS_PER_ROUND) {
			wgl_dh_workers_notify(workers);
			return;
		}
		if (job->step == WGL_DH_REVEAL) {
			if (!wg_device_check_precomputed(&engine->device, msg, sizeof(job->msg), &job->dh)) {
				if (!wgl_dh_workers_continue(workers, job))
					++engine->stats.rx_handshake_overflow;
				continue;
			}
		} else {
			wg_device_receive_precomputed(&engine->device, msg, sizeof(job->msg), &job->from, &job->dh);
		}
		wgl_dh_workers_release(workers, job);
	}
}

/* The CPUs this process may run on (its affinity, e.g. from taskset or a cpuset). */
static unsigned usable_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	return 1;
}

void wgl_ingress_start_workers(struct wgl_engine *engine)
{
	struct wgl_dh_workers *workers;
	int ret = -ENOMEM;

	if (engine->workers_tried)
		return;
	engine->workers_tried = true;
	workers = calloc(1, sizeof(*workers));
	if (workers)
		ret = wgl_dh_workers_start(workers, usable_cpus(), &engine->device.env);
	if (!ret)
		ret = wgl_engine_watch(engine, &engine->dh_watch, workers->event_fd, EPOLLIN, on_dh_done);
	if (!ret) {
		engine->dh_workers = workers;
		return;
	}
	if (workers && workers->event_fd >= 0)
		wgl_dh_workers_stop(workers);
	free(workers);
	wgl_log(engine, WG_LOG_ERROR, "handshakes stay on the loop's thread: no worker threads (%s)", strerror(-ret));
}

void wgl_ingress_stop_workers(struct wgl_engine *engine)
{
	if (engine->dh_workers) {
		wgl_watch_remove(engine->epoll_fd, &engine->dh_watch);
		wgl_dh_workers_stop(engine->dh_workers);
		free(engine->dh_workers);
	}
	engine->dh_workers = NULL;
}
