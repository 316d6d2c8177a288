/*
 * The client side of the UAPI socket /var/run/wireguard/IFNAME.sock, as `wg` uses it: one
 * request per connection, "get=1" or "set=1" and lines, answered by lines ending "errno=N"
 * and a blank line.
 */
#ifndef WGC_UAPI_CLIENT_H
#define WGC_UAPI_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "wgc/errmsg.h"

#define WGC_UAPI_DIR "/var/run/wireguard"

/* "/var/run/wireguard/IFNAME.sock"; -ENAMETOOLONG when it does not fit. */
int wgc_uapi_socket_path(char *path, size_t size, const char *ifname);
/* A connected socket, or -errno (-ENOENT: no such interface, -ECONNREFUSED: its daemon died). */
int wgc_uapi_connect(const char *ifname);
/* True when a daemon answers on the interface's socket. */
bool wgc_uapi_alive(const char *ifname);

/* Sends "set=1", the lines, and the closing blank line. 0, the daemon's -errno, or an I/O -errno. */
int wgc_uapi_set(const char *ifname, const char *lines, size_t len, struct wgc_err *err);
/* The running configuration with counters and handshake times. Free it with wg_config_free. */
int wgc_uapi_get(const char *ifname, struct wg_config_device *out, struct wgc_err *err);

/*
 * A get reply's text (with or without its "errno=" ending) into a configuration. Unknown keys
 * are skipped, as `wg` does, so daemons may report more than we know. 0, -EINVAL for a
 * malformed reply, or the -errno the reply ends with.
 */
int wgc_uapi_parse_get(const char *text, size_t len, struct wg_config_device *out);

#endif
