/*
 * The UAPI server: the unix socket /var/run/wireguard/IFNAME.sock that `wg` and `wg-quick`
 * talk to, created with umask 077. The daemon answers "get" from a dump of the device and
 * applies each "set" whole once its closing blank line arrives: a request cut short or
 * rejected changes nothing.
 *
 * When the socket file is deleted (that is how `wg-quick down` and users stop a userspace
 * implementation) the server reports it and the daemon exits.
 */
#ifndef WGCD_UAPI_H
#define WGCD_UAPI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "core/config.h"
#include "core/monitor.h"
#include "wgcd/log.h"
#include "libwgc/watch.h"

#define WGCD_UAPI_DIR "/var/run/wireguard"

struct wgcd_uapi_ops {
	/* Fills a configuration with everything a get reports. 0 or -errno. */
	int (*get)(void *ctx, struct wg_config_device *out);
	/* Applies a set whole or not at all. 0 or -errno. */
	int (*set)(void *ctx, const struct wg_config_device *config);
	/* wgc's "monitor" extension: the device's monitoring report, with each peer's transitions
	 * when `history`. 0 or -errno. */
	int (*monitor)(void *ctx, bool history, struct wg_monitor_report *out);
	/* The socket file was deleted or replaced. */
	void (*deleted)(void *ctx);
};

struct wgcd_uapi_conn;

/*
 * What one client may hold. A connection must complete a request within REQUEST_SECONDS of
 * its start (plus a second for every MiB it sent, so that a large `wg setconf` is not cut, up
 * to REQUEST_SECONDS_MAX) and a client must take some of its reply every REPLY_SECONDS, or the
 * connection is closed: a stalled or hostile client cannot keep `wg` out. When all CONNECTIONS
 * are open, the one idle longest makes room for a new one.
 */
enum {
	WGCD_UAPI_CONNECTIONS = 64,
	WGCD_UAPI_REQUEST_SECONDS = 5,
	WGCD_UAPI_REQUEST_SECONDS_MAX = 600,
	WGCD_UAPI_REPLY_SECONDS = 5,
	WGCD_UAPI_BYTES_PER_SECOND = 1 << 20,
};

struct wgcd_uapi {
	struct wgl_watch listener;
	struct wgl_watch dir_watch;       /* inotify on WGCD_UAPI_DIR */
	struct wgl_watch timer_watch;     /* timerfd at the earliest connection deadline */
	uint64_t armed;                    /* what it is set to; UINT64_MAX when disarmed */
	uint64_t (*clock)(void);           /* monotonic nanoseconds; tests give their own */
	int epoll_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char file_name[64];
	char marker[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* IFNAME.wgcd: see uapi.c */
	dev_t dev;                         /* the socket file we made, to tell it from a successor */
	ino_t ino;
	const struct wgcd_uapi_ops *ops;
	void *ctx;
	const struct wgcd_log *log;
	struct wgcd_uapi_conn *conns;      /* open connections, a singly linked list */
	unsigned num_conns;
	/* Closed connections, freed by wgcd_uapi_collect: one closed while handling another's
	 * event (evicted, expired) may still be named by the loop's batch of events. */
	struct wgcd_uapi_conn *closed;
};

/* Creates the socket for `ifname` (refusing one a live daemon still answers on, -EADDRINUSE)
 * and registers it with epoll. 0 or -errno. */
int wgcd_uapi_open(struct wgcd_uapi *uapi, const char *ifname, int epoll_fd,
		   const struct wgcd_uapi_ops *ops, void *ctx, const struct wgcd_log *log);
/* Closes every connection and removes the socket file if it is still ours. */
void wgcd_uapi_close(struct wgcd_uapi *uapi);

/* Connections (uapi_conn.c). Accepting one when all are open closes the one idle longest. */
int wgcd_uapi_conn_accept(struct wgcd_uapi *uapi, int fd);
void wgcd_uapi_conn_close_all(struct wgcd_uapi *uapi);
/* Closes every connection past its deadline; returns the earliest deadline left (UINT64_MAX
 * for none). */
uint64_t wgcd_uapi_conn_expire(struct wgcd_uapi *uapi);
/* Re-arms the timer at the earliest deadline (uapi.c), after anything that moved one. */
void wgcd_uapi_rearm(struct wgcd_uapi *uapi);
/* Frees the connections closed since the last call: the loop calls it between batches. */
void wgcd_uapi_collect(struct wgcd_uapi *uapi);
/* The UAPI's clock now. */
uint64_t wgcd_uapi_now(const struct wgcd_uapi *uapi);

#endif
