/*
 * PreUp, PostUp, PreDown and PostDown: shell snippets from the configuration, run in order with
 * /bin/sh -c after "%i" is replaced by the interface name. The first that fails stops the rest.
 */
#ifndef WGC_HOOKS_H
#define WGC_HOOKS_H

#include "wgc/conffile.h"
#include "wgc/errmsg.h"

/* The hook with every "%i" replaced; NULL when out of memory. The caller frees it. */
char *wgc_hook_expand(const char *hook, const char *ifname);
/* 0, or the first failure (-EIO for a hook that exits non-zero). */
int wgc_hooks_run(const struct wgc_strlist *hooks, const char *ifname, struct wgc_err *err);

#endif
