/*
 * The layout of the inner IPv4, IPv6, TCP and UDP headers that segmentation (segment.c) and
 * coalescing (coalesce.c) read and rewrite: offsets from the start of each header, and TCP's
 * flag bits.
 */
#ifndef WGL_INNER_H
#define WGL_INNER_H

#include <stdint.h>

enum {
	WGL_IPV4_HEADER_MIN = 20, WGL_IPV6_HEADER = 40, WGL_TCP_HEADER_MIN = 20, WGL_UDP_HEADER = 8,
	WGL_IPV4_CHECK = 10, WGL_TCP_SEQ = 4, WGL_TCP_FLAGS = 13, WGL_TCP_CHECK = 16,
	WGL_UDP_LEN = 4, WGL_UDP_CHECK = 6,
	WGL_TCP_FIN = 0x01, WGL_TCP_PSH = 0x08, WGL_TCP_ACK = 0x10, WGL_TCP_CWR = 0x80,
	WGL_IP_MAX_PACKET = 65535,
};

#endif
