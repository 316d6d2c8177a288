/*
 * The virtio-net header that prefixes every TUN read and write once the device is opened
 * with IFF_VNET_HDR, and the offload constants newer than the kernel headers Debian 12 ships
 * (UDP segmentation arrived in Linux 6.2; on older kernels TUNSETOFFLOAD refuses the USO
 * flags and wgcd goes on without them).
 */
#ifndef WGL_VNET_H
#define WGL_VNET_H

#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

#endif
