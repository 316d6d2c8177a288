/* `wgc show [IFNAME] [--json]`: the running configuration and peer health, from each UAPI socket. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wgc/commands.h"
#include "wgc/conffile.h"
#include "wgc/show.h"
#include "wgc/uapi_client.h"

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every interface with a socket, sorted; like `wg show`, dead sockets are not interfaces. */
static int list_interfaces(struct wgc_strlist *names)
{
	DIR *dir = opendir(WGC_UAPI_DIR);
	struct dirent *entry;

	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((entry = readdir(dir))) {
		size_t n = strlen(entry->d_name);
		char *name;

		if (n <= 5 || strcmp(entry->d_name + n - 5, ".sock"))
			continue;
		name = strndup(entry->d_name, n - 5);
		if (!name || wgc_strlist_add(names, name)) {
			free(name);
			closedir(dir);
			return -ENOMEM;
		}
		free(name);
	}
	closedir(dir);
	qsort(names->items, names->len, sizeof(char *), compare_names);
	return 0;
}

/* One interface in the chosen form; a missing one is an error only when it was asked for by name. */
static int show_one(const char *ifname, bool json, bool *first, bool named)
{
	struct wg_config_device device;
	struct wgc_err err;
	int ret = wgc_uapi_get(ifname, &device, &err);

	if (ret == -ENOENT || ret == -ECONNREFUSED) {
		if (named)
			fprintf(stderr, "wgc show: %s: no such WireGuard interface (nothing answers on %s/%s.sock)\n",
				ifname, WGC_UAPI_DIR, ifname);
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
		(json ? wgc_show_json : wgc_show_text)(stdout, ifname, &device, (uint64_t)time(NULL));
		*first = false;
	}
	wg_config_free(&device);
	return ret;
}

static int usage(void)
{
	fprintf(stderr, "Usage: wgc show [IFNAME] [--json]\n");
	return 1;
}

int wgc_show_main(int argc, char **argv)
{
	struct wgc_strlist names = { 0 };
	const char *only = NULL;
	bool json = false, first = true;
	int ret = 0;

	for (int i = 1; i < argc; ++i) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' || only)
			return usage();
		else
			only = argv[i];
	}
	if (only && (strchr(only, '/') || strlen(only) >= 16)) {
		fprintf(stderr, "wgc show: \"%s\" is not an interface name\n", only);
		return 1;
	}
	ret = only ? 0 : list_interfaces(&names);
	if (ret) {
		fprintf(stderr, "wgc show: cannot list %s: %s\n", WGC_UAPI_DIR, strerror(-ret));
		return 1;
	}
	if (json)
		fputs("{\"interfaces\": {", stdout);
	if (only)
		ret = show_one(only, json, &first, true);
	for (size_t i = 0; i < names.len; ++i)
		ret = show_one(names.items[i], json, &first, false) ? 1 : ret;
	if (json)
		fputs(first ? "}}\n" : "\n}}\n", stdout);
	wgc_strlist_free(&names);
	return ret || fflush(stdout) ? 1 : 0;
}
