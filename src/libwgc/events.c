#include "libwgc/events.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/peer.h"
#include "crypto/secret.h"

static void copy_endpoint(struct sockaddr_storage *out, const struct wg_endpoint *endpoint)
{
	memset(out, 0, sizeof(*out));
	if (endpoint && endpoint->addr.sa.sa_family == AF_INET)
		memcpy(out, &endpoint->addr.in, sizeof(endpoint->addr.in));
	else if (endpoint && endpoint->addr.sa.sa_family == AF_INET6)
		memcpy(out, &endpoint->addr.in6, sizeof(endpoint->addr.in6));
}

void wgl_events_add(struct wgl_events *events, const struct wg_event *event)
{
	struct wgc_event *e;

	if (!(events->wanted & WGC_EVENT_MASK(event->type)))
		return;
	if (events->count == WGL_EVENT_QUEUE) {
		++events->dropped;
		return;
	}
	e = &events->queue[events->count];
	*e = (struct wgc_event){
		.type = (enum wgc_event_type)event->type, .time_ns = event->time, .attempt = event->attempt,
		.initiator = event->initiator, .rtt_ns = event->rtt, .reason = (enum wgc_expiry_reason)event->reason,
		.received = event->received, .idle_ns = event->idle,
		.transport = (enum wgc_transport)event->transport,
		.transport_reason = (enum wgc_transport_reason)event->transport_reason,
		.state_from = (enum wgc_peer_state)event->state_from, .state_to = (enum wgc_peer_state)event->state_to,
	};
	if (event->state_reason)
		snprintf(e->state_reason, sizeof(e->state_reason), "%s", event->state_reason);
	memcpy(e->peer, event->peer->handshake.remote_static, sizeof(e->peer));
	copy_endpoint(&e->endpoint, event->endpoint);
	if (event->keys && (events->wanted & WGC_EVENTS_WITH_KEYS)) {
		struct wgc_session_keys *k = &events->keys[events->count];

		memcpy(k->local_static_private, event->keys->local_static_private, WGC_KEY_LEN);
		memcpy(k->remote_static_public, event->keys->remote_static_public, WGC_KEY_LEN);
		memcpy(k->local_ephemeral_private, event->keys->local_ephemeral_private, WGC_KEY_LEN);
		memcpy(k->preshared_key, event->keys->preshared_key, WGC_KEY_LEN);
		memcpy(k->sending_key, event->keys->sending_key, WGC_KEY_LEN);
		memcpy(k->receiving_key, event->keys->receiving_key, WGC_KEY_LEN);
		k->local_index = event->keys->local_index;
		k->remote_index = event->keys->remote_index;
		e->keys = k;
	}
	++events->count;
}

static void hand_out(struct wgl_events *events, struct wgc_event *event)
{
	const struct wgc_session_keys *keys = event->keys;

	for (unsigned i = 0; i < WGL_SUBSCRIBERS; ++i) {
		struct wgl_subscriber *s = &events->subscriber[i];

		if (!s->id || !(s->mask & WGC_EVENT_MASK(event->type)))
			continue;
		/* Keys to those that asked for them; to the others the same event without. */
		event->keys = s->mask & WGC_EVENTS_WITH_KEYS ? keys : NULL;
		s->fn(s->ctx, event);
	}
	event->keys = keys;
}

void wgl_events_dispatch(struct wgl_events *events)
{
	/* A subscriber that causes events (a configure in its callback) has them handed out after
	 * the ones before, by this same loop. */
	if (events->dispatching)
		return;
	events->dispatching = true;
	for (unsigned i = 0; i < events->count; ++i)
		hand_out(events, &events->queue[i]);
	wgl_events_clear(events);
	events->dispatching = false;
}

void wgl_events_clear(struct wgl_events *events)
{
	for (unsigned i = 0; i < events->count; ++i)
		if (events->queue[i].keys)
			wg_secret_wipe(&events->keys[i], sizeof(events->keys[i]));
	events->count = 0;
}

static void recount(struct wgl_events *events)
{
	events->wanted = 0;
	for (unsigned i = 0; i < WGL_SUBSCRIBERS; ++i)
		if (events->subscriber[i].id)
			events->wanted |= events->subscriber[i].mask;
}

int wgl_events_subscribe(struct wgl_events *events, unsigned mask, wgc_event_fn fn, void *ctx, unsigned *id)
{
	if (!fn || !(mask & WGC_EVENTS_ALL))
		return -EINVAL;
	for (unsigned i = 0; i < WGL_SUBSCRIBERS; ++i) {
		struct wgl_subscriber *s = &events->subscriber[i];

		if (s->id)
			continue;
		*s = (struct wgl_subscriber){ .id = ++events->next_id, .mask = mask, .fn = fn, .ctx = ctx };
		if (!s->id)
			s->id = ++events->next_id; /* 0 names no one: skip it when the count wraps */
		if (id)
			*id = s->id;
		recount(events);
		return 0;
	}
	return -ENOSPC;
}

int wgl_events_unsubscribe(struct wgl_events *events, unsigned id)
{
	for (unsigned i = 0; id && i < WGL_SUBSCRIBERS; ++i) {
		if (events->subscriber[i].id == id) {
			events->subscriber[i] = (struct wgl_subscriber){ 0 };
			recount(events);
			return 0;
		}
	}
	return -ENOENT;
}

/* The public kinds are the core's, one for one. */
_Static_assert((int)WGC_EVENT_PEER_ADDED == (int)WG_EVENT_PEER_ADDED, "event kinds");
_Static_assert((int)WGC_EVENT_HANDSHAKE_COMPLETE == (int)WG_EVENT_HANDSHAKE_COMPLETE, "event kinds");
_Static_assert((int)WGC_EVENT_KEYS_DERIVED == (int)WG_EVENT_KEYS_DERIVED, "event kinds");
_Static_assert((int)WGC_EVENT_DATA_AFTER_IDLE == (int)WG_EVENT_DATA_AFTER_IDLE, "event kinds");
_Static_assert((int)WGC_EVENT_TRANSPORT_CHANGED == (int)WG_EVENT_TRANSPORT_CHANGED, "event kinds");
_Static_assert((int)WGC_EVENT_STATE_CHANGED == (int)WG_EVENT_STATE_CHANGED, "event kinds");
_Static_assert((int)WGC_EVENT_TYPES == (int)WG_EVENT_TYPES, "event kinds");
_Static_assert((int)WGC_EXPIRED_WIPED == (int)WG_EXPIRED_WIPED, "expiry reasons");
