#include "wgcd/daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "wgcd/env.h"

enum { TUN_BUFFER = WG_PACKET_HEADROOM + WGCD_TUN_PACKET_MAX + WG_PACKET_TAILROOM };

static int uapi_get(void *ctx, struct wg_config_device *out)
{
	struct wgcd *daemon = ctx;

	return wg_device_dump(&daemon->device, out);
}

static int uapi_set(void *ctx, const struct wg_config_device *config)
{
	return wgcd_configure(ctx, config);
}

static void uapi_deleted(void *ctx)
{
	wgcd_stop(ctx, "its UAPI socket was deleted");
}

static const struct wgcd_uapi_ops uapi_ops = { uapi_get, uapi_set, uapi_deleted };

/* SIGINT and SIGTERM arrive through a descriptor, so stopping is one more event in the loop. */
static int open_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int open_descriptors(struct wgcd *daemon)
{
	daemon->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	daemon->timer_watch.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	daemon->signal_watch.fd = open_signals();
	daemon->tun_buffer = malloc(TUN_BUFFER);
	daemon->udp_buffers = malloc((size_t)WGCD_UDP_BATCH * WGCD_DATAGRAM_MAX);
	daemon->txqueue = calloc(1, sizeof(*daemon->txqueue));
	daemon->coalescer = calloc(1, sizeof(*daemon->coalescer));
	daemon->handshakes = calloc(1, sizeof(*daemon->handshakes));
	if (!daemon->tun_buffer || !daemon->udp_buffers || !daemon->txqueue ||
	    !daemon->coalescer || !daemon->handshakes)
		return -ENOMEM;
	if (daemon->epoll_fd < 0 || daemon->timer_watch.fd < 0 || daemon->signal_watch.fd < 0)
		return -errno;
	return 0;
}

static int open_device(struct wgcd *daemon)
{
	struct wg_env env = wgcd_env(daemon);
	int ret = wg_device_init(&daemon->device, &env);

	if (ret)
		return ret;
	daemon->has_device = true;
	daemon->device.mtu = WGCD_TUN_DEFAULT_MTU;
	daemon->device.listen_port = daemon->udp.port;
	return 0;
}

int wgcd_open(struct wgcd *daemon, const char *ifname, enum wgcd_log_level level)
{
	int ret;

	*daemon = (struct wgcd){ .epoll_fd = -1, .tun.fd = -1, .udp = { .fd4 = -1, .fd6 = -1 },
				 .link.fd = -1, .uapi = { .listener.fd = -1, .dir_watch.fd = -1, .timer_watch.fd = -1 },
				 .timer_watch.fd = -1, .signal_watch.fd = -1, .dh_watch.fd = -1, .armed_deadline = UINT64_MAX };
	snprintf(daemon->ifname, sizeof(daemon->ifname), "%s", ifname);
	daemon->log = (struct wgcd_log){ .level = level, .ifname = daemon->ifname };
	wgcd_tick(daemon);
	ret = open_descriptors(daemon);
	if (!ret)
		ret = wgcd_tun_open(&daemon->tun, ifname);
	if (!ret)
		daemon->coalescer->udp = daemon->tun.uso;
	if (!ret)
		ret = wgcd_link_open(&daemon->link, daemon->tun.ifindex, WGCD_TUN_DEFAULT_MTU);
	if (!ret)
		ret = wgcd_udp_open(&daemon->udp, 0, 0);
	if (!ret)
		ret = open_device(daemon);
	if (!ret)
		ret = wgcd_watch_all(daemon);
	if (!ret)
		ret = wgcd_uapi_open(&daemon->uapi, ifname, daemon->epoll_fd, &uapi_ops, daemon, &daemon->log);
	if (ret)
		wgcd_close(daemon);
	return ret;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void wgcd_close(struct wgcd *daemon)
{
	if (daemon->dh_workers)
		wgcd_dh_workers_stop(daemon->dh_workers);
	free(daemon->dh_workers);
	daemon->dh_workers = NULL;
	wgcd_uapi_close(&daemon->uapi);
	if (daemon->has_device)
		wg_device_uninit(&daemon->device);
	daemon->has_device = false;
	wgcd_udp_close(&daemon->udp);
	wgcd_link_close(&daemon->link);
	wgcd_tun_close(&daemon->tun);
	close_fd(&daemon->timer_watch.fd);
	close_fd(&daemon->signal_watch.fd);
	close_fd(&daemon->epoll_fd);
	free(daemon->tun_buffer);
	free(daemon->udp_buffers);
	free(daemon->txqueue);
	free(daemon->coalescer);
	free(daemon->handshakes);
	daemon->tun_buffer = daemon->udp_buffers = NULL;
	daemon->txqueue = NULL;
	daemon->coalescer = NULL;
	daemon->handshakes = NULL;
}

static bool needs_new_sockets(const struct wgcd *daemon, const struct wg_config_device *config)
{
	return (config->flags & WG_DEVICE_HAS_LISTEN_PORT) && config->listen_port != daemon->udp.port;
}

/* The new sockets replace the old ones only after the core accepted the configuration. */
static void swap_sockets(struct wgcd *daemon, struct wgcd_udp *fresh)
{
	wgcd_udp_close(&daemon->udp);
	daemon->udp = *fresh;
	if (wgcd_watch_udp(daemon))
		wgcd_log_error(&daemon->log, "cannot watch the new UDP sockets: %s", strerror(errno));
}

int wgcd_configure(struct wgcd *daemon, const struct wg_config_device *config)
{
	uint32_t old_fwmark = daemon->udp.fwmark;
	uint32_t fwmark = config->flags & WG_DEVICE_HAS_FWMARK ? config->fwmark : old_fwmark;
	struct wgcd_udp fresh = { .fd4 = -1, .fd6 = -1 };
	int ret = 0;

	if (needs_new_sockets(daemon, config))
		ret = wgcd_udp_open(&fresh, config->listen_port, fwmark);
	else if (fwmark != old_fwmark)
		ret = wgcd_udp_set_fwmark(&daemon->udp, fwmark);
	if (!ret)
		ret = wg_device_configure(&daemon->device, config);
	if (ret) {
		wgcd_udp_close(&fresh);
		wgcd_udp_set_fwmark(&daemon->udp, old_fwmark);
	} else if (fresh.fd4 >= 0 || fresh.fd6 >= 0) {
		swap_sockets(daemon, &fresh);
	}
	daemon->device.listen_port = daemon->udp.port;
	return ret;
}
