#include "wgcd/udp.h"

#include <errno.h>
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

static int open_pair(struct wgcd_udp *udp, uint16_t port)
{
	int bound = open_family(&udp->fd4, AF_INET, port, udp->fwmark);

	if (bound < 0)
		return bound;
	bound = open_family(&udp->fd6, AF_INET6, (uint16_t)bound, udp->fwmark);
	if (bound < 0) {
		wgcd_udp_close(udp);
		return bound;
	}
	if (udp->fd4 < 0 && udp->fd6 < 0)
		return -EAFNOSUPPORT;
	udp->port = (uint16_t)bound;
	return 0;
}

int wgcd_udp_open(struct wgcd_udp *udp, uint16_t port, uint32_t fwmark)
{
	int ret = -EADDRINUSE;

	udp->fd4 = udp->fd6 = -1;
	udp->fwmark = fwmark;
	/* A random IPv4 port may be taken in IPv6: try again rather than fail a "port 0". */
	for (int i = 0; i < (port ? 1 : RANDOM_PORT_TRIES) && ret == -EADDRINUSE; ++i)
		ret = open_pair(udp, port);
	return ret;
}

void wgcd_udp_close(struct wgcd_udp *udp)
{
	if (udp->fd4 >= 0)
		close(udp->fd4);
	if (udp->fd6 >= 0)
		close(udp->fd6);
	udp->fd4 = udp->fd6 = -1;
}

int wgcd_udp_set_fwmark(struct wgcd_udp *udp, uint32_t fwmark)
{
	int fds[] = { udp->fd4, udp->fd6 };

	for (int i = 0; i < 2; ++i)
		if (fds[i] >= 0 && setsockopt(fds[i], SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark)) < 0)
			return -errno;
	udp->fwmark = fwmark;
	return 0;
}

static void read_pktinfo(struct msghdr *msg, struct wg_endpoint *from)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo info;

			memcpy(&info, CMSG_DATA(c), sizeof(info));
			from->src.in = info.ipi_addr;
			from->src_ifindex = info.ipi_ifindex;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo info;

			memcpy(&info, CMSG_DATA(c), sizeof(info));
			from->src.in6 = info.ipi6_addr;
			from->src_ifindex = (int)info.ipi6_ifindex;
		}
	}
}

typedef char pktinfo_space[CMSG_SPACE(sizeof(struct in6_pktinfo))];

int wgcd_udp_receive(int fd, struct wgcd_datagram *dgrams, unsigned count)
{
	struct mmsghdr msgs[WGCD_UDP_BATCH];
	struct iovec iovs[WGCD_UDP_BATCH];
	pktinfo_space control[WGCD_UDP_BATCH];
	int n;

	if (count > WGCD_UDP_BATCH)
		count = WGCD_UDP_BATCH;
	memset(msgs, 0, sizeof(msgs[0]) * count);
	for (unsigned i = 0; i < count; ++i) {
		memset(&dgrams[i].from, 0, sizeof(dgrams[i].from));
		iovs[i] = (struct iovec){ dgrams[i].data, WGCD_DATAGRAM_MAX };
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
		read_pktinfo(&msgs[i].msg_hdr, &dgrams[i].from);
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

static size_t put_src(const struct wg_endpoint *to, pktinfo_space control)
{
	struct msghdr msg = { .msg_control = control, .msg_controllen = sizeof(pktinfo_space) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(control, 0, sizeof(pktinfo_space));
	if (to->addr.sa.sa_family == AF_INET) {
		/* No interface index: the routing table keeps choosing the way out. */
		struct in_pktinfo info = { .ipi_spec_dst = to->src.in };

		*c = (struct cmsghdr){ .cmsg_len = CMSG_LEN(sizeof(info)), .cmsg_level = IPPROTO_IP,
				       .cmsg_type = IP_PKTINFO };
		memcpy(CMSG_DATA(c), &info, sizeof(info));
		return CMSG_SPACE(sizeof(info));
	}
	/* Link-local addresses only mean something together with their interface. */
	struct in6_pktinfo info6 = { .ipi6_addr = to->src.in6 };

	if (IN6_IS_ADDR_LINKLOCAL(&to->src.in6))
		info6.ipi6_ifindex = (unsigned)to->src_ifindex;
	*c = (struct cmsghdr){ .cmsg_len = CMSG_LEN(sizeof(info6)), .cmsg_level = IPPROTO_IPV6,
			       .cmsg_type = IPV6_PKTINFO };
	memcpy(CMSG_DATA(c), &info6, sizeof(info6));
	return CMSG_SPACE(sizeof(info6));
}

int wgcd_udp_send(const struct wgcd_udp *udp, const struct wg_endpoint *to, const uint8_t *msg, size_t len)
{
	int family = to->addr.sa.sa_family;
	int fd = family == AF_INET ? udp->fd4 : family == AF_INET6 ? udp->fd6 : -1;
	pktinfo_space control;
	struct iovec iov = { (void *)msg, len };
	struct msghdr hdr = {
		.msg_name = (void *)&to->addr, .msg_iov = &iov, .msg_iovlen = 1,
		.msg_namelen = family == AF_INET ? sizeof(to->addr.in) : sizeof(to->addr.in6),
	};

	if (fd < 0)
		return -EAFNOSUPPORT;
	if (src_is_set(to)) {
		hdr.msg_control = control;
		hdr.msg_controllen = put_src(to, control);
	}
	if (sendmsg(fd, &hdr, MSG_DONTWAIT) >= 0)
		return 0;
	/* The address the peer last reached us on is gone (the kernel says EINVAL, EADDRNOTAVAIL or
	 * ENETUNREACH, depending on family and version): fall over to a routed one. The next
	 * authenticated packet from the peer records the new local address. */
	if (hdr.msg_control && (errno == EINVAL || errno == EADDRNOTAVAIL || errno == ENETUNREACH)) {
		hdr.msg_control = NULL;
		hdr.msg_controllen = 0;
		if (sendmsg(fd, &hdr, MSG_DONTWAIT) >= 0)
			return 0;
	}
	return -errno;
}
