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
#include <sys/types.h>
#include <sys/un.h>

#include "core/config.h"
#include "wgcd/log.h"
#include "wgcd/watch.h"

#define WGCD_UAPI_DIR "/var/run/wireguard"

struct wgcd_uapi_ops {
	/* Fills a configuration with everything a get reports. 0 or -errno. */
	int (*get)(void *ctx, struct wg_config_device *out);
	/* Applies a set whole or not at all. 0 or -errno. */
	int (*set)(void *ctx, const struct wg_config_device *config);
	/* The socket file was deleted or replaced. */
	void (*deleted)(void *ctx);
};

struct wgcd_uapi_conn;

struct wgcd_uapi {
	struct wgcd_watch listener;
	struct wgcd_watch dir_watch;       /* inotify on WGCD_UAPI_DIR */
	int epoll_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char file_name[64];
	dev_t dev;                         /* the socket file we made, to tell it from a successor */
	ino_t ino;
	const struct wgcd_uapi_ops *ops;
	void *ctx;
	const struct wgcd_log *log;
	struct wgcd_uapi_conn *conns;      /* open connections, a singly linked list */
	unsigned num_conns;
};

/* Creates the socket for `ifname` (refusing one a live daemon still answers on, -EADDRINUSE)
 * and registers it with epoll. 0 or -errno. */
int wgcd_uapi_open(struct wgcd_uapi *uapi, const char *ifname, int epoll_fd,
		   const struct wgcd_uapi_ops *ops, void *ctx, const struct wgcd_log *log);
/* Closes every connection and removes the socket file if it is still ours. */
void wgcd_uapi_close(struct wgcd_uapi *uapi);

/* Connections (uapi_conn.c). */
int wgcd_uapi_conn_accept(struct wgcd_uapi *uapi, int fd);
void wgcd_uapi_conn_close_all(struct wgcd_uapi *uapi);

#endif
