/*
 * The TUN interface as the kernel sees it, followed over rtnetlink: whether it is up (the
 * device runs its timers and sends only then, as wireguard-go does), its MTU (padding must
 * respect it) and whether it still exists (the daemon exits when it is removed).
 */
#ifndef WGL_LINK_H
#define WGL_LINK_H

#include <stdbool.h>

struct wgl_link {
	int fd;
	int ifindex;
	bool up;
	bool gone;
	unsigned mtu;
};

enum wgl_link_change {
	WGL_LINK_UP_CHANGED = 1u << 0,
	WGL_LINK_MTU_CHANGED = 1u << 1,
	WGL_LINK_GONE = 1u << 2,
};

/* Subscribes to link events and asks for the interface's current state. 0 or -errno. */
int wgl_link_open(struct wgl_link *link, int ifindex, unsigned mtu);
void wgl_link_close(struct wgl_link *link);
/* Reads every pending event about our interface; returns the changes (wgl_link_change bits). */
unsigned wgl_link_read(struct wgl_link *link);

#endif
