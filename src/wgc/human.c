/* Human-readable transfer amounts and ages. */
#include "wgc/human.h"

#include <stdio.h>

int wgc_human_bytes(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double value = (double)bytes;
	int unit = -1;

	if (bytes < 1024)
		return snprintf(buf, size, "%llu B", (unsigned long long)bytes);
	while (value >= 1024 && unit < 3) {
		value /= 1024;
		++unit;
	}
	return snprintf(buf, size, "%.2f %s", value, units[unit]);
}

int wgc_human_ago(char *buf, size_t size, int64_t seconds)
{
	static const struct {
		const char *name;
		int64_t seconds;
	} units[] = {
		{ "year", 365 * 24 * 3600 }, { "day", 24 * 3600 }, { "hour", 3600 }, { "minute", 60 }, { "second", 1 },
	};
	size_t len = 0;

	if (seconds <= 0)
		return snprintf(buf, size, "Now");
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); ++i) {
		int64_t n = seconds / units[i].seconds;
		int written;

		if (!n)
			continue;
		seconds %= units[i].seconds;
		written = snprintf(buf + len, size - len, "%s%lld %s%s", len ? ", " : "", (long long)n,
				   units[i].name, n == 1 ? "" : "s");
		if (written < 0 || (size_t)written >= size - len)
			return written;
		len += (size_t)written;
	}
	return (int)len + snprintf(buf + len, size - len, " ago");
}
