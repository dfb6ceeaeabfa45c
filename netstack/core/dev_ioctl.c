/*
 * The interface ioctls on a socket (SIOCGIFINDEX, SIOCGIFCONF, SIOCGIFFLAGS,
 * SIOCGIFTXQLEN...), as Linux's dev_ioctl answers them on a socket of any
 * family; the address ones (SIOCGIFADDR, NETMASK, BRDADDR, DSTADDR) only on
 * AF_INET sockets, as inet_ioctl, else ENOTTY.  glibc's if_nametoindex,
 * iproute2 (a link's qlen) and net-tools ask these.  Setting flags or the
 * MTU needs CAP_NET_ADMIN; other sets answer EPERM without it and EOPNOTSUPP
 * with it (a sandbox's addresses change through netlink).
 *
 * Registered with the socket layer (vfs/socket.h), which sys_ioctl calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include "../../sentry/kernel/task.h"
#include "../../sentry/mm/mm.h"
#include "../../vfs/socket.h"
#include "../../vfs/vfs.h"
#include "../netstack.h"

/* struct ifconf as the x86-64 ABI lays it out. */
struct abi_ifconf {
	int32_t len;
	int32_t pad;
	uint64_t buf;
};

static int sock_domain(struct task *t, struct file *f)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return f->ops->sock->getsockopt(t, f, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0 ? -1 : v;
}

static void put_in(struct sockaddr *sa, uint32_t v4)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = v4};

	memcpy(sa, &sin, sizeof(sin));
}

/* SIOCGIFCONF: an ifreq (label, IPv4 address) per IPv4 address; with no buffer, the length needed. */
static long ifconf(struct task *t, struct netns *ns, uint64_t arg)
{
	struct abi_ifconf c;
	struct netif *ifp;
	struct netif_addr *a;
	int32_t done = 0;

	if (mm_copy_in(t->mm, &c, arg, sizeof(c)) < 0)
		return -EFAULT;
	for (ifp = ns->ifs; ifp; ifp = ifp->next)
		for (a = ifp->addrs; a; a = a->next) {
			struct ifreq r;

			if (!net_addr_is_v4(&a->addr))
				continue;
			if (c.buf) {
				if (c.len - done < (int32_t)sizeof(r))
					goto out;
				memset(&r, 0, sizeof(r));
				memcpy(r.ifr_name, a->label[0] ? a->label : ifp->name, IFNAMSIZ - 1);
				put_in(&r.ifr_addr, net_addr_v4(&a->addr));
				if (mm_copy_out(t->mm, c.buf + (uint64_t)done, &r, sizeof(r)) < 0)
					return -EFAULT;
			}
			done += (int32_t)sizeof(r);
		}
out:
	c.len = done;
	return mm_copy_out(t->mm, arg, &c, sizeof(c)) < 0 ? -EFAULT : 0;
}

/* The interface's IPv4 address whose label is name (lo, lo:1...). */
static struct netif_addr *addr_labelled(struct netif *ifp, const char *name)
{
	struct netif_addr *a;

	for (a = ifp->addrs; a; a = a->next)
		if (net_addr_is_v4(&a->addr) && !strncmp(a->label[0] ? a->label : ifp->name, name, IFNAMSIZ))
			return a;
	return NULL;
}

static long dev_ioctl(struct task *t, struct file *f, unsigned long req, uint64_t arg)
{
	struct netns *ns = net_ns_of(t);
	struct ifreq r;
	struct netif *ifp;
	struct netif_addr *a;
	char name[IFNAMSIZ], *colon;
	long e = 0;

	if (req == SIOCGIFCONF)
		return ifconf(t, ns, arg);
	if (mm_copy_in(t->mm, &r, arg, sizeof(r)) < 0)
		return -EFAULT;
	if (req == SIOCGIFNAME) {
		ifp = netif_by_index(ns, r.ifr_ifindex);
		if (!ifp)
			return -ENODEV;
		memcpy(r.ifr_name, ifp->name, IFNAMSIZ);
		return mm_copy_out(t->mm, arg, &r, sizeof(r)) < 0 ? -EFAULT : 0;
	}
	memcpy(name, r.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = 0;
	/* An alias (lo:1) names its interface for everything but the address calls. */
	colon = strchr(name, ':');
	if (colon)
		*colon = 0;
	switch (req) {
	case SIOCGIFADDR: case SIOCGIFNETMASK: case SIOCGIFBRDADDR: case SIOCGIFDSTADDR:
		if (sock_domain(t, f) != AF_INET)
			return -ENOTTY;
		break;
	case SIOCGIFFLAGS: case SIOCGIFMETRIC: case SIOCGIFMTU: case SIOCGIFHWADDR: case SIOCGIFINDEX:
	case SIOCGIFTXQLEN: case SIOCGIFMAP: case SIOCSIFFLAGS: case SIOCSIFMTU:
		break;
	default:
		if (req == SIOCSIFADDR || req == SIOCSIFNETMASK || req == SIOCSIFBRDADDR || req == SIOCSIFDSTADDR)
			return sock_domain(t, f) != AF_INET ? -ENOTTY : capable(t, CAP_NET_ADMIN) ? -EOPNOTSUPP : -EPERM;
		if (req == SIOCSIFHWADDR || req == SIOCSIFTXQLEN || req == SIOCSIFNAME || req == SIOCSIFMETRIC)
			return capable(t, CAP_NET_ADMIN) ? -EOPNOTSUPP : -EPERM;
		return -ENOTTY;
	}
	ifp = netif_by_name(ns, name);
	if (!ifp)
		return -ENODEV;
	memset(&r.ifr_ifru, 0, sizeof(r.ifr_ifru));
	switch (req) {
	case SIOCGIFADDR: case SIOCGIFNETMASK: case SIOCGIFBRDADDR: case SIOCGIFDSTADDR:
		if (colon)
			*colon = ':';
		a = addr_labelled(ifp, name);
		if (!a)
			return -EADDRNOTAVAIL;
		if (req == SIOCGIFNETMASK)
			put_in(&r.ifr_addr, a->prefixlen ? htonl(~0u << (32 - a->prefixlen)) : 0);
		else if (req == SIOCGIFBRDADDR)
			put_in(&r.ifr_addr, 0); /* netstack keeps no broadcast of its own: none was given */
		else
			put_in(&r.ifr_addr, net_addr_v4(&a->addr));
		break;
	case SIOCGIFFLAGS:
		r.ifr_flags = (short)ifp->flags;
		break;
	case SIOCGIFMETRIC:
		break;
	case SIOCGIFMTU:
		r.ifr_mtu = (int)ifp->mtu;
		break;
	case SIOCGIFHWADDR:
		r.ifr_hwaddr.sa_family = ifp->type;
		if (ifp->hwlen > 0 && ifp->hwlen <= 6)
			memcpy(r.ifr_hwaddr.sa_data, ifp->hwaddr, (size_t)ifp->hwlen);
		break;
	case SIOCGIFINDEX:
		r.ifr_ifindex = ifp->index;
		break;
	case SIOCGIFTXQLEN:
		r.ifr_qlen = 1000;
		break;
	case SIOCGIFMAP:
		break;
	case SIOCSIFFLAGS:
	case SIOCSIFMTU: {
		struct ifreq in;

		if (!capable(t, CAP_NET_ADMIN))
			return -EPERM;
		if (mm_copy_in(t->mm, &in, arg, sizeof(in)) < 0)
			return -EFAULT;
		if (req == SIOCSIFFLAGS)
			return netif_set_up(ifp, !!(in.ifr_flags & IFF_UP));
		if (in.ifr_mtu < 68 || (!(ifp->flags & IFF_LOOPBACK) && in.ifr_mtu > 65535))
			return -EINVAL;
		ifp->mtu = (unsigned)in.ifr_mtu;
		return 0;
	}
	}
	if (e == 0 && mm_copy_out(t->mm, arg, &r, sizeof(r)) < 0)
		return -EFAULT;
	return e;
}

__attribute__((constructor)) static void register_dev_ioctl(void)
{
	sock_register_dev_ioctl(dev_ioctl);
}
