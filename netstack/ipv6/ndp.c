/*
 * IPv6 neighbour discovery on Ethernet links (RFC 4861 section 7): the
 * solicitations and advertisements that resolve an address to a MAC, into
 * the neighbour cache ARP uses too (netstack/arp/neigh.c).  Router
 * discovery, redirects and duplicate address detection are not done: the
 * addresses are the ones cvisor was given, and routes come with them.
 * Every message is checked as section 7.1.1 and 7.1.2 say (hop limit 255,
 * code 0, lengths, options of non-zero length inside the packet) before a
 * field is used; ICMPv6 has checked the checksum.
 */
#define _GNU_SOURCE
#include <linux/if_ether.h>
#include <linux/rtnetlink.h>
#include <net/if_arp.h>
#include <string.h>

#include "../core/ip.h"
#include "../ethernet/ethernet.h"

#define NDP_NS 135
#define NDP_NA 136
#define NDP_OPT_SLLA 1
#define NDP_OPT_TLLA 2
#define NA_ROUTER 0x80000000u
#define NA_SOLICITED 0x40000000u
#define NA_OVERRIDE 0x20000000u

/* A neighbour solicitation or advertisement up to its target, as on the wire. */
struct nd_msg {
	uint8_t type, code;
	uint16_t csum;
	uint32_t flags;         /* NA: R, S, O; NS: reserved */
	struct in6_addr target;
}; /* naturally aligned: no packing needed */
_Static_assert(sizeof(struct nd_msg) == 24, "the wire's size");

/* Is a one of ifp's IPv6 addresses? */
static struct netif_addr *ours(struct netif *ifp, const struct in6_addr *a)
{
	struct netif_addr *x;

	for (x = ifp->addrs; x; x = x->next)
		if (!net_addr_is_v4(&x->addr) && IN6_ARE_ADDR_EQUAL(&x->addr, a))
			return x;
	return NULL;
}

/* Sends an NS or NA from src to dst (MAC to) with one link-layer address option of ours. */
static void send_nd(struct netif *ifp, int type, uint32_t flags, const struct in6_addr *src, const struct in6_addr *dst,
		    const struct in6_addr *target, const unsigned char *to)
{
	size_t len = sizeof(struct nd_msg) + 8;
	struct pkb *p = pkb_alloc(NET_MAX_HEADROOM, len);
	struct ip6_hdr_wire *h;
	struct nd_msg *m;
	unsigned char *opt;
	uint32_t sum;

	if (!p) {
		ifp->stats.tx_dropped++;
		return;
	}
	m = (struct nd_msg *)p->data;
	memset(m, 0, sizeof(*m));
	m->type = (uint8_t)type;
	m->flags = htonl(flags);
	m->target = *target;
	opt = p->data + sizeof(*m);
	opt[0] = type == NDP_NS ? NDP_OPT_SLLA : NDP_OPT_TLLA;
	opt[1] = 1; /* in units of 8 bytes */
	memcpy(opt + 2, ifp->hwaddr, ETH_ADDR_LEN);
	sum = net_csum_pseudo(src, dst, IPPROTO_ICMPV6, len);
	m->csum = net_csum_fold(net_csum_add(sum, p->data, len));
	h = pkb_push(p, sizeof(*h));
	h->vtc_flow = htonl(6u << 28);
	h->payload_len = htons((uint16_t)len);
	h->nexthdr = IPPROTO_ICMPV6;
	h->hop_limit = 255;
	h->saddr = *src;
	h->daddr = *dst;
	p->proto = ETH_P_IPV6;
	NET_INC(ifp->ns, Icmp6, OutMsgs);
	eth_send(ifp, p, to, 0);
}

void ndp_solicit(struct netif *ifp, const struct in6_addr *target)
{
	struct in6_addr dst = {{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff}}};
	unsigned char mac[ETH_ADDR_LEN] = {0x33, 0x33, 0xff};
	struct netif_addr *a, *src = NULL;

	/* From an address of ours; the solicited-node group of the target (section 7.2.2). */
	for (a = ifp->addrs; a; a = a->next)
		if (!net_addr_is_v4(&a->addr) && (!src || a->scope == RT_SCOPE_LINK))
			src = a;
	if (!src)
		return;
	memcpy(dst.s6_addr + 13, target->s6_addr + 13, 3);
	memcpy(mac + 3, target->s6_addr + 13, 3);
	send_nd(ifp, NDP_NS, 0, &src->addr, &dst, target, mac);
}

/* The link-layer address option of type want among the options at o (len bytes): the MAC, or NULL; -1 if malformed. */
static int find_lla(const unsigned char *o, size_t len, int want, const unsigned char **mac)
{
	*mac = NULL;
	while (len > 0) {
		size_t olen;

		if (len < 2 || o[1] == 0)
			return -1;
		olen = (size_t)o[1] * 8;
		if (olen > len)
			return -1;
		if (o[0] == want && olen >= 2 + ETH_ADDR_LEN)
			*mac = o + 2;
		o += olen;
		len -= olen;
	}
	return 0;
}

void ndp_rcv(struct netns *ns, const struct pkb *p, const struct net_rx_meta *m)
{
	static const unsigned char all_nodes_mac[ETH_ADDR_LEN] = {0x33, 0x33, 0, 0, 0, 1};
	struct netif *ifp = netif_by_index(ns, m->ifindex);
	const unsigned char *lla;
	struct nd_msg nd;
	int from_unspec = IN6_IS_ADDR_UNSPECIFIED(&m->src);

	if (!ifp || ifp->type != ARPHRD_ETHER || p->len < sizeof(nd) || m->ttl != 255)
		goto bad;
	memcpy(&nd, p->data, sizeof(nd));
	if (nd.code != 0 || nd.target.s6_addr[0] == 0xff ||
	    find_lla(p->data + sizeof(nd), p->len - sizeof(nd), nd.type == NDP_NS ? NDP_OPT_SLLA : NDP_OPT_TLLA,
		     &lla) < 0)
		goto bad;
	if (nd.type == NDP_NS) {
		struct in6_addr all_nodes = {{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}}};

		if (from_unspec && lla)
			goto bad; /* 7.1.1 */
		if (!ours(ifp, &nd.target))
			return;
		if (lla)
			neigh_update(ifp, &m->src, lla, 1);
		if (from_unspec) /* a duplicate address check: the answer goes to all nodes */
			send_nd(ifp, NDP_NA, NA_OVERRIDE, &nd.target, &all_nodes, &nd.target, all_nodes_mac);
		else if (lla)
			send_nd(ifp, NDP_NA, NA_SOLICITED | NA_OVERRIDE, &nd.target, &m->src, &nd.target, lla);
		/* A unicast solicitation without our neighbour's address: it knows ours, and will ask again with it. */
		return;
	}
	if (nd.type == NDP_NA) {
		if ((ntohl(nd.flags) & NA_SOLICITED) && (m->dst.s6_addr[0] == 0xff))
			goto bad; /* 7.1.2 */
		if (lla && !ours(ifp, &nd.target))
			neigh_update(ifp, &nd.target, lla, 0);
	}
	return;
bad:
	NET_INC(ns, Icmp6, InErrors);
}
