/*
 * wgcd: one WireGuard device on Linux. The core does the protocol; this daemon owns everything
 * the core may not touch: the TUN device, the UDP sockets, the UAPI socket, the link's state as
 * rtnetlink reports it, the clock and the epoll loop that ties them together.
 *
 * The daemon is one thread, but for the workers that compute responders' Diffie-Hellman
 * (dhworkers.h), which share nothing with it but their job queue. The loop owns every field
 * here.
 */
#ifndef WGCD_DAEMON_H
#define WGCD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "core/device.h"
#include "wgcd/link.h"
#include "wgcd/log.h"
#include "wgcd/coalesce.h"
#include "wgcd/dhworkers.h"
#include "wgcd/handshakes.h"
#include "wgcd/tun.h"
#include "wgcd/txqueue.h"
#include "wgcd/udp.h"
#include "wgcd/uapi.h"
#include "wgcd/watch.h"

struct wgcd {
	char ifname[IFNAMSIZ];
	struct wg_device device;
	bool has_device;          /* device initialised */
	struct wgcd_tun tun;
	struct wgcd_udp udp;
	struct wgcd_uapi uapi;
	struct wgcd_link link;
	struct wgcd_log log;
	int epoll_fd;
	struct wgcd_watch tun_watch, udp4_watch, udp6_watch, link_watch, timer_watch, signal_watch, dh_watch;
	uint64_t armed_deadline;  /* what the timer is set to, UINT64_MAX when disarmed */
	uint64_t now;             /* the monotonic clock at the start of the current event */
	uint8_t *tun_buffer;      /* one packet with the core's head- and tailroom */
	uint8_t *udp_buffers;     /* WGCD_UDP_BATCH datagrams */
	struct wgcd_txqueue *txqueue;     /* datagrams out, sent after each event */
	struct wgcd_coalescer *coalescer; /* packets in, written after each UDP batch */
	struct wgcd_handshake_queue *handshakes; /* admitted, waiting for their Diffie-Hellman */
	struct wgcd_dh_workers *dh_workers;      /* initiations go here, when they run */
	bool stopping;
	const char *stop_reason;
};

enum { WGCD_TUN_PACKET_MAX = 65536 + 256 }; /* a super-packet: 64 KiB of payload and headers */

/* Creates the TUN device, the UDP sockets and the UAPI socket: when this returns 0 the device
 * is visible to `ip` and `wg`. On failure everything made so far is undone and -errno returned. */
int wgcd_open(struct wgcd *daemon, const char *ifname, enum wgcd_log_level level);
void wgcd_close(struct wgcd *daemon);

/* The epoll loop (loop.c), until a signal, the TUN device's removal or the socket file's
 * deletion. 0, or -errno when the loop itself failed. */
int wgcd_run(struct wgcd *daemon);
void wgcd_stop(struct wgcd *daemon, const char *reason);
/* Registers the TUN, UDP, link and timer descriptors with epoll (signals: wgcd_run). 0 or -errno. */
int wgcd_watch_all(struct wgcd *daemon);
int wgcd_watch_udp(struct wgcd *daemon);
/* Reads the clock the core sees until the next tick (env.c). */
void wgcd_tick(struct wgcd *daemon);
/* Sends what the last event queued for the network, writes what it queued for the tunnel. */
void wgcd_flush(struct wgcd *daemon);

/* Applies a UAPI set: new sockets are bound before anything changes, so a port that cannot be
 * bound (-EADDRINUSE) or a configuration the core rejects (-EINVAL) leaves the device as it was. */
int wgcd_configure(struct wgcd *daemon, const struct wg_config_device *config);

#endif
