/* `wgc show [IFNAME] [--json]`: the running configuration and peer health, from each UAPI socket. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wgc/commands.h"
#include "wgc/conffile.h"
#include "wgc/show.h"
#include "wgc/uapi.h"

/* One interface in the chosen form; a missing one is an error only when it was asked for by name. */
static int show_one(const char *ifname, bool json, bool history, bool *first, bool named)
{
	struct wg_config_device device;
	struct wg_monitor_report monitor;
	struct wgc_err err;
	int ret = wgc_uapi_get(ifname, &device, &err);
	struct wgc_show_view view = { .now_sec = (uint64_t)time(NULL), .history = history };

	if (ret == -ENOENT || ret == -ECONNREFUSED) {
		if (named)
			fprintf(stderr, "wgc show: %s: no such WireGuard interface (nothing answers on %s/%s.sock)\n",
				ifname, WGL_CONTROL_DIR, ifname);
		wg_config_free(&device);
		return named ? ret : 0;
	}
	if (ret)
		fprintf(stderr, "wgc show: %s\n", err.text);
	else if (json)
		fputs(*first ? "\n  " : ",\n  ", stdout);
	else if (!*first)
		fputc('\n', stdout);
	if (!ret) {
		/* A daemon without monitoring (not a wgcd) shows what a get has. */
		if (!wgl_control_monitor(ifname, &monitor, history, NULL)) {
			wgc_show_monitor_sort(&monitor);
			view.monitor = &monitor;
		}
		(json ? wgc_show_json : wgc_show_text)(stdout, ifname, &device, &view);
		wg_monitor_report_free(&monitor);
		*first = false;
	}
	wg_config_free(&device);
	return ret;
}

static int usage(void)
{
	fprintf(stderr, "Usage: wgc show [IFNAME] [--json] [--history]\n");
	return 1;
}

int wgc_show_main(int argc, char **argv)
{
	char **names = NULL;
	size_t count = 0;
	const char *only = NULL;
	bool json = false, history = false, first = true;
	int ret = 0;

	for (int i = 1; i < argc; ++i) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--history"))
			history = true;
		else if (argv[i][0] == '-' || only)
			return usage();
		else
			only = argv[i];
	}
	if (only && !wgc_ifname_argument("show", only))
		return 1;
	/* Every interface with a socket, sorted; like `wg show`, dead sockets are not interfaces. */
	ret = only ? 0 : wgl_control_list(&names, &count, false);
	if (ret) {
		fprintf(stderr, "wgc show: cannot list %s: %s\n", WGL_CONTROL_DIR, strerror(-ret));
		wgl_control_list_free(names, count);
		return 1;
	}
	if (json)
		fputs("{\"interfaces\": {", stdout);
	if (only)
		ret = show_one(only, json, history, &first, true);
	for (size_t i = 0; i < count; ++i)
		ret = show_one(names[i], json, history, &first, false) ? 1 : ret;
	if (json)
		fputs(first ? "}}\n" : "\n}}\n", stdout);
	wgl_control_list_free(names, count);
	return ret || fflush(stdout) ? 1 : 0;
}
