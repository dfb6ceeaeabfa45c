/*
 * The interface ioctls every inet socket answers (inet.h): SIOCGIFCONF
 * lists the IPv4 addresses, the SIOCGIF* requests read one interface by
 * name, SIOCSIFFLAGS brings one up or down (ifconfig lo up).  The guest's struct ifreq/ifconf come in and go out through the mm
 * copy helpers; a length the guest gives is bounded by what it names.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <string.h>

#include "../../sentry/kernel/task.h"
#include "../../sentry/mm/mm.h"
#include "../../vfs/socket.h"
#include "inet.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* The first IPv4 address of ifp, or NULL. */
static const struct netif_addr *first_v4(const struct netif *ifp)
{
	const struct netif_addr *a;

	for (a = ifp->addrs; a; a = a->next)
		if (net_addr_is_v4(&a->addr))
			return a;
	return NULL;
}

static void put_sin(struct sockaddr *sa, uint32_t v4)
{
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_addr.s_addr = v4};

	memcpy(sa, &in, sizeof(in));
}

/* SIOCGIFCONF: as many struct ifreq as fit in ifc_len (a NULL buffer asks for the length). */
static long ifconf(struct netns *ns, struct task *t, gva_t arg)
{
	struct ifconf ic;
	struct netif *i;
	int used = 0;

	if (mm_copy_in(t->mm, &ic, arg, sizeof(ic)) < 0)
		return -EFAULT;
	for (i = ns->ifs; i; i = i->next) {
		const struct netif_addr *a;
		struct ifreq r;

		for (a = i->addrs; a; a = a->next) {
			if (!net_addr_is_v4(&a->addr) || !(i->flags & IFF_UP))
				continue;
			if (ic.ifc_buf) {
				if (ic.ifc_len < 0 || used + (int)sizeof(r) > ic.ifc_len)
					goto done;
				memset(&r, 0, sizeof(r));
				memcpy(r.ifr_name, a->label, sizeof(r.ifr_name) - 1);
				put_sin(&r.ifr_addr, net_addr_v4(&a->addr));
				if (mm_copy_out(t->mm, (gva_t)(uintptr_t)ic.ifc_buf + (gva_t)used, &r, sizeof(r)) < 0)
					return -EFAULT;
			}
			used += (int)sizeof(r);
		}
	}
done:
	ic.ifc_len = used;
	return mm_copy_out(t->mm, arg + offsetof(struct ifconf, ifc_len), &ic.ifc_len, sizeof(ic.ifc_len)) < 0 ?
		       -EFAULT :
		       0;
}

static long dev_ioctl(struct netns *ns, struct task *t, unsigned long req, uint64_t arg)
{
	struct ifreq r;
	struct netif *i;
	const struct netif_addr *a;

	switch (req) {
	case SIOCGIFCONF:
		return ifconf(ns, t, arg);
	case SIOCGIFADDR: case SIOCGIFFLAGS: case SIOCGIFINDEX: case SIOCGIFNAME: case SIOCGIFMTU:
	case SIOCGIFHWADDR: case SIOCGIFNETMASK: case SIOCGIFBRDADDR: case SIOCGIFDSTADDR: case SIOCGIFTXQLEN:
	case SIOCGIFMETRIC: case SIOCGIFMAP: case SIOCSIFFLAGS:
		break;
	default:
		return -ENOTTY;
	}
	if (mm_copy_in(t->mm, &r, arg, sizeof(r)) < 0)
		return -EFAULT;
	r.ifr_name[IFNAMSIZ - 1] = 0;
	if (req == SIOCSIFFLAGS) {
		/* Only IFF_UP changes anything here; Linux's other settable flags (NOARP, PROMISC...) are kept as they are. */
		if (!net_capable(t, ns, CAP_NET_ADMIN))
			return -EPERM;
		i = netif_by_name(ns, r.ifr_name);
		if (!i)
			return -ENODEV;
		return netif_set_up(i, r.ifr_flags & IFF_UP);
	}
	if (req == SIOCGIFNAME) {
		i = netif_by_index(ns, r.ifr_ifindex);
		if (!i)
			return -ENODEV;
		memset(r.ifr_name, 0, sizeof(r.ifr_name));
		memcpy(r.ifr_name, i->name, sizeof(r.ifr_name) - 1);
		return mm_copy_out(t->mm, arg, &r, sizeof(r)) < 0 ? -EFAULT : 0;
	}
	i = netif_by_name(ns, r.ifr_name);
	if (!i)
		return -ENODEV;
	a = first_v4(i);
	memset(&r.ifr_ifru, 0, sizeof(r.ifr_ifru));
	switch (req) {
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
	case SIOCGIFDSTADDR:
		if (!a)
			return -EADDRNOTAVAIL;
		if (req == SIOCGIFADDR || req == SIOCGIFDSTADDR) {
			put_sin(&r.ifr_addr, net_addr_v4(&a->addr));
		} else {
			uint32_t mask = a->prefixlen ? htonl(~0u << (32 - a->prefixlen)) : 0;

			put_sin(&r.ifr_addr, req == SIOCGIFNETMASK ? mask : (i->flags & IFF_BROADCAST) ?
										(net_addr_v4(&a->addr) | ~mask) :
										0);
		}
		break;
	case SIOCGIFFLAGS:
		r.ifr_flags = (short)(i->flags & 0xffff);
		break;
	case SIOCGIFINDEX:
		r.ifr_ifindex = i->index;
		break;
	case SIOCGIFMTU:
		r.ifr_mtu = (int)i->mtu;
		break;
	case SIOCGIFHWADDR:
		r.ifr_hwaddr.sa_family = i->type;
		memcpy(r.ifr_hwaddr.sa_data, i->hwaddr, sizeof(i->hwaddr));
		break;
	case SIOCGIFTXQLEN:
		r.ifr_qlen = 1000; /* Linux's default, lo's too */
		break;
	case SIOCGIFMETRIC:
	case SIOCGIFMAP:
		break;
	}
	return mm_copy_out(t->mm, arg, &r, sizeof(r)) < 0 ? -EFAULT : 0;
}

long inet_ioctl(struct inet_sock *s, struct task *t, unsigned long req, uint64_t arg)
{
	return dev_ioctl(s->ns, t, req, arg);
}

/* The same requests on a socket of another family (AF_UNIX: glibc's if_nametoindex uses one). */
static long any_socket_ioctl(struct task *t, unsigned long req, uint64_t arg)
{
	return dev_ioctl(net_ns_of(t), t, req, arg);
}

__attribute__((constructor)) static void register_dev_ioctl(void)
{
	sock_register_dev_ioctl(any_socket_ioctl);
}
