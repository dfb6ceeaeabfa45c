/*
 * Interfaces and their addresses (netstack.h).  An address brings the
 * routes Linux makes for it while its interface is up: a local route
 * (table local) that says the address is ours, and for IPv4 the broadcast
 * addresses of its subnet, and in table main the route to its prefix
 * (none for lo's, which Linux keeps in table local too).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "../netstack.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* <linux/if.h>, which clashes with <net/if.h> */
#endif

struct netif *netif_by_index(struct netns *ns, int index)
{
	struct netif *i;

	for (i = ns->ifs; i; i = i->next)
		if (i->index == index)
			return i;
	return NULL;
}

struct netif *netif_by_name(struct netns *ns, const char *name)
{
	struct netif *i;

	for (i = ns->ifs; i; i = i->next)
		if (!strncmp(i->name, name, sizeof(i->name)))
			return i;
	return NULL;
}

void netif_register(struct netns *ns, struct netif *ifp)
{
	struct netif **pp;

	ifp->ns = ns;
	ifp->index = ns->next_ifindex++;
	for (pp = &ns->ifs; *pp; pp = &(*pp)->next)
		;
	ifp->next = NULL;
	*pp = ifp;
}

/* The mask of a prefix, applied to a (v4-mapped addresses keep their ::ffff: part). */
static void prefix_of(struct in6_addr *out, const struct in6_addr *a, int prefixlen)
{
	int bits = net_addr_is_v4(a) ? 96 + prefixlen : prefixlen, i;

	for (i = 0; i < 16; i++) {
		int keep = bits >= 8 ? 8 : bits > 0 ? bits : 0;

		out->s6_addr[i] = a->s6_addr[i] & (unsigned char)(0xff00 >> keep);
		bits -= 8;
	}
}

static void routes_for(struct netif *ifp, struct netif_addr *a, int add)
{
	struct netns *ns = ifp->ns;
	struct net_route r = {0};
	int v4 = net_addr_is_v4(&a->addr);

	r.dev = ifp;
	r.prefsrc = a->addr;
	r.protocol = RTPROT_KERNEL;
	/* Local: the address itself (lo's IPv4 one: its whole prefix, as Linux routes 127/8 to lo). */
	r.table = RT_TABLE_LOCAL;
	r.type = RTN_LOCAL;
	r.scope = RT_SCOPE_HOST;
	if ((ifp->flags & IFF_LOOPBACK) && v4) {
		prefix_of(&r.dst, &a->addr, a->prefixlen);
		r.prefixlen = a->prefixlen;
		if (add)
			net_route_add(ns, &r);
		else
			net_route_del(ns, RT_TABLE_LOCAL, &r.dst, r.prefixlen, ifp, 0);
	}
	r.dst = a->addr;
	r.prefixlen = v4 ? 32 : 128;
	if (add)
		net_route_add(ns, &r);
	else
		net_route_del(ns, RT_TABLE_LOCAL, &r.dst, r.prefixlen, ifp, 0);
	if (v4 && a->prefixlen < 31) {
		/* The subnet's broadcast address, in table local (lo's 127.255.255.255 too). */
		struct in6_addr b;
		uint32_t host = a->prefixlen ? ~0u >> a->prefixlen : ~0u;

		prefix_of(&b, &a->addr, a->prefixlen);
		b.s6_addr32[3] |= htonl(host);
		r.table = RT_TABLE_LOCAL;
		r.type = RTN_BROADCAST;
		r.scope = RT_SCOPE_LINK;
		r.dst = b;
		r.prefixlen = 32;
		if (add)
			net_route_add(ns, &r);
		else
			net_route_del(ns, RT_TABLE_LOCAL, &b, 32, ifp, 0);
	}
	if (ifp->flags & IFF_LOOPBACK)
		return;
	/* The prefix, on the link, in table main. */
	r.table = RT_TABLE_MAIN;
	r.type = RTN_UNICAST;
	r.scope = RT_SCOPE_LINK;
	r.metric = v4 ? 0 : 256;
	prefix_of(&r.dst, &a->addr, a->prefixlen);
	r.prefixlen = a->prefixlen;
	if (add)
		net_route_add(ns, &r);
	else
		net_route_del(ns, RT_TABLE_MAIN, &r.dst, r.prefixlen, ifp, r.metric);
}

int netif_set_up(struct netif *ifp, int up)
{
	struct netif_addr *a;

	if (!!(ifp->flags & IFF_UP) == !!up)
		return 0;
	if (up) {
		ifp->flags |= IFF_UP | IFF_RUNNING;
		if (ifp->flags & IFF_LOOPBACK)
			ifp->flags |= IFF_LOWER_UP;
		for (a = ifp->addrs; a; a = a->next)
			routes_for(ifp, a, 1);
	} else {
		ifp->flags &= ~(unsigned)(IFF_UP | IFF_RUNNING | IFF_LOWER_UP);
		net_route_flush_dev(ifp->ns, ifp);
	}
	return 0;
}

int netif_addr_add(struct netif *ifp, const struct in6_addr *addr, int prefixlen, int scope, uint32_t flags)
{
	struct netif_addr *a, **pp;
	int max = net_addr_is_v4(addr) ? 32 : 128;

	if (prefixlen < 0 || prefixlen > max)
		return -EINVAL;
	for (a = ifp->addrs; a; a = a->next)
		if (IN6_ARE_ADDR_EQUAL(&a->addr, addr))
			return -EEXIST;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->addr = *addr;
	a->prefixlen = prefixlen;
	a->scope = scope;
	a->flags = flags;
	memcpy(a->label, ifp->name, sizeof(a->label));
	/* IPv6 addresses are listed newest first, IPv4 ones in order, as Linux does. */
	if (net_addr_is_v4(addr)) {
		for (pp = &ifp->addrs; *pp; pp = &(*pp)->next)
			;
	} else {
		pp = &ifp->addrs;
	}
	a->next = *pp;
	*pp = a;
	if (ifp->flags & IFF_UP)
		routes_for(ifp, a, 1);
	return 0;
}

int netif_addr_del(struct netif *ifp, const struct in6_addr *addr, int prefixlen)
{
	struct netif_addr **pp, *a;

	for (pp = &ifp->addrs; (a = *pp); pp = &a->next) {
		if (!IN6_ARE_ADDR_EQUAL(&a->addr, addr) || (prefixlen >= 0 && a->prefixlen != prefixlen))
			continue;
		if (ifp->flags & IFF_UP)
			routes_for(ifp, a, 0);
		*pp = a->next;
		free(a);
		return 0;
	}
	return -EADDRNOTAVAIL;
}

struct netif *netif_with_addr(struct netns *ns, const struct in6_addr *addr, struct netif_addr **out)
{
	struct netif *i;
	struct netif_addr *a;

	for (i = ns->ifs; i; i = i->next)
		for (a = i->addrs; a; a = a->next)
			if (IN6_ARE_ADDR_EQUAL(&a->addr, addr)) {
				if (out)
					*out = a;
				return i;
			}
	return NULL;
}
