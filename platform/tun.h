/* TUN device: open the device (optionally multi-queue, with virtio-net headers), add queues and
 * set the offloads the datapath can handle. Linux only. */
#ifndef TERN_PLATFORM_TUN_H
#define TERN_PLATFORM_TUN_H

#include <net/if.h>

#define TUN_DEFAULT_NAME "tern0"

/* tun_open()/tun_open_queue() flags. IFF_TUN | IFF_NO_PI are always set. */
enum tun_open_flags {
	TUN_OPEN_VNET_HDR = 1u << 0,	/* IFF_VNET_HDR: each packet starts with a virtio_net_hdr */
	TUN_OPEN_MULTI_QUEUE = 1u << 1, /* IFF_MULTI_QUEUE: more fds with tun_open_queue() */
	TUN_OPEN_NONBLOCK = 1u << 2,	/* O_NONBLOCK on the returned fd */
};

/* TUNSETOFFLOAD bits missing from older <linux/if_tun.h> (added in Linux 6.2). */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

/* Creates (or attaches to) the TUN device `name` (NULL: TUN_DEFAULT_NAME; a "%d" in the name
 * lets the kernel pick a number) and writes the kernel's name into ifname. Returns the fd
 * (close-on-exec), or -ENOENT (no /dev/net/tun), -EPERM (needs CAP_NET_ADMIN), -EBUSY (the
 * device is already open), -EINVAL (a device of that name exists and is not a matching TUN). */
int tun_open(const char *name, unsigned flags, char ifname[IFNAMSIZ]);

/* Opens one more queue of a multi-queue device made by tun_open(). `flags` must be the flags
 * given to tun_open() (TUN_OPEN_MULTI_QUEUE is implied): the kernel applies the flags of the
 * last attached queue to the whole device. Returns the fd or a negative errno. */
int tun_open_queue(const char *ifname, unsigned flags);

/* TUNSETOFFLOAD with TUN_F_* bits (TUN_F_CSUM is required by every other bit). Only valid on
 * a device opened with TUN_OPEN_VNET_HDR: the offloaded packets carry their metadata in the
 * virtio_net_hdr. Returns 0, -EINVAL (a bit the kernel does not know, or no vnet header). */
int tun_set_offload(int fd, unsigned tun_f_flags);

#endif
