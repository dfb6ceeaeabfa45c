/*
 * IPv6 send: route, prepend the fixed header (no extension headers are
 * made), hand to the interface.  IPv6 is never fragmented on the way by
 * routers nor here: a packet past the interface's MTU is EMSGSIZE.
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
	if (p->len > 65535 || p->len + sizeof(*h) > dev->mtu) {
		NET_INC(ns, Ip6, OutDiscards);
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
	NET_INC(ns, Ip6, OutTransmits);
	return dev->ops->xmit(dev, p, IN6_IS_ADDR_UNSPECIFIED(&rt->gateway) ? dst : &rt->gateway);
}
