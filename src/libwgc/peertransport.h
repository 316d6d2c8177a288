/*
 * How each peer is reached: over UDP, over TCP, or UDP falling back to TCP (Transport = auto).
 * The core knows only that an endpoint names its transport; this is the engine's side of it.
 *
 * A peer's choice lives with the peer (wg_peer.io, a struct wgl_peer_transport) from the first
 * configuration that names a transport or a TCP endpoint until the peer is removed. The
 * configuration is applied around the core's part: prepare works out each peer's endpoint and
 * hands the core a copy of the configuration with it (a TCP peer's endpoint is its TCP
 * endpoint, so that not even a first initiation leaves over UDP), and the choices are the
 * peers' before the core sends anything; cancel puts the old ones back when the core refuses. The dump adds them to what a get reports, and
 * nothing at all for a device that uses none of this, so that stock tools see wireguard-go's
 * reply byte for byte.
 */
#ifndef WGL_PEERTRANSPORT_H
#define WGL_PEERTRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/events.h"
#include "libwgc/fallback.h"

struct wgl_engine;

struct wgl_peer_transport {
	enum wg_transport_mode mode;
	bool mode_set;                   /* `transport=` was given: a get shows it */
	bool tcp_endpoint_set;           /* `tcp_endpoint=` was given */
	struct wg_endpoint udp_endpoint; /* the configured Endpoint, then wherever UDP roamed */
	struct wg_endpoint tcp_endpoint; /* the configured one, or udp_endpoint's address over TCP */
	struct wgl_fallback fallback;    /* mode auto */
};

/* One configuration on its way in: the copy the core applies, and each peer's choice. */
struct wgl_transport_change {
	const struct wg_config_device *config; /* what the core is to apply: the given one or `copy` */
	struct wg_config_device copy;
	struct wg_config_peer *peers;          /* the copy's peers (sharing the given allowed IPs) */
	struct wgl_transport_plan *plans;      /* one per peer of the given configuration */
	size_t count;
	size_t cursor;                         /* where the next created peer's plan is looked for */
};

/* Works out each peer's choice and gives it to the peers that exist: 0, or -ENOMEM with
 * nothing changed. Then the core applies change->config with engine->configuring set to the
 * change (a peer it creates gets its choice then), and the change is committed or, when the
 * core refused, cancelled (the peers that existed get their old choices back). Both free it. */
int wgl_peer_transports_prepare(struct wgl_engine *engine, const struct wg_config_device *config,
				struct wgl_transport_change *change);
void wgl_peer_transports_commit(struct wgl_engine *engine, struct wgl_transport_change *change);
void wgl_peer_transports_cancel(struct wgl_engine *engine, struct wgl_transport_change *change);

/* Adds each peer's transport, TCP endpoint and (where one is not plain UDP) which transport
 * is in use and why. */
void wgl_peer_transports_dump(struct wgl_engine *engine, struct wg_config_device *out);

/* Every event of the core, as it happens (before it is queued for subscribers): a peer's
 * removal frees its choice, a retry or a move may switch an auto peer's transport. */
void wgl_peer_transports_event(struct wgl_engine *engine, const struct wg_event *event);

/* The probes due by now (engine->now) are sent; returns the next one's time (UINT64_MAX). */
uint64_t wgl_peer_transports_tick(struct wgl_engine *engine);

#endif
