/*
 * DNS while the tunnel is up, through resolvconf(8) as wg-quick does it: the servers and search
 * domains of the DNS lines, registered under the interface's name (prefixed as
 * /etc/resolvconf/interface-order asks, e.g. "tun.wg0", so they take precedence).
 */
#ifndef WGC_DNS_H
#define WGC_DNS_H

#include <stdbool.h>

#include "wgc/conffile.h"
#include "wgc/errmsg.h"
#include "libwgc/text.h"

/* What resolvconf reads: "nameserver X" lines, then one "search A B" line when there are domains. */
void wgc_dns_resolvconf_input(struct wgl_text *out, const struct wgc_extras *extras);
/* The record name: the first "NAME*" pattern of interface-order as "NAME.", then the interface. */
void wgc_dns_record_name(char *buf, size_t size, const char *ifname, const char *interface_order_path);
bool wgc_dns_wanted(const struct wgc_extras *extras);
int wgc_dns_set(const char *ifname, const struct wgc_extras *extras, struct wgc_err *err);
int wgc_dns_unset(const char *ifname, struct wgc_err *err);

#endif
