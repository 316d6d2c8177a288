/*
 * The TUN device: the tunnel's side of the daemon. Opened without packet information but with
 * a virtio-net header on every read and write (IFF_VNET_HDR), and with TCP and UDP segmentation
 * offloaded to us (TUNSETOFFLOAD): the kernel's stack hands over 64 KiB super-packets for wgcd to
 * cut (segment.h) and takes back the runs wgcd joins (coalesce.h), so a bulk transfer crosses
 * the TUN boundary in a few large system calls instead of one per packet. Not persistent: when
 * the daemon exits the kernel removes the interface, and when someone removes the interface
 * the descriptor reports an error and the daemon exits.
 */
#ifndef WGL_TUN_H
#define WGL_TUN_H

#include <net/if.h>
#include <stdbool.h>
#include <sys/uio.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "libwgc/offload/vnet.h"

enum {
	WGL_TUN_DEFAULT_MTU = 1420,
	WGL_TUN_PACKET_MAX = 65536 + 256, /* a super-packet: 64 KiB of payload and headers */
	WGL_TUN_WRITE_IOVECS = 72, /* more than a header and the 64 pieces of a coalesced packet */
};

struct wgl_tun {
	int fd;
	int ifindex;
	char name[IFNAMSIZ];
	bool vnet;              /* a virtio-net header on every read and write: offloads possible */
	bool packet_info;       /* a struct tun_pi before every packet (a descriptor without IFF_NO_PI) */
	bool uso;               /* the kernel segments and takes UDP super-packets (Linux 6.2) */
};

/* Creates the interface `name` (which must not exist yet) with the default MTU. 0 or -errno. */
int wgl_tun_open(struct wgl_tun *tun, const char *name);
/* Takes over a TUN descriptor someone else opened (an app's VPN service, a test), as it was
 * set up: with or without IFF_VNET_HDR (offloads only with it) and IFF_NO_PI (recognised
 * when its interface is in this namespace; IFF_NO_PI is assumed otherwise). -EINVAL when it is
 * not a TUN (IFF_TUN) descriptor. The descriptor is closed with the tun. */
int wgl_tun_adopt(struct wgl_tun *tun, int fd);
void wgl_tun_close(struct wgl_tun *tun);

/* One packet (maybe a super-packet) and its header (all zero without IFF_VNET_HDR), or
 * -EAGAIN when none is waiting; -EBADFD once the interface is gone. */
ssize_t wgl_tun_read(struct wgl_tun *tun, struct virtio_net_hdr *vnet, uint8_t *buf, size_t cap);
/* One packet given as iovecs, the first its virtio-net header (left out without
 * IFF_VNET_HDR, when it must say nothing but "no GSO"). 0 or -errno. */
int wgl_tun_writev(struct wgl_tun *tun, const struct iovec *iov, int count);

#endif
