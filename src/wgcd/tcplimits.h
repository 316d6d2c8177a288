/*
 * The TCP listener's limits on connections that have not authenticated, from the environment
 * (as wireguard-go takes its own settings): WGCD_TCP_UNAUTHENTICATED (in all),
 * WGCD_TCP_UNAUTHENTICATED_PER_SOURCE (from one address), WGCD_TCP_UNAUTHENTICATED_MS (how long
 * one may wait) and WGCD_TCP_UNAUTHENTICATED_BYTES (how much it may send). Unset: the defaults
 * of wgl_tcp_default_limits.
 */
#ifndef WGCD_TCPLIMITS_H
#define WGCD_TCPLIMITS_H

#include <stddef.h>

#include "libwgc/tcp.h"

/* 0, or -EINVAL with `error` naming the variable and its value. */
int wgcd_tcp_limits_from_env(struct wgl_tcp_limits *out, char *error, size_t error_len);

#endif
