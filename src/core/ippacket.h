/* The few facts the core reads from an inner IP packet: family, addresses, real length. */
#ifndef WG_CORE_IPPACKET_H
#define WG_CORE_IPPACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/messages.h"

struct wg_ip_packet {
	int family;         /* AF_INET or AF_INET6 */
	const uint8_t *src; /* 4 or 16 bytes, network order */
	const uint8_t *dst;
	size_t total_len;   /* from the header: anything after it is padding */
};

/* False unless the buffer starts with an IPv4 or IPv6 header whose stated length fits in it. */
static inline bool wg_ip_packet_parse(struct wg_ip_packet *ip, const uint8_t *packet, size_t len)
{
	if (len >= 20 && packet[0] >> 4 == 4) {
		ip->family = AF_INET;
		ip->src = packet + 12;
		ip->dst = packet + 16;
		ip->total_len = wg_be16_get(packet + 2);
		return ip->total_len >= (size_t)(packet[0] & 0x0f) * 4 && (packet[0] & 0x0f) >= 5 &&
		       ip->total_len <= len;
	}
	if (len >= 40 && packet[0] >> 4 == 6) {
		ip->family = AF_INET6;
		ip->src = packet + 8;
		ip->dst = packet + 24;
		ip->total_len = 40 + (size_t)wg_be16_get(packet + 4);
		return ip->total_len <= len;
	}
	return false;
}

#endif
