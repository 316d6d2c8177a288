/* Requests to a daemon, their failures in words. */
#include "wgc/uapi.h"

#include <stdio.h>
#include <string.h>

/* What a control request's failure means, where it happened. */
static int describe(struct wgc_err *err, const char *ifname, enum wgl_control_stage stage, int ret, const char *what)
{
	switch (stage) {
	case WGL_CONTROL_CONNECT:
		return wgc_err_set(err, ret, "%s: cannot reach its daemon at %s/%s.sock: %s", ifname, WGL_CONTROL_DIR,
				   ifname, strerror(-ret));
	case WGL_CONTROL_EXCHANGE:
		return wgc_err_set(err, ret, "%s: UAPI request failed: %s", ifname, strerror(-ret));
	case WGL_CONTROL_REPLY:
		break;
	}
	return wgc_err_set(err, ret, "%s: %s: %s", ifname, what, strerror(-ret));
}

int wgc_uapi_get(const char *ifname, struct wg_config_device *out, struct wgc_err *err)
{
	enum wgl_control_stage stage;
	int ret = wgl_control_get(ifname, out, &stage);

	return ret ? describe(err, ifname, stage, ret, "unusable reply to get") : 0;
}

int wgc_uapi_set(const char *ifname, const char *lines, size_t len, struct wgc_err *err)
{
	enum wgl_control_stage stage;
	int ret = wgl_control_set_text(ifname, lines, len, &stage);

	return ret ? describe(err, ifname, stage, ret, "the daemon refused the configuration") : 0;
}

bool wgc_ifname_argument(const char *command, const char *name)
{
	if (!strchr(name, '/') && strlen(name) < 16)
		return true;
	fprintf(stderr, "wgc %s: \"%s\" is not an interface name\n", command, name);
	return false;
}
