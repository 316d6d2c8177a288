/*
 * Reading a capture: a pcap or pcapng file (libpcap) taken apart down to what may carry
 * WireGuard, each UDP datagram's payload and each frame of a TCP stream carrying the TCP
 * transport's framing (a 16-bit big-endian length, then the message; docs/tcp.md),
 * reassembled in sequence order. Link layers: Ethernet (with VLAN tags), Linux cooked
 * (SLL, SLL2), raw IP, BSD loopback/null. IPv4 (fragments are counted and skipped) and IPv6
 * (extension headers walked).
 */
#ifndef WGC_CAPTURE_H
#define WGC_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wgc/errmsg.h"

enum capture_transport { CAPTURE_UDP, CAPTURE_TCP };

/* One datagram's payload or one TCP frame's message, valid during the callback only. */
struct capture_message {
	const char *file;            /* as given ("-" for stdin) */
	uint64_t frame;              /* 1-based packet number in the file; for a TCP frame, the
	                              * packet whose bytes completed it */
	uint64_t time_ns;            /* capture time, nanoseconds since the epoch */
	int family;                  /* AF_INET or AF_INET6 */
	uint8_t src[16], dst[16];    /* 4 or 16 bytes used */
	uint16_t sport, dport;
	enum capture_transport transport;
	const uint8_t *data;
	size_t len;
};

/* Asked of a TCP stream's first frame (its message, without the length): whether the stream
 * carries WireGuard (and so is followed further). Also asked of candidate frames when a stream
 * looks for a frame boundary again after a gap, or when its SYN was not captured (see
 * tcpframes.h). NULL: every stream is followed from its first byte. */
typedef bool capture_frame_plausible_fn(void *ctx, const uint8_t *data, size_t len);
typedef void capture_message_fn(void *ctx, const struct capture_message *message);

struct capture_options {
	const uint16_t *ports;       /* only datagrams and streams with one end on one of these */
	size_t port_count;           /* 0: any port */
	capture_frame_plausible_fn *frame_plausible;
	capture_message_fn *message;
	void *ctx;
};

/* What was seen and skipped, added to across files. */
struct capture_counts {
	uint64_t packets;            /* records read */
	uint64_t not_ip;             /* other link or network protocols */
	uint64_t fragments;          /* IPv4/IPv6 fragments, skipped */
	uint64_t truncated;          /* records cut short by the capture's snap length */
	uint64_t tcp_gaps;           /* bytes missing from followed TCP streams (a stream resyncs
	                              * at the next plausible frame or is dropped); with them, the
	                              * incomplete frame before a gap and the bytes passed over
	                              * while looking for a frame boundary after it */
	uint64_t other_ip;           /* IP packets neither UDP nor TCP (ICMP, ESP, ...) */
	uint64_t malformed;          /* IP, UDP or TCP headers contradicting themselves or the
	                              * record (lengths), in records not cut short */
	uint64_t tcp_dropped;        /* TCP segments not followed for lack of room (too many
	                              * streams at once, memory) */
};

/*
 * Reads one file ("-": standard input) to its end, calling options->message for each
 * datagram payload and followed TCP frame in capture order. 0, or -EINVAL / -EIO with err
 * naming the file and where in it (packet number and byte offset) it went wrong: a file that
 * is not a capture, a truncated record, a link type it cannot read. Messages before a
 * failure have been delivered (and what TCP streams held behind gaps, as at the end).
 * A file that cannot be opened: -errno, err naming it. In capture order means: each UDP
 * payload as its record comes, each TCP frame as the record completing it comes; frames held
 * behind a gap that is given up only at the end come last.
 */
int capture_read(const char *path, const struct capture_options *options, struct capture_counts *counts,
		 struct wgc_err *err);
/* The same from an open file, `name` standing for it in messages and capture_message.file.
 * f is closed, whatever the outcome (stdin excepted: libpcap leaves it open). */
int capture_read_stream(FILE *f, const char *name, const struct capture_options *options,
			struct capture_counts *counts, struct wgc_err *err);

#endif
