#include "wgcd/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* An existing interface of that name is refused: attaching to someone else's TUN device (or
 * failing confusingly on another kind of link) would be worse than a clear EEXIST. */
static int refuse_existing(const char *name)
{
	return if_nametoindex(name) ? -EEXIST : 0;
}

static int set_mtu(const char *name, int mtu)
{
	struct ifreq ifr = { .ifr_mtu = mtu };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, SIOCSIFMTU, &ifr) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Checksums, TCP segmentation and, where the kernel has it, UDP segmentation. A kernel that
 * refuses even TSO still works: packets then arrive one by one with full checksums. */
static void set_offloads(struct wgcd_tun *tun)
{
	unsigned tso = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

	tun->uso = ioctl(tun->fd, TUNSETOFFLOAD, tso | TUN_F_USO4 | TUN_F_USO6) == 0;
	if (!tun->uso)
		ioctl(tun->fd, TUNSETOFFLOAD, tso);
}

int wgcd_tun_open(struct wgcd_tun *tun, const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR };
	int ret = refuse_existing(name);

	tun->fd = -1;
	if (ret)
		return ret;
	tun->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (tun->fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(tun->fd, TUNSETIFF, &ifr) < 0)
		goto fail;
	memcpy(tun->name, ifr.ifr_name, IFNAMSIZ);
	tun->ifindex = (int)if_nametoindex(tun->name);
	if (!tun->ifindex)
		goto fail;
	ret = set_mtu(tun->name, WGCD_TUN_DEFAULT_MTU);
	if (ret)
		goto out;
	set_offloads(tun);
	return 0;
fail:
	ret = -errno;
out:
	wgcd_tun_close(tun);
	return ret;
}

void wgcd_tun_close(struct wgcd_tun *tun)
{
	if (tun->fd >= 0)
		close(tun->fd);
	tun->fd = -1;
}

ssize_t wgcd_tun_read(struct wgcd_tun *tun, struct virtio_net_hdr *vnet, uint8_t *buf, size_t cap)
{
	struct iovec iov[2] = { { vnet, sizeof(*vnet) }, { buf, cap } };
	ssize_t n = readv(tun->fd, iov, 2);

	if (n < 0)
		return -errno;
	return n < (ssize_t)sizeof(*vnet) ? -EIO : n - (ssize_t)sizeof(*vnet);
}

int wgcd_tun_writev(struct wgcd_tun *tun, const struct iovec *iov, int count)
{
	return writev(tun->fd, iov, count) < 0 ? -errno : 0;
}
