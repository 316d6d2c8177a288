/*
 * The userspace WireGuard daemon behind an interface: which program, starting it, and making
 * sure it is gone. Any implementation that follows the wireguard-go command line works:
 * `PROGRAM IFNAME` returns once the TUN device and its UAPI socket exist.
 */
#ifndef WGC_DAEMON_H
#define WGC_DAEMON_H

#include <stddef.h>

#include "wgc/errmsg.h"

/*
 * WG_QUICK_USERSPACE_IMPLEMENTATION when set; else the wgcd beside the running wgc
 * (/proc/self/exe), when there is one; else "wgcd", found on PATH.
 */
void wgc_daemon_program(char *buf, size_t size);
/* Runs the daemon and waits for its socket to answer. keylog, when not NULL, is given to it as
 * WGC_KEYLOG_FILE (wgcd's key log; other implementations ignore it). */
int wgc_daemon_start(const char *ifname, const char *keylog, struct wgc_err *err);
/*
 * After the interface was deleted: waits for the daemon to let go of its socket. A socket
 * nobody listens on any more is removed, as `wg` does. -ETIMEDOUT if the daemon still answers.
 */
int wgc_daemon_wait_gone(const char *ifname, struct wgc_err *err);

#endif
