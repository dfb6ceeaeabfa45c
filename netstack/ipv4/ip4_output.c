/*
 * IPv4 send: route, prepend the header, hand to the interface.  A packet
 * for one of our own addresses goes out by lo whatever interface owns the
 * address, as Linux's local routes send it.  Packets larger than the
 * interface's MTU are fragmented (ip4_fragment), unless the sender said
 * not to (IP_PMTUDISC_DO, TCP): then EMSGSIZE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

#include "../core/ip.h"

int ip4_output(struct netns *ns, struct pkb *p, const struct in6_addr *src, const struct in6_addr *dst, int protocol,
	       const struct net_tx_opts *o)
{
	struct net_route *rt;
	struct ip4_hdr *h;
	struct netif *dev;
	struct in6_addr from = *src;
	int r;

	NET_INC(ns, Ip, OutRequests);
	r = net_route_lookup(ns, dst, o ? o->ifindex : 0, &rt, net_addr_v4(src) ? NULL : &from);
	if (r < 0) {
		NET_INC(ns, Ip, OutNoRoutes);
		pkb_free(p);
		return r == -EADDRNOTAVAIL ? -ENETUNREACH : r;
	}
	if ((r = net_route_src_ok(ns, rt, &from)) < 0) {
		pkb_free(p);
		return r; /* an ICMP error to an outside source about a packet to 127.0.0.1 is not sent either */
	}
	dev = rt->type == RTN_LOCAL ? ns->lo : rt->dev;
	if (p->len + sizeof(*h) > 65535 || (p->len + sizeof(*h) > dev->mtu && o && o->dontfrag)) {
		/* Refused before it is a packet: Linux counts nothing (ip_local_error). */
		pkb_free(p);
		return -EMSGSIZE;
	}
	if (o && o->csum_off && !dev->no_csum)
		net_fill_csum(p, &from, dst, protocol, o->csum_off);
	if (protocol == IPPROTO_ICMP && p->len >= 1) {
		/* Every ICMP message that leaves is counted by type, a ping's through a raw socket too. */
		NET_INC(ns, Icmp, OutMsgs);
		ns->icmp_types[0][1][p->data[0]]++;
	}
	h = pkb_push(p, sizeof(*h));
	if (!h) {
		NET_INC(ns, Ip, OutDiscards);
		pkb_free(p);
		return -ENOBUFS;
	}
	h->ver_ihl = 0x45;
	h->tos = (uint8_t)(o ? o->tos : 0);
	h->tot_len = htons((uint16_t)p->len);
	h->id = htons((uint16_t)ns->ip_id++);
	h->frag_off = htons(o && o->dontfrag ? IP4_DF : 0);
	h->ttl = (uint8_t)(o && o->ttl >= 0 ? o->ttl : NET_DEFAULT_TTL);
	h->protocol = (uint8_t)protocol;
	h->check = 0;
	h->saddr = net_addr_v4(&from);
	h->daddr = net_addr_v4(dst);
	if (!dev->no_csum)
		h->check = net_csum_fold(net_csum_add(0, h, sizeof(*h)));
	p->proto = ETH_P_IP;
	p->nh_off = 0;
	if (rt->type == RTN_BROADCAST && dev != ns->lo) {
		/* A broadcast reaches this host's own sockets too. */
		struct pkb *c = pkb_clone(p);

		if (c) {
			c->flags |= PKB_BROADCAST;
			ns->lo->ops->xmit(ns->lo, c, dst);
		}
	}
	if (!(dev->flags & IFF_UP)) {
		pkb_free(p);
		return -ENETDOWN;
	}
	if (p->len > dev->mtu)
		return ip4_fragment(ns, dev, p, IN6_IS_ADDR_UNSPECIFIED(&rt->gateway) ? dst : &rt->gateway);
	NET_INC(ns, Ip, OutTransmits);
	return dev->ops->xmit(dev, p, IN6_IS_ADDR_UNSPECIFIED(&rt->gateway) ? dst : &rt->gateway);
}

/*
 * RFC 791 3.2: each fragment a copy of the header (we send no options)
 * and the next (MTU - header) & ~7 bytes of the payload, the more-fragments
 * bit on all but the last; the sizes Linux's ip_fragment makes, so the
 * counters (FragOKs, FragCreates) read the same.
 */
int ip4_fragment(struct netns *ns, struct netif *dev, struct pkb *p, const struct in6_addr *next_hop)
{
	const struct ip4_hdr *h = (const struct ip4_hdr *)p->data;
	size_t ihl = (size_t)(h->ver_ihl & 0xf) * 4, payload = p->len - ihl, per, off, n;
	uint16_t base = (uint16_t)(ntohs(h->frag_off) & ~(IP4_MF | IP4_OFFMASK));
	int r = 0;

	if (dev->mtu < ihl + 8) {
		NET_INC(ns, Ip, FragFails);
		pkb_free(p);
		return -EMSGSIZE;
	}
	per = (dev->mtu - ihl) & ~(size_t)7;
	for (off = 0; off < payload && r >= 0; off += n) {
		struct ip4_hdr *fh;
		struct pkb *f;

		n = payload - off < per ? payload - off : per;
		f = pkb_alloc(NET_MAX_HEADROOM, ihl + n);
		if (!f) {
			NET_INC(ns, Ip, FragFails);
			pkb_free(p);
			return -ENOBUFS;
		}
		memcpy(f->data, h, ihl);
		memcpy(f->data + ihl, p->data + ihl + off, n);
		fh = (struct ip4_hdr *)f->data;
		fh->tot_len = htons((uint16_t)(ihl + n));
		fh->frag_off = htons((uint16_t)(base | (off / 8) | (off + n < payload ? IP4_MF : 0)));
		fh->check = 0;
		if (!dev->no_csum)
			fh->check = net_csum_fold(net_csum_add(0, fh, ihl));
		f->proto = ETH_P_IP;
		f->flags = p->flags;
		NET_INC(ns, Ip, FragCreates);
		NET_INC(ns, Ip, OutTransmits);
		r = dev->ops->xmit(dev, f, next_hop);
	}
	if (r >= 0)
		NET_INC(ns, Ip, FragOKs);
	else
		NET_INC(ns, Ip, FragFails);
	pkb_free(p);
	return r < 0 ? r : 0;
}
