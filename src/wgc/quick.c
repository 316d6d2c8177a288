/* Locating and reading the configuration of `wgc up`/`wgc down`. */
#include "wgc/quick.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool wgc_quick_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n <= 15 &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_=+.-") == n;
}

/* The interface is named after the file: "path/IFNAME.conf". */
static int name_from_path(struct wgc_quick *q, struct wgc_err *err)
{
	const char *base = strrchr(q->shown_path, '/');
	size_t n;

	base = base ? base + 1 : q->shown_path;
	n = strlen(base);
	if (n <= 5 || strcmp(base + n - 5, ".conf") || n - 5 >= sizeof(q->ifname))
		goto bad;
	memcpy(q->ifname, base, n - 5);
	q->ifname[n - 5] = '\0';
	if (wgc_quick_name_valid(q->ifname))
		return 0;
bad:
	return wgc_err_set(err, -EINVAL, "`%s': the file name must be a valid interface name followed by .conf",
			   q->shown_path);
}

/* wg-quick's warning: the file is readable by others when neither it nor its directory stops them. */
static bool is_world_accessible(const char *path)
{
	char dir[PATH_MAX];
	struct stat file_st, dir_st;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (stat(path, &file_st) || stat(slash ? dir : ".", &dir_st))
		return false;
	return (file_st.st_mode & dir_st.st_mode & 0007) != 0;
}

int wgc_quick_load(struct wgc_quick *q, const char *arg, struct wgc_err *err)
{
	char message[sizeof(err->text)];
	int ret, n;

	memset(q, 0, sizeof(*q));
	wg_config_init(&q->device);
	wgc_extras_init(&q->extras);
	n = wgc_quick_name_valid(arg) ? snprintf(q->shown_path, sizeof(q->shown_path), "%s/%s.conf", WGC_CONFIG_DIR, arg)
				      : snprintf(q->shown_path, sizeof(q->shown_path), "%s", arg);
	if (n < 0 || (size_t)n >= sizeof(q->shown_path))
		return wgc_err_set(err, -ENAMETOOLONG, "`%s': path too long", arg);
	if (access(q->shown_path, F_OK))
		return wgc_err_set(err, -errno, "`%s' does not exist", q->shown_path);
	ret = name_from_path(q, err);
	if (ret)
		return ret;
	if (!realpath(q->shown_path, q->path))
		return wgc_err_set(err, -errno, "`%s': %s", q->shown_path, strerror(errno));
	q->world_accessible = is_world_accessible(q->path);
	ret = wgc_conffile_read(q->path, q->shown_path, &q->device, &q->extras, message, sizeof(message));
	if (ret)
		wgc_err_set(err, ret, "%s", message);
	return ret;
}

void wgc_quick_free(struct wgc_quick *q)
{
	wg_config_free(&q->device);
	wgc_extras_free(&q->extras);
}
