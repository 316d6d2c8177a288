/*
 * UDP behind the transport seam: the sockets of udp.c, their watches, the send queue of
 * txqueue.c with its GSO runs, and the receive buffers that recvmmsg fills.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "libwgc/engine.h"
#include "libwgc/txqueue.h"
#include "libwgc/udp.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

struct udp_transport {
	struct wgl_transport base;
	struct wgl_udp udp;
	struct wgl_watch watch4, watch6;
	bool watched;
	struct wgl_txqueue *txqueue;    /* datagrams out, sent at the engine's flush after each event */
	/* WGL_UDP_BATCH datagrams of WGL_DATAGRAM_MAX bytes. Their data is decrypted in place and
	 * queued for the tunnel by reference: the engine flushes after each event, before this
	 * transport receives into them again. */
	uint8_t *buffers;
};

static struct udp_transport *of(struct wgl_transport *t)
{
	return container_of(t, struct udp_transport, base);
}

static void receive(struct udp_transport *t, int fd)
{
	struct wgl_datagram batch[WGL_UDP_BATCH];
	int n;

	for (unsigned i = 0; i < WGL_UDP_BATCH; ++i)
		batch[i].data = t->buffers + (size_t)i * WGL_DATAGRAM_MAX;
	n = wgl_udp_receive(fd, batch, WGL_UDP_BATCH);
	if (n > 0)
		wgl_ingress_batch(t->base.engine, batch, n);
}

static void on_udp4(struct wgl_watch *watch, uint32_t events)
{
	(void)events;
	receive(container_of(watch, struct udp_transport, watch4), watch->fd);
}

static void on_udp6(struct wgl_watch *watch, uint32_t events)
{
	(void)events;
	receive(container_of(watch, struct udp_transport, watch6), watch->fd);
}

static void udp_close(struct wgl_transport *base)
{
	struct udp_transport *t = of(base);

	if (t->txqueue)
		base->engine->stats.tx_send_errors += wgl_txqueue_flush(t->txqueue, &t->udp);
	/* Closing a descriptor takes it out of the epoll set. */
	wgl_udp_close(&t->udp);
	free(t->txqueue);
	free(t->buffers);
	free(t);
}

static int udp_open(struct wgl_engine *engine, uint16_t port, uint32_t fwmark, struct wgl_transport **out)
{
	struct udp_transport *t = calloc(1, sizeof(*t));
	int ret;

	if (!t)
		return -ENOMEM;
	t->base = (struct wgl_transport){ .ops = &wgl_udp_transport, .engine = engine };
	t->udp.fd4 = t->udp.fd6 = -1;
	t->txqueue = calloc(1, sizeof(*t->txqueue));
	t->buffers = malloc((size_t)WGL_UDP_BATCH * WGL_DATAGRAM_MAX);
	ret = t->txqueue && t->buffers ? wgl_udp_open(&t->udp, port, fwmark) : -ENOMEM;
	if (ret) {
		udp_close(&t->base);
		return ret;
	}
	*out = &t->base;
	return 0;
}

static int udp_watch(struct wgl_transport *base)
{
	struct udp_transport *t = of(base);
	int ret = 0;

	if (t->udp.fd4 >= 0)
		ret = wgl_engine_watch(base->engine, &t->watch4, t->udp.fd4, EPOLLIN, on_udp4);
	if (!ret && t->udp.fd6 >= 0)
		ret = wgl_engine_watch(base->engine, &t->watch6, t->udp.fd6, EPOLLIN, on_udp6);
	if (ret && t->udp.fd4 >= 0)
		wgl_watch_remove(base->engine->epoll_fd, &t->watch4);
	t->watched = !ret;
	return ret;
}

static void udp_unwatch(struct wgl_transport *base)
{
	struct udp_transport *t = of(base);

	if (t->watched && t->udp.fd4 >= 0)
		wgl_watch_remove(base->engine->epoll_fd, &t->watch4);
	if (t->watched && t->udp.fd6 >= 0)
		wgl_watch_remove(base->engine->epoll_fd, &t->watch6);
	t->watched = false;
}

static int udp_set_fwmark(struct wgl_transport *base, uint32_t fwmark)
{
	return wgl_udp_set_fwmark(&of(base)->udp, fwmark);
}

static uint16_t udp_port(const struct wgl_transport *base)
{
	return container_of(base, const struct udp_transport, base)->udp.port;
}

static uint8_t *udp_reserve(struct wgl_transport *base, size_t room)
{
	struct udp_transport *t = of(base);

	return wgl_txqueue_reserve(t->txqueue, &t->udp, room, &base->engine->stats.tx_send_errors);
}

static int udp_queue(struct wgl_transport *base, struct wg_peer *peer, const struct wg_endpoint *to,
		     const uint8_t *prefix, size_t prefix_len, const uint8_t *msg, size_t len)
{
	struct udp_transport *t = of(base);

	base->engine->stats.tx_send_errors += wgl_txqueue_add(t->txqueue, &t->udp, peer, to, prefix, prefix_len,
							      msg, len);
	return 0;
}

static void udp_flush(struct wgl_transport *base)
{
	struct udp_transport *t = of(base);

	base->engine->stats.tx_send_errors += wgl_txqueue_flush(t->txqueue, &t->udp);
}

const struct wgl_transport_ops wgl_udp_transport = {
	.kind = WG_TRANSPORT_UDP,
	.open = udp_open,
	.watch = udp_watch,
	.unwatch = udp_unwatch,
	.close = udp_close,
	.set_fwmark = udp_set_fwmark,
	.port = udp_port,
	.reserve = udp_reserve,
	.queue = udp_queue,
	.flush = udp_flush,
};
