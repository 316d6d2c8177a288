#include "libwgc/udp.h"

#include <errno.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* Socket buffers sized for bursts: a full-speed sender outruns a default-sized queue. */
enum { SOCKET_BUFFER = 4 << 20, RANDOM_PORT_TRIES = 100 };

static int socket_for(int family, uint32_t fwmark)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int on = 1, size = SOCKET_BUFFER;

	if (fd < 0)
		return -errno;
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0)
		goto fail;
	if (family == AF_INET && setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) < 0)
		goto fail;
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) < 0)
		goto fail;
	if (fwmark && setsockopt(fd, SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark)) < 0)
		goto fail;
	/* Best effort: without UDP GRO (before Linux 5.0) every datagram arrives alone. */
	setsockopt(fd, IPPROTO_UDP, UDP_GRO, &on, sizeof(on));
	/* Best effort: above rmem_max only root's FORCE variants work, and neither is fatal. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	return fd;
fail:
	on = -errno;
	close(fd);
	return on;
}

/* Binds fd to port (0: any); returns the port bound, or -errno. */
static int bind_port(int fd, int family, uint16_t port)
{
	union wg_sockaddr addr = { 0 };
	socklen_t len = family == AF_INET ? sizeof(addr.in) : sizeof(addr.in6);

	addr.sa.sa_family = (sa_family_t)family;
	if (family == AF_INET)
		addr.in.sin_port = htons(port);
	else
		addr.in6.sin6_port = htons(port);
	if (bind(fd, &addr.sa, len) < 0 || getsockname(fd, &addr.sa, &len) < 0)
		return -errno;
	return ntohs(family == AF_INET ? addr.in.sin_port : addr.in6.sin6_port);
}

/* A family the kernel lacks is skipped, not fatal: a v4-only host still gets a tunnel. */
static int open_family(int *fd, int family, uint16_t port, uint32_t fwmark)
{
	int ret = socket_for(family, fwmark);

	*fd = -1;
	if (ret == -EAFNOSUPPORT)
		return port;
	if (ret < 0)
		return ret;
	*fd = ret;
	ret = bind_port(*fd, family, port);
	if (ret < 0) {
		close(*fd);
		*fd = -1;
	}
	return ret;
}

static int open_pair(struct wgl_udp *udp, uint16_t port)
{
	int bound = open_family(&udp->fd4, AF_INET, port, udp->fwmark);

	if (bound < 0)
		return bound;
	bound = open_family(&udp->fd6, AF_INET6, (uint16_t)bound, udp->fwmark);
	if (bound < 0) {
		wgl_udp_close(udp);
		return bound;
	}
	if (udp->fd4 < 0 && udp->fd6 < 0)
		return -EAFNOSUPPORT;
	udp->port = (uint16_t)bound;
	return 0;
}

int wgl_udp_open(struct wgl_udp *udp, uint16_t port, uint32_t fwmark)
{
	int ret = -EADDRINUSE;

	udp->fd4 = udp->fd6 = -1;
	udp->fwmark = fwmark;
	udp->no_gso = false;
	/* A random IPv4 port may be taken in IPv6: try again rather than fail a "port 0". */
	for (int i = 0; i < (port ? 1 : RANDOM_PORT_TRIES) && ret == -EADDRINUSE; ++i)
		ret = open_pair(udp, port);
	return ret;
}

void wgl_udp_close(struct wgl_udp *udp)
{
	if (udp->fd4 >= 0)
		close(udp->fd4);
	if (udp->fd6 >= 0)
		close(udp->fd6);
	udp->fd4 = udp->fd6 = -1;
}

int wgl_udp_set_fwmark(struct wgl_udp *udp, uint32_t fwmark)
{
	int fds[] = { udp->fd4, udp->fd6 };

	for (int i = 0; i < 2; ++i)
		if (fds[i] >= 0 && setsockopt(fds[i], SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark)) < 0)
			return -errno;
	udp->fwmark = fwmark;
	return 0;
}

/* Room for the arrival (or source) address and a GRO/GSO segment size. */
typedef char control_space[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];

/* The arrival address and interface, and the size of the datagrams GRO joined. */
static void read_control(struct msghdr *msg, struct wgl_datagram *d)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo info;

			memcpy(&info, CMSG_DATA(c), sizeof(info));
			d->from.src.in = info.ipi_addr;
			d->from.src_ifindex = info.ipi_ifindex;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo info;

			memcpy(&info, CMSG_DATA(c), sizeof(info));
			d->from.src.in6 = info.ipi6_addr;
			d->from.src_ifindex = (int)info.ipi6_ifindex;
		} else if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO) {
			int segment;

			memcpy(&segment, CMSG_DATA(c), sizeof(segment));
			d->segment = segment > 0 && (size_t)segment < d->len ? (size_t)segment : 0;
		}
	}
}

int wgl_udp_receive(int fd, struct wgl_datagram *dgrams, unsigned count)
{
	struct mmsghdr msgs[WGL_UDP_BATCH];
	struct iovec iovs[WGL_UDP_BATCH];
	control_space control[WGL_UDP_BATCH];
	int n;

	if (count > WGL_UDP_BATCH)
		count = WGL_UDP_BATCH;
	memset(msgs, 0, sizeof(msgs[0]) * count);
	for (unsigned i = 0; i < count; ++i) {
		memset(&dgrams[i].from, 0, sizeof(dgrams[i].from));
		iovs[i] = (struct iovec){ dgrams[i].data, WGL_DATAGRAM_MAX };
		msgs[i].msg_hdr = (struct msghdr){
			.msg_name = &dgrams[i].from.addr, .msg_namelen = sizeof(dgrams[i].from.addr),
			.msg_iov = &iovs[i], .msg_iovlen = 1,
			.msg_control = control[i], .msg_controllen = sizeof(control[i]),
		};
	}
	n = recvmmsg(fd, msgs, count, MSG_DONTWAIT, NULL);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; ++i) {
		dgrams[i].len = msgs[i].msg_len;
		dgrams[i].segment = 0;
		read_control(&msgs[i].msg_hdr, &dgrams[i]);
	}
	return n;
}

static bool src_is_set(const struct wg_endpoint *to)
{
	static const uint8_t zero[16];

	if (to->addr.sa.sa_family == AF_INET)
		return to->src.in.s_addr != 0;
	return memcmp(&to->src.in6, zero, sizeof(zero)) != 0;
}

static struct cmsghdr *put_cmsg(struct cmsghdr *c, int level, int type, const void *data, size_t len)
{
	*c = (struct cmsghdr){ .cmsg_len = CMSG_LEN(len), .cmsg_level = level, .cmsg_type = type };
	memcpy(CMSG_DATA(c), data, len);
	return (struct cmsghdr *)((char *)c + CMSG_SPACE(len));
}

static struct cmsghdr *put_src(struct cmsghdr *c, const struct wg_endpoint *to)
{
	if (to->addr.sa.sa_family == AF_INET) {
		/* No interface index: the routing table keeps choosing the way out. */
		struct in_pktinfo info = { .ipi_spec_dst = to->src.in };

		return put_cmsg(c, IPPROTO_IP, IP_PKTINFO, &info, sizeof(info));
	}
	/* Link-local addresses only mean something together with their interface. */
	struct in6_pktinfo info6 = { .ipi6_addr = to->src.in6 };

	if (IN6_IS_ADDR_LINKLOCAL(&to->src.in6))
		info6.ipi6_ifindex = (unsigned)to->src_ifindex;
	return put_cmsg(c, IPPROTO_IPV6, IPV6_PKTINFO, &info6, sizeof(info6));
}

/* The message for one run: to its endpoint, from its recorded source unless told not to,
 * cut by the kernel when it holds more than one datagram. */
static void prepare(struct msghdr *hdr, struct iovec *iov, control_space control, const struct wgl_udp_run *run,
		    bool with_src)
{
	struct cmsghdr *c = (struct cmsghdr *)control, *end = c;
	uint16_t segment = (uint16_t)run->segment;

	memset(control, 0, sizeof(control_space));
	*iov = (struct iovec){ (void *)run->data, run->len };
	*hdr = (struct msghdr){
		.msg_name = (void *)&run->to->addr, .msg_iov = iov, .msg_iovlen = 1,
		.msg_namelen = run->to->addr.sa.sa_family == AF_INET ? sizeof(run->to->addr.in) : sizeof(run->to->addr.in6),
	};
	if (with_src && src_is_set(run->to))
		end = put_src(end, run->to);
	if (run->segment && run->segment < run->len)
		end = put_cmsg(end, IPPROTO_UDP, UDP_SEGMENT, &segment, sizeof(segment));
	if (end != c) {
		hdr->msg_control = control;
		hdr->msg_controllen = (size_t)((char *)end - (char *)c);
	}
}

static int fd_for(const struct wgl_udp *udp, const struct wg_endpoint *to)
{
	int family = to->addr.sa.sa_family;

	return family == AF_INET ? udp->fd4 : family == AF_INET6 ? udp->fd6 : -1;
}

int wgl_udp_send(const struct wgl_udp *udp, const struct wg_endpoint *to, const uint8_t *msg, size_t len)
{
	int fd = fd_for(udp, to);
	struct wgl_udp_run run = { to, msg, len, 0 };
	control_space control;
	struct iovec iov;
	struct msghdr hdr;

	if (fd < 0)
		return -EAFNOSUPPORT;
	prepare(&hdr, &iov, control, &run, true);
	if (sendmsg(fd, &hdr, MSG_DONTWAIT) >= 0)
		return 0;
	/* The address the peer last reached us on is gone (the kernel says EINVAL, EADDRNOTAVAIL or
	 * ENETUNREACH, depending on family and version): fall over to a routed one. The next
	 * authenticated packet from the peer records the new local address. */
	if (hdr.msg_control && (errno == EINVAL || errno == EADDRNOTAVAIL || errno == ENETUNREACH)) {
		prepare(&hdr, &iov, control, &run, false);
		if (sendmsg(fd, &hdr, MSG_DONTWAIT) >= 0)
			return 0;
	}
	return -errno;
}

/* The length of each datagram of a run (the last may be shorter). */
static size_t run_step(const struct wgl_udp_run *run)
{
	return run->segment && run->segment < run->len ? run->segment : run->len;
}

/* A run a filter refused (EPERM: netfilter or a cgroup's BPF program dropped it on its way
 * out) is lost whole, as it would be on the wire: sending it again would only ask the filter a
 * second time, and a rule that drops by chance or by count would pass what it had dropped
 * (wireguard-go sends again only for GSO's EIO). */
static void fail_run(struct wgl_udp_run *run)
{
	size_t step = run_step(run);

	run->failed += step ? (unsigned)((run->len + step - 1) / step) : 1; /* an empty datagram is one */
	run->failed_bytes += run->len;
}

/* A run the kernel would not take whole for another reason: its datagrams one at a time, each
 * with the source fallback of wgl_udp_send. A run refused for GSO itself (EIO: the route's
 * device cannot checksum for us) turns GSO off for the socket's lifetime. */
static void send_one_by_one(struct wgl_udp *udp, struct wgl_udp_run *run, int error)
{
	size_t step = run_step(run), off = 0;

	if (error == EIO && step < run->len)
		udp->no_gso = true;
	do { /* not a for: an empty datagram (junk of length 0) is sent again too */
		size_t len = run->len - off < step ? run->len - off : step;

		if (wgl_udp_send(udp, run->to, run->data + off, len)) {
			++run->failed;
			run->failed_bytes += len;
		}
		off += step;
	} while (off < run->len);
}

/* Consecutive runs of one family go in one sendmmsg. */
static void send_family(struct wgl_udp *udp, int fd, struct wgl_udp_run *runs, unsigned count)
{
	struct mmsghdr msgs[WGL_UDP_BATCH];
	struct iovec iovs[WGL_UDP_BATCH];
	control_space control[WGL_UDP_BATCH];
	unsigned done = 0;

	for (unsigned i = 0; i < count; ++i) {
		prepare(&msgs[i].msg_hdr, &iovs[i], control[i], &runs[i], true);
		msgs[i].msg_len = 0;
	}
	while (done < count) {
		int n = sendmmsg(fd, msgs + done, count - done, MSG_DONTWAIT);

		if (n <= 0) {
			if (errno == EPERM)
				fail_run(&runs[done]);
			else
				send_one_by_one(udp, &runs[done], errno);
			++done;
		} else if ((unsigned)n < count - done) {
			/* The run after the last one sent failed, and the kernel does not say why: it is
			 * lost like a refused one (asking again could pass what a filter dropped). The
			 * next run leads the next call, so a failure of its would come with a reason. */
			done += (unsigned)n;
			fail_run(&runs[done++]);
		} else {
			done += (unsigned)n;
		}
	}
}

unsigned wgl_udp_send_runs(struct wgl_udp *udp, struct wgl_udp_run *runs, unsigned count)
{
	unsigned failed = 0;

	for (unsigned i = 0; i < count; ++i) {
		runs[i].failed = 0;
		runs[i].failed_bytes = 0;
	}
	for (unsigned start = 0, n; start < count; start += n) {
		struct wgl_udp_run *first = &runs[start];
		int fd = fd_for(udp, first->to);

		for (n = 1; start + n < count && n < WGL_UDP_BATCH &&
			    runs[start + n].to->addr.sa.sa_family == first->to->addr.sa.sa_family;)
			++n;
		if (fd >= 0)
			send_family(udp, fd, first, n);
		else
			for (unsigned i = 0; i < n; ++i)
				send_one_by_one(udp, &first[i], EAFNOSUPPORT);
	}
	for (unsigned i = 0; i < count; ++i)
		failed += runs[i].failed;
	return failed;
}
