/*
 * The layout of the inner IPv4, IPv6, TCP and UDP headers that segmentation (segment.c) and
 * coalescing (coalesce.c) read and rewrite: offsets from the start of each header, and TCP's
 * flag bits.
 */
#ifndef WGCD_INNER_H
#define WGCD_INNER_H

#include <stdint.h>

enum {
	WGCD_IPV4_HEADER_MIN = 20, WGCD_IPV6_HEADER = 40, WGCD_TCP_HEADER_MIN = 20, WGCD_UDP_HEADER = 8,
	WGCD_IPV4_CHECK = 10, WGCD_TCP_SEQ = 4, WGCD_TCP_FLAGS = 13, WGCD_TCP_CHECK = 16,
	WGCD_UDP_LEN = 4, WGCD_UDP_CHECK = 6,
	WGCD_TCP_FIN = 0x01, WGCD_TCP_PSH = 0x08, WGCD_TCP_ACK = 0x10, WGCD_TCP_CWR = 0x80,
	WGCD_IP_MAX_PACKET = 65535,
};

#endif
