/*
 * The tunnel's packets into the core: read from the TUN device (super-packets cut into
 * segments straight into the UDP transport's send queue, each encrypted where it will be sent
 * from), or handed in by a program without a TUN.
 */
#include "libwgc/egress.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "libwgc/engine.h"
#include "libwgc/obfuscation.h"
#include "libwgc/offload/segment.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

enum { TUN_PACKETS_PER_ROUND = 64 };

/* A super-packet is cut one piece at a time into the space the UDP transport reserves, so that
 * queueing the encrypted piece copies nothing (a piece routed to a peer on another transport
 * is copied by that one). A plain packet is encrypted where it was read. */
static void send_from_tun(struct wgl_engine *engine, const struct virtio_net_hdr *vnet, uint8_t *packet,
			  size_t len)
{
	struct wgl_transport *udp = engine->transports[WG_TRANSPORT_UDP];
	bool plain = vnet->gso_type == VIRTIO_NET_HDR_GSO_NONE;
	struct wgl_segmenter seg;
	uint8_t *out;
	size_t n;

	/* Headers that do not match the packet: dropped and counted, like any malformed packet. */
	if (plain ? wgl_checksum_finish(vnet, packet, len) : wgl_segmenter_init(&seg, vnet, packet, len)) {
		++engine->stats.tx_malformed;
		return;
	}
	if (plain) {
		wg_device_send(&engine->device, packet, len);
		return;
	}
	for (;;) {
		/* An obfuscated data message's prefix goes in front of its header, in place too. */
		size_t lead = wgl_obfuscation_data_prefix(&engine->device.wire);

		out = udp->ops->reserve(udp, lead + WG_PACKET_HEADROOM + seg.header_len + seg.gso_size +
						     WG_PACKET_TAILROOM) + lead;
		n = wgl_segmenter_next(&seg, out);
		if (!n)
			break;
		wg_device_send(&engine->device, out, n);
	}
}

static void on_tun(struct wgl_watch *watch, uint32_t events)
{
	struct wgl_engine *engine = container_of(watch, struct wgl_engine, tun_watch);
	uint8_t *packet = engine->tun_buffer + WG_PACKET_HEADROOM;
	struct virtio_net_hdr vnet;

	for (int i = 0; i < TUN_PACKETS_PER_ROUND && !(events & EPOLLERR); ++i) {
		ssize_t n = wgl_tun_read(&engine->tun, &vnet, packet, WGL_TUN_PACKET_MAX);

		if (n == -EAGAIN || n == -EINTR)
			return;
		if (n < 0) {
			events |= EPOLLERR;
			break;
		}
		send_from_tun(engine, &vnet, packet, (size_t)n);
	}
	/* A detached TUN descriptor polls as an error: the interface was deleted. */
	if (events & EPOLLERR)
		wgl_engine_tun_gone(engine);
}

int wgl_egress_watch_tun(struct wgl_engine *engine)
{
	return wgl_engine_watch(engine, &engine->tun_watch, engine->tun.fd, EPOLLIN, on_tun);
}

int wgl_engine_send_packet(struct wgl_engine *engine, const uint8_t *packet, size_t len)
{
	if (engine->tunnel != WGL_TUNNEL_NONE)
		return -EOPNOTSUPP;
	if (!packet || !len || len > WGL_TUN_PACKET_MAX)
		return -EINVAL;
	/* Copied into room for the core to encrypt in place; sent at the caller's settle. */
	memcpy(engine->tun_buffer + WG_PACKET_HEADROOM, packet, len);
	return wg_device_send(&engine->device, engine->tun_buffer + WG_PACKET_HEADROOM, len);
}
