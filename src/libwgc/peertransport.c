#include "libwgc/peertransport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/device.h"
#include "core/peer.h"
#include "core/send.h"
#include "libwgc/engine.h"
#include "libwgc/tcp.h"

#define SECOND 1000000000ull

/* What one peer of a configuration becomes. */
struct wgl_transport_plan {
	struct wgl_peer_transport choice;
	bool keeps_choice;                   /* the peer has, or now gets, a wgl_peer_transport */
	struct wgl_peer_transport *spare;    /* allocated ahead for a peer that gets one */
	struct wg_peer *changed;             /* a peer whose choice was replaced (by its key) ... */
	uint8_t changed_key[WG_NOISE_PUBLIC_KEY_LEN];
	struct wgl_peer_transport backup;    /* ... and what it was, for a cancel */
	bool had_choice;                     /* (false: the spare was attached to it) */
};

static const uint32_t touching = WG_PEER_HAS_TRANSPORT | WG_PEER_HAS_TCP_ENDPOINT | WG_PEER_HAS_ENDPOINT;

static struct wgl_peer_transport *choice_of(const struct wg_peer *peer)
{
	return peer ? peer->io : NULL;
}

static uint64_t probe_interval(const struct wgl_engine *engine)
{
	return (uint64_t)engine->udp_probe_interval * SECOND;
}

static struct wg_endpoint over(const struct wg_endpoint *e, enum wg_transport_kind kind)
{
	struct wg_endpoint out = *e;

	out.transport = (uint8_t)kind;
	wg_endpoint_clear_src(&out);
	return out;
}

/* Whether a configuration's endpoint is the peer's current TCP endpoint given back (what
 * stock `wg showconf` printed for it), rather than a new UDP one. */
static bool is_tcp_echo(const struct wgl_peer_transport *old, const struct wg_config_peer *p)
{
	struct wg_endpoint as_tcp;

	if (!old || old->mode == WG_TRANSPORT_MODE_UDP || !(p->flags & WG_PEER_HAS_ENDPOINT))
		return false;
	as_tcp = over(&p->endpoint, WG_TRANSPORT_TCP);
	return wg_endpoint_same_remote(&as_tcp, &old->tcp_endpoint) &&
	       (old->mode == WG_TRANSPORT_MODE_TCP || old->fallback.active == WG_TRANSPORT_TCP);
}

/* The peer's choice after this configuration, and the endpoint the core is to set (none when
 * the configuration's own, if any, stands). `recreated`: replace_peers takes the peer away and
 * adds it again, and the choice it had carries over (stock `wg setconf` knows nothing of it). */
static void plan_peer(const struct wg_peer *existing, bool recreated, const struct wg_config_peer *p,
		      struct wgl_transport_plan *plan, struct wg_endpoint *endpoint)
{
	const struct wgl_peer_transport *old = choice_of(existing);
	struct wgl_peer_transport *c = &plan->choice;
	bool new_endpoint = (p->flags & WG_PEER_HAS_ENDPOINT) && !is_tcp_echo(old, p);
	bool restart;

	memset(endpoint, 0, sizeof(*endpoint));
	if (old) {
		*c = *old;
	} else {
		*c = (struct wgl_peer_transport){ .mode = WG_TRANSPORT_MODE_UDP };
		if (existing && existing->endpoint.transport == WG_TRANSPORT_UDP)
			c->udp_endpoint = over(&existing->endpoint, WG_TRANSPORT_UDP);
		wgl_fallback_start(&c->fallback);
	}
	if (p->flags & WG_PEER_HAS_TRANSPORT) {
		c->mode = p->transport_mode;
		c->mode_set = true;
	}
	if (new_endpoint)
		c->udp_endpoint = over(&p->endpoint, WG_TRANSPORT_UDP);
	if (p->flags & WG_PEER_HAS_TCP_ENDPOINT) {
		c->tcp_endpoint = over(&p->tcp_endpoint, WG_TRANSPORT_TCP);
		c->tcp_endpoint_set = true;
	}
	if (!c->tcp_endpoint_set && wg_endpoint_is_set(&c->udp_endpoint))
		c->tcp_endpoint = over(&c->udp_endpoint, WG_TRANSPORT_TCP);
	plan->keeps_choice = old || c->mode_set || c->tcp_endpoint_set;
	if (!(p->flags & touching) && !(recreated && old))
		return;
	switch (c->mode) {
	case WG_TRANSPORT_MODE_UDP:
		/* Back from TCP, or made again: to the UDP endpoint it had. */
		if (!new_endpoint && old && (old->mode != WG_TRANSPORT_MODE_UDP || recreated))
			*endpoint = c->udp_endpoint;
		break;
	case WG_TRANSPORT_MODE_TCP:
		*endpoint = c->tcp_endpoint;
		break;
	case WG_TRANSPORT_MODE_AUTO:
		/* A new mode, a new Endpoint or a new peer starts over on UDP; a new TCP endpoint
		 * alone is taken at once if TCP is in use. */
		restart = !old || recreated || old->mode != WG_TRANSPORT_MODE_AUTO ||
			  (p->flags & WG_PEER_HAS_TRANSPORT) || new_endpoint;
		if (restart)
			wgl_fallback_start(&c->fallback);
		*endpoint = c->fallback.active == WG_TRANSPORT_TCP ? c->tcp_endpoint : c->udp_endpoint;
		break;
	}
}

static bool needs_plan(const struct wgl_engine *engine, const struct wg_config_device *config)
{
	for (const struct wg_config_peer *p = config->first_peer; p; p = p->next)
		if ((p->flags & (WG_PEER_HAS_TRANSPORT | WG_PEER_HAS_TCP_ENDPOINT)) ||
		    choice_of(wg_device_lookup_peer(&engine->device, p->public_key)))
			return true;
	return false;
}

/* The copy shares everything with the given configuration but its list of peers. */
static void link_copy(struct wgl_transport_change *change, const struct wg_config_device *config)
{
	size_t i = 0;

	change->copy = *config;
	change->copy.first_peer = change->copy.last_peer = NULL;
	for (const struct wg_config_peer *p = config->first_peer; p; p = p->next, ++i) {
		change->peers[i] = *p;
		change->peers[i].next = i + 1 < change->count ? &change->peers[i + 1] : NULL;
	}
	if (change->count) {
		change->copy.first_peer = &change->peers[0];
		change->copy.last_peer = &change->peers[change->count - 1];
	}
	change->config = &change->copy;
}

/* The choice goes with the peer before the core applies the rest, so that whatever the core
 * sends during the configuration (a keepalive, a first initiation) already goes the way the
 * peer is to be reached; a cancel puts it back. */
static void choose(struct wg_peer *peer, struct wgl_transport_plan *plan)
{
	plan->changed = peer;
	memcpy(plan->changed_key, peer->handshake.remote_static, sizeof(plan->changed_key));
	plan->had_choice = peer->io != NULL;
	if (peer->io) {
		plan->backup = *(struct wgl_peer_transport *)peer->io;
	} else {
		peer->io = plan->spare;
		plan->spare = NULL;
	}
	*(struct wgl_peer_transport *)peer->io = plan->choice;
}

int wgl_peer_transports_prepare(struct wgl_engine *engine, const struct wg_config_device *config,
				struct wgl_transport_change *change)
{
	const struct wg_config_peer *p;
	size_t i = 0;

	*change = (struct wgl_transport_change){ .config = config };
	if (!needs_plan(engine, config))
		return 0;
	for (p = config->first_peer; p; p = p->next)
		++change->count;
	change->peers = calloc(change->count, sizeof(*change->peers));
	change->plans = calloc(change->count, sizeof(*change->plans));
	if (!change->peers || !change->plans)
		goto nomem;
	link_copy(change, config);
	for (p = config->first_peer; p; p = p->next, ++i) {
		struct wgl_transport_plan *plan = &change->plans[i];
		const struct wg_peer *existing = wg_device_lookup_peer(&engine->device, p->public_key);
		bool recreated = existing && (config->flags & WG_DEVICE_REPLACE_PEERS);
		struct wg_endpoint endpoint;

		if (p->flags & WG_PEER_REMOVE_ME)
			continue;
		plan_peer(existing, recreated, p, plan, &endpoint);
		if (wg_endpoint_is_set(&endpoint)) {
			change->peers[i].endpoint = endpoint;
			change->peers[i].flags |= WG_PEER_HAS_ENDPOINT;
		}
		/* Always one ahead: a peer removed and added again within the set (or by replace_peers)
		 * is a new peer, and gets it when the core creates it. */
		if (plan->keeps_choice && !(plan->spare = malloc(sizeof(*plan->spare))))
			goto nomem;
	}
	/* Nothing can fail from here on but the core's part. */
	i = 0;
	for (p = config->first_peer; p; p = p->next, ++i) {
		struct wg_peer *existing = config->flags & WG_DEVICE_REPLACE_PEERS
						   ? NULL : wg_device_lookup_peer(&engine->device, p->public_key);

		if (existing && change->plans[i].keeps_choice && !(p->flags & WG_PEER_REMOVE_ME))
			choose(existing, &change->plans[i]);
	}
	return 0;
nomem:
	wgl_peer_transports_cancel(engine, change);
	return -ENOMEM;
}

/* A peer the core creates for this configuration gets its choice at once (its first message
 * may leave before the configuration is through). */
static void peer_added(struct wgl_transport_change *change, struct wg_peer *peer)
{
	/* The core creates peers in the configuration's order: the search goes on from the last
	 * match, once round at most. */
	for (size_t n = 0; change->plans && n < change->count; ++n) {
		size_t i = (change->cursor + n) % change->count;
		struct wgl_transport_plan *plan = &change->plans[i];

		if (plan->keeps_choice && plan->spare && !peer->io &&
		    !memcmp(change->peers[i].public_key, peer->handshake.remote_static, WG_NOISE_PUBLIC_KEY_LEN)) {
			choose(peer, plan);
			change->cursor = i + 1;
			return;
		}
	}
}

static void free_change(struct wgl_transport_change *change)
{
	for (size_t i = 0; change->plans && i < change->count; ++i)
		free(change->plans[i].spare);
	free(change->plans);
	free(change->peers);
	*change = (struct wgl_transport_change){ 0 };
}

/* The core refused: each peer gets its old choice back, or none. A peer the core removed
 * before it refused took its choice with it: only peers still there, found by key, are
 * touched. */
void wgl_peer_transports_cancel(struct wgl_engine *engine, struct wgl_transport_change *change)
{
	/* Last first: a peer named twice got the first plan's choice as the second's backup. */
	for (size_t i = change->plans ? change->count : 0; i-- > 0;) {
		struct wgl_transport_plan *plan = &change->plans[i];
		struct wg_peer *peer = plan->changed ? wg_device_lookup_peer(&engine->device, plan->changed_key) : NULL;

		if (!peer || peer != plan->changed || !peer->io)
			continue;
		if (plan->had_choice) {
			*(struct wgl_peer_transport *)peer->io = plan->backup;
		} else {
			plan->spare = peer->io;
			peer->io = NULL;
		}
	}
	free_change(change);
}

static void schedule_probe(struct wgl_engine *engine, const struct wgl_peer_transport *c)
{
	if (c->mode == WG_TRANSPORT_MODE_AUTO && c->fallback.next_probe < engine->probe_deadline)
		engine->probe_deadline = c->fallback.next_probe;
}

void wgl_peer_transports_commit(struct wgl_engine *engine, struct wgl_transport_change *change)
{
	for (size_t i = 0; change->plans && i < change->count; ++i)
		if (change->plans[i].changed)
			schedule_probe(engine, &change->plans[i].choice);
	free_change(change);
}

/* ------------------------------------------------------------------------------ get */

static void dump_peer(const struct wg_peer *peer, struct wg_config_peer *out)
{
	const struct wgl_peer_transport *c = choice_of(peer);
	bool on_tcp = peer->endpoint.transport == WG_TRANSPORT_TCP && wg_endpoint_is_set(&peer->endpoint);

	if (c && c->mode_set) {
		out->flags |= WG_PEER_HAS_TRANSPORT;
		out->transport_mode = c->mode;
	}
	if (c && c->tcp_endpoint_set) {
		out->flags |= WG_PEER_HAS_TCP_ENDPOINT;
		out->tcp_endpoint = c->tcp_endpoint;
	}
	if (!on_tcp && (!c || c->mode == WG_TRANSPORT_MODE_UDP))
		return;
	out->flags |= WG_PEER_HAS_TRANSPORT_STATE;
	out->transport_active = on_tcp ? WG_TRANSPORT_TCP : WG_TRANSPORT_UDP;
	/* endpoint= says where TCP goes now; where UDP went, for a saved configuration. */
	if (on_tcp && c && wg_endpoint_is_set(&c->udp_endpoint)) {
		out->flags |= WG_PEER_HAS_UDP_ENDPOINT;
		out->udp_endpoint = c->udp_endpoint;
	}
	if (c && c->mode == WG_TRANSPORT_MODE_AUTO)
		out->transport_reason = c->fallback.reason;
	else if (c && c->mode == WG_TRANSPORT_MODE_TCP && wg_endpoint_same_remote(&peer->endpoint, &c->tcp_endpoint))
		out->transport_reason = WG_TRANSPORT_CONFIGURED;
	else
		out->transport_reason = WG_TRANSPORT_PEER_CHOSE; /* on a connection the peer made */
}

void wgl_peer_transports_dump(struct wgl_engine *engine, struct wg_config_device *out)
{
	struct wgl_transport *tcp = engine->transports[WG_TRANSPORT_TCP];

	if (tcp && tcp->ops->port(tcp)) {
		out->flags |= WG_DEVICE_HAS_TCP_LISTEN_PORT;
		out->tcp_listen_port = tcp->ops->port(tcp);
	}
	if (engine->udp_probe_interval_set) {
		out->flags |= WG_DEVICE_HAS_UDP_PROBE_INTERVAL;
		out->udp_probe_interval = engine->udp_probe_interval;
	}
	for (struct wg_config_peer *p = out->first_peer; p; p = p->next) {
		const struct wg_peer *peer = wg_device_lookup_peer(&engine->device, p->public_key);

		if (peer)
			dump_peer(peer, p);
	}
}

/* --------------------------------------------------------------------------- events */

static const char *const reason_text[] = {
	[WG_TRANSPORT_CONFIGURED] = "as configured",
	[WG_TRANSPORT_UDP_UNANSWERED] = "no answer over UDP",
	[WG_TRANSPORT_UDP_ANSWERED] = "a handshake over UDP completed",
	[WG_TRANSPORT_PEER_CHOSE] = "the peer came over it",
};

static void report_switch(struct wgl_engine *engine, struct wg_peer *peer, const struct wgl_fallback *f)
{
	wgl_log(engine, WG_LOG_INFO, "peer %llu now over %s: %s", (unsigned long long)peer->internal_id,
		f->active == WG_TRANSPORT_TCP ? "TCP" : "UDP", reason_text[f->reason]);
	wgl_events_add(&engine->events, &(struct wg_event){ .type = WG_EVENT_TRANSPORT_CHANGED, .peer = peer,
							   .time = engine->now, .endpoint = &peer->endpoint,
							   .transport = f->active, .transport_reason = f->reason });
}

/* `sent`: the initiation that decided it has just left over UDP, and is repeated over TCP;
 * otherwise (a retry about to leave) it leaves over TCP in the first place. */
static void carry_out(struct wgl_engine *engine, struct wg_peer *peer, struct wgl_peer_transport *c,
		      enum wgl_fallback_action action, bool sent)
{
	switch (action) {
	case WGL_FALLBACK_USE_TCP:
		if (!wg_endpoint_is_set(&c->tcp_endpoint)) {
			wgl_fallback_start(&c->fallback); /* nowhere to go over TCP */
			return;
		}
		wg_peer_set_endpoint(peer, &c->tcp_endpoint);
		if (sent)
			wg_packet_repeat_handshake_initiation(peer);
		schedule_probe(engine, c);
		break;
	case WGL_FALLBACK_FOLLOW_TCP:
		schedule_probe(engine, c);
		break;
	case WGL_FALLBACK_USE_UDP:
		break;
	default:
		return;
	}
	report_switch(engine, peer, &c->fallback);
}

void wgl_peer_transports_event(struct wgl_engine *engine, const struct wg_event *event)
{
	struct wg_peer *peer = event->peer;
	struct wgl_peer_transport *c;

	if (event->type == WG_EVENT_PEER_ADDED && engine->configuring)
		peer_added(engine->configuring, peer);
	c = choice_of(peer);
	if (!c)
		return;
	switch (event->type) {
	case WG_EVENT_PEER_REMOVED:
		free(c);
		peer->io = NULL;
		return;
	case WG_EVENT_HANDSHAKE_INITIATED:
		/* A probe leaves over UDP while TCP is in use, and is not counted. */
		if (c->mode == WG_TRANSPORT_MODE_AUTO)
			carry_out(engine, peer, c, wgl_fallback_initiated(&c->fallback, engine->now, probe_interval(engine)),
				  true);
		return;
	case WG_EVENT_HANDSHAKE_COMPLETE:
		wgl_fallback_completed(&c->fallback);
		return;
	case WG_EVENT_HANDSHAKE_RETRY:
		/* Unanswered over a connection of ours: the retry goes on a fresh one. */
		if (peer->endpoint.transport == WG_TRANSPORT_TCP && wgl_tcp_dialable(peer, &peer->endpoint))
			wgl_tcp_redial(engine->transports[WG_TRANSPORT_TCP], &peer->endpoint);
		if (c->mode == WG_TRANSPORT_MODE_AUTO)
			carry_out(engine, peer, c, wgl_fallback_retry(&c->fallback, engine->now, probe_interval(engine)),
				  false);
		return;
	case WG_EVENT_ENDPOINT_CHANGED:
		/* A configuration's moves are the configuration's. */
		if (engine->configuring)
			return;
		if (event->endpoint->transport == WG_TRANSPORT_UDP)
			c->udp_endpoint = over(event->endpoint, WG_TRANSPORT_UDP);
		if (c->mode == WG_TRANSPORT_MODE_AUTO)
			carry_out(engine, peer, c, wgl_fallback_moved(&c->fallback, event->endpoint->transport,
								      engine->now, probe_interval(engine)),
				  false);
		return;
	default:
		return;
	}
}

/* ---------------------------------------------------------------------------- probes */

static uint64_t probe_peer(struct wgl_engine *engine, struct wg_peer *peer, struct wgl_peer_transport *c)
{
	if (c->mode != WG_TRANSPORT_MODE_AUTO)
		return UINT64_MAX;
	if (wgl_fallback_due(&c->fallback, engine->now, probe_interval(engine)) == WGL_FALLBACK_PROBE_UDP &&
	    wg_endpoint_is_set(&c->udp_endpoint) &&
	    wg_packet_send_handshake_probe(peer, &c->udp_endpoint) == -EBUSY)
		/* A handshake in flight: try again once it is over. */
		c->fallback.next_probe = engine->now + (uint64_t)WG_REKEY_TIMEOUT * SECOND;
	return c->fallback.next_probe;
}

uint64_t wgl_peer_transports_tick(struct wgl_engine *engine)
{
	uint64_t next = UINT64_MAX;
	struct wg_list *pos, *tmp;

	if (engine->now < engine->probe_deadline)
		return engine->probe_deadline;
	wg_list_for_each_safe(pos, tmp, &engine->device.peer_list) {
		struct wg_peer *peer = wg_container_of(pos, struct wg_peer, peer_list);
		uint64_t due;

		if (!peer->io)
			continue;
		due = probe_peer(engine, peer, peer->io);
		if (due < next)
			next = due;
	}
	engine->probe_deadline = next;
	return next;
}

/* --------------------------------------------------------------------- TCP dialling */

bool wgl_tcp_dialable(const struct wg_peer *peer, const struct wg_endpoint *to)
{
	const struct wgl_peer_transport *c = choice_of(peer);

	return c && c->mode != WG_TRANSPORT_MODE_UDP && wg_endpoint_same_remote(&c->tcp_endpoint, to);
}
