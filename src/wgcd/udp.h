/*
 * The UDP side: one IPv4 and one IPv6 socket on the same port, like the kernel's and
 * wireguard-go's. Every datagram is received with the local address it arrived on
 * (IP_PKTINFO / IPV6_RECVPKTINFO) and replies leave from that address, so a peer that wrote
 * to one of several addresses hears back from the same one.
 */
#ifndef WGCD_UDP_H
#define WGCD_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/endpoint.h"

enum {
	WGCD_UDP_BATCH = 32,          /* datagrams per recvmmsg */
	WGCD_DATAGRAM_MAX = 65536,
	WGCD_GSO_SEGMENTS = 64,       /* the kernel's UDP_MAX_SEGMENTS */
	WGCD_GSO_BYTES = 65000,       /* a run's payload fits one IP packet's length field */
};

struct wgcd_udp {
	int fd4, fd6;                 /* -1 when that family is unavailable */
	uint16_t port;
	uint32_t fwmark;
	bool no_gso;                  /* the kernel refused UDP_SEGMENT once: runs go one by one */
};

/* Datagrams of one size to one endpoint, back to back in memory: with UDP_SEGMENT (GSO) the
 * kernel cuts them apart, so a run costs one system call however many datagrams it holds. */
struct wgcd_udp_run {
	const struct wg_endpoint *to;
	const uint8_t *data;
	size_t len;                   /* of the whole run */
	size_t segment;               /* of each datagram; only the last may be shorter */
	void *owner;                  /* the caller's, untouched */
	unsigned failed;              /* set by wgcd_udp_send_runs: datagrams not sent */
	size_t failed_bytes;          /* and their bytes */
};

struct wgcd_datagram {
	uint8_t *data;                /* WGCD_DATAGRAM_MAX bytes, owned by the caller */
	size_t len;
	size_t segment;               /* UDP GRO joined datagrams of this size (the last may be
	                               * shorter); 0 when it is one datagram */
	struct wg_endpoint from;      /* with the local address and interface it reached */
};

/* The length of the datagram at offset in d: GRO-joined datagrams are taken apart by walking
 * offset from 0 to d->len by what this returns. */
static inline size_t wgcd_datagram_part(const struct wgcd_datagram *d, size_t offset)
{
	size_t rest = d->len - offset;

	return d->segment && d->segment < rest ? d->segment : rest;
}

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
/* Runs in order, as few system calls as the kernel allows (sendmmsg, UDP_SEGMENT); a run the
 * kernel refuses whole is retried datagram by datagram. Each run's failed and failed_bytes are
 * set; the total number of datagrams not sent is returned. */
unsigned wgcd_udp_send_runs(struct wgcd_udp *udp, struct wgcd_udp_run *runs, unsigned count);

#endif
