/*
 * The automatic MTU: the largest MTU of the routes towards the peers' endpoints (or of the
 * default route when no endpoint is known), minus 80 bytes for the outer IPv6 + UDP + WireGuard
 * headers; 1500 - 80 = 1420 when no route says anything.
 */
#ifndef WGC_MTU_H
#define WGC_MTU_H

#include <net/if.h>

#include "core/config.h"

enum { WGC_MTU_OVERHEAD = 80, WGC_MTU_FALLBACK = 1500 };

/*
 * The first line of `ip route get` / `ip route show default` output: its "mtu N" when it
 * states one (mtu set, dev empty), else its "dev NAME" (mtu 0). -ENOENT when it has neither.
 */
int wgc_mtu_parse_route(const char *text, unsigned *mtu, char dev[IF_NAMESIZE]);
/* A network interface's MTU from /sys/class/net, 0 when it cannot be read. */
unsigned wgc_link_mtu(const char *ifname);
/* The tunnel MTU for a running configuration, asking `ip` about its routes. */
unsigned wgc_mtu_auto(const struct wg_config_device *running);

#endif
