/*
 * The interface as a whole: whether it exists, and taking it down the way wg-quick's del_if
 * does (DNS, policy rules, the link, and here also the daemon's socket).
 */
#ifndef WGC_LINK_H
#define WGC_LINK_H

#include <stdbool.h>

#include "wgc/errmsg.h"
#include "wgc/quick.h"

/* A link of that name in this namespace, or a daemon answering for that name in any. */
bool wgc_link_exists(const char *ifname);
/*
 * Removes what `up` made: DNS when dns_set, the policy rules when the running configuration has
 * a default route, the link, and then waits for the daemon's socket to go. Carries on past
 * failures so as much as possible is undone; returns the first.
 */
int wgc_link_delete(const struct wgc_quick *q, bool dns_set, struct wgc_err *err);

#endif
