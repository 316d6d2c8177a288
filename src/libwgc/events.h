/*
 * The event seam's far side: the core's events (core/events.h) gathered during a round of
 * the loop and handed, once the round is done, to each subscriber that asked for their kind:
 * the embedding program's callbacks now; monitoring, the key log and transport fallback
 * later. Dispatching after the round keeps subscribers out of the core's calls, so they may
 * call the API. A session's keys are copied only while a subscriber wants them
 * (WGC_EVENTS_WITH_KEYS), handed to those alone, and wiped right after.
 */
#ifndef WGL_EVENTS_H
#define WGL_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/events.h"
#include "wgc.h"

enum {
	WGL_SUBSCRIBERS = 16,
	WGL_EVENT_QUEUE = 256, /* a round's events; beyond, dropped and counted */
};

struct wgl_subscriber {
	unsigned id;          /* 0: a free slot */
	unsigned mask;        /* WGC_EVENT_MASK bits, and WGC_EVENTS_WITH_KEYS */
	wgc_event_fn fn;
	void *ctx;
};

/* The queue holds copies: a peer named by an event may be gone by the time it is handed out. */
struct wgl_events {
	struct wgl_subscriber subscriber[WGL_SUBSCRIBERS];
	unsigned next_id;
	unsigned wanted;                      /* the union of the subscribers' masks */
	unsigned count;
	bool dispatching;                     /* a subscriber's call is on: events it causes wait */
	struct wgc_event queue[WGL_EVENT_QUEUE];
	struct wgc_session_keys keys[WGL_EVENT_QUEUE]; /* wiped once handed out */
	uint64_t dropped;
};

/* Queues one core event if anyone asked for its kind. */
void wgl_events_add(struct wgl_events *events, const struct wg_event *event);
/* Hands every queued event to its subscribers, in order, and empties the queue. */
void wgl_events_dispatch(struct wgl_events *events);
/* 0 and *id, -ENOSPC when all slots are taken, -EINVAL for no function or no kind. */
int wgl_events_subscribe(struct wgl_events *events, unsigned mask, wgc_event_fn fn, void *ctx, unsigned *id);
int wgl_events_unsubscribe(struct wgl_events *events, unsigned id);
/* Wipes what is queued. */
void wgl_events_clear(struct wgl_events *events);

#endif
