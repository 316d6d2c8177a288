/*
 * The public device: an engine behind argument checks and its lock. Every call but new and
 * free takes the lock, reads the clock and, when it may have queued something, settles the
 * engine before letting go (its messages leave, its events are handed out, the timer follows).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libwgc/api.h"
#include "libwgc/ifname.h"
#include "libwgc/control.h"


/* Options of this version or an older one (a smaller size): fields past it stay zero. */
static int read_options(struct wgc_device_options *o, const struct wgc_device_options *given)
{
	if (!given || given->size < offsetof(struct wgc_device_options, ctx) + sizeof(given->ctx))
		return -EINVAL;
	memset(o, 0, sizeof(*o));
	memcpy(o, given, given->size < sizeof(*o) ? given->size : sizeof(*o));
	if (o->tun == WGC_TUN_CREATE && !wgl_ifname_valid(o->ifname))
		return -EINVAL;
	if (o->tun == WGC_TUN_FD && o->tun_fd < 0)
		return -EINVAL;
	if (o->tun != WGC_TUN_NONE && o->tun != WGC_TUN_CREATE && o->tun != WGC_TUN_FD)
		return -EINVAL;
	if (o->tun == WGC_TUN_NONE && o->mtu && (o->mtu < 576 || o->mtu > WGL_TUN_PACKET_MAX))
		return -EINVAL;
	return 0;
}

/* The engine calls these with the device; they call the program's with its own context. */
static void log_adapter(void *ctx, enum wg_log_level level, const char *message)
{
	struct wgc_device *device = ctx;

	device->user.log(device->user.ctx, (enum wgc_log_level)level, message);
}

static void packet_adapter(void *ctx, const uint8_t *packet, size_t len)
{
	struct wgc_device *device = ctx;

	device->user.packet(device->user.ctx, packet, len);
}

static uint64_t clock_adapter(void *ctx)
{
	struct wgc_device *device = ctx;

	return device->user.clock(device->user.ctx);
}

WGC_EXPORT int wgc_device_new(struct wgc_device **out, const struct wgc_device_options *options)
{
	struct wgl_engine_options e;
	struct wgc_device *device;
	int ret;

	if (!out)
		return -EINVAL;
	device = calloc(1, sizeof(*device));
	if (!device)
		return -ENOMEM;
	if (read_options(&device->user, options)) {
		free(device);
		return -EINVAL;
	}
	e = (struct wgl_engine_options){
		.tunnel = device->user.tun == WGC_TUN_NONE ? WGL_TUNNEL_NONE : WGL_TUNNEL_TUN,
		.ifname = device->user.ifname, .tun_fd = device->user.tun == WGC_TUN_FD ? device->user.tun_fd : -1,
		.mtu = device->user.mtu, .packet = device->user.packet ? packet_adapter : NULL,
		.log = device->user.log ? log_adapter : NULL, .clock = device->user.clock ? clock_adapter : NULL,
		.ctx = device,
	};
	/* The name was read during the call only. */
	device->user.ifname = NULL;
	ret = wgl_engine_open(&device->engine, &e);
	if (ret) {
		free(device);
		return ret;
	}
	*out = device;
	return 0;
}

WGC_EXPORT void wgc_device_free(struct wgc_device *device)
{
	if (!device)
		return;
	wgl_engine_close(&device->engine);
	free(device);
}

static struct wgl_engine *enter(struct wgc_device *device)
{
	pthread_mutex_lock(&device->engine.lock);
	wgl_engine_tick(&device->engine);
	return &device->engine;
}

static int leave(struct wgl_engine *engine, int ret)
{
	wgl_engine_settle(engine);
	pthread_mutex_unlock(&engine->lock);
	return ret;
}

WGC_EXPORT int wgc_device_configure(struct wgc_device *device, const struct wgc_config *config)
{
	struct wgl_engine *engine;

	if (!device || !config)
		return -EINVAL;
	engine = enter(device);
	return leave(engine, wgl_engine_configure(engine, &config->model));
}

WGC_EXPORT int wgc_device_get(struct wgc_device *device, struct wgc_config **out)
{
	struct wg_config_device model;
	struct wgl_engine *engine;
	int ret;

	if (!device || !out)
		return -EINVAL;
	engine = enter(device);
	ret = wgl_engine_dump(engine, &model);
	pthread_mutex_unlock(&engine->lock);
	if (!ret)
		ret = wgl_api_config_from_model(&model, out);
	wg_config_free(&model);
	return ret;
}

WGC_EXPORT int wgc_device_set_up(struct wgc_device *device, bool up)
{
	struct wgl_engine *engine;

	if (!device)
		return -EINVAL;
	if (device->engine.tunnel != WGL_TUNNEL_NONE)
		return -EOPNOTSUPP;
	engine = enter(device);
	if (up)
		wg_device_up(&engine->device);
	else
		wg_device_down(&engine->device);
	return leave(engine, 0);
}

WGC_EXPORT int wgc_device_fd(struct wgc_device *device)
{
	return device ? device->engine.epoll_fd : -EINVAL;
}

WGC_EXPORT int wgc_device_process(struct wgc_device *device)
{
	return device ? wgl_engine_round(&device->engine) : -EINVAL;
}

WGC_EXPORT uint64_t wgc_device_next_deadline(struct wgc_device *device)
{
	return device ? wgl_engine_next_deadline(&device->engine) : UINT64_MAX;
}

WGC_EXPORT int wgc_device_start(struct wgc_device *device)
{
	return device ? wgl_engine_start(&device->engine) : -EINVAL;
}

WGC_EXPORT int wgc_device_stop(struct wgc_device *device)
{
	return device ? wgl_engine_join(&device->engine) : -EINVAL;
}

WGC_EXPORT int wgc_device_send_packet(struct wgc_device *device, const uint8_t *packet, size_t len)
{
	struct wgl_engine *engine;

	if (!device || !packet)
		return -EINVAL;
	engine = enter(device);
	return leave(engine, wgl_engine_send_packet(engine, packet, len));
}

WGC_EXPORT ssize_t wgc_device_read_packet(struct wgc_device *device, uint8_t *buf, size_t cap)
{
	ssize_t ret;

	if (!device || !buf)
		return -EINVAL;
	if (device->engine.tunnel != WGL_TUNNEL_NONE)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&device->engine.lock);
	ret = wgl_packets_read(&device->engine.packets, buf, cap);
	pthread_mutex_unlock(&device->engine.lock);
	return ret;
}

static void fill_stats(struct wgc_device_stats *s, const struct wgl_engine *engine)
{
	const struct wg_device_stats *c = &engine->device.stats;

	*s = (struct wgc_device_stats){
		.size = sizeof(*s), .peers = engine->device.num_peers, .rx_malformed = c->rx_malformed,
		.rx_invalid_mac = c->rx_invalid_mac, .rx_handshake_failed = c->rx_handshake_failed,
		.rx_handshake_overflow = engine->stats.rx_handshake_overflow, .rx_ratelimited = c->rx_ratelimited,
		.rx_cookie_invalid = c->rx_cookie_invalid, .rx_unknown_index = c->rx_unknown_index,
		.rx_expired = c->rx_expired, .rx_decrypt_failed = c->rx_decrypt_failed, .rx_replayed = c->rx_replayed,
		.rx_invalid_inner = c->rx_invalid_inner, .rx_disallowed_source = c->rx_disallowed_source,
		.tx_malformed = c->tx_malformed + engine->stats.tx_malformed, .tx_no_route = c->tx_no_route,
		.tx_no_endpoint = c->tx_no_endpoint, .tx_staged_dropped = c->tx_staged_dropped,
		.tx_send_errors = c->tx_send_errors + engine->stats.tx_send_errors,
		.cookie_replies_sent = c->cookie_replies_sent, .events_dropped = engine->events.dropped,
		.packets_dropped = engine->packets.dropped,
	};
}

WGC_EXPORT int wgc_device_stats(struct wgc_device *device, struct wgc_device_stats *out)
{
	struct wgc_device_stats all;
	size_t size;

	if (!device || !out || out->size < sizeof(out->size))
		return -EINVAL;
	size = out->size < sizeof(all) ? out->size : sizeof(all);
	pthread_mutex_lock(&device->engine.lock);
	fill_stats(&all, &device->engine);
	pthread_mutex_unlock(&device->engine.lock);
	memcpy(out, &all, size);
	out->size = size;
	return 0;
}

WGC_EXPORT int wgc_device_subscribe(struct wgc_device *device, unsigned mask, wgc_event_fn fn, void *ctx,
				    unsigned *id)
{
	struct wgl_engine *engine;
	int ret;

	if (!device)
		return -EINVAL;
	engine = enter(device);
	ret = wgl_events_subscribe(&engine->events, mask, fn, ctx, id);
	wg_device_report_keys(&engine->device, engine->events.wanted & WGC_EVENTS_WITH_KEYS);
	pthread_mutex_unlock(&engine->lock);
	return ret;
}

WGC_EXPORT int wgc_device_unsubscribe(struct wgc_device *device, unsigned id)
{
	struct wgl_engine *engine;
	int ret;

	if (!device)
		return -EINVAL;
	engine = enter(device);
	ret = wgl_events_unsubscribe(&engine->events, id);
	wg_device_report_keys(&engine->device, engine->events.wanted & WGC_EVENTS_WITH_KEYS);
	pthread_mutex_unlock(&engine->lock);
	return ret;
}

/* ----------------------------------------------------------- control of running devices */

WGC_EXPORT int wgc_control_list(struct wgc_names **out)
{
	struct wgc_names *names;
	int ret;

	if (!out)
		return -EINVAL;
	names = calloc(1, sizeof(*names));
	if (!names)
		return -ENOMEM;
	ret = wgl_control_list(&names->names, &names->count, true);
	if (ret) {
		wgc_names_free(names);
		return ret;
	}
	*out = names;
	return 0;
}

WGC_EXPORT size_t wgc_names_count(const struct wgc_names *names)
{
	return names ? names->count : 0;
}

WGC_EXPORT const char *wgc_names_at(const struct wgc_names *names, size_t i)
{
	return names && i < names->count ? names->names[i] : NULL;
}

WGC_EXPORT void wgc_names_free(struct wgc_names *names)
{
	if (!names)
		return;
	for (size_t i = 0; i < names->count; ++i)
		free(names->names[i]);
	free(names->names);
	free(names);
}

WGC_EXPORT int wgc_control_get(const char *ifname, struct wgc_config **out)
{
	struct wg_config_device model;
	int ret;

	if (!out || !wgl_ifname_valid(ifname))
		return -EINVAL;
	ret = wgl_control_get(ifname, &model, NULL);
	if (!ret)
		ret = wgl_api_config_from_model(&model, out);
	wg_config_free(&model);
	return ret;
}

WGC_EXPORT int wgc_control_set(const char *ifname, const struct wgc_config *config)
{
	if (!config || !wgl_ifname_valid(ifname))
		return -EINVAL;
	return wgl_control_set(ifname, &config->model, NULL);
}
