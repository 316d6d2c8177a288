/*
 * The daemon's settings from the environment (as wireguard-go takes its own), each unset
 * meaning its default:
 *   - the TCP listener's limits on connections that have not authenticated:
 *     WGCD_TCP_UNAUTHENTICATED (in all), WGCD_TCP_UNAUTHENTICATED_PER_SOURCE (from one
 *     address), WGCD_TCP_UNAUTHENTICATED_MS (how long one may wait) and
 *     WGCD_TCP_UNAUTHENTICATED_BYTES (how much it may send); defaults wgl_tcp_default_limits;
 *   - monitoring's thresholds (core/monitor.h): WGCD_MONITOR_STALE_ATTEMPTS and
 *     WGCD_MONITOR_DEAD_ATTEMPTS (unanswered initiations in a row), WGCD_MONITOR_DEAD_AFTER
 *     (seconds without a handshake).
 */
#ifndef WGCD_SETTINGS_H
#define WGCD_SETTINGS_H

#include <stddef.h>

#include "core/monitor.h"
#include "libwgc/tcp.h"

/* 0, or -EINVAL with `error` naming the variable and its value; *out changes only on 0. */
int wgcd_tcp_limits_from_env(struct wgl_tcp_limits *out, char *error, size_t error_len);
int wgcd_monitor_settings_from_env(struct wg_monitor_settings *out, char *error, size_t error_len);

#endif
