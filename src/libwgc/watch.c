#include "libwgc/watch.h"

#include <errno.h>
#include <stddef.h>
#include <sys/epoll.h>

int wgl_watch_add(int epoll_fd, struct wgl_watch *watch, int fd, uint32_t events,
		   void (*ready)(struct wgl_watch *watch, uint32_t events))
{
	struct epoll_event ev = { .events = events, .data.ptr = watch };

	watch->fd = fd;
	watch->ready = ready;
	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int wgl_watch_modify(int epoll_fd, struct wgl_watch *watch, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = watch };

	return epoll_ctl(epoll_fd, EPOLL_CTL_MOD, watch->fd, &ev) < 0 ? -errno : 0;
}

void wgl_watch_remove(int epoll_fd, struct wgl_watch *watch)
{
	epoll_ctl(epoll_fd, EPOLL_CTL_DEL, watch->fd, NULL);
}
