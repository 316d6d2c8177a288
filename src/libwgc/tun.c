#include "libwgc/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
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
static void set_offloads(struct wgl_tun *tun)
{
	unsigned tso = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

	tun->uso = ioctl(tun->fd, TUNSETOFFLOAD, tso | TUN_F_USO4 | TUN_F_USO6) == 0;
	if (!tun->uso)
		ioctl(tun->fd, TUNSETOFFLOAD, tso);
}

int wgl_tun_open(struct wgl_tun *tun, const char *name)
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
	ret = set_mtu(tun->name, WGL_TUN_DEFAULT_MTU);
	if (ret)
		goto out;
	tun->vnet = true;
	set_offloads(tun);
	return 0;
fail:
	ret = -errno;
out:
	wgl_tun_close(tun);
	return ret;
}

/* The virtio-net header wgcd reads and writes is the plain one (10 bytes); a descriptor set
 * up for another size is set to it. */
static int set_vnet_header_size(int fd)
{
	int size = 0, want = (int)sizeof(struct virtio_net_hdr);

	if (ioctl(fd, TUNGETVNETHDRSZ, &size) < 0)
		return -errno;
	if (size != want && ioctl(fd, TUNSETVNETHDRSZ, &want) < 0)
		return -errno;
	return 0;
}

/* Whether a descriptor's packets carry packet information. TUNGETIFF cannot say: it reports
 * IFF_NOFILTER, which has IFF_NO_PI's value, for every descriptor without a socket filter. So
 * the interface's own flags are read from sysfs (when it is this namespace's interface, the
 * same index); elsewhere IFF_NO_PI is assumed, as VPN services and most programs open it. */
static bool has_packet_info(const char *name, int ifindex)
{
	char path[96], text[32];
	unsigned long flags = 0, index = 0;
	bool ok;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", name);
	f = fopen(path, "re");
	ok = f && fscanf(f, "%lu", &index) == 1 && index == (unsigned long)ifindex;
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", name);
	f = ok ? fopen(path, "re") : NULL;
	ok = f && fgets(text, sizeof(text), f) && sscanf(text, "%lx", &flags) == 1;
	if (f)
		fclose(f);
	return ok && !(flags & IFF_NO_PI);
}

int wgl_tun_adopt(struct wgl_tun *tun, int fd)
{
	struct ifreq ifr = { 0 };
	int flags;

	*tun = (struct wgl_tun){ .fd = -1 };
	if (fd < 0 || ioctl(fd, TUNGETIFF, &ifr) < 0 || !(ifr.ifr_flags & IFF_TUN))
		return -EINVAL;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	tun->fd = fd;
	memcpy(tun->name, ifr.ifr_name, IFNAMSIZ);
	tun->ifindex = (int)if_nametoindex(tun->name);
	tun->vnet = (ifr.ifr_flags & IFF_VNET_HDR) != 0;
	tun->packet_info = tun->ifindex && has_packet_info(tun->name, tun->ifindex);
	if (tun->vnet && set_vnet_header_size(fd)) {
		tun->fd = -1;
		return -EINVAL;
	}
	if (tun->vnet)
		set_offloads(tun);
	return 0;
}

void wgl_tun_close(struct wgl_tun *tun)
{
	if (tun->fd >= 0)
		close(tun->fd);
	tun->fd = -1;
}

ssize_t wgl_tun_read(struct wgl_tun *tun, struct virtio_net_hdr *vnet, uint8_t *buf, size_t cap)
{
	struct tun_pi pi;
	struct iovec iov[3];
	int count = 0;
	size_t head = 0;
	ssize_t n;

	memset(vnet, 0, sizeof(*vnet));
	if (tun->packet_info) {
		iov[count++] = (struct iovec){ &pi, sizeof(pi) };
		head += sizeof(pi);
	}
	if (tun->vnet) {
		iov[count++] = (struct iovec){ vnet, sizeof(*vnet) };
		head += sizeof(*vnet);
	}
	iov[count++] = (struct iovec){ buf, cap };
	n = readv(tun->fd, iov, count);
	if (n < 0)
		return -errno;
	return n < (ssize_t)head ? -EIO : n - (ssize_t)head;
}

/* The packet information header for what iov holds after its virtio-net header. */
static struct tun_pi packet_info_for(const struct iovec *iov, int count)
{
	const uint8_t *ip = count > 1 && iov[1].iov_len ? iov[1].iov_base : NULL;

	return (struct tun_pi){ .proto = htons(ip && (ip[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP) };
}

int wgl_tun_writev(struct wgl_tun *tun, const struct iovec *iov, int count)
{
	struct iovec all[WGL_TUN_WRITE_IOVECS + 1];
	struct tun_pi pi;
	int n = 0;

	if (tun->vnet && !tun->packet_info)
		return writev(tun->fd, iov, count) < 0 ? -errno : 0;
	if (count > WGL_TUN_WRITE_IOVECS)
		return -EINVAL;
	if (tun->packet_info) {
		pi = packet_info_for(iov, count);
		all[n++] = (struct iovec){ &pi, sizeof(pi) };
	}
	for (int i = tun->vnet ? 0 : 1; i < count; ++i)
		all[n++] = iov[i];
	return writev(tun->fd, all, n) < 0 ? -errno : 0;
}
