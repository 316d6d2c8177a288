/*
 * A descriptor in the daemon's epoll set: each one carries the function that handles its
 * readiness, so the loop dispatches without knowing what the descriptors are.
 */
#ifndef WGCD_WATCH_H
#define WGCD_WATCH_H

#include <stdint.h>

struct wgcd_watch {
	int fd;
	void (*ready)(struct wgcd_watch *watch, uint32_t events);
};

/* 0 or -errno. */
int wgcd_watch_add(int epoll_fd, struct wgcd_watch *watch, int fd, uint32_t events,
		   void (*ready)(struct wgcd_watch *watch, uint32_t events));
int wgcd_watch_modify(int epoll_fd, struct wgcd_watch *watch, uint32_t events);
void wgcd_watch_remove(int epoll_fd, struct wgcd_watch *watch);

#endif
