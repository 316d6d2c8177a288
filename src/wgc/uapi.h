/*
 * The tool's requests to a running daemon: libwgc's control client (libwgc/control.h) with
 * each failure described for the person who ran the command.
 */
#ifndef WGC_UAPI_H
#define WGC_UAPI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "libwgc/control.h"
#include "wgc/errmsg.h"

/* A command's interface name argument: true when it can name a socket; else it says why on
 * stderr as "wgc COMMAND: ...". */
bool wgc_ifname_argument(const char *command, const char *name);

/* The running configuration; free it with wg_config_free in every case. */
int wgc_uapi_get(const char *ifname, struct wg_config_device *out, struct wgc_err *err);
/* Sends set lines (no "set=1", no blank line). 0, the daemon's -errno, or an I/O -errno. */
int wgc_uapi_set(const char *ifname, const char *lines, size_t len, struct wgc_err *err);

#endif
