/*
 * A WireGuard device of <wgc.h> on a TUN interface, for the namespace tests: the library
 * either creates the interface or takes over a descriptor this program opened, in one of the
 * ways a program may open one (without packet information, with it, with virtio-net headers).
 * It runs on its own thread until SIGTERM or SIGINT.
 *
 *   tun-device create|fd-plain|fd-pi|fd-vnet IFNAME PRIVATE_KEY LISTEN_PORT PEER ENDPOINT ALLOWED_IP
 *
 * Keys in base64. Prints "ready" once configured; exits 0 when stopped cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <wgc.h>

static int open_tun(const char *name, short flags)
{
	struct ifreq ifr = { .ifr_flags = flags };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int options_for(struct wgc_device_options *o, const char *mode, const char *ifname)
{
	*o = (struct wgc_device_options){ .size = sizeof(*o) };
	if (!strcmp(mode, "create")) {
		o->tun = WGC_TUN_CREATE;
		o->ifname = ifname;
		return 0;
	}
	o->tun = WGC_TUN_FD;
	if (!strcmp(mode, "fd-plain"))
		o->tun_fd = open_tun(ifname, IFF_TUN | IFF_NO_PI);
	else if (!strcmp(mode, "fd-pi"))
		o->tun_fd = open_tun(ifname, IFF_TUN);
	else if (!strcmp(mode, "fd-vnet"))
		o->tun_fd = open_tun(ifname, IFF_TUN | IFF_NO_PI | IFF_VNET_HDR);
	else
		return -EINVAL;
	return o->tun_fd < 0 ? -errno : 0;
}

static int configure(struct wgc_device *device, char **argv)
{
	uint8_t key[WGC_KEY_LEN], peer_key[WGC_KEY_LEN];
	struct wgc_config *config;
	struct wgc_peer *peer;
	int ret = wgc_key_from_base64(key, argv[3]);

	if (!ret)
		ret = wgc_key_from_base64(peer_key, argv[5]);
	if (!ret)
		ret = wgc_config_new(&config);
	if (ret)
		return ret;
	ret = wgc_config_set_private_key(config, key);
	if (!ret)
		ret = wgc_config_set_listen_port(config, (uint16_t)atoi(argv[4]));
	if (!ret)
		ret = wgc_config_add_peer(config, peer_key, &peer);
	if (!ret)
		ret = wgc_peer_set_endpoint(peer, argv[6]);
	if (!ret)
		ret = wgc_peer_add_allowed_ip(peer, argv[7]);
	if (!ret)
		ret = wgc_device_configure(device, config);
	wgc_config_free(config);
	wgc_wipe(key, sizeof(key));
	return ret;
}

int main(int argc, char **argv)
{
	struct wgc_device_options o;
	struct wgc_device *device;
	sigset_t set;
	int sig, ret;

	if (argc != 8) {
		fprintf(stderr, "usage: tun-device create|fd-plain|fd-pi|fd-vnet IFNAME KEY PORT PEER ENDPOINT ALLOWED_IP\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	ret = options_for(&o, argv[1], argv[2]);
	if (!ret)
		ret = wgc_device_new(&device, &o);
	if (ret) {
		fprintf(stderr, "tun-device: %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	ret = configure(device, argv);
	if (!ret)
		ret = wgc_device_start(device);
	if (ret) {
		fprintf(stderr, "tun-device: cannot configure or start: %s\n", strerror(-ret));
		wgc_device_free(device);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&set, &sig);
	ret = wgc_device_stop(device);
	wgc_device_free(device);
	return ret ? 1 : 0;
}
