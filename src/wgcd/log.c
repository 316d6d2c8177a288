#include "wgcd/log.h"

#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum wgcd_log_level wgcd_log_level_parse(const char *text)
{
	if (text && (!strcmp(text, "verbose") || !strcmp(text, "debug")))
		return WGCD_LOG_VERBOSE;
	if (text && !strcmp(text, "silent"))
		return WGCD_LOG_SILENT;
	return WGCD_LOG_ERROR;
}

static bool shown(const struct wgcd_log *log, enum wg_log_level level)
{
	if (log->level == WGCD_LOG_SILENT)
		return false;
	return level == WG_LOG_ERROR || log->level == WGCD_LOG_VERBOSE;
}

void wgcd_log(const struct wgcd_log *log, enum wg_log_level level, const char *fmt, ...)
{
	static const char *const tags[] = { "ERROR", "INFO", "DEBUG" };
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	if (!shown(log, level))
		return;
	strftime(stamp, sizeof(stamp), "%Y/%m/%d %H:%M:%S", localtime_r(&now, &tm));
	flockfile(stderr);
	fprintf(stderr, "%s: (%s) %s ", tags[level], log->ifname, stamp);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
