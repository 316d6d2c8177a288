/*
 * wgcd [-f|--foreground] IFNAME: the command line of a userspace WireGuard, as wg-quick
 * expects it from wireguard-go. Without -f the command returns once the interface and its
 * UAPI socket exist, and the daemon carries on in the background.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libwgc/ifname.h"
#include "wgcd/daemon.h"
#include "wgcd/keylog.h"
#include "wgcd/settings.h"

#ifndef WGC_VERSION
#define WGC_VERSION "0.1"
#endif

static void usage(FILE *out)
{
	fprintf(out, "Usage: wgcd [-f/--foreground] INTERFACE-NAME\n");
}


/* The parent exits as soon as the child exists: everything it was to wait for is already made.
 * Like wireguard-go, the background daemon keeps stdout and stderr only when LOG_LEVEL asks for
 * output; otherwise a caller reading our output (x=$(wg-quick up ...)) would wait for our exit. */
static int detach(bool keep_output)
{
	pid_t pid = fork();
	int null_fd;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/") < 0)
		return -errno;
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0)
		return -errno;
	dup2(null_fd, STDIN_FILENO);
	if (!keep_output) {
		dup2(null_fd, STDOUT_FILENO);
		dup2(null_fd, STDERR_FILENO);
	}
	close(null_fd);
	return 0;
}

static int parse_args(int argc, char **argv, bool *foreground, const char **ifname)
{
	*foreground = false;
	*ifname = NULL;
	for (int i = 1; i < argc; ++i) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--foreground")) {
			*foreground = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-v")) {
			printf("wgcd %s (userspace WireGuard, UAPI protocol_version=1)\n", WGC_VERSION);
			exit(0);
		} else if (!*ifname) {
			*ifname = argv[i];
		} else {
			return -EINVAL;
		}
	}
	return *ifname ? 0 : -EINVAL;
}

/* WGC_KEYLOG_FILE (empty: none), opened before anything is made, so a refused file stops
 * the daemon before its interface exists; and said loudly, whatever LOG_LEVEL says. */
static int open_keylog(struct wgcd_keylog *keylog)
{
	const char *path = getenv(WGCD_KEYLOG_ENV);
	char text[PATH_MAX + 160];

	*keylog = (struct wgcd_keylog){ .fd = -1 };
	if (!path || !*path)
		return 0;
	if (wgcd_keylog_open(keylog, path, text, sizeof(text))) {
		fprintf(stderr, "wgcd: %s\n", text);
		return -1;
	}
	wgcd_keylog_warning(keylog, text, sizeof(text));
	fprintf(stderr, "wgcd: %s\n", text);
	return 0;
}

int main(int argc, char **argv)
{
	static struct wgcd daemon;
	static struct wgcd_keylog keylog;
	struct wgl_tcp_limits tcp_limits;
	struct wg_monitor_settings monitor_settings;
	char error[160];
	const char *ifname;
	enum wgcd_log_level level;
	bool foreground;
	int ret;

	if (parse_args(argc, argv, &foreground, &ifname)) {
		usage(stderr);
		return 1;
	}
	if (!wgl_ifname_valid(ifname)) {
		fprintf(stderr, "wgcd: \"%s\" is not a valid interface name\n", ifname);
		return 1;
	}
	if (wgcd_tcp_limits_from_env(&tcp_limits, error, sizeof(error)) ||
	    wgcd_monitor_settings_from_env(&monitor_settings, error, sizeof(error))) {
		fprintf(stderr, "wgcd: %s\n", error);
		return 1;
	}
	if (open_keylog(&keylog))
		return 1;
	level = wgcd_log_level_parse(getenv("LOG_LEVEL"));
	ret = wgcd_open(&daemon, ifname, level);
	if (ret) {
		fprintf(stderr, "wgcd: cannot create interface %s: %s\n", ifname,
			ret == -EADDRINUSE ? "a daemon already serves its UAPI socket" : strerror(-ret));
		wgcd_keylog_close(&keylog);
		return 1;
	}
	if (keylog.fd >= 0 && (ret = wgcd_keylog_attach(&keylog, &daemon.engine, &daemon.log))) {
		fprintf(stderr, "wgcd: cannot subscribe the key log to the device's events: %s\n", strerror(-ret));
		wgcd_close(&daemon);
		wgcd_keylog_close(&keylog);
		return 1;
	}
	wgl_tcp_set_limits(daemon.engine.transports[WG_TRANSPORT_TCP], &tcp_limits);
	daemon.engine.device.monitor_settings = monitor_settings;
	if (!foreground && (ret = detach(getenv("LOG_LEVEL") && level != WGCD_LOG_SILENT)) < 0)
		fprintf(stderr, "wgcd: cannot run in the background: %s\n", strerror(-ret));
	wgcd_log_info(&daemon.log, "device started (UAPI %s)", daemon.uapi.path);
	if (!ret)
		ret = wgcd_run(&daemon);
	wgcd_close(&daemon);
	wgcd_keylog_close(&keylog);
	return ret ? 1 : 0;
}
