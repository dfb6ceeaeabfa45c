/*
 * IPv4 receive (RFC 791, RFC 1122 3.2.1).  Every field is checked against
 * the bytes the link delivered before it is read; a malformed packet is
 * counted (Ip InHdrErrors, as Linux) and dropped.  A packet for an address
 * that is not ours is forwarded when the interface it came by forwards
 * (ipv4/conf/IF/forwarding), else counted in InAddrErrors.  Fragments
 * are reassembled (netstack/core/frag.c, with its limits) before anything
 * is delivered, raw sockets included, as Linux's ip_local_deliver does.
 */
#define _GNU_SOURCE
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

#include "../core/ip.h"

/* The options of a header (RFC 791 3.1): each option's length inside the header. */
static int options_ok(const unsigned char *o, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (o[i] == 0) /* end of list */
			return 1;
		if (o[i] == 1) { /* no-op */
			i++;
			continue;
		}
		if (i + 1 >= len || o[i + 1] < 2 || o[i + 1] > len - i)
			return 0;
		i += o[i + 1];
	}
	return 1;
}

/*
 * A fragment (p at its IP header of ihl bytes) goes to its queue; the
 * datagram it completes comes back whole, with the first fragment's header
 * made a whole packet's (length, no fragment bits, checksum), else NULL.
 * A fragment that is not the last carries a multiple of 8 bytes: Linux
 * trims the rest, and so do we.
 */
static struct pkb *reassemble(struct netns *ns, struct pkb *p, size_t ihl)
{
	const struct ip4_hdr *h = (const struct ip4_hdr *)p->data;
	uint16_t fo = ntohs(h->frag_off);
	struct net_frag_key k;
	struct ip4_hdr *w;
	struct pkb *whole;
	size_t hlen;

	memset(&k, 0, sizeof(k));
	net_addr_from_v4(&k.src, h->saddr);
	net_addr_from_v4(&k.dst, h->daddr);
	k.id = ntohs(h->id);
	k.protocol = h->protocol;
	pkb_pull(p, ihl);
	if (fo & IP4_MF)
		pkb_trim(p, p->len & ~(size_t)7);
	if (net_frag_queue(ns, &k, p, (size_t)(fo & IP4_OFFMASK) * 8, !!(fo & IP4_MF), 65535 - ihl, &whole, &hlen) <= 0)
		return NULL;
	if (whole->len > 65535 || hlen < sizeof(*w)) {
		NET_INC(ns, Ip, InHdrErrors);
		pkb_free(whole);
		return NULL;
	}
	w = (struct ip4_hdr *)whole->data;
	w->tot_len = htons((uint16_t)whole->len);
	w->frag_off = 0;
	w->check = 0;
	w->check = net_csum_fold(net_csum_add(0, w, hlen));
	whole->nh_off = 0;
	return whole;
}

/*
 * RFC 1812 5.2 (Linux's ip_forward), p at its IP header: out by the route
 * to its destination with its TTL one less and the checksum mended
 * (RFC 1624), fragmented if it must and may be; ICMP errors for a TTL
 * that ran out, no route, a DF packet too big.  Fragments are forwarded
 * as they came, not reassembled.  Takes p.
 */
static void forward(struct netns *ns, struct pkb *p, const struct in6_addr *dst)
{
	struct ip4_hdr *h = (struct ip4_hdr *)p->data;
	const struct in6_addr *next;
	struct net_route *rt;
	struct netif *dev;
	uint32_t c;

	if (h->ttl <= 1) {
		NET_INC(ns, Ip, InHdrErrors);
		icmp_send_error(ns, p, 0, NET_ICMP_TTL_EXCEEDED, 0);
		pkb_free(p);
		return;
	}
	if (net_route_lookup(ns, dst, 0, &rt, NULL) < 0 || rt->type != RTN_UNICAST) {
		icmp_send_error(ns, p, 0, NET_ICMP_NET_UNREACH, 0);
		pkb_free(p);
		return;
	}
	dev = rt->dev;
	if (p->len > dev->mtu && (ntohs(h->frag_off) & IP4_DF)) {
		NET_INC(ns, Ip, FragFails);
		icmp_send_error(ns, p, 0, NET_ICMP_TOO_BIG, dev->mtu);
		pkb_free(p);
		return;
	}
	h->ttl--;
	c = ntohs(h->check) + 0x100u;
	h->check = htons((uint16_t)(c + (c >> 16)));
	NET_INC(ns, Ip, ForwDatagrams);
	p->flags = 0;
	p->nh_off = 0;
	next = IN6_IS_ADDR_UNSPECIFIED(&rt->gateway) ? dst : &rt->gateway;
	if (p->len > dev->mtu) {
		ip4_fragment(ns, dev, p, next);
		return;
	}
	NET_INC(ns, Ip, OutTransmits);
	dev->ops->xmit(dev, p, next);
}

void ip4_rcv(struct netns *ns, struct pkb *p)
{
	const struct ip4_hdr *h;
	struct net_rx_meta m;
	size_t ihl, tot;
	int type, proto, raw;

	NET_INC(ns, Ip, InReceives);
	if (p->len < sizeof(*h))
		goto hdr_error;
	h = (const struct ip4_hdr *)p->data;
	ihl = (size_t)(h->ver_ihl & 0xf) * 4;
	tot = ntohs(h->tot_len);
	if ((h->ver_ihl >> 4) != 4 || ihl < sizeof(*h) || ihl > p->len)
		goto hdr_error;
	if (!(p->flags & PKB_CSUM_NONE) && net_csum_fold(net_csum_add(0, h, ihl)) != 0)
		goto hdr_error;
	if (tot < ihl || tot > p->len)
		goto hdr_error;
	pkb_trim(p, tot);
	if (ihl > sizeof(*h) && !options_ok(p->data + sizeof(*h), ihl - sizeof(*h)))
		goto hdr_error;

	memset(&m, 0, sizeof(m));
	net_addr_from_v4(&m.src, h->saddr);
	net_addr_from_v4(&m.dst, h->daddr);
	/* Martians: no multicast or broadcast source, loopback addresses only on lo. */
	type = net_addr_type(ns, &m.src);
	if (type == RTN_MULTICAST || type == RTN_BROADCAST)
		goto addr_error;
	if (((ntohl(h->saddr) >> 24) == 127 || (ntohl(h->daddr) >> 24) == 127) && !(p->dev->flags & IFF_LOOPBACK))
		goto addr_error;
	type = net_addr_type(ns, &m.dst);
	if (type == RTN_UNICAST && p->dev->forwarding && !(p->flags & (PKB_BROADCAST | PKB_MULTICAST)) &&
	    h->saddr != 0 && !(p->flags & PKB_CSUM_NONE)) {
		forward(ns, p, &m.dst);
		return;
	}
	if (type == RTN_UNICAST)
		goto addr_error;
	if (type == RTN_BROADCAST)
		p->flags |= PKB_BROADCAST;
	else if (type == RTN_MULTICAST) {
		/* Only a group joined on the interface it came by (Linux drops the others, counting nothing). */
		if (!netif_mc_joined(p->dev, &m.dst)) {
			pkb_free(p);
			return;
		}
		p->flags |= PKB_MULTICAST;
	}
	if (ntohs(h->frag_off) & (IP4_MF | IP4_OFFMASK)) {
		p = reassemble(ns, p, ihl);
		if (!p)
			return;
		h = (const struct ip4_hdr *)p->data;
		ihl = (size_t)(h->ver_ihl & 0xf) * 4;
	}
	m.v6 = 0;
	m.ttl = h->ttl;
	m.tos = h->tos;
	m.ifindex = p->dev->index;
	m.nh_len = ihl;
	proto = h->protocol;
	pkb_pull(p, ihl);
	raw = raw_deliver(ns, proto, p, &m);
	if (!net_find_protocol(proto)) {
		if (raw) {
			NET_INC(ns, Ip, InDelivers);
		} else {
			NET_INC(ns, Ip, InUnknownProtos);
			icmp_send_error(ns, p, 0, NET_ICMP_PROTO_UNREACH, 0);
		}
		pkb_free(p);
		return;
	}
	NET_INC(ns, Ip, InDelivers);
	net_deliver(ns, proto, p, &m);
	return;
hdr_error:
	NET_INC(ns, Ip, InHdrErrors);
	pkb_free(p);
	return;
addr_error:
	NET_INC(ns, Ip, InAddrErrors);
	pkb_free(p);
}
