/*
 * The TUN interface as the kernel sees it, followed over rtnetlink: whether it is up (the
 * device runs its timers and sends only then, as wireguard-go does), its MTU (padding must
 * respect it) and whether it still exists (the daemon exits when it is removed).
 */
#ifndef WGCD_LINK_H
#define WGCD_LINK_H

#include <stdbool.h>

struct wgcd_link {
	int fd;
	int ifindex;
	bool up;
	bool gone;
	unsigned mtu;
};

enum wgcd_link_change {
	WGCD_LINK_UP_CHANGED = 1u << 0,
	WGCD_LINK_MTU_CHANGED = 1u << 1,
	WGCD_LINK_GONE = 1u << 2,
};

/* Subscribes to link events and asks for the interface's current state. 0 or -errno. */
int wgcd_link_open(struct wgcd_link *link, int ifindex, unsigned mtu);
void wgcd_link_close(struct wgcd_link *link);
/* Reads every pending event about our interface; returns the changes (wgcd_link_change bits). */
unsigned wgcd_link_read(struct wgcd_link *link);

#endif
