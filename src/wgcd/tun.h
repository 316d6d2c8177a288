/*
 * The TUN device: the tunnel's side of the daemon. Opened without packet information, so
 * every read is one IP packet and every write takes one. Not persistent: when the daemon exits
 * the kernel removes the interface, and when someone removes the interface the descriptor
 * reports an error and the daemon exits.
 */
#ifndef WGCD_TUN_H
#define WGCD_TUN_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum { WGCD_TUN_DEFAULT_MTU = 1420 };

struct wgcd_tun {
	int fd;
	int ifindex;
	char name[IFNAMSIZ];
};

/* Creates the interface `name` (which must not exist yet) with the default MTU. 0 or -errno. */
int wgcd_tun_open(struct wgcd_tun *tun, const char *name);
void wgcd_tun_close(struct wgcd_tun *tun);

/* One packet, or -EAGAIN when none is waiting; -EBADFD once the interface is gone. */
ssize_t wgcd_tun_read(struct wgcd_tun *tun, uint8_t *buf, size_t cap);
int wgcd_tun_write(struct wgcd_tun *tun, const uint8_t *packet, size_t len);

#endif
