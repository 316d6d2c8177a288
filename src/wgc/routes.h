/*
 * Routes for a tunnel's allowed IPs, as wg-quick makes them. Table=off: none. Table=N: each
 * prefix in table N. Table=auto: each prefix in the main table unless a route through the
 * interface already covers it; a default route (/0) instead goes into its own table T
 * (the device's fwmark, else 51820 or the next unused table, which then becomes the fwmark),
 * with the rules "not fwmark T lookup T" and "lookup main suppress_prefixlength 0": everything
 * but the tunnel's own encrypted packets goes through the tunnel, and more specific routes in
 * the main table still win.
 */
#ifndef WGC_ROUTES_H
#define WGC_ROUTES_H

#include <stdbool.h>

#include "core/config.h"
#include "wgc/conffile.h"
#include "wgc/errmsg.h"

/* Routes for every allowed IP of the running configuration, most specific first. */
int wgc_routes_add(const char *ifname, const struct wgc_extras *extras, struct wg_config_device *running,
		   struct wgc_err *err);
/* True when the interface has the policy rules of a default route (Table auto, a fwmark, a /0). */
bool wgc_routes_have_policy(const struct wgc_extras *extras, const struct wg_config_device *running);
/* Deletes those rules, for IPv4 and IPv6. */
int wgc_routes_remove_policy(const struct wg_config_device *running, struct wgc_err *err);
/* "lookup 51820" as a whole word in `ip rule show` output. */
bool wgc_routes_rule_present(const char *rules, const char *needle);

#endif
