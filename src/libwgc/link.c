#include "libwgc/link.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int request_state(struct wgl_link *link)
{
	struct {
		struct nlmsghdr hdr;
		struct ifinfomsg info;
	} req = {
		.hdr = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST },
		.info = { .ifi_family = AF_UNSPEC, .ifi_index = link->ifindex },
	};

	return send(link->fd, &req, sizeof(req), 0) < 0 ? -errno : 0;
}

int wgl_link_open(struct wgl_link *link, int ifindex, unsigned mtu)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int ret;

	*link = (struct wgl_link){ .fd = -1, .ifindex = ifindex, .mtu = mtu };
	link->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (link->fd < 0)
		return -errno;
	if (bind(link->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		ret = -errno;
		wgl_link_close(link);
		return ret;
	}
	return request_state(link);
}

void wgl_link_close(struct wgl_link *link)
{
	if (link->fd >= 0)
		close(link->fd);
	link->fd = -1;
}

static unsigned mtu_of(struct ifinfomsg *info, unsigned len, unsigned current)
{
	for (struct rtattr *a = IFLA_RTA(info); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_MTU && RTA_PAYLOAD(a) >= sizeof(unsigned))
			memcpy(&current, RTA_DATA(a), sizeof(current));
	return current;
}

static unsigned apply(struct wgl_link *link, struct nlmsghdr *hdr)
{
	struct ifinfomsg *info = NLMSG_DATA(hdr);
	unsigned changes = 0, mtu;
	bool up;

	if (hdr->nlmsg_len < NLMSG_LENGTH(sizeof(*info)) || info->ifi_index != link->ifindex)
		return 0;
	if (hdr->nlmsg_type == RTM_DELLINK) {
		link->gone = true;
		return WGL_LINK_GONE;
	}
	up = info->ifi_flags & IFF_UP;
	mtu = mtu_of(info, hdr->nlmsg_len - NLMSG_LENGTH(sizeof(*info)), link->mtu);
	if (up != link->up)
		changes |= WGL_LINK_UP_CHANGED;
	if (mtu != link->mtu)
		changes |= WGL_LINK_MTU_CHANGED;
	link->up = up;
	link->mtu = mtu;
	return changes;
}

unsigned wgl_link_read(struct wgl_link *link)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	unsigned changes = 0;
	ssize_t n;

	while ((n = recv(link->fd, buf, sizeof(buf), 0)) > 0) {
		unsigned len = (unsigned)n;

		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
			if (h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK)
				changes |= apply(link, h);
	}
	/* Events were lost while we were busy: ask for the whole state again. */
	if (n < 0 && errno == ENOBUFS)
		request_state(link);
	return changes;
}
