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

int wgcd_tun_open(struct wgcd_tun *tun, const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
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

ssize_t wgcd_tun_read(struct wgcd_tun *tun, uint8_t *buf, size_t cap)
{
	ssize_t n = read(tun->fd, buf, cap);

	return n < 0 ? -errno : n;
}

int wgcd_tun_write(struct wgcd_tun *tun, const uint8_t *packet, size_t len)
{
	ssize_t n = write(tun->fd, packet, len);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}
