#include "wgcd/tcplimits.h"

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
