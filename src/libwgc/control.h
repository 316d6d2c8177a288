/*
 * The client side of the UAPI socket /var/run/wireguard/IFNAME.sock, as `wg` uses it: one
 * request per connection, "get=1" or "set=1" and lines, answered by lines ending "errno=N" and
 * a blank line. Works with any userspace WireGuard that serves the socket. A daemon that
 * stalls costs at most WGL_CONTROL_TIMEOUT_MS for the whole request, never a hang.
 */
#ifndef WGL_CONTROL_H
#define WGL_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/config.h"
#include "core/monitor.h"

#define WGL_CONTROL_DIR "/var/run/wireguard"

enum { WGL_CONTROL_TIMEOUT_MS = 5000 };

/* Where a request failed, for callers that explain it to a person. */
enum wgl_control_stage {
	WGL_CONTROL_CONNECT,  /* nothing answers on the socket: no such interface, or it died */
	WGL_CONTROL_EXCHANGE, /* the conversation broke off or timed out */
	WGL_CONTROL_REPLY,    /* the daemon answered with an error, or with nonsense */
};

/* "/var/run/wireguard/IFNAME.sock"; -ENAMETOOLONG when it does not fit, -EINVAL for a name
 * with a '/' or none at all. */
int wgl_control_socket_path(char *path, size_t size, const char *ifname);
/* "/var/run/wireguard/IFNAME.wgcd", the marker by which a wgcd says it answers wgc's "monitor"
 * request (wgcd/uapi.c writes it), and whether the marker at path names the socket inode ino. */
int wgl_control_marker_path(char *path, size_t size, const char *ifname);
bool wgl_control_marker_names(const char *path, ino_t ino);
/* Frees what wgl_control_list gave. */
void wgl_control_list_free(char **names, size_t count);
/* A connected socket, or -errno (-ENOENT: no such interface, -ECONNREFUSED: its daemon died). */
int wgl_control_connect(const char *ifname);
/* True when a daemon answers on the interface's socket. */
bool wgl_control_alive(const char *ifname);

/* The running configuration with counters and handshake times. Free it with wg_config_free. */
int wgl_control_get(const char *ifname, struct wg_config_device *out, enum wgl_control_stage *stage);
/* wgc's "monitor" operation (monitortext.h), with each peer's transitions when `history`:
 * -EOPNOTSUPP from a daemon without it, which is not even asked unless its IFNAME.wgcd
 * marker names its socket (wgcd/uapi.c). Free the report whatever the result. */
int wgl_control_monitor(const char *ifname, struct wg_monitor_report *out, bool history,
			enum wgl_control_stage *stage);
/* Sends a configuration as `wg setconf` would (wgl_settext_format). */
int wgl_control_set(const char *ifname, const struct wg_config_device *config, enum wgl_control_stage *stage);
/* Sends "set=1", the lines, and the closing blank line. 0, the daemon's -errno, or an I/O -errno. */
int wgl_control_set_text(const char *ifname, const char *lines, size_t len, enum wgl_control_stage *stage);

/*
 * A get reply's text (with or without its "errno=" ending) into a configuration (initialised
 * here: free it with wg_config_free whatever the result). Unknown keys
 * are skipped, as `wg` does, so daemons may report more than we know. 0, -EINVAL for a
 * malformed reply, or the -errno the reply ends with.
 */
int wgl_control_parse_get(const char *text, size_t len, struct wg_config_device *out);

/* The interfaces whose sockets exist in WGL_CONTROL_DIR, sorted; `alive` keeps only those a
 * daemon answers on. Free *names (each and the array). */
int wgl_control_list(char ***names, size_t *count, bool alive);

#endif
