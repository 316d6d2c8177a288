#include "wgcd/uapi.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "libwgc/control.h"

/* A socket file left by a daemon that died is reused; one that still answers is not ours. */
static int claim_path(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), ret = 0;

	if (fd < 0)
		return -errno;
	strcpy(addr.sun_path, path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
		ret = -EADDRINUSE;
	else if (errno != ENOENT && unlink(path) < 0 && errno != ENOENT)
		ret = -errno;
	close(fd);
	return ret;
}

static int listen_on(struct wgcd_uapi *uapi)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct stat st;
	mode_t old_umask;
	int ret = 0;

	if (fd < 0)
		return -errno;
	strcpy(addr.sun_path, uapi->path);
	old_umask = umask(077);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 16) < 0 ||
	    stat(uapi->path, &st) < 0)
		ret = -errno;
	umask(old_umask);
	if (ret) {
		close(fd);
		return ret;
	}
	uapi->dev = st.st_dev;
	uapi->ino = st.st_ino;
	return fd;
}

static bool still_ours(const struct wgcd_uapi *uapi)
{
	struct stat st;

	return stat(uapi->path, &st) == 0 && st.st_dev == uapi->dev && st.st_ino == uapi->ino;
}

uint64_t wgcd_uapi_now(const struct wgcd_uapi *uapi)
{
	struct timespec ts;

	if (uapi->clock)
		return uapi->clock();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Without a timer (a test's connections on their own) deadlines are only what expire sees. */
void wgcd_uapi_rearm(struct wgcd_uapi *uapi)
{
	uint64_t next = wgcd_uapi_conn_expire(uapi);

	if (!uapi->timer_watch.ready || next == uapi->armed)
		return;
	if (!wgl_watch_arm_timer(uapi->timer_watch.fd, next))
		uapi->armed = next;
}

static void on_timer(struct wgl_watch *watch, uint32_t events)
{
	struct wgcd_uapi *uapi = (struct wgcd_uapi *)((char *)watch - offsetof(struct wgcd_uapi, timer_watch));
	uint64_t expirations;

	(void)events;
	if (read(watch->fd, &expirations, sizeof(expirations)) < 0 && errno == EAGAIN)
		return;
	uapi->armed = UINT64_MAX;
	wgcd_uapi_rearm(uapi);
}

static void on_listener(struct wgl_watch *watch, uint32_t events)
{
	struct wgcd_uapi *uapi = (struct wgcd_uapi *)((char *)watch - offsetof(struct wgcd_uapi, listener));
	int fd;

	(void)events;
	while ((fd = accept4(watch->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		if (wgcd_uapi_conn_accept(uapi, fd) < 0)
			close(fd);
	wgcd_uapi_rearm(uapi);
}

/* Any deletion or rename in the directory might be ours; the inode says for sure. */
static void on_dir_change(struct wgl_watch *watch, uint32_t events)
{
	struct wgcd_uapi *uapi = (struct wgcd_uapi *)((char *)watch - offsetof(struct wgcd_uapi, dir_watch));
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	(void)events;
	while (read(watch->fd, buf, sizeof(buf)) > 0)
		;
	if (!still_ours(uapi))
		uapi->ops->deleted(uapi->ctx);
}

static int watch_dir(struct wgcd_uapi *uapi)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	if (inotify_add_watch(fd, WGCD_UAPI_DIR, IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = wgl_watch_add(uapi->epoll_fd, &uapi->dir_watch, fd, EPOLLIN, on_dir_change);
	if (ret)
		close(fd);
	return ret;
}

static int open_timer(struct wgcd_uapi *uapi)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = wgl_watch_add(uapi->epoll_fd, &uapi->timer_watch, fd, EPOLLIN, on_timer);
	if (ret) {
		close(fd);
		uapi->timer_watch = (struct wgl_watch){ .fd = -1 };
	}
	return ret;
}

/* IFNAME.wgcd beside the socket, holding the socket's inode: how wgc knows it may ask this
 * daemon its "monitor" operation (libwgc/control.c) without asking other daemons, which would
 * log it as an invalid operation. A marker that names another inode is stale. */
static void write_marker(const struct wgcd_uapi *uapi)
{
	char text[32];
	int fd, n = snprintf(text, sizeof(text), "%llu\n", (unsigned long long)uapi->ino);

	if (!uapi->marker[0])
		return;
	fd = open(uapi->marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return; /* monitoring unseen by wgc, nothing worse */
	if (write(fd, text, (size_t)n) != n)
		unlink(uapi->marker);
	close(fd);
}

/* Ours only if it names our socket: a successor's stays (also after our socket was deleted). */
static void remove_marker(const struct wgcd_uapi *uapi)
{
	if (wgl_control_marker_names(uapi->marker, uapi->ino))
		unlink(uapi->marker);
}

int wgcd_uapi_open(struct wgcd_uapi *uapi, const char *ifname, int epoll_fd,
		   const struct wgcd_uapi_ops *ops, void *ctx, const struct wgcd_log *log)
{
	int fd, ret;

	*uapi = (struct wgcd_uapi){ .listener.fd = -1, .dir_watch.fd = -1, .timer_watch.fd = -1,
				    .armed = UINT64_MAX, .epoll_fd = epoll_fd, .ops = ops, .ctx = ctx, .log = log };
	snprintf(uapi->file_name, sizeof(uapi->file_name), "%s.sock", ifname);
	snprintf(uapi->path, sizeof(uapi->path), "%s/%s", WGCD_UAPI_DIR, uapi->file_name);
	if (wgl_control_marker_path(uapi->marker, sizeof(uapi->marker), ifname))
		uapi->marker[0] = '\0'; /* no marker: wgc then sees no monitoring */
	if (mkdir(WGCD_UAPI_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	ret = claim_path(uapi->path);
	if (ret)
		return ret;
	fd = listen_on(uapi);
	if (fd < 0)
		return fd;
	ret = wgl_watch_add(epoll_fd, &uapi->listener, fd, EPOLLIN, on_listener);
	if (ret) {
		close(fd);
		uapi->listener.fd = -1;
	}
	if (!ret)
		ret = watch_dir(uapi);
	if (!ret)
		ret = open_timer(uapi);
	if (ret)
		wgcd_uapi_close(uapi);
	else
		write_marker(uapi);
	return ret;
}

void wgcd_uapi_close(struct wgcd_uapi *uapi)
{
	wgcd_uapi_conn_close_all(uapi);
	if (uapi->timer_watch.fd >= 0)
		close(uapi->timer_watch.fd);
	if (uapi->dir_watch.fd >= 0)
		close(uapi->dir_watch.fd);
	if (uapi->listener.fd >= 0) {
		if (still_ours(uapi))
			unlink(uapi->path);
		remove_marker(uapi);
		close(uapi->listener.fd);
	}
	uapi->dir_watch.fd = uapi->listener.fd = uapi->timer_watch.fd = -1;
	uapi->timer_watch.ready = NULL;
}
