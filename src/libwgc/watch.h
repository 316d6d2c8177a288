/*
 * A descriptor in an epoll set: each one carries the function that handles its readiness, so
 * the loop dispatches without knowing what the descriptors are. Timers are timerfds armed at
 * absolute deadlines.
 */
#ifndef WGL_WATCH_H
#define WGL_WATCH_H

#include <stdint.h>

struct wgl_watch {
	int fd;
	void (*ready)(struct wgl_watch *watch, uint32_t events);
};

/* 0 or -errno. */
int wgl_watch_add(int epoll_fd, struct wgl_watch *watch, int fd, uint32_t events,
		   void (*ready)(struct wgl_watch *watch, uint32_t events));
int wgl_watch_modify(int epoll_fd, struct wgl_watch *watch, uint32_t events);
void wgl_watch_remove(int epoll_fd, struct wgl_watch *watch);
/* Sets a timerfd (CLOCK_MONOTONIC) to fire at an absolute deadline in nanoseconds; UINT64_MAX
 * disarms it. 0 or -errno. */
int wgl_watch_arm_timer(int timer_fd, uint64_t deadline);

#endif
