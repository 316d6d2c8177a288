#include "libwgc/watch.h"

#include <errno.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>

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

/* A zero it_value would disarm the timer, so a deadline already due is set to the earliest
 * representable time. */
int wgl_watch_arm_timer(int timer_fd, uint64_t deadline)
{
	struct itimerspec spec = { 0 };

	if (deadline != UINT64_MAX) {
		spec.it_value.tv_sec = (time_t)(deadline / 1000000000u);
		spec.it_value.tv_nsec = (long)(deadline % 1000000000u);
		if (!spec.it_value.tv_sec && !spec.it_value.tv_nsec)
			spec.it_value.tv_nsec = 1;
	}
	return timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &spec, NULL) < 0 ? -errno : 0;
}
