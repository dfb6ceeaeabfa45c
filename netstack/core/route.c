/*
 * Routes (netstack.h): one list per namespace, tables told apart by
 * r->table.  A lookup looks in table local first (our own addresses,
 * loopback, broadcast), then main; the longest prefix wins, then the
 * lowest metric.  A handful of routes per sandbox: a list is enough.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "../netstack.h"

/* Does a fall in dst/prefixlen (both of one family)? */
static int in_prefix(const struct in6_addr *a, const struct in6_addr *dst, int prefixlen, int v4)
{
	int bits = v4 ? 96 + prefixlen : prefixlen, i;

	if (net_addr_is_v4(a) != v4)
		return 0;
	for (i = 0; bits > 0; i++, bits -= 8) {
		unsigned char m = (unsigned char)(0xff00 >> (bits >= 8 ? 8 : bits));

		if ((a->s6_addr[i] ^ dst->s6_addr[i]) & m)
			return 0;
	}
	return 1;
}

static int route_v4(const struct net_route *r)
{
	return net_addr_is_v4(&r->dst);
}

static const struct net_change_listener *listener;

void net_set_change_listener(const struct net_change_listener *l)
{
	listener = l;
}

void net_notify_link(struct netif *ifp)
{
	if (listener)
		listener->link(ifp);
}

void net_notify_link_gone(struct netif *ifp)
{
	if (listener && listener->link_gone)
		listener->link_gone(ifp);
}

void net_notify_neigh(const struct net_neigh *n, int added)
{
	if (listener && listener->neigh)
		listener->neigh(n, added);
}

void net_notify_addr(struct netif *ifp, const struct netif_addr *a, int added)
{
	if (listener)
		listener->addr(ifp, a, added);
}

static void notify_route(struct netns *ns, const struct net_route *r, int added)
{
	if (listener)
		listener->route(ns, r, added);
}

int net_route_add(struct netns *ns, const struct net_route *r)
{
	struct net_route *n, **pp;

	for (n = ns->routes; n; n = n->next)
		if (n->table == r->table && n->prefixlen == r->prefixlen && n->metric == r->metric &&
		    route_v4(n) == route_v4(r) && IN6_ARE_ADDR_EQUAL(&n->dst, &r->dst) && n->type == r->type &&
		    n->dev == r->dev)
			return -EEXIST;
	n = malloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	*n = *r;
	/* Kept longest prefix first, so a lookup takes the first match of its table. */
	for (pp = &ns->routes; *pp && (*pp)->prefixlen >= r->prefixlen; pp = &(*pp)->next)
		;
	n->next = *pp;
	*pp = n;
	if (route_v4(n))
		ns->fib4_made = 1;
	notify_route(ns, n, 1);
	return 0;
}

int net_route_del(struct netns *ns, int table, const struct in6_addr *dst, int prefixlen, struct netif *dev,
		  uint32_t metric)
{
	struct net_route **pp, *r;

	for (pp = &ns->routes; (r = *pp); pp = &r->next) {
		if (r->table != table || r->prefixlen != prefixlen || !IN6_ARE_ADDR_EQUAL(&r->dst, dst))
			continue;
		if ((dev && r->dev != dev) || (metric && r->metric != metric))
			continue;
		*pp = r->next;
		notify_route(ns, r, 0);
		free(r);
		return 0;
	}
	return -ESRCH;
}

/* The order Linux's IPv6 walk drops a device's routes in: by table (main first), address, longer prefix first. */
static int flush_before(const struct net_route *a, const struct net_route *b)
{
	int c;

	if (a->table != b->table)
		return a->table < b->table;
	c = memcmp(&a->dst, &b->dst, sizeof(a->dst));
	return c ? c < 0 : a->prefixlen > b->prefixlen;
}

void net_route_flush_dev(struct netns *ns, struct netif *dev)
{
	struct net_route **pp, *r, **first;

	for (pp = &ns->routes; (r = *pp);) {
		if (r->dev == dev && route_v4(r) && r->type != RTN_LOCAL) {
			*pp = r->next;
			free(r);
		} else {
			pp = &r->next;
		}
	}
	/* IPv6's go one by one, each told (few routes: pick the next each time). */
	for (;;) {
		first = NULL;
		for (pp = &ns->routes; (r = *pp); pp = &r->next)
			if (r->dev == dev && !route_v4(r) && (!first || flush_before(r, *first)))
				first = pp;
		if (!first)
			break;
		r = *first;
		*first = r->next;
		notify_route(ns, r, 0);
		free(r);
	}
}

static struct net_route *find(struct netns *ns, const struct in6_addr *dst, int ifindex, int table)
{
	struct net_route *r, *best = NULL;
	int v4 = net_addr_is_v4(dst);

	for (r = ns->routes; r; r = r->next) {
		if (r->table != table || route_v4(r) != v4 || !(r->dev->flags & IFF_UP))
			continue;
		if (best && r->prefixlen < best->prefixlen)
			break;
		if (ifindex && r->dev->index != ifindex && !(r->type == RTN_LOCAL))
			continue;
		if (!in_prefix(dst, &r->dst, r->prefixlen, v4))
			continue;
		if (!best || r->metric < best->metric)
			best = r;
	}
	return best;
}

/* The address of ifp of dst's family that suits dst best (the longest common prefix), or NULL. */
static const struct netif_addr *pick_src(const struct netif *ifp, const struct in6_addr *dst)
{
	const struct netif_addr *a, *best = NULL;
	int v4 = net_addr_is_v4(dst);

	for (a = ifp->addrs; a; a = a->next) {
		if (net_addr_is_v4(&a->addr) != v4)
			continue;
		if (in_prefix(dst, &a->addr, a->prefixlen, v4))
			return a;
		if (!best)
			best = a;
	}
	return best;
}

/* Has any interface of ns an IPv6 address (a source for a packet with no route)? */
static int any_v6_addr(struct netns *ns)
{
	struct netif *i;
	struct netif_addr *a;

	for (i = ns->ifs; i; i = i->next)
		for (a = i->addrs; a; a = a->next)
			if (!net_addr_is_v4(&a->addr))
				return 1;
	return 0;
}

int net_route_lookup(struct netns *ns, const struct in6_addr *dst, int ifindex, struct net_route **rt,
		     struct in6_addr *src)
{
	struct net_route *r = find(ns, dst, ifindex, RT_TABLE_LOCAL);
	const struct netif_addr *a;
	struct netif *i;

	if (!r && ifindex && net_addr_is_v4(dst) && (ntohl(net_addr_v4(dst)) >> 28) == 0xe &&
	    (i = netif_by_index(ns, ifindex)) && (i->flags & IFF_UP)) {
		/*
		 * An IPv4 group sent out by a chosen interface needs no route
		 * (IP_MULTICAST_IF), as in Linux; IPv6 still wants one (ff00::/8).
		 */
		memset(&i->mroute, 0, sizeof(i->mroute));
		i->mroute.dst = *dst;
		i->mroute.prefixlen = net_addr_is_v4(dst) ? 32 : 128;
		i->mroute.dev = i;
		i->mroute.table = RT_TABLE_MAIN;
		i->mroute.type = RTN_MULTICAST;
		i->mroute.scope = RT_SCOPE_LINK;
		r = &i->mroute;
	}
	if (!r)
		r = find(ns, dst, ifindex, RT_TABLE_MAIN);
	if (!r && src && !net_addr_is_v4(dst) && !any_v6_addr(ns))
		return -EADDRNOTAVAIL; /* Linux picks IPv6's source before it looks at the route's error */
	if (!r || r->type == RTN_UNREACHABLE || r->type == RTN_BLACKHOLE || r->type == RTN_PROHIBIT)
		return -ENETUNREACH;
	*rt = r;
	if (!src)
		return 0;
	if (r->type == RTN_LOCAL && !IN6_IS_ADDR_UNSPECIFIED(&r->prefsrc) && r->prefixlen == (net_addr_is_v4(dst) ? 32 : 128)) {
		*src = *dst;
		return 0;
	}
	if (r->type == RTN_LOCAL && net_addr_is_v4(dst)) {
		/* 127.0.0.5 is answered from 127.0.0.1... as Linux does: the route's preferred source. */
		*src = r->prefsrc;
		return 0;
	}
	if (!IN6_IS_ADDR_UNSPECIFIED(&r->prefsrc) && r->type != RTN_LOCAL) {
		*src = r->prefsrc;
		return 0;
	}
	a = pick_src(r->dev, dst);
	if (!a) {
		/* None on the way out: any address of the family in the namespace. */
		for (i = ns->ifs; i && !a; i = i->next)
			if (i->flags & IFF_UP)
				a = pick_src(i, dst);
	}
	if (!a)
		return -EADDRNOTAVAIL;
	*src = a->addr;
	return 0;
}

int net_route_src_ok(struct netns *ns, const struct net_route *rt, const struct in6_addr *src)
{
	const struct netif *dev = rt->type == RTN_LOCAL ? ns->lo : rt->dev;

	if (net_addr_is_v4(src) && (ntohl(net_addr_v4(src)) >> 24) == 127 && dev && !(dev->flags & IFF_LOOPBACK))
		return -EINVAL;
	return 0;
}

int net_addr_type(struct netns *ns, const struct in6_addr *addr)
{
	struct net_route *r;

	if (net_addr_is_v4(addr)) {
		uint32_t a = ntohl(net_addr_v4(addr));

		if ((a >> 28) == 0xe)
			return RTN_MULTICAST;
		/*
		 * Linux's inet_addr_type answers "broadcast" for every address
		 * while the namespace has no IPv4 table yet (none is made before
		 * its first IPv4 address or route): a new namespace binds any.
		 */
		if (a == 0xffffffffu || !ns->fib4_made)
			return RTN_BROADCAST;
	} else if (addr->s6_addr[0] == 0xff) {
		return RTN_MULTICAST;
	}
	r = find(ns, addr, 0, RT_TABLE_LOCAL);
	if (r && (r->type == RTN_LOCAL || r->type == RTN_BROADCAST))
		return r->type;
	return RTN_UNICAST;
}
