/*
 * IPv6 send: route, prepend the fixed header (no extension headers are
 * made), hand to the interface.  Routers never fragment IPv6, the sender
 * does: a packet past the interface's MTU goes as fragments (ip6_fragment)
 * unless the socket said not to (IPV6_PMTUDISC_DO, TCP): then EMSGSIZE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

#include "../core/ip.h"

int ip6_output(struct netns *ns, struct pkb *p, const struct in6_addr *src, const struct in6_addr *dst, int protocol,
	       const struct net_tx_opts *o)
{
	struct net_route *rt;
	struct ip6_hdr_wire *h;
	struct netif *dev;
	struct in6_addr from = *src;
	int r;

	NET_INC(ns, Ip6, OutRequests);
	r = net_route_lookup(ns, dst, o ? o->ifindex : 0, &rt, IN6_IS_ADDR_UNSPECIFIED(src) ? &from : NULL);
	if (r < 0) {
		NET_INC(ns, Ip6, OutNoRoutes);
		pkb_free(p);
		return r == -EADDRNOTAVAIL ? -ENETUNREACH : r;
	}
	dev = rt->type == RTN_LOCAL ? ns->lo : rt->dev;
	if (p->len > 65535 || (p->len + sizeof(*h) > dev->mtu && ((o && o->dontfrag) || dev->mtu < 1280))) {
		/* Refused before it is a packet: Linux counts nothing (ipv6_local_error). */
		pkb_free(p);
		return -EMSGSIZE;
	}
	if (o && o->csum_off && !dev->no_csum)
		net_fill_csum(p, &from, dst, protocol, o->csum_off);
	if (protocol == IPPROTO_ICMPV6 && p->len >= 1) {
		NET_INC(ns, Icmp6, OutMsgs);
		ns->icmp_types[1][1][p->data[0]]++;
	}
	h = pkb_push(p, sizeof(*h));
	if (!h) {
		NET_INC(ns, Ip6, OutDiscards);
		pkb_free(p);
		return -ENOBUFS;
	}
	h->vtc_flow = htonl(6u << 28 | (uint32_t)((o ? o->tos : 0) & 0xff) << 20);
	h->payload_len = htons((uint16_t)(p->len - sizeof(*h)));
	h->nexthdr = (uint8_t)protocol;
	h->hop_limit = (uint8_t)(o && o->ttl >= 0 ? o->ttl : NET_DEFAULT_TTL);
	h->saddr = from;
	h->daddr = *dst;
	p->proto = ETH_P_IPV6;
	p->nh_off = 0;
	if (!(dev->flags & IFF_UP)) {
		pkb_free(p);
		return -ENETDOWN;
	}
	if (p->len > dev->mtu)
		return ip6_fragment(ns, dev, p, IN6_IS_ADDR_UNSPECIFIED(&rt->gateway) ? dst : &rt->gateway);
	NET_INC(ns, Ip6, OutTransmits);
	return dev->ops->xmit(dev, p, IN6_IS_ADDR_UNSPECIFIED(&rt->gateway) ? dst : &rt->gateway);
}

/*
 * RFC 8200 4.5: the fixed header (we make no extension headers, so all of
 * it is the unfragmentable part), a fragment header, and the next
 * (MTU - 48) & ~7 bytes of the payload, as Linux's ip6_fragment cuts them.
 */
int ip6_fragment(struct netns *ns, struct netif *dev, struct pkb *p, const struct in6_addr *next_hop)
{
	const struct ip6_hdr_wire *h = (const struct ip6_hdr_wire *)p->data;
	size_t hl = sizeof(*h), payload = p->len - hl, per = (dev->mtu - hl - 8) & ~(size_t)7, off, n;
	uint32_t id = htonl(++ns->ip6_frag_id);
	int r = 0;

	for (off = 0; off < payload && r >= 0; off += n) {
		struct ip6_hdr_wire *fh;
		unsigned char *e;
		uint16_t fo;
		struct pkb *f;

		n = payload - off < per ? payload - off : per;
		f = pkb_alloc(NET_MAX_HEADROOM, hl + 8 + n);
		if (!f) {
			NET_INC(ns, Ip6, FragFails);
			pkb_free(p);
			return -ENOBUFS;
		}
		memcpy(f->data, h, hl);
		fh = (struct ip6_hdr_wire *)f->data;
		fh->payload_len = htons((uint16_t)(8 + n));
		fh->nexthdr = 44; /* fragment */
		e = f->data + hl;
		e[0] = h->nexthdr;
		e[1] = 0;
		fo = htons((uint16_t)(off | (off + n < payload ? 1 : 0)));
		memcpy(e + 2, &fo, 2);
		memcpy(e + 4, &id, 4);
		memcpy(e + 8, p->data + hl + off, n);
		f->proto = ETH_P_IPV6;
		f->flags = p->flags;
		NET_INC(ns, Ip6, FragCreates);
		NET_INC(ns, Ip6, OutTransmits);
		r = dev->ops->xmit(dev, f, next_hop);
	}
	if (r >= 0)
		NET_INC(ns, Ip6, FragOKs);
	else
		NET_INC(ns, Ip6, FragFails);
	pkb_free(p);
	return r < 0 ? r : 0;
}
