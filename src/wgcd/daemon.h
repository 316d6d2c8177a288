/*
 * wgcd: the program around one engine (libwgc/engine.h). It owns what is the process's: the
 * command line's interface, the UAPI socket `wg` talks to, signals, and logging to stderr. The
 * engine's epoll set carries the program's descriptors too, so everything runs in one loop on
 * the main thread (the engine's Diffie-Hellman workers aside).
 */
#ifndef WGCD_DAEMON_H
#define WGCD_DAEMON_H

#include <net/if.h>

#include "libwgc/engine.h"
#include "wgcd/log.h"
#include "wgcd/uapi.h"

struct wgcd {
	char ifname[IFNAMSIZ];
	struct wgl_engine engine;
	bool has_engine;
	struct wgcd_uapi uapi;
	struct wgcd_log log;
	struct wgl_watch signal_watch;
};

/* Creates the TUN interface, the UDP sockets and the UAPI socket: when this returns 0 the
 * device is visible to `ip` and `wg`. On failure everything made so far is undone and -errno
 * returned (-EADDRINUSE: another daemon answers on the socket). */
int wgcd_open(struct wgcd *daemon, const char *ifname, enum wgcd_log_level level);
void wgcd_close(struct wgcd *daemon);
/* The loop, until a signal, the TUN device's removal or the socket file's deletion. 0, or
 * -errno when the loop itself failed. Call after any fork: it starts threads. */
int wgcd_run(struct wgcd *daemon);

#endif
