/*
 * Interfaces and their addresses (netstack.h).  An address brings the
 * routes Linux makes for it while its interface is up: a local route
 * (table local) that says the address is ours, and for IPv4 the broadcast
 * addresses of its subnet, and in table main the route to its prefix
 * (none for lo's, which Linux keeps in table local too).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "../netstack.h"
#include "ip.h"

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

/* Puts ifp on ns's list in index order (ifp->index is free there), with ns's default settings. */
static void link_in(struct netns *ns, struct netif *ifp)
{
	struct netif **pp;

	ifp->ns = ns;
	ifp->forwarding = ns->sysctl.forwarding_default; /* Linux makes its IPv4 settings anew in each namespace */
	for (pp = &ns->ifs; *pp && (*pp)->index < ifp->index; pp = &(*pp)->next)
		;
	ifp->next = *pp;
	*pp = ifp;
}

/* The next index of ns that no interface has, as Linux's dev_new_index. */
static int new_index(struct netns *ns)
{
	while (netif_by_index(ns, ns->next_ifindex))
		ns->next_ifindex++;
	return ns->next_ifindex++;
}

void netif_register(struct netns *ns, struct netif *ifp)
{
	ifp->index = new_index(ns);
	link_in(ns, ifp);
}

static void link_out(struct netif *ifp)
{
	struct netif **pp;

	for (pp = &ifp->ns->ifs; *pp && *pp != ifp; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = ifp->next;
	ifp->next = NULL;
}

int netif_carrier(const struct netif *ifp)
{
	struct netif *peer;

	if (!(ifp->flags & IFF_UP))
		return 0;
	if (!ifp->ops || !ifp->ops->peer)
		return 1;
	peer = ifp->ops->peer(ifp);
	return peer && (peer->flags & IFF_UP);
}

/*
 * A veth's carrier is on while both ends are up: each end's RUNNING and
 * LOWER_UP follow, and the news of the other end's change is told in its
 * namespace (Linux's netif_carrier_on/off on the peer).
 */
static void carrier_update(struct netif *ifp)
{
	struct netif *peer = ifp->ops && ifp->ops->peer ? ifp->ops->peer(ifp) : NULL;
	unsigned on = IFF_RUNNING | IFF_LOWER_UP;

	if (!peer || !(peer->flags & IFF_UP))
		return;
	if (netif_carrier(ifp) == !!(peer->flags & IFF_LOWER_UP))
		return;
	if (netif_carrier(ifp))
		peer->flags |= on;
	else
		peer->flags &= ~on;
	net_notify_link(peer);
}

/* The open send batches and the links holding frames for their end; under sentry_lock. */
static int tx_batch_depth;
static struct netif *tx_queued;

void net_tx_batch_begin(void) { tx_batch_depth++; }

int net_tx_batching(void) { return tx_batch_depth > 0; }

void netif_tx_queued(struct netif *ifp)
{
	if (ifp->tx_queued)
		return;
	ifp->tx_queued = 1;
	ifp->tx_next = tx_queued;
	tx_queued = ifp;
}

void net_tx_batch_end(void)
{
	struct netif *ifp;

	if (--tx_batch_depth > 0)
		return;
	while ((ifp = tx_queued)) {
		tx_queued = ifp->tx_next;
		ifp->tx_queued = 0;
		ifp->tx_next = NULL;
		ifp->ops->flush(ifp);
	}
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

/* One of the routes an address brings; kind: RTN_LOCAL for the address, RTN_BROADCAST, RTN_UNICAST the prefix's. */
static void addr_route(struct netif *ifp, struct netif_addr *a, int kind, int add)
{
	struct netns *ns = ifp->ns;
	struct net_route r = {0};
	int v4 = net_addr_is_v4(&a->addr), lo = !!(ifp->flags & IFF_LOOPBACK);

	r.dev = ifp;
	r.prefsrc = a->addr;
	r.protocol = RTPROT_KERNEL;
	r.table = RT_TABLE_LOCAL;
	r.type = kind;
	r.scope = kind == RTN_LOCAL ? RT_SCOPE_HOST : RT_SCOPE_LINK;
	switch (kind) {
	case RTN_LOCAL:
		r.dst = a->addr;
		r.prefixlen = v4 ? 32 : 128;
		break;
	case RTN_BROADCAST: {
		/* The subnet's broadcast address, in table local (lo's 127.255.255.255 too). */
		uint32_t host;

		if (!v4 || a->prefixlen >= 31)
			return;
		host = a->prefixlen ? ~0u >> a->prefixlen : ~0u;
		prefix_of(&r.dst, &a->addr, a->prefixlen);
		r.dst.s6_addr32[3] |= htonl(host);
		r.prefixlen = 32;
		break;
	}
	default:
		/*
		 * The prefix: lo's IPv4 one is local (Linux routes 127/8 to lo so),
		 * others are on the link in table main; none for an IPv4 /32 nor
		 * for ::1 (Linux's lo has none); lo's other IPv6 addresses have theirs.
		 */
		if ((v4 && a->prefixlen == 32) || (!v4 && IN6_IS_ADDR_LOOPBACK(&a->addr)))
			return;
		prefix_of(&r.dst, &a->addr, a->prefixlen);
		r.prefixlen = a->prefixlen;
		if (v4 && lo) {
			r.type = RTN_LOCAL;
			r.scope = RT_SCOPE_HOST;
			break;
		}
		r.table = RT_TABLE_MAIN;
		r.type = RTN_UNICAST;
		r.metric = v4 ? 0 : 256;
		break;
	}
	if (add)
		net_route_add(ns, &r);
	else
		net_route_del(ns, r.table, &r.dst, r.prefixlen, ifp, r.metric);
}

/*
 * An address's routes, and the news of the address among them, in the
 * order Linux makes them (what ip monitor shows): IPv4's address, then its
 * local route, prefix and broadcast (fib_add_ifaddr), going in reverse
 * after the address (fib_del_ifaddr); IPv6's prefix route before the
 * address, its local route after, going the other way.  notify 0: the
 * routes alone (an interface coming up).  While the interface is down
 * only the local route comes (Linux's too), and goes with the address.
 */
static void routes_for(struct netif *ifp, struct netif_addr *a, int add, int notify)
{
	int up = !!(ifp->flags & IFF_UP);

	if (net_addr_is_v4(&a->addr)) {
		if (notify)
			net_notify_addr(ifp, a, add);
		if (add) {
			addr_route(ifp, a, RTN_LOCAL, 1);
			if (up) {
				addr_route(ifp, a, RTN_UNICAST, 1);
				addr_route(ifp, a, RTN_BROADCAST, 1);
			}
		} else {
			addr_route(ifp, a, RTN_UNICAST, 0);
			addr_route(ifp, a, RTN_BROADCAST, 0);
			addr_route(ifp, a, RTN_LOCAL, 0);
		}
		return;
	}
	if (add) {
		if (up)
			addr_route(ifp, a, RTN_UNICAST, 1);
		if (notify)
			net_notify_addr(ifp, a, 1);
		addr_route(ifp, a, RTN_LOCAL, 1);
	} else {
		if (notify)
			net_notify_addr(ifp, a, 0);
		addr_route(ifp, a, RTN_LOCAL, 0);
		addr_route(ifp, a, RTN_UNICAST, 0);
	}
}

/*
 * Brings ifp up or down.  Down: the routes go (IPv4's local ones stay, as
 * Linux's), and so do the IPv6 addresses, as Linux's addrconf_ifdown with
 * keep_addr_on_down 0; up: loopback gets 127.0.0.1/8 and ::1 back if they
 * are gone (Linux's inetdev_event and init_loopback; an Ethernet's
 * link-local address netstack has none of), in Linux's order: the IPv4
 * one first, then the other IPv4 addresses' routes, then IPv6.
 */
/* netif_set_up; tell_peer 0: a veth peer's loss of carrier is told by the caller, later (a move). */
static int set_up(struct netif *ifp, int up, int tell_peer)
{
	struct netif_addr *a, **pp;

	if (!!(ifp->flags & IFF_UP) == !!up)
		return 0;
	if (up) {
		ifp->flags |= IFF_UP | IFF_RUNNING;
		ifp->was_up = 1;
		if (ifp->flags & IFF_LOOPBACK)
			ifp->flags |= IFF_LOWER_UP;
		if (ifp->ops && ifp->ops->peer) {
			/*
			 * A veth is told up first with its carrier but not yet
			 * running, then running: Linux's open, then its linkwatch.
			 */
			ifp->flags &= ~(unsigned)(IFF_RUNNING | IFF_LOWER_UP);
			if (netif_carrier(ifp)) {
				ifp->flags |= IFF_LOWER_UP;
				net_notify_link(ifp);
				ifp->flags |= IFF_RUNNING;
			}
		}
		net_notify_link(ifp);
		carrier_update(ifp);
		if (ifp->flags & IFF_LOOPBACK) {
			struct in6_addr lo4;

			net_addr_from_v4(&lo4, htonl(INADDR_LOOPBACK));
			netif_addr_add(ifp, &lo4, 8, RT_SCOPE_HOST, IFA_F_PERMANENT); /* -EEXIST when it is there */
		}
		for (a = ifp->addrs; a; a = a->next)
			if (net_addr_is_v4(&a->addr))
				routes_for(ifp, a, 1, 0);
		for (a = ifp->addrs; a; a = a->next)
			if (!net_addr_is_v4(&a->addr))
				routes_for(ifp, a, 1, 0);
		if ((ifp->flags & IFF_LOOPBACK) && !netif_with_addr(ifp->ns, &in6addr_loopback, NULL))
			return netif_addr_add(ifp, &in6addr_loopback, 128, RT_SCOPE_HOST, IFA_F_PERMANENT);
	} else {
		ifp->flags &= ~(unsigned)(IFF_UP | IFF_RUNNING | IFF_LOWER_UP);
		net_notify_link(ifp);
		if (tell_peer)
			carrier_update(ifp);
		net_route_flush_dev(ifp->ns, ifp);
		for (pp = &ifp->addrs; (a = *pp);) {
			if (net_addr_is_v4(&a->addr)) {
				pp = &a->next;
				continue;
			}
			net_notify_addr(ifp, a, 0);
			*pp = a->next;
			free(a);
		}
	}
	return 0;
}

int netif_set_up(struct netif *ifp, int up)
{
	return set_up(ifp, up, 1);
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
	/*
	 * IPv6 addresses are listed newest first, IPv4 ones in order but
	 * before any of wider scope (a host-scope 127.0.0.1 before global
	 * ones), as Linux's __inet_insert_ifa puts them.
	 */
	if (net_addr_is_v4(addr)) {
		for (pp = &ifp->addrs; *pp && !(net_addr_is_v4(&(*pp)->addr) && (*pp)->scope < scope); pp = &(*pp)->next)
			;
	} else {
		pp = &ifp->addrs;
	}
	a->next = *pp;
	*pp = a;
	routes_for(ifp, a, 1, 1);
	return 0;
}

int netif_addr_del(struct netif *ifp, const struct in6_addr *addr, int prefixlen)
{
	struct netif_addr **pp, *a;

	for (pp = &ifp->addrs; (a = *pp); pp = &a->next) {
		if (!IN6_ARE_ADDR_EQUAL(&a->addr, addr) || (prefixlen >= 0 && a->prefixlen != prefixlen))
			continue;
		routes_for(ifp, a, 0, 1);
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

int netif_mc_join(struct netif *ifp, const struct in6_addr *group, int join)
{
	struct netif_mcast **pp, *m;

	for (pp = &ifp->mcast; (m = *pp); pp = &m->next)
		if (IN6_ARE_ADDR_EQUAL(&m->group, group))
			break;
	if (!join) {
		if (m && --m->users == 0) {
			*pp = m->next;
			free(m);
		}
		return 0;
	}
	if (m) {
		m->users++;
		return 0;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->group = *group;
	m->users = 1;
	m->next = ifp->mcast;
	ifp->mcast = m;
	return 0;
}

/*
 * The groups every interface is in without a join, as Linux's are: all
 * hosts (224.0.0.1), all nodes (ff01::1, ff02::1), and the solicited-node
 * group (ff02::1:ffXX:XXXX) of each IPv6 address, where NDP asks.
 */
static int implicit_group(const struct netif *ifp, const struct in6_addr *g)
{
	static const unsigned char snm[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff};
	const struct netif_addr *a;

	if (net_addr_is_v4(g))
		return net_addr_v4(g) == htonl(0xe0000001);
	if ((g->s6_addr[0] == 0xff && (g->s6_addr[1] == 0x01 || g->s6_addr[1] == 0x02)) &&
	    !memcmp(g->s6_addr + 2, "\0\0\0\0\0\0\0\0\0\0\0\0\0", 13) && g->s6_addr[15] == 1)
		return 1;
	if (memcmp(g->s6_addr, snm, sizeof(snm)))
		return 0;
	for (a = ifp->addrs; a; a = a->next)
		if (!net_addr_is_v4(&a->addr) && !memcmp(a->addr.s6_addr + 13, g->s6_addr + 13, 3))
			return 1;
	return 0;
}

int netif_mc_joined(const struct netif *ifp, const struct in6_addr *group)
{
	const struct netif_mcast *m;

	for (m = ifp->mcast; m; m = m->next)
		if (IN6_ARE_ADDR_EQUAL(&m->group, group))
			return 1;
	return implicit_group(ifp, group);
}

/*
 * What an interface leaving its namespace (deleted or moved) leaves
 * behind there, in Linux's order: it goes down (its routes and IPv6
 * addresses with it), its other addresses go, each told, and its
 * neighbours and multicast groups; then it is off the list and told gone.
 * Fragments being reassembled are dropped with it (they point at their
 * interface), all of the namespace's, which is rare enough not to matter.
 */
static void detach(struct netif *ifp)
{
	struct netns *ns = ifp->ns;
	struct netif_mcast *m;

	set_up(ifp, 0, 0);
	while (ifp->addrs)
		netif_addr_del(ifp, &ifp->addrs->addr, -1);
	net_route_flush_dev(ns, ifp);
	neigh_flush_dev(ifp);
	net_frag_flush(ns);
	while ((m = ifp->mcast)) {
		ifp->mcast = m->next;
		free(m);
	}
	link_out(ifp);
	ifp->was_up = 0; /* Linux shuts its qdisc down before it tells: "noop" */
	net_notify_link_gone(ifp);
	ifp->move_to = NULL;
}

/*
 * The veth's dellink first, as Linux's veth_dellink: both ends forget
 * each other (so each is told gone with no peer, "@NONE"), then this end
 * goes, then the other.
 */
void netif_delete(struct netif *ifp)
{
	struct netif *peer = ifp->ops && ifp->ops->peer ? ifp->ops->peer(ifp) : NULL;

	if (ifp->ops && ifp->ops->dellink)
		ifp->ops->dellink(ifp);
	detach(ifp);
	free(ifp);
	if (peer)
		netif_delete(peer);
}

int netif_move(struct netif *ifp, struct netns *to, const char *newname)
{
	const char *name = newname ? newname : ifp->name;
	struct netif *other = netif_by_name(to, name), *peer;

	if (!ifp->ops || !ifp->ops->movable)
		return -EINVAL;
	if (to == ifp->ns)
		return 0;
	if (other)
		return -EEXIST;
	/* Told gone where it was with where it goes (IFLA_NEW_NETNSID, IFLA_NEW_IFINDEX), as Linux's. */
	ifp->move_to = to;
	ifp->move_index = netif_by_index(to, ifp->index) ? new_index(to) : ifp->index;
	detach(ifp);
	if (newname)
		snprintf(ifp->name, sizeof(ifp->name), "%s", newname);
	ifp->index = ifp->move_index;
	link_in(to, ifp);
	net_notify_link(ifp);
	/* The other end of a veth: its carrier went with this one, and its peer is elsewhere now. */
	peer = ifp->ops->peer ? ifp->ops->peer(ifp) : NULL;
	if (peer) {
		if (peer->flags & IFF_LOWER_UP)
			peer->flags &= ~(unsigned)(IFF_RUNNING | IFF_LOWER_UP);
		net_notify_link(peer);
	}
	return 0;
}
