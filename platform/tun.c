/* TUN device: /dev/net/tun with TUNSETIFF, TUNSETOFFLOAD (see Documentation/networking/tuntap
 * and <linux/if_tun.h>). */
#include "platform/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/if_tun.h>

static const char TUN_CLONE_PATH[] = "/dev/net/tun";

static int attach(const char *name, unsigned flags, char ifname[IFNAMSIZ])
{
	struct ifreq ifr;
	int oflags = O_RDWR | O_CLOEXEC;
	int fd;

	if (!name)
		name = TUN_DEFAULT_NAME;
	if (strlen(name) >= IFNAMSIZ || name[0] == '\0')
		return -EINVAL;
	if (flags & ~(unsigned)(TUN_OPEN_VNET_HDR | TUN_OPEN_MULTI_QUEUE | TUN_OPEN_NONBLOCK))
		return -EINVAL;
	if (flags & TUN_OPEN_NONBLOCK)
		oflags |= O_NONBLOCK;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (flags & TUN_OPEN_VNET_HDR)
		ifr.ifr_flags |= IFF_VNET_HDR;
	if (flags & TUN_OPEN_MULTI_QUEUE)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;

	fd = open(TUN_CLONE_PATH, oflags);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	if (ifname) {
		memcpy(ifname, ifr.ifr_name, IFNAMSIZ);
		ifname[IFNAMSIZ - 1] = '\0';
	}
	return fd;
}

int tun_open(const char *name, unsigned flags, char ifname[IFNAMSIZ])
{
	return attach(name, flags, ifname);
}

int tun_open_queue(const char *ifname, unsigned flags)
{
	if (!ifname)
		return -EINVAL;
	return attach(ifname, flags | TUN_OPEN_MULTI_QUEUE, NULL);
}

int tun_set_offload(int fd, unsigned tun_f_flags)
{
	struct ifreq ifr;

	/* TUNGETIFF reports the flags of this queue: offloads without a vnet header would hand
	 * us packets whose segmentation we could not see. */
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return -errno;
	if (tun_f_flags && !(ifr.ifr_flags & IFF_VNET_HDR))
		return -EINVAL;
	if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)tun_f_flags) < 0)
		return -errno;
	return 0;
}
