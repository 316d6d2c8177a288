/*
 * Super-packets from the TUN device cut into packets the tunnel can carry. With TUNSETOFFLOAD
 * the kernel hands wgcd TCP (TSO) and UDP (USO) packets of up to 64 KiB with a virtio-net
 * header saying how to cut them; each piece gets its own IP length, IPv4 identification, TCP
 * sequence number and flags, and full checksums, exactly what the kernel's own segmentation
 * would have put on the wire. Packets without GSO may still carry a partial checksum, which
 * the peer cannot complete, so it is finished here before encryption.
 */
#ifndef WGL_SEGMENT_H
#define WGL_SEGMENT_H

#include <stddef.h>
#include <stdint.h>
#include "libwgc/offload/vnet.h"

struct wgl_segmenter {
	const uint8_t *packet;
	size_t len;
	int family;             /* AF_INET or AF_INET6 */
	uint8_t proto;          /* IPPROTO_TCP or IPPROTO_UDP */
	size_t l3_len;          /* the IP header */
	size_t header_len;      /* IP and TCP/UDP headers, repeated in every segment */
	size_t gso_size;        /* payload bytes per segment; the last may have fewer */
	size_t offset;          /* where the next segment's payload starts */
	unsigned index;
};

/* Checks a GSO super-packet against its header. 0, or -EINVAL when they disagree or the
 * packet is not TCP/UDP over IPv4/IPv6 without extension headers: the caller drops it. */
int wgl_segmenter_init(struct wgl_segmenter *seg, const struct virtio_net_hdr *vnet, const uint8_t *packet,
			size_t len);
/* Writes the next segment to out, which has room for header_len + gso_size bytes. Its
 * length, or 0 after the last. */
size_t wgl_segmenter_next(struct wgl_segmenter *seg, uint8_t *out);

/* A packet without GSO: finishes a partial checksum in place. 0, or -EINVAL when the offsets
 * lie outside the packet. */
int wgl_checksum_finish(const struct virtio_net_hdr *vnet, uint8_t *packet, size_t len);

#endif
