/* Starting and stopping the userspace implementation. */
#include "wgc/daemon.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wgc/run.h"
#include "wgc/uapi.h"

/* How long a daemon gets to come up or go away, checked every STEP. */
enum { WAIT_MS = 5000, STEP_MS = 20 };

void wgc_daemon_program(char *buf, size_t size)
{
	const char *env = getenv("WG_QUICK_USERSPACE_IMPLEMENTATION");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env) {
		snprintf(buf, size, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, size, "%s/wgcd", self);
			if (!access(buf, X_OK))
				return;
		}
	}
	snprintf(buf, size, "wgcd");
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* argv through wgc_run with WGC_KEYLOG_FILE=keylog in its environment, ours as it was after. */
static int run_with_keylog(const char *const argv[], const char *keylog, struct wgc_err *err)
{
	const char *old = getenv("WGC_KEYLOG_FILE");
	char *saved = old ? strdup(old) : NULL, line[1024];
	int ret;

	if (old && !saved)
		return wgc_err_set(err, -ENOMEM, "out of memory");
	if (setenv("WGC_KEYLOG_FILE", keylog, 1)) {
		free(saved);
		return wgc_err_set(err, -errno, "cannot set WGC_KEYLOG_FILE: %s", strerror(errno));
	}
	wgc_run_describe(line, sizeof(line), argv);
	fprintf(stderr, "[#] WGC_KEYLOG_FILE=%s %s\n", keylog, line);
	ret = wgc_run(argv, NULL, NULL, false, err);
	if (saved)
		setenv("WGC_KEYLOG_FILE", saved, 1);
	else
		unsetenv("WGC_KEYLOG_FILE");
	free(saved);
	return ret;
}

int wgc_daemon_start(const char *ifname, const char *keylog, struct wgc_err *err)
{
	char program[PATH_MAX];
	const char *argv[] = { program, ifname, NULL };
	int ret;

	wgc_daemon_program(program, sizeof(program));
	ret = keylog ? run_with_keylog(argv, keylog, err) : wgc_run(argv, NULL, NULL, true, err);
	if (ret)
		return ret;
	/* It should be ready when it returns; a slow one gets a grace period. */
	for (int waited = 0; waited < WAIT_MS; waited += STEP_MS) {
		if (wgl_control_alive(ifname))
			return 0;
		sleep_ms(STEP_MS);
	}
	return wgc_err_set(err, -ETIMEDOUT, "%s returned, but nothing answers on %s/%s.sock", program, WGL_CONTROL_DIR,
			   ifname);
}

int wgc_daemon_wait_gone(const char *ifname, struct wgc_err *err)
{
	char path[128];
	int fd;

	if (wgl_control_socket_path(path, sizeof(path), ifname))
		return wgc_err_set(err, -ENAMETOOLONG, "%s: name too long", ifname);
	for (int waited = 0; waited < WAIT_MS; waited += STEP_MS) {
		fd = wgl_control_connect(ifname);
		if (fd == -ENOENT)
			return 0;
		if (fd == -ECONNREFUSED)
			return unlink(path) && errno != ENOENT ? wgc_err_set(err, -errno, "cannot remove %s: %s", path,
									       strerror(errno)) : 0;
		if (fd >= 0)
			close(fd);
		sleep_ms(STEP_MS);
	}
	return wgc_err_set(err, -ETIMEDOUT, "%s: its daemon still answers on %s after the interface was deleted",
			   ifname, path);
}
