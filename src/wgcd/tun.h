/*
 * The TUN device: the tunnel's side of the daemon. Opened without packet information but with
 * a virtio-net header on every read and write (IFF_VNET_HDR), and with TCP and UDP segmentation
 * offloaded to us (TUNSETOFFLOAD): the kernel's stack hands over 64 KiB super-packets for wgcd to
 * cut (segment.h) and takes back the runs wgcd joins (coalesce.h), so a bulk transfer crosses
 * the TUN boundary in a few large system calls instead of one per packet. Not persistent: when
 * the daemon exits the kernel removes the interface, and when someone removes the interface
 * the descriptor reports an error and the daemon exits.
 */
#ifndef WGCD_TUN_H
#define WGCD_TUN_H

#include <net/if.h>
#include <stdbool.h>
#include <sys/uio.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wgcd/vnet.h"

enum { WGCD_TUN_DEFAULT_MTU = 1420 };

struct wgcd_tun {
	int fd;
	int ifindex;
	char name[IFNAMSIZ];
	bool uso;               /* the kernel segments and takes UDP super-packets (Linux 6.2) */
};

/* Creates the interface `name` (which must not exist yet) with the default MTU. 0 or -errno. */
int wgcd_tun_open(struct wgcd_tun *tun, const char *name);
void wgcd_tun_close(struct wgcd_tun *tun);

/* One packet (maybe a super-packet) and its header, or -EAGAIN when none is waiting; -EBADFD
 * once the interface is gone. */
ssize_t wgcd_tun_read(struct wgcd_tun *tun, struct virtio_net_hdr *vnet, uint8_t *buf, size_t cap);
/* One packet given as iovecs, the first its virtio-net header. 0 or -errno. */
int wgcd_tun_writev(struct wgcd_tun *tun, const struct iovec *iov, int count);

#endif
