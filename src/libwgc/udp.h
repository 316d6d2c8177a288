/*
 * The UDP side: one IPv4 and one IPv6 socket on the same port, like the kernel's and
 * wireguard-go's. Every datagram is received with the local address it arrived on
 * (IP_PKTINFO / IPV6_RECVPKTINFO) and replies leave from that address, so a peer that wrote
 * to one of several addresses hears back from the same one.
 */
#ifndef WGL_UDP_H
#define WGL_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/endpoint.h"
#include "libwgc/transport.h"

enum {
	WGL_UDP_BATCH = 32,          /* datagrams per recvmmsg */
	WGL_DATAGRAM_MAX = 65536,
	WGL_GSO_SEGMENTS = 64,       /* the kernel's UDP_MAX_SEGMENTS */
	WGL_GSO_BYTES = 65000,       /* a run's payload fits one IP packet's length field */
};

struct wgl_udp {
	int fd4, fd6;                 /* -1 when that family is unavailable */
	uint16_t port;
	uint32_t fwmark;
	bool no_gso;                  /* the kernel refused UDP_SEGMENT once: runs go one by one */
};

/* Datagrams of one size to one endpoint, back to back in memory: with UDP_SEGMENT (GSO) the
 * kernel cuts them apart, so a run costs one system call however many datagrams it holds. */
struct wgl_udp_run {
	const struct wg_endpoint *to;
	const uint8_t *data;
	size_t len;                   /* of the whole run */
	size_t segment;               /* of each datagram; only the last may be shorter */
	void *owner;                  /* the caller's, untouched */
	unsigned failed;              /* set by wgl_udp_send_runs: datagrams not sent */
	size_t failed_bytes;          /* and their bytes */
};

/* Binds both families to `port` (0: a random port free in both). 0, or -errno with nothing open
 * (-EADDRINUSE when the port is taken). */
int wgl_udp_open(struct wgl_udp *udp, uint16_t port, uint32_t fwmark);
void wgl_udp_close(struct wgl_udp *udp);
int wgl_udp_set_fwmark(struct wgl_udp *udp, uint32_t fwmark);

/* Up to `count` datagrams from one socket into dgrams[i].data. The number received, or -errno
 * (-EAGAIN when none wait). */
int wgl_udp_receive(int fd, struct wgl_datagram *dgrams, unsigned count);
/* From the endpoint's recorded source address; when that address is gone, from whatever the
 * routing table picks. 0 or -errno. */
int wgl_udp_send(const struct wgl_udp *udp, const struct wg_endpoint *to, const uint8_t *msg, size_t len);
/* Runs in order, as few system calls as the kernel allows (sendmmsg, UDP_SEGMENT); a run the
 * kernel refuses whole is retried datagram by datagram. Each run's failed and failed_bytes are
 * set; the total number of datagrams not sent is returned. */
unsigned wgl_udp_send_runs(struct wgl_udp *udp, struct wgl_udp_run *runs, unsigned count);

#endif
