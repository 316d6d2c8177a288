/*
 * The UDP side: one IPv4 and one IPv6 socket on the same port, like the kernel's and
 * wireguard-go's. Every datagram is received with the local address it arrived on
 * (IP_PKTINFO / IPV6_RECVPKTINFO) and replies leave from that address, so a peer that wrote
 * to one of several addresses hears back from the same one.
 */
#ifndef WGCD_UDP_H
#define WGCD_UDP_H

#include <stddef.h>
#include <stdint.h>

#include "core/endpoint.h"

enum {
	WGCD_UDP_BATCH = 32,          /* datagrams per recvmmsg */
	WGCD_DATAGRAM_MAX = 65536,
};

struct wgcd_udp {
	int fd4, fd6;                 /* -1 when that family is unavailable */
	uint16_t port;
	uint32_t fwmark;
};

struct wgcd_datagram {
	uint8_t *data;                /* WGCD_DATAGRAM_MAX bytes, owned by the caller */
	size_t len;
	struct wg_endpoint from;      /* with the local address and interface it reached */
};

/* Binds both families to `port` (0: a random port free in both). 0, or -errno with nothing open
 * (-EADDRINUSE when the port is taken). */
int wgcd_udp_open(struct wgcd_udp *udp, uint16_t port, uint32_t fwmark);
void wgcd_udp_close(struct wgcd_udp *udp);
int wgcd_udp_set_fwmark(struct wgcd_udp *udp, uint32_t fwmark);

/* Up to `count` datagrams from one socket into dgrams[i].data. The number received, or -errno
 * (-EAGAIN when none wait). */
int wgcd_udp_receive(int fd, struct wgcd_datagram *dgrams, unsigned count);
/* From the endpoint's recorded source address; when that address is gone, from whatever the
 * routing table picks. 0 or -errno. */
int wgcd_udp_send(const struct wgcd_udp *udp, const struct wg_endpoint *to, const uint8_t *msg, size_t len);

#endif
