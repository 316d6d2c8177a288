/* The daemon's settings from the environment (settings.h). */
#include "wgcd/settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/parse.h"

static int read_one(const char *name, unsigned long long min, unsigned long long max, unsigned *out, char *error,
		    size_t error_len)
{
	const char *value = getenv(name);
	unsigned long long n;

	if (!value)
		return 0;
	if (!wg_parse_decimal(value, max, &n) || n < min) {
		snprintf(error, error_len, "%s=\"%.32s\" is not a number from %llu to %llu", name, value, min, max);
		return -EINVAL;
	}
	*out = (unsigned)n;
	return 0;
}

int wgcd_tcp_limits_from_env(struct wgl_tcp_limits *out, char *error, size_t error_len)
{
	struct wgl_tcp_limits limits = wgl_tcp_default_limits;
	int ret = read_one("WGCD_TCP_UNAUTHENTICATED", 1, 65536, &limits.unauthenticated, error, error_len);

	if (!ret)
		ret = read_one("WGCD_TCP_UNAUTHENTICATED_PER_SOURCE", 1, 65536, &limits.unauthenticated_per_source, error,
			       error_len);
	if (!ret)
		ret = read_one("WGCD_TCP_UNAUTHENTICATED_MS", 100, 600000, &limits.unauthenticated_ms, error, error_len);
	if (!ret)
		ret = read_one("WGCD_TCP_UNAUTHENTICATED_BYTES", 148, 1 << 24, &limits.unauthenticated_bytes, error,
			       error_len);
	if (!ret)
		*out = limits;
	return ret;
}

int wgcd_monitor_settings_from_env(struct wg_monitor_settings *out, char *error, size_t error_len)
{
	struct wg_monitor_settings settings;
	unsigned dead_after = WG_MONITOR_DEAD_AFTER;
	int ret;

	wg_monitor_settings_default(&settings);
	ret = read_one("WGCD_MONITOR_STALE_ATTEMPTS", 1, 1000, &settings.stale_attempts, error, error_len);
	if (!ret)
		ret = read_one("WGCD_MONITOR_DEAD_ATTEMPTS", 1, 1000, &settings.dead_attempts, error, error_len);
	if (!ret)
		ret = read_one("WGCD_MONITOR_DEAD_AFTER", 1, 31536000, &dead_after, error, error_len);
	if (!ret && settings.dead_attempts < settings.stale_attempts) {
		snprintf(error, error_len, "WGCD_MONITOR_DEAD_ATTEMPTS (%u) is below WGCD_MONITOR_STALE_ATTEMPTS (%u)",
			 settings.dead_attempts, settings.stale_attempts);
		ret = -EINVAL;
	}
	if (!ret) {
		settings.dead_after = (uint64_t)dead_after * 1000000000u;
		*out = settings;
	}
	return ret;
}
