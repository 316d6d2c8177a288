/*
 * The daemon's log, wireguard-go style: LOG_LEVEL=error (the default), verbose or silent
 * chooses what reaches standard error. The core's messages never hold key material; the
 * daemon's own must not either.
 */
#ifndef WGCD_LOG_H
#define WGCD_LOG_H

#include "core/env.h"

enum wgcd_log_level { WGCD_LOG_SILENT, WGCD_LOG_ERROR, WGCD_LOG_VERBOSE };

struct wgcd_log {
	enum wgcd_log_level level;
	const char *ifname;
};

/* "verbose" (or "debug"), "error", "silent"; anything else is "error", as in wireguard-go, so a
 * level another implementation understands never stops the daemon from starting. */
enum wgcd_log_level wgcd_log_level_parse(const char *text);

void wgcd_log(const struct wgcd_log *log, enum wg_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define wgcd_log_error(log, ...) wgcd_log(log, WG_LOG_ERROR, __VA_ARGS__)
#define wgcd_log_info(log, ...) wgcd_log(log, WG_LOG_INFO, __VA_ARGS__)

#endif
