/*
 * Receive offload for the TUN device: decrypted packets gathered over one batch from the
 * network and written back as few, large packets. Consecutive TCP segments of one flow (and,
 * where the kernel takes UDP GSO, equal-sized datagrams of one UDP flow) become one GSO packet
 * with a virtio-net header, which the kernel's stack takes in one piece as if its own GRO had
 * built it; everything else is written alone. Order within a flow is kept.
 *
 * Queued packets are referenced, not copied: they must stay in place until the flush, which
 * rewrites the IP and transport headers of each run's first packet.
 */
#ifndef WGL_COALESCE_H
#define WGL_COALESCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

enum {
	WGL_COALESCE_PACKETS = 2048,   /* per flush; more than a full UDP batch with GRO */
	WGL_COALESCE_SEGMENTS = 64,    /* per GSO packet, as the kernel's GRO allows */
	WGL_COALESCE_OPEN_FLOWS = 16,  /* runs that may still grow */
};

struct wgl_coalesce_item {
	uint8_t *data;
	size_t len;
	unsigned next;                  /* the next packet of its run; 0 ends it (0 is always a head) */
};

struct wgl_coalesce_run {
	unsigned head, tail, count;
	size_t header_len, gso_size;    /* 0: written alone, never grows */
	size_t total;                   /* bytes of the packet it becomes */
	uint32_t next_seq;              /* TCP: where the next segment must start */
	int family;
	uint8_t proto;
	bool open;
};

struct wgl_coalescer {
	bool alone;                     /* every packet alone: a TUN without virtio-net headers */
	bool udp;                       /* UDP runs too: the kernel takes VIRTIO_NET_HDR_GSO_UDP_L4 */
	unsigned items, runs, open_count;
	struct wgl_coalesce_item item[WGL_COALESCE_PACKETS];
	struct wgl_coalesce_run run[WGL_COALESCE_PACKETS];
	unsigned open[WGL_COALESCE_OPEN_FLOWS];
};

/* One complete IP packet (len as its header says). False when the queue is full: flush first. */
bool wgl_coalescer_add(struct wgl_coalescer *c, uint8_t *packet, size_t len);

/* Writes one packet given as iovecs, the first being its virtio-net header. 0 or -errno. */
typedef int (*wgl_coalesce_write_fn)(void *ctx, const struct iovec *iov, int count);
/* Writes everything queued and empties the queue. The number of writes that failed. */
unsigned wgl_coalescer_flush(struct wgl_coalescer *c, wgl_coalesce_write_fn write, void *ctx);

#endif
