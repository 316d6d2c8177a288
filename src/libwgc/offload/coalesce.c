#include "libwgc/offload/coalesce.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "core/messages.h"
#include "libwgc/offload/checksum.h"
#include "libwgc/offload/inner.h"
#include "libwgc/offload/vnet.h"

/* What a packet must look like to join a run: no IP options or fragments, no extension
 * headers, a TCP segment carrying data with nothing but ACK (and PSH, which ends the run),
 * or a UDP datagram. Anything else is written alone. */
struct shape {
	int family;
	uint8_t proto;
	size_t l3_len, header_len, payload;
	bool ends_run;
};

static bool parse_ip(const uint8_t *p, size_t len, struct shape *s)
{
	if (len >= WGL_IPV4_HEADER_MIN && p[0] == 0x45) {
		s->family = AF_INET;
		s->l3_len = WGL_IPV4_HEADER_MIN;
		s->proto = p[9];
		return wg_be16_get(p + 2) == len && !(wg_be16_get(p + 6) & 0x3fff);
	}
	if (len >= WGL_IPV6_HEADER && p[0] >> 4 == 6) {
		s->family = AF_INET6;
		s->l3_len = WGL_IPV6_HEADER;
		s->proto = p[6];
		return wg_be16_get(p + 4) + (size_t)WGL_IPV6_HEADER == len;
	}
	return false;
}

static bool parse_transport(const uint8_t *p, size_t len, struct shape *s, bool udp)
{
	const uint8_t *l4 = p + s->l3_len;

	if (s->proto == IPPROTO_TCP && len >= s->l3_len + WGL_TCP_HEADER_MIN) {
		s->header_len = s->l3_len + (size_t)(l4[12] >> 4) * 4;
		s->ends_run = l4[WGL_TCP_FLAGS] & WGL_TCP_PSH;
		return s->header_len >= s->l3_len + WGL_TCP_HEADER_MIN && s->header_len < len &&
		       (l4[WGL_TCP_FLAGS] & ~WGL_TCP_PSH) == WGL_TCP_ACK;
	}
	if (s->proto == IPPROTO_UDP && udp && len > s->l3_len + WGL_UDP_HEADER) {
		s->header_len = s->l3_len + WGL_UDP_HEADER;
		return wg_be16_get(l4 + WGL_UDP_LEN) == len - s->l3_len;
	}
	return false;
}

static bool parse_shape(const uint8_t *p, size_t len, struct shape *s, bool udp)
{
	*s = (struct shape){ 0 };
	if (!parse_ip(p, len, s) || !parse_transport(p, len, s, udp))
		return false;
	s->payload = len - s->header_len;
	return true;
}

/* Addresses and ports. */
static bool same_flow(const struct wgl_coalesce_run *run, const uint8_t *head, const uint8_t *p,
		      const struct shape *s)
{
	size_t addrs = s->family == AF_INET ? 12 : 8, addr_len = s->family == AF_INET ? 8 : 32;

	return run->family == s->family && run->proto == s->proto && !memcmp(head + addrs, p + addrs, addr_len) &&
	       !memcmp(head + s->l3_len, p + s->l3_len, 4);
}

/* Every header field the kernel's GRO requires equal, so the run means what its packets meant:
 * IPv4 TOS, DF and TTL; IPv6 class, flow label and hop limit; TCP acknowledgement, data offset,
 * window and options. Lengths, IDs, checksums, sequence numbers and PSH may differ. */
static bool same_headers(const uint8_t *head, const uint8_t *p, const struct shape *s)
{
	const uint8_t *h4 = head + s->l3_len, *p4 = p + s->l3_len;

	if (s->family == AF_INET && (head[1] != p[1] || (head[6] & 0x40) != (p[6] & 0x40) || head[8] != p[8]))
		return false;
	if (s->family == AF_INET6 && (memcmp(head, p, 4) || head[7] != p[7]))
		return false;
	if (s->proto != IPPROTO_TCP)
		return true;
	return !memcmp(h4 + 8, p4 + 8, 5) && (h4[WGL_TCP_FLAGS] & ~WGL_TCP_PSH) == (p4[WGL_TCP_FLAGS] & ~WGL_TCP_PSH) &&
	       !memcmp(h4 + 14, p4 + 14, 2) &&
	       !memcmp(h4 + WGL_TCP_HEADER_MIN, p4 + WGL_TCP_HEADER_MIN, s->header_len - s->l3_len - WGL_TCP_HEADER_MIN);
}

static bool can_join(const struct wgl_coalescer *c, const struct wgl_coalesce_run *run, const uint8_t *p,
		     const struct shape *s)
{
	const uint8_t *head = c->item[run->head].data;

	if (!run->open || run->header_len != s->header_len || s->payload > run->gso_size ||
	    run->count >= WGL_COALESCE_SEGMENTS || run->total + s->payload > WGL_IP_MAX_PACKET)
		return false;
	if (s->proto == IPPROTO_TCP && wg_be32_get(p + s->l3_len + WGL_TCP_SEQ) != run->next_seq)
		return false;
	return same_headers(head, p, s);
}

static void close_run(struct wgl_coalescer *c, unsigned slot)
{
	c->run[c->open[slot]].open = false;
	c->open[slot] = c->open[--c->open_count];
}

static void extend(struct wgl_coalescer *c, struct wgl_coalesce_run *run, unsigned index, const struct shape *s)
{
	c->item[run->tail].next = index;
	run->tail = index;
	++run->count;
	run->total += s->payload;
	run->next_seq += (uint32_t)s->payload;
	/* A shorter segment or a PSH can only be the last. */
	if (s->payload < run->gso_size || s->ends_run)
		run->open = false;
}

/* Joins an open run of the packet's flow if it can; a run of the same flow it cannot join is
 * closed, so nothing later of that flow is ever written before it. */
static bool join_open_run(struct wgl_coalescer *c, unsigned index, const struct shape *s)
{
	const uint8_t *p = c->item[index].data;

	for (unsigned slot = 0; slot < c->open_count; ++slot) {
		struct wgl_coalesce_run *run = &c->run[c->open[slot]];

		if (!same_flow(run, c->item[run->head].data, p, s))
			continue;
		if (can_join(c, run, p, s)) {
			extend(c, run, index, s);
			if (!run->open)
				close_run(c, slot);
			return true;
		}
		close_run(c, slot);
		return false;
	}
	return false;
}

static void start_run(struct wgl_coalescer *c, unsigned index, const struct shape *s, bool joinable)
{
	struct wgl_coalesce_run *run = &c->run[c->runs];
	const uint8_t *p = c->item[index].data;

	*run = (struct wgl_coalesce_run){ .head = index, .tail = index, .count = 1,
					   .total = c->item[index].len, .family = s->family, .proto = s->proto };
	if (joinable && !s->ends_run) {
		run->open = true;
		run->header_len = s->header_len;
		run->gso_size = s->payload;
		if (s->proto == IPPROTO_TCP)
			run->next_seq = wg_be32_get(p + s->l3_len + WGL_TCP_SEQ) + (uint32_t)s->payload;
		/* Too many flows at once: one of them stops growing to make room. */
		if (c->open_count == WGL_COALESCE_OPEN_FLOWS)
			close_run(c, 0);
		c->open[c->open_count++] = c->runs;
	}
	++c->runs;
}

bool wgl_coalescer_add(struct wgl_coalescer *c, uint8_t *packet, size_t len)
{
	struct shape s = { 0 };
	bool joinable;

	if (c->items == WGL_COALESCE_PACKETS)
		return false;
	c->item[c->items] = (struct wgl_coalesce_item){ .data = packet, .len = len };
	joinable = !c->alone && parse_shape(packet, len, &s, c->udp);
	if (!joinable || !join_open_run(c, c->items, &s))
		start_run(c, c->items, &s, joinable);
	++c->items;
	return true;
}

/* The run's first packet becomes the GSO packet's header: whole lengths, and the transport
 * checksum left partial (the pseudo-header sum) for the kernel, which knows the payload is
 * authentic: the AEAD that delivered it is a stronger check than any checksum. */
static struct virtio_net_hdr finish_run(const struct wgl_coalescer *c, const struct wgl_coalesce_run *run)
{
	uint8_t *head = c->item[run->head].data;
	size_t l3_len = run->family == AF_INET ? WGL_IPV4_HEADER_MIN : WGL_IPV6_HEADER, l4_len = run->total - l3_len;
	bool tcp = run->proto == IPPROTO_TCP;
	uint16_t partial = wgl_csum_fold(wgl_csum_pseudo(head, run->proto, l4_len));

	if (run->family == AF_INET) {
		wg_be16_put(head + 2, (uint16_t)run->total);
		wgl_csum_set_ipv4(head, WGL_IPV4_HEADER_MIN);
	} else {
		wg_be16_put(head + 4, (uint16_t)l4_len);
	}
	if (tcp)
		head[l3_len + WGL_TCP_FLAGS] |= c->item[run->tail].data[l3_len + WGL_TCP_FLAGS] & WGL_TCP_PSH;
	else
		wg_be16_put(head + l3_len + WGL_UDP_LEN, (uint16_t)l4_len);
	memcpy(head + l3_len + (tcp ? WGL_TCP_CHECK : WGL_UDP_CHECK), &partial, 2);
	return (struct virtio_net_hdr){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = !tcp ? VIRTIO_NET_HDR_GSO_UDP_L4
			    : run->family == AF_INET ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6,
		.hdr_len = (uint16_t)run->header_len, .gso_size = (uint16_t)run->gso_size,
		.csum_start = (uint16_t)l3_len, .csum_offset = tcp ? WGL_TCP_CHECK : WGL_UDP_CHECK,
	};
}

static int write_run(const struct wgl_coalescer *c, const struct wgl_coalesce_run *run,
		     wgl_coalesce_write_fn write, void *ctx)
{
	struct virtio_net_hdr vnet = { 0 };
	struct iovec iov[WGL_COALESCE_SEGMENTS + 1];
	const struct wgl_coalesce_item *item = &c->item[run->head];
	int n = 0;

	if (run->count > 1)
		vnet = finish_run(c, run);
	iov[n++] = (struct iovec){ &vnet, sizeof(vnet) };
	iov[n++] = (struct iovec){ item->data, item->len };
	for (unsigned i = 1; i < run->count; ++i) {
		item = &c->item[item->next];
		iov[n++] = (struct iovec){ item->data + run->header_len, item->len - run->header_len };
	}
	return write(ctx, iov, n);
}

unsigned wgl_coalescer_flush(struct wgl_coalescer *c, wgl_coalesce_write_fn write, void *ctx)
{
	unsigned failed = 0;

	for (unsigned i = 0; i < c->runs; ++i)
		failed += write_run(c, &c->run[i], write, ctx) != 0;
	c->items = c->runs = c->open_count = 0;
	return failed;
}
