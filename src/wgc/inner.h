/*
 * A decrypted data message's inner IP packet: its summary for the report (addresses,
 * protocol, ports, length), and a pcap of them all (LINKTYPE_RAW) for tcpdump and tshark.
 */
#ifndef WGC_INNER_H
#define WGC_INNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wgc/errmsg.h"

struct inner_summary {
	bool ip;                     /* false: the plaintext is no IP packet (0 bytes: keepalive) */
	int family;
	uint8_t src[16], dst[16];
	uint8_t protocol;            /* IPv6: the last next-header walked to */
	bool has_ports;
	uint16_t sport, dport;
	size_t length;               /* the IP packet's own length, without padding */
};

void inner_summarize(struct inner_summary *out, const uint8_t *plain, size_t len);
/* "tcp", "udp", "icmp", "icmpv6", or NULL for others. */
const char *inner_protocol_name(uint8_t protocol);

struct inner_writer;
/* Starts OUT as a new file beside it (0600, made with O_EXCL: it holds decrypted traffic, and
 * no link planted there is followed); OUT itself changes only at close. */
int inner_writer_open(struct inner_writer **writer, const char *path, struct wgc_err *err);
/* One packet, without its padding, stamped with the data message's capture time. */
void inner_writer_add(struct inner_writer *writer, uint64_t time_ns, const uint8_t *packet, size_t len);
/* Flushes and closes; with keep, the new file replaces OUT, else it is removed and OUT is as
 * it was. An error names the file. */
int inner_writer_close(struct inner_writer *writer, bool keep, struct wgc_err *err);

#endif
