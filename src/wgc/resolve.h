/*
 * Endpoint names from a configuration file into addresses, at `up` time: getaddrinfo, retried
 * while the resolver says "try again" (a network that is still coming up), as `wg` does.
 */
#ifndef WGC_RESOLVE_H
#define WGC_RESOLVE_H

#include "wgc/conffile.h"
#include "wgc/errmsg.h"

/* Sets each peer's endpoint. filename names the file in messages. 0 or -EINVAL/-ENOMEM. */
int wgc_resolve_endpoints(const struct wgc_extras *extras, const char *filename, struct wgc_err *err);

#endif
