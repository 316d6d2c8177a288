/* The engine's life: what it opens, in which order, how a configuration with a new port is
 * applied, and what it closes. */
#include "libwgc/engine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "crypto/secret.h"
#include "libwgc/egress.h"
#include "libwgc/env.h"
#include "libwgc/ingress.h"
#include "libwgc/peertransport.h"
#include "libwgc/tcp.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

void wgl_log(const struct wgl_engine *engine, enum wg_log_level level, const char *fmt, ...)
{
	char message[256];
	va_list ap;

	if (!engine->options.log)
		return;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	engine->options.log(engine->options.ctx, level, message);
}

int wgl_engine_watch(struct wgl_engine *engine, struct wgl_watch *watch, int fd, uint32_t events,
		     void (*ready)(struct wgl_watch *watch, uint32_t events))
{
	return wgl_watch_add(engine->epoll_fd, watch, fd, events, ready);
}

static void on_timer(struct wgl_watch *watch, uint32_t events)
{
	struct wgl_engine *engine = container_of(watch, struct wgl_engine, timer_watch);
	uint64_t expirations;

	(void)events;
	if (read(watch->fd, &expirations, sizeof(expirations)) < 0 && errno == EAGAIN)
		return;
	engine->armed_deadline = UINT64_MAX;
	wgl_engine_run_timers(engine);
}

/* Wakes a waiting loop (wgl_engine_stop): nothing to do but notice. */
static void on_wake(struct wgl_watch *watch, uint32_t events)
{
	uint64_t count;

	(void)events;
	if (read(watch->fd, &count, sizeof(count)) < 0)
		return;
}

/* The interface went: the loop stops, and a caller's process() says so from now on. Its
 * descriptors leave the epoll set, which would otherwise poll ready for ever. */
void wgl_engine_tun_gone(struct wgl_engine *engine)
{
	if (engine->tun_gone)
		return;
	engine->tun_gone = true;
	if (engine->tun.fd >= 0)
		wgl_watch_remove(engine->epoll_fd, &engine->tun_watch);
	if (engine->link.fd >= 0)
		wgl_watch_remove(engine->epoll_fd, &engine->link_watch);
	wgl_engine_stop(engine, "its TUN device was removed");
}

static void on_link(struct wgl_watch *watch, uint32_t events)
{
	struct wgl_engine *engine = container_of(watch, struct wgl_engine, link_watch);
	unsigned changes = wgl_link_read(&engine->link);

	(void)events;
	if (changes & WGL_LINK_GONE) {
		wgl_engine_tun_gone(engine);
		return;
	}
	if (changes & WGL_LINK_MTU_CHANGED)
		wg_device_set_mtu(&engine->device, engine->link.mtu);
	if (changes & WGL_LINK_UP_CHANGED) {
		wgl_log(engine, WG_LOG_INFO, "interface %s", engine->link.up ? "up" : "down");
		if (engine->link.up)
			wg_device_up(&engine->device);
		else
			wg_device_down(&engine->device);
	}
}

static int open_descriptors(struct wgl_engine *engine)
{
	engine->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	engine->timer_watch.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	engine->wake_watch.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	engine->tun_buffer = malloc(WGL_ENGINE_TUN_BUFFER);
	engine->coalescer = calloc(1, sizeof(*engine->coalescer));
	engine->handshakes = calloc(1, sizeof(*engine->handshakes));
	if (!engine->tun_buffer || !engine->coalescer || !engine->handshakes)
		return -ENOMEM;
	if (engine->epoll_fd < 0 || engine->timer_watch.fd < 0 || engine->wake_watch.fd < 0)
		return -errno;
	return 0;
}

/* The tunnel side: a TUN device with its link followed over rtnetlink, or the program's calls. */
static int open_tunnel(struct wgl_engine *engine)
{
	const struct wgl_engine_options *o = &engine->options;
	int ret;

	if (o->tunnel == WGL_TUNNEL_NONE)
		return wgl_packets_init(&engine->packets, o->packet, o->ctx);
	ret = o->tun_fd >= 0 ? wgl_tun_adopt(&engine->tun, o->tun_fd) : wgl_tun_open(&engine->tun, o->ifname);
	if (ret)
		return ret;
	engine->coalescer->alone = !engine->tun.vnet;
	engine->coalescer->udp = engine->tun.uso;
	/* A descriptor of an interface in another namespace has no link to follow here. */
	return engine->tun.ifindex ? wgl_link_open(&engine->link, engine->tun.ifindex, WGL_TUN_DEFAULT_MTU) : 0;
}

static int open_device(struct wgl_engine *engine)
{
	struct wg_env env = wgl_env(engine);
	struct wgl_transport *udp = engine->transports[WG_TRANSPORT_UDP];
	int ret = wg_device_init(&engine->device, &env);

	if (ret)
		return ret;
	engine->has_device = true;
	wg_device_set_mtu(&engine->device, engine->tunnel == WGL_TUNNEL_NONE && engine->options.mtu
						   ? engine->options.mtu : WGL_TUN_DEFAULT_MTU);
	wg_device_set_listen_port(&engine->device, udp->ops->port(udp));
	/* Without a link to follow (no TUN, or one whose interface is not in this namespace) the
	 * device is up from the start, and its owner may take it down. */
	if (engine->link.fd < 0)
		wg_device_up(&engine->device);
	return 0;
}

static int watch_all(struct wgl_engine *engine)
{
	struct wgl_transport *udp = engine->transports[WG_TRANSPORT_UDP];
	int ret = wgl_engine_watch(engine, &engine->timer_watch, engine->timer_watch.fd, EPOLLIN, on_timer);

	if (!ret)
		ret = wgl_engine_watch(engine, &engine->wake_watch, engine->wake_watch.fd, EPOLLIN, on_wake);
	if (!ret && engine->tun.fd >= 0)
		ret = wgl_egress_watch_tun(engine);
	if (!ret && engine->link.fd >= 0)
		ret = wgl_engine_watch(engine, &engine->link_watch, engine->link.fd, EPOLLIN, on_link);
	if (!ret)
		ret = udp->ops->watch(udp);
	return ret;
}

static int init_lock(struct wgl_engine *engine)
{
	pthread_mutexattr_t attr;
	int ret;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	ret = -pthread_mutex_init(&engine->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	return ret;
}

int wgl_engine_open(struct wgl_engine *engine, const struct wgl_engine_options *options)
{
	int ret;

	*engine = (struct wgl_engine){ .epoll_fd = -1, .tun.fd = -1, .link.fd = -1, .timer_watch.fd = -1,
				       .wake_watch.fd = -1, .dh_watch.fd = -1, .armed_deadline = UINT64_MAX,
				       .probe_deadline = UINT64_MAX, .transport_deadline = UINT64_MAX,
				       .udp_probe_interval = WGL_FALLBACK_PROBE_INTERVAL,
				       .options = *options, .tunnel = options->tunnel };
	ret = init_lock(engine);
	if (ret)
		return ret;
	engine->clock_at_start = wgl_engine_clock(engine);
	engine->wall_at_start = (uint64_t)time(NULL) * 1000000000u;
	wgl_engine_tick(engine);
	ret = open_descriptors(engine);
	if (!ret)
		ret = open_tunnel(engine);
	if (!ret)
		ret = wgl_udp_transport.open(engine, 0, 0, &engine->transports[WG_TRANSPORT_UDP]);
	/* TCP opens nothing until a peer is dialled or a listener configured. */
	if (!ret)
		ret = wgl_tcp_transport.open(engine, 0, 0, &engine->transports[WG_TRANSPORT_TCP]);
	if (!ret)
		ret = open_device(engine);
	if (!ret)
		ret = watch_all(engine);
	if (ret) {
		/* A descriptor handed in stays its owner's when the engine does not come to be. */
		if (options->tunnel == WGL_TUNNEL_TUN && options->tun_fd >= 0)
			engine->tun.fd = -1;
		wgl_engine_close(engine);
	}
	return ret;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void wgl_engine_close(struct wgl_engine *engine)
{
	if (engine->has_thread)
		wgl_engine_join(engine);
	wgl_ingress_stop_workers(engine);
	if (engine->has_device) {
		/* What the peers' last moments queued still goes, before the sockets close. */
		wg_device_uninit(&engine->device);
		wgl_events_clear(&engine->events);
	}
	engine->has_device = false;
	for (int i = 0; i < WG_TRANSPORT_KINDS; ++i)
		if (engine->transports[i])
			engine->transports[i]->ops->close(engine->transports[i]);
	memset(engine->transports, 0, sizeof(engine->transports));
	wgl_engine_close_retired(engine);
	wgl_link_close(&engine->link);
	wgl_tun_close(&engine->tun);
	if (engine->tunnel == WGL_TUNNEL_NONE)
		wgl_packets_free(&engine->packets);
	close_fd(&engine->timer_watch.fd);
	close_fd(&engine->wake_watch.fd);
	close_fd(&engine->epoll_fd);
	if (engine->tun_buffer)
		wg_secret_wipe(engine->tun_buffer, WGL_ENGINE_TUN_BUFFER);
	free(engine->tun_buffer);
	free(engine->obfuscation_scratch);
	engine->obfuscation_scratch = NULL;
	free(engine->coalescer);
	free(engine->handshakes);
	engine->tun_buffer = NULL;
	engine->coalescer = NULL;
	engine->handshakes = NULL;
	pthread_mutex_destroy(&engine->lock);
}

/* Out of service now (its queue sent, its sockets out of the epoll set, so no new event names
 * it), freed later: the loop's current batch, on this thread or the engine's own, may still
 * hold events for its watches. */
static void retire(struct wgl_engine *engine, struct wgl_transport *t)
{
	uint64_t one = 1;

	t->ops->flush(t);
	t->ops->unwatch(t);
	t->next_retired = engine->retired;
	engine->retired = t;
	/* The engine's own thread closes it when it next goes round: soon, so its port is free. */
	if (engine->has_thread && write(engine->wake_watch.fd, &one, sizeof(one)) < 0)
		return;
}

void wgl_engine_close_retired(struct wgl_engine *engine)
{
	while (engine->retired) {
		struct wgl_transport *t = engine->retired;

		engine->retired = t->next_retired;
		t->ops->close(t);
	}
	for (int i = 0; i < WG_TRANSPORT_KINDS; ++i)
		if (engine->transports[i] && engine->transports[i]->ops->collect)
			engine->transports[i]->ops->collect(engine->transports[i]);
}

static bool needs_new_transport(const struct wgl_engine *engine, const struct wg_config_device *config)
{
	const struct wgl_transport *udp = engine->transports[WG_TRANSPORT_UDP];

	return (config->flags & WG_DEVICE_HAS_LISTEN_PORT) && config->listen_port != udp->ops->port(udp);
}

/* The sockets for the new port, bound and watched before anything changes: a set applies only
 * when it can take effect whole. */
static int open_replacement(struct wgl_engine *engine, uint16_t port, uint32_t fwmark, struct wgl_transport **out)
{
	int ret = wgl_udp_transport.open(engine, port, fwmark, out);

	if (!ret && (ret = (*out)->ops->watch(*out)) != 0) {
		(*out)->ops->close(*out);
		*out = NULL;
	}
	return ret;
}

/* Every socket a configuration needs, bound before anything changes: a new UDP port's, a new
 * TCP listener's. */
static int prepare_sockets(struct wgl_engine *engine, const struct wg_config_device *config, uint32_t fwmark,
			   struct wgl_transport **fresh, bool *new_listener)
{
	struct wgl_transport *tcp = engine->transports[WG_TRANSPORT_TCP];
	int ret = 0;

	*new_listener = (config->flags & WG_DEVICE_HAS_TCP_LISTEN_PORT) &&
			config->tcp_listen_port != tcp->ops->port(tcp);
	if (*new_listener)
		ret = wgl_tcp_prepare_listen(tcp, config->tcp_listen_port, fwmark);
	if (!ret && needs_new_transport(engine, config))
		ret = open_replacement(engine, config->listen_port, fwmark, fresh);
	if (ret && *new_listener)
		wgl_tcp_cancel_listen(tcp);
	return ret;
}

static int set_fwmark(struct wgl_engine *engine, uint32_t fwmark)
{
	int ret = 0;

	for (int i = 0; i < WG_TRANSPORT_KINDS && !ret; ++i)
		ret = engine->transports[i]->ops->set_fwmark(engine->transports[i], fwmark);
	return ret;
}

/* The core's part, with each peer's transport worked out around it. */
static int configure_device(struct wgl_engine *engine, const struct wg_config_device *config)
{
	struct wgl_transport_change change;
	int ret = wgl_peer_transports_prepare(engine, config, &change);

	if (ret)
		return ret;
	engine->configuring = &change;
	ret = wg_device_configure(&engine->device, change.config);
	engine->configuring = NULL;
	if (ret) {
		wgl_peer_transports_cancel(engine, &change);
		return ret;
	}
	wgl_peer_transports_commit(engine, &change);
	return 0;
}

int wgl_engine_configure(struct wgl_engine *engine, const struct wg_config_device *config)
{
	struct wgl_transport *fresh = NULL;
	uint32_t old_fwmark = engine->device.fwmark;
	uint32_t fwmark = config->flags & WG_DEVICE_HAS_FWMARK ? config->fwmark : old_fwmark;
	bool new_listener;
	int ret = prepare_sockets(engine, config, fwmark, &fresh, &new_listener);

	if (!ret && fwmark != old_fwmark)
		ret = set_fwmark(engine, fwmark);
	if (!ret)
		ret = configure_device(engine, config);
	if (ret) {
		if (fresh)
			retire(engine, fresh);
		if (new_listener)
			wgl_tcp_cancel_listen(engine->transports[WG_TRANSPORT_TCP]);
		set_fwmark(engine, old_fwmark);
		return ret;
	}
	if (fresh) {
		retire(engine, engine->transports[WG_TRANSPORT_UDP]);
		engine->transports[WG_TRANSPORT_UDP] = fresh;
	}
	if (new_listener)
		wgl_tcp_commit_listen(engine->transports[WG_TRANSPORT_TCP]);
	if (config->flags & WG_DEVICE_HAS_UDP_PROBE_INTERVAL) {
		engine->udp_probe_interval = config->udp_probe_interval;
		engine->udp_probe_interval_set = true;
	}
	wg_device_set_listen_port(&engine->device, engine->transports[WG_TRANSPORT_UDP]->ops->port(
							   engine->transports[WG_TRANSPORT_UDP]));
	return 0;
}

int wgl_engine_dump(struct wgl_engine *engine, struct wg_config_device *out)
{
	int ret = wg_device_dump(&engine->device, out);

	if (!ret)
		wgl_peer_transports_dump(engine, out);
	return ret;
}
