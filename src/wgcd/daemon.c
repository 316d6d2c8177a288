#include "wgcd/daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "libwgc/monitor.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

static int uapi_get(void *ctx, struct wg_config_device *out)
{
	struct wgcd *daemon = ctx;

	return wgl_engine_dump(&daemon->engine, out);
}

static int uapi_set(void *ctx, const struct wg_config_device *config)
{
	struct wgcd *daemon = ctx;

	return wgl_engine_configure(&daemon->engine, config);
}

static int uapi_monitor(void *ctx, bool history, struct wg_monitor_report *out)
{
	struct wgcd *daemon = ctx;

	return wgl_engine_monitor(&daemon->engine, history, out);
}

static void uapi_deleted(void *ctx)
{
	struct wgcd *daemon = ctx;

	wgl_engine_stop(&daemon->engine, "its UAPI socket was deleted");
}

static const struct wgcd_uapi_ops uapi_ops = { uapi_get, uapi_set, uapi_monitor, uapi_deleted };

static void log_engine(void *ctx, enum wg_log_level level, const char *message)
{
	struct wgcd *daemon = ctx;

	wgcd_log(&daemon->log, level, "%s", message);
}

/* Connections closed during a round are freed after it, when no event names them. */
static void collect_connections(void *ctx)
{
	struct wgcd *daemon = ctx;

	wgcd_uapi_collect(&daemon->uapi);
}

int wgcd_open(struct wgcd *daemon, const char *ifname, enum wgcd_log_level level)
{
	struct wgl_engine_options options = { .tunnel = WGL_TUNNEL_TUN, .ifname = ifname, .tun_fd = -1,
					      .log = log_engine, .ctx = daemon };
	int ret;

	*daemon = (struct wgcd){ .uapi = { .listener.fd = -1, .dir_watch.fd = -1, .timer_watch.fd = -1 },
				 .signal_watch.fd = -1 };
	snprintf(daemon->ifname, sizeof(daemon->ifname), "%s", ifname);
	daemon->log = (struct wgcd_log){ .level = level, .ifname = daemon->ifname };
	ret = wgl_engine_open(&daemon->engine, &options);
	if (ret)
		return ret;
	daemon->has_engine = true;
	daemon->engine.round_hook = collect_connections;
	daemon->engine.round_ctx = daemon;
	ret = wgcd_uapi_open(&daemon->uapi, ifname, daemon->engine.epoll_fd, &uapi_ops, daemon, &daemon->log);
	if (ret)
		wgcd_close(daemon);
	return ret;
}

void wgcd_close(struct wgcd *daemon)
{
	wgcd_uapi_close(&daemon->uapi);
	if (daemon->signal_watch.fd >= 0)
		close(daemon->signal_watch.fd);
	daemon->signal_watch.fd = -1;
	if (daemon->has_engine)
		wgl_engine_close(&daemon->engine);
	daemon->has_engine = false;
}

static void on_signal(struct wgl_watch *watch, uint32_t events)
{
	struct wgcd *daemon = container_of(watch, struct wgcd, signal_watch);
	struct signalfd_siginfo info;

	(void)events;
	if (read(watch->fd, &info, sizeof(info)) == sizeof(info))
		wgl_engine_stop(&daemon->engine, strsignal((int)info.ssi_signo));
}

/* SIGINT and SIGTERM arrive through a descriptor, so stopping is one more event in the loop.
 * Made here, not at open: a signalfd wakes epoll through the signal queue of the process that
 * registered it, and the one that opened the device may have forked away. */
static int watch_signals(struct wgcd *daemon)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	return wgl_engine_watch(&daemon->engine, &daemon->signal_watch, fd, EPOLLIN, on_signal);
}

int wgcd_run(struct wgcd *daemon)
{
	int ret = watch_signals(daemon);

	return ret ? ret : wgl_engine_run(&daemon->engine);
}
