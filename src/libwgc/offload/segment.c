#include "libwgc/offload/segment.h"

#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "core/messages.h"
#include "libwgc/offload/checksum.h"
#include "libwgc/offload/inner.h"

/* The IP header: its length and its protocol; -EINVAL for anything this path does not cut. */
static int parse_ip(struct wgl_segmenter *seg)
{
	const uint8_t *p = seg->packet;

	if (seg->len >= WGL_IPV4_HEADER_MIN && p[0] >> 4 == 4) {
		seg->family = AF_INET;
		seg->l3_len = (size_t)(p[0] & 0x0f) * 4;
		seg->proto = p[9];
		return seg->l3_len >= WGL_IPV4_HEADER_MIN ? 0 : -EINVAL;
	}
	if (seg->len >= WGL_IPV6_HEADER && p[0] >> 4 == 6) {
		seg->family = AF_INET6;
		seg->l3_len = WGL_IPV6_HEADER;
		seg->proto = p[6];
		return 0;
	}
	return -EINVAL;
}

static int expected_family(uint8_t gso_type)
{
	switch (gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return AF_INET;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return AF_INET6;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return AF_UNSPEC;
	default:
		return -1;
	}
}

int wgl_segmenter_init(struct wgl_segmenter *seg, const struct virtio_net_hdr *vnet, const uint8_t *packet,
			size_t len)
{
	int family = expected_family(vnet->gso_type);
	uint8_t proto = family == AF_UNSPEC ? IPPROTO_UDP : IPPROTO_TCP;

	*seg = (struct wgl_segmenter){ .packet = packet, .len = len, .gso_size = vnet->gso_size };
	if (family < 0 || parse_ip(seg) || seg->proto != proto || (family && family != seg->family))
		return -EINVAL;
	if (proto == IPPROTO_UDP)
		seg->header_len = seg->l3_len + WGL_UDP_HEADER;
	else if (seg->len >= seg->l3_len + WGL_TCP_HEADER_MIN)
		seg->header_len = seg->l3_len + (size_t)(packet[seg->l3_len + 12] >> 4) * 4;
	if (seg->header_len < seg->l3_len + (proto == IPPROTO_UDP ? WGL_UDP_HEADER : WGL_TCP_HEADER_MIN) ||
	    seg->header_len > len || !seg->gso_size || seg->header_len + seg->gso_size > WGL_IP_MAX_PACKET)
		return -EINVAL;
	seg->offset = seg->header_len;
	return 0;
}

/* A computed UDP checksum of zero is sent as all ones: zero means "none" in IPv4. */
static void store_checksum(uint8_t *field, uint64_t sum, bool is_udp)
{
	if (is_udp && wgl_csum_fold(sum) == 0xffff)
		sum = 0;
	wgl_csum_store(field, sum);
}

static void fix_ip_header(const struct wgl_segmenter *seg, uint8_t *out, size_t total)
{
	if (seg->family == AF_INET) {
		wg_be16_put(out + 2, (uint16_t)total);
		wg_be16_put(out + 4, (uint16_t)(wg_be16_get(seg->packet + 4) + seg->index));
		wgl_csum_set_ipv4(out, seg->l3_len);
	} else {
		wg_be16_put(out + 4, (uint16_t)(total - WGL_IPV6_HEADER));
	}
}

/* payload_sum: the sum of the payload behind the header, which starts at an even offset. */
static void fix_transport_header(const struct wgl_segmenter *seg, uint8_t *out, size_t total, bool last,
				 uint64_t payload_sum)
{
	uint8_t *l4 = out + seg->l3_len;
	size_t l4_len = total - seg->l3_len;
	uint8_t *check = l4 + (seg->proto == IPPROTO_TCP ? WGL_TCP_CHECK : WGL_UDP_CHECK);
	uint64_t sum;

	if (seg->proto == IPPROTO_TCP) {
		wg_be32_put(l4 + WGL_TCP_SEQ, wg_be32_get(seg->packet + seg->l3_len + WGL_TCP_SEQ) +
						  (uint32_t)(seg->offset - seg->header_len));
		/* As the kernel cuts: FIN and PSH end the burst, CWR starts it. */
		if (!last)
			l4[WGL_TCP_FLAGS] &= (uint8_t)~(WGL_TCP_FIN | WGL_TCP_PSH);
		if (seg->index)
			l4[WGL_TCP_FLAGS] &= (uint8_t)~WGL_TCP_CWR;
	} else {
		wg_be16_put(l4 + WGL_UDP_LEN, (uint16_t)l4_len);
	}
	memset(check, 0, 2);
	sum = wgl_csum_add(wgl_csum_pseudo(out, seg->proto, l4_len), l4, seg->header_len - seg->l3_len);
	store_checksum(check, wgl_csum_join(sum, payload_sum), seg->proto == IPPROTO_UDP);
}

size_t wgl_segmenter_next(struct wgl_segmenter *seg, uint8_t *out)
{
	size_t remaining = seg->len - seg->offset, chunk = remaining < seg->gso_size ? remaining : seg->gso_size;
	size_t total = seg->header_len + chunk;
	uint64_t payload_sum;

	/* A super-packet of headers alone still goes out once. */
	if (seg->index && !remaining)
		return 0;
	memcpy(out, seg->packet, seg->header_len);
	payload_sum = wgl_csum_copy(out + seg->header_len, seg->packet + seg->offset, chunk);
	fix_ip_header(seg, out, total);
	fix_transport_header(seg, out, total, chunk == remaining, payload_sum);
	seg->offset += chunk;
	++seg->index;
	return total;
}

int wgl_checksum_finish(const struct virtio_net_hdr *vnet, uint8_t *packet, size_t len)
{
	size_t start = vnet->csum_start, field = start + vnet->csum_offset;

	if (!(vnet->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	if (start >= len || field + 2 > len)
		return -EINVAL;
	/* The field holds the pseudo-header sum already: summing over it completes the checksum. */
	store_checksum(packet + field, wgl_csum_add(0, packet + start, len - start), vnet->csum_offset == WGL_UDP_CHECK);
	return 0;
}
