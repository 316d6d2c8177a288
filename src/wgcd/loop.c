/*
 * The event loop: one epoll set, level-triggered. Each readable descriptor is drained a batch at
 * a time so that no source (a flood on the UDP socket, a busy tunnel) starves the others, and
 * the timer is re-armed from the core's next deadline after every round.
 */
#include "wgcd/daemon.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "core/messages.h"
#include "wgcd/segment.h"
#include "wgcd/env.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

enum { TUN_PACKETS_PER_ROUND = 64, EVENTS_PER_WAIT = 32, DH_COMMITS_PER_ROUND = 256 };

void wgcd_stop(struct wgcd *daemon, const char *reason)
{
	if (!daemon->stopping)
		wgcd_log_info(&daemon->log, "stopping: %s", reason);
	daemon->stopping = true;
	daemon->stop_reason = reason;
}

/* A super-packet is cut straight into the send queue, one piece at a time, and each piece is
 * encrypted where it will be sent from. A plain packet is encrypted where it was read. */
static void send_from_tun(struct wgcd *daemon, const struct virtio_net_hdr *vnet, uint8_t *packet, size_t len)
{
	bool plain = vnet->gso_type == VIRTIO_NET_HDR_GSO_NONE;
	struct wgcd_segmenter seg;
	uint8_t *out;
	size_t n;

	/* Headers that do not match the packet: dropped and counted, like any malformed packet. */
	if (plain ? wgcd_checksum_finish(vnet, packet, len) : wgcd_segmenter_init(&seg, vnet, packet, len)) {
		++daemon->device.stats.tx_malformed;
		return;
	}
	if (plain) {
		wg_device_send(&daemon->device, packet, len);
		return;
	}
	for (;;) {
		out = wgcd_txqueue_reserve(daemon->txqueue, &daemon->udp,
					   WG_PACKET_HEADROOM + seg.header_len + seg.gso_size + WG_PACKET_TAILROOM,
					   &daemon->device.stats.tx_send_errors);
		n = wgcd_segmenter_next(&seg, out);
		if (!n)
			break;
		wg_device_send(&daemon->device, out, n);
	}
}

static void on_tun(struct wgcd_watch *watch, uint32_t events)
{
	struct wgcd *daemon = container_of(watch, struct wgcd, tun_watch);
	uint8_t *packet = daemon->tun_buffer + WG_PACKET_HEADROOM;
	struct virtio_net_hdr vnet;

	for (int i = 0; i < TUN_PACKETS_PER_ROUND && !(events & EPOLLERR); ++i) {
		ssize_t n = wgcd_tun_read(&daemon->tun, &vnet, packet, WGCD_TUN_PACKET_MAX);

		if (n == -EAGAIN || n == -EINTR)
			return;
		if (n < 0) {
			events |= EPOLLERR;
			break;
		}
		send_from_tun(daemon, &vnet, packet, (size_t)n);
	}
	/* A detached TUN descriptor polls as an error: the interface was deleted. */
	if (events & EPOLLERR)
		wgcd_stop(daemon, "its TUN device was removed");
}

static bool is_handshake(const uint8_t *msg, size_t len)
{
	return len >= 4 && (msg[0] == WG_MESSAGE_HANDSHAKE_INITIATION || msg[0] == WG_MESSAGE_HANDSHAKE_RESPONSE) &&
	       !msg[1] && !msg[2] && !msg[3];
}

static unsigned handshake_backlog(struct wgcd *daemon)
{
	return daemon->handshakes->count + (daemon->dh_workers ? wgcd_dh_workers_backlog(daemon->dh_workers) : 0);
}

/* Initiations to the workers when they run; responses, and everything when they do not, to
 * the loop's own queue. */
static bool queue_handshake(struct wgcd *daemon, const uint8_t *msg, size_t len, const struct wg_endpoint *from)
{
	if (daemon->dh_workers && msg[0] == WG_MESSAGE_HANDSHAKE_INITIATION)
		return wgcd_dh_workers_push(daemon->dh_workers, msg, len, from, &daemon->device.static_identity);
	return wgcd_handshake_push(daemon->handshakes, msg, len, from);
}

/* A handshake is admitted (macs, or a cookie reply under load) at once and queued for its
 * Diffie-Hellman; the queues' length is the backlog that decides "under load". */
static void receive_message(struct wgcd *daemon, uint8_t *msg, size_t len, const struct wg_endpoint *from)
{
	if (!is_handshake(msg, len)) {
		wg_device_receive(&daemon->device, msg, len, from);
		return;
	}
	wg_device_handshake_backlog(&daemon->device, handshake_backlog(daemon));
	if (!wg_device_admit_handshake(&daemon->device, msg, len, from) && !queue_handshake(daemon, msg, len, from))
		++daemon->device.stats.rx_handshake_overflow;
}

static void receive_batch(struct wgcd *daemon, struct wgcd_datagram *batch, int count)
{
	for (int i = 0; i < count; ++i)
		for (size_t off = 0, len; off < batch[i].len; off += len) {
			len = wgcd_datagram_part(&batch[i], off);
			receive_message(daemon, batch[i].data + off, len, &batch[i].from);
		}
}

/* A few queued handshakes per round of the loop, so that data keeps flowing during a flood. */
static void process_handshakes(struct wgcd *daemon)
{
	const struct wgcd_handshake *h;

	for (int i = 0; i < WGCD_HANDSHAKES_PER_ROUND && (h = wgcd_handshake_pop(daemon->handshakes)); ++i)
		wg_device_receive_admitted(&daemon->device, h->msg, h->len, &h->from);
}

/* Finished steps in the order they were queued, on this thread: after es, the peer's checks,
 * and only what passes goes back for the response's Diffie-Hellman; after that, the
 * handshake's state and the response. Up to a bound per round; the rest wake the next one. */
static void on_dh_done(struct wgcd_watch *watch, uint32_t events)
{
	struct wgcd *daemon = container_of(watch, struct wgcd, dh_watch);
	struct wgcd_dh_workers *workers = daemon->dh_workers;
	struct wgcd_dh_job *job;

	(void)events;
	wgcd_dh_workers_clear_event(workers);
	for (int i = 0; (job = wgcd_dh_workers_done(workers)); ++i) {
		const uint8_t *msg = (const uint8_t *)&job->msg;

		if (i == DH_COMMITS_PER_ROUND) {
			wgcd_dh_workers_notify(workers);
			return;
		}
		if (job->step == WGCD_DH_REVEAL) {
			if (!wg_device_check_precomputed(&daemon->device, msg, sizeof(job->msg), &job->dh)) {
				if (!wgcd_dh_workers_continue(workers, job))
					++daemon->device.stats.rx_handshake_overflow;
				continue;
			}
		} else {
			wg_device_receive_precomputed(&daemon->device, msg, sizeof(job->msg), &job->from, &job->dh);
		}
		wgcd_dh_workers_release(workers, job);
	}
}

/* The CPUs this process may run on (its affinity, e.g. from taskset or a cpuset). */
static unsigned usable_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	return 1;
}

/* One worker per usable CPU; without them (they could not start) the loop does the
 * Diffie-Hellman itself, a few per round. */
static void start_dh_workers(struct wgcd *daemon)
{
	int ret = -ENOMEM;

	daemon->dh_workers = calloc(1, sizeof(*daemon->dh_workers));
	if (daemon->dh_workers)
		ret = wgcd_dh_workers_start(daemon->dh_workers, usable_cpus(), &daemon->device.env);
	if (!ret)
		ret = wgcd_watch_add(daemon->epoll_fd, &daemon->dh_watch, daemon->dh_workers->event_fd, EPOLLIN,
				     on_dh_done);
	if (!ret)
		return;
	if (daemon->dh_workers && daemon->dh_workers->event_fd >= 0)
		wgcd_dh_workers_stop(daemon->dh_workers);
	free(daemon->dh_workers);
	daemon->dh_workers = NULL;
	wgcd_log_error(&daemon->log, "handshakes stay on the main thread: no worker threads (%s)", strerror(-ret));
}

static void receive_udp(struct wgcd *daemon, int fd)
{
	struct wgcd_datagram batch[WGCD_UDP_BATCH];
	int n;

	for (unsigned i = 0; i < WGCD_UDP_BATCH; ++i)
		batch[i].data = daemon->udp_buffers + (size_t)i * WGCD_DATAGRAM_MAX;
	n = wgcd_udp_receive(fd, batch, WGCD_UDP_BATCH);
	if (n > 0)
		receive_batch(daemon, batch, n);
}

static void on_udp4(struct wgcd_watch *watch, uint32_t events)
{
	(void)events;
	receive_udp(container_of(watch, struct wgcd, udp4_watch), watch->fd);
}

static void on_udp6(struct wgcd_watch *watch, uint32_t events)
{
	(void)events;
	receive_udp(container_of(watch, struct wgcd, udp6_watch), watch->fd);
}

static void on_timer(struct wgcd_watch *watch, uint32_t events)
{
	struct wgcd *daemon = container_of(watch, struct wgcd, timer_watch);
	uint64_t expirations;

	(void)events;
	if (read(watch->fd, &expirations, sizeof(expirations)) < 0 && errno == EAGAIN)
		return;
	daemon->armed_deadline = UINT64_MAX;
	wg_device_run_timers(&daemon->device);
}

static void on_link(struct wgcd_watch *watch, uint32_t events)
{
	struct wgcd *daemon = container_of(watch, struct wgcd, link_watch);
	unsigned changes = wgcd_link_read(&daemon->link);

	(void)events;
	if (changes & WGCD_LINK_GONE) {
		wgcd_stop(daemon, "its TUN device was removed");
		return;
	}
	if (changes & WGCD_LINK_MTU_CHANGED)
		daemon->device.mtu = daemon->link.mtu;
	if (changes & WGCD_LINK_UP_CHANGED) {
		wgcd_log_info(&daemon->log, "interface %s", daemon->link.up ? "up" : "down");
		if (daemon->link.up)
			wg_device_up(&daemon->device);
		else
			wg_device_down(&daemon->device);
	}
}

static void on_signal(struct wgcd_watch *watch, uint32_t events)
{
	struct wgcd *daemon = container_of(watch, struct wgcd, signal_watch);
	struct signalfd_siginfo info;

	(void)events;
	if (read(watch->fd, &info, sizeof(info)) == sizeof(info))
		wgcd_stop(daemon, strsignal((int)info.ssi_signo));
}

int wgcd_watch_udp(struct wgcd *daemon)
{
	int ret = 0;

	if (daemon->udp.fd4 >= 0)
		ret = wgcd_watch_add(daemon->epoll_fd, &daemon->udp4_watch, daemon->udp.fd4, EPOLLIN, on_udp4);
	if (!ret && daemon->udp.fd6 >= 0)
		ret = wgcd_watch_add(daemon->epoll_fd, &daemon->udp6_watch, daemon->udp.fd6, EPOLLIN, on_udp6);
	return ret;
}

int wgcd_watch_all(struct wgcd *daemon)
{
	int ep = daemon->epoll_fd;
	int ret = wgcd_watch_add(ep, &daemon->tun_watch, daemon->tun.fd, EPOLLIN, on_tun);

	if (!ret)
		ret = wgcd_watch_add(ep, &daemon->link_watch, daemon->link.fd, EPOLLIN, on_link);
	if (!ret)
		ret = wgcd_watch_add(ep, &daemon->timer_watch, daemon->timer_watch.fd, EPOLLIN, on_timer);
	if (!ret)
		ret = wgcd_watch_udp(daemon);
	return ret;
}

/* Absolute monotonic time, the clock the core's deadlines are on. A zero it_value would
 * disarm the timer, so a deadline already due is set to the earliest representable time. */
static void arm_timer(struct wgcd *daemon)
{
	uint64_t deadline = wg_device_next_deadline(&daemon->device);
	struct itimerspec spec = { 0 };

	if (deadline == daemon->armed_deadline)
		return;
	if (deadline != UINT64_MAX) {
		spec.it_value.tv_sec = (time_t)(deadline / 1000000000u);
		spec.it_value.tv_nsec = (long)(deadline % 1000000000u);
		if (!spec.it_value.tv_sec && !spec.it_value.tv_nsec)
			spec.it_value.tv_nsec = 1;
	}
	if (timerfd_settime(daemon->timer_watch.fd, TFD_TIMER_ABSTIME, &spec, NULL) == 0)
		daemon->armed_deadline = deadline;
}

int wgcd_run(struct wgcd *daemon)
{
	struct epoll_event events[EVENTS_PER_WAIT];
	/* Registered here, not at open: a signalfd wakes epoll through the signal queue of the
	 * process that registered it, and the one that opened the device may have forked away. */
	int ret = wgcd_watch_add(daemon->epoll_fd, &daemon->signal_watch, daemon->signal_watch.fd, EPOLLIN,
				 on_signal);

	if (ret)
		return ret;
	/* Threads here, after any fork. */
	start_dh_workers(daemon);

	while (!daemon->stopping) {
		int n;

		/* No event of this round's batch names a closed connection any more. */
		wgcd_uapi_collect(&daemon->uapi);
		arm_timer(daemon);
		/* Queued handshakes are work too: look for events, but do not wait for them. */
		n = epoll_wait(daemon->epoll_fd, events, EVENTS_PER_WAIT, daemon->handshakes->count ? 0 : -1);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n && !daemon->stopping; ++i) {
			struct wgcd_watch *watch = events[i].data.ptr;

			wgcd_tick(daemon);
			watch->ready(watch, events[i].events);
			/* Before any buffer is read into again: a UDP batch's decrypted packets are
			 * queued for the tunnel in the buffers they arrived in. */
			wgcd_flush(daemon);
		}
		wgcd_tick(daemon);
		process_handshakes(daemon);
		wgcd_flush(daemon);
	}
	return 0;
}
