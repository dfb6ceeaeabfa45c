/*
 * IPv6 receive (RFC 8200).  The fixed header and every extension header
 * are checked against the bytes there before a field is read; malformed
 * packets are counted (Ip6 InHdrErrors, InTruncatedPkts) and dropped.
 * Extension headers are skipped as section 4 requires of a host: hop-by-hop
 * options only first; options whose type says "discard" discard the packet;
 * a routing header with segments left is not ours to follow (we are no
 * router: parameter problem); an atomic fragment (offset 0, no more
 * fragments) is processed as the whole packet, other fragments are
 * reassembled (netstack/core/frag.c: overlaps drop the datagram, RFC 5722).  A v4-mapped source or destination on
 * the wire is refused (RFC 4291 2.5.5.2), as Linux does: inside the stack
 * such an address means IPv4.
 */
#define _GNU_SOURCE
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

#include "../core/ip.h"

#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_NONE 59
#define NEXTHDR_DEST 60

/* The TLV options of a hop-by-hop or destination options header (after its 2 bytes): 0 to go on, -1 to drop. */
static int tlv_ok(const unsigned char *o, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned type = o[i], olen;

		if (type == 0) { /* Pad1 */
			i++;
			continue;
		}
		if (i + 2 > len)
			return -1;
		olen = o[i + 1];
		if (olen > len - i - 2)
			return -1;
		/* PadN and router alert are known; others: the two high bits say what to do (00: skip). */
		if (type != 1 && type != 5 && (type >> 6) != 0)
			return -1;
		i += 2 + olen;
	}
	return 0;
}

/*
 * A fragment (p at its IPv6 header, its fragment header at off) goes to
 * its queue; the datagram it completes comes back whole: the first
 * fragment's headers without its fragment header, the payload length the
 * whole one's, and all the payload.  Else NULL.
 */
static struct pkb *reassemble(struct netns *ns, struct pkb *p, size_t off)
{
	const struct ip6_hdr_wire *h = (const struct ip6_hdr_wire *)p->data;
	const unsigned char *e = p->data + off;
	struct ip6_hdr_wire *w;
	struct net_frag_key k;
	struct pkb *whole;
	uint16_t fo;
	uint32_t id;
	size_t hlen;

	memcpy(&fo, e + 2, 2);
	memcpy(&id, e + 4, 4);
	fo = ntohs(fo);
	memset(&k, 0, sizeof(k));
	k.src = h->saddr;
	k.dst = h->daddr;
	k.id = ntohl(id);
	k.v6 = 1;
	pkb_pull(p, off + 8);
	/* The whole one's payload length (its headers but the fixed one and the fragment header) stays within 65535. */
	if (net_frag_queue(ns, &k, p, fo & 0xfff8, fo & 1, 65535 - (off - sizeof(*h)), &whole, &hlen) <= 0)
		return NULL;
	if (hlen < sizeof(*w) + 8 || whole->len - 8 - sizeof(*w) > 65535) {
		NET_INC(ns, Ip6, InHdrErrors);
		pkb_free(whole);
		return NULL;
	}
	/*
	 * The fragment header goes, as Linux's ip6_frag_reasm takes it out: the
	 * header before it (found again on the first fragment's chain, which
	 * ip6_rcv walked) names what it carried.
	 */
	{
		unsigned char *d = whole->data;
		size_t pos = sizeof(*w), nh_field = 6, fh = hlen - 8;

		while (pos < fh) {
			nh_field = pos;
			pos += ((size_t)d[pos + 1] + 1) * 8;
		}
		if (pos != fh) {
			NET_INC(ns, Ip6, InHdrErrors);
			pkb_free(whole);
			return NULL;
		}
		d[nh_field] = d[fh];
		memmove(d + 8, d, fh);
		pkb_pull(whole, 8);
	}
	w = (struct ip6_hdr_wire *)whole->data;
	w->payload_len = htons((uint16_t)(whole->len - sizeof(*w)));
	whole->nh_off = 0;
	return whole;
}

void ip6_rcv(struct netns *ns, struct pkb *p)
{
	const struct ip6_hdr_wire *h;
	struct net_rx_meta m;
	size_t off, plen;
	uint32_t pointer = 0;
	int nexthdr, type, raw, first = 1;

	NET_INC(ns, Ip6, InReceives);
	if (p->len < sizeof(*h))
		goto hdr_error;
	h = (const struct ip6_hdr_wire *)p->data;
	if ((ntohl(h->vtc_flow) >> 28) != 6)
		goto hdr_error;
	plen = ntohs(h->payload_len);
	if (plen == 0 && h->nexthdr == NEXTHDR_HOP)
		goto hdr_error; /* a jumbogram: not on any link we have */
	if (plen > p->len - sizeof(*h)) {
		NET_INC(ns, Ip6, InTruncatedPkts);
		pkb_free(p);
		return;
	}
	pkb_trim(p, sizeof(*h) + plen);

	memset(&m, 0, sizeof(m));
	m.src = h->saddr;
	m.dst = h->daddr;
	if (net_addr_is_v4(&m.src) || net_addr_is_v4(&m.dst) || m.src.s6_addr[0] == 0xff ||
	    IN6_IS_ADDR_UNSPECIFIED(&m.dst))
		goto addr_error;
	if ((IN6_IS_ADDR_LOOPBACK(&m.src) || IN6_IS_ADDR_LOOPBACK(&m.dst)) && !(p->dev->flags & IFF_LOOPBACK))
		goto addr_error;
	type = net_addr_type(ns, &m.dst);
	if (type == RTN_UNICAST)
		goto addr_error;
	if (type == RTN_MULTICAST) {
		if (!netif_mc_joined(p->dev, &m.dst)) {
			pkb_free(p);
			return;
		}
		p->flags |= PKB_MULTICAST;
	}
	m.v6 = 1;
	m.ttl = h->hop_limit;
	m.tos = (int)((ntohl(h->vtc_flow) >> 20) & 0xff);
	ns->mib[NET_MIB_Ip6_InNoECTPkts + (m.tos & 3)]++; /* NoECT, ECT(1), ECT(0), CE: in that order */
	m.ifindex = p->dev->index;

	nexthdr = h->nexthdr;
	off = sizeof(*h);
	for (;;) {
		const unsigned char *e = p->data + off;
		size_t elen;

		if (nexthdr == NEXTHDR_NONE) {
			pkb_free(p);
			return;
		}
		if (nexthdr != NEXTHDR_HOP && nexthdr != NEXTHDR_ROUTING && nexthdr != NEXTHDR_FRAGMENT &&
		    nexthdr != NEXTHDR_DEST)
			break;
		if (nexthdr == NEXTHDR_HOP && !first)
			goto param_problem;
		if (p->len - off < 8)
			goto hdr_error;
		elen = nexthdr == NEXTHDR_FRAGMENT ? 8 : ((size_t)e[1] + 1) * 8;
		if (elen > p->len - off)
			goto hdr_error;
		switch (nexthdr) {
		case NEXTHDR_HOP:
		case NEXTHDR_DEST:
			if (tlv_ok(e + 2, elen - 2) < 0)
				goto param_problem;
			break;
		case NEXTHDR_ROUTING:
			if (e[3] != 0) /* segments left: we would have to forward it */
				goto param_problem;
			break;
		case NEXTHDR_FRAGMENT: {
			uint16_t fo;

			memcpy(&fo, e + 2, 2);
			if (ntohs(fo) & 0xfff9) { /* an offset, or more fragments to come */
				if ((ntohs(fo) & 1) && ((p->len - off - elen) & 7)) {
					/* Not the last, yet not a multiple of 8 long: the payload length is wrong (RFC 8200 4.5). */
					pointer = 4;
					goto param_problem;
				}
				p = reassemble(ns, p, off);
				if (!p)
					return;
				/* The whole datagram, parsed again from the top. */
				h = (const struct ip6_hdr_wire *)p->data;
				nexthdr = h->nexthdr;
				off = sizeof(*h);
				first = 1;
				continue;
			}
			break;
		}
		}
		nexthdr = e[0];
		off += elen;
		first = 0;
	}
	m.nh_len = off;
	pkb_pull(p, off);
	raw = raw_deliver(ns, nexthdr, p, &m);
	if (!net_find_protocol(nexthdr)) {
		if (raw) {
			NET_INC(ns, Ip6, InDelivers);
		} else {
			NET_INC(ns, Ip6, InUnknownProtos);
			icmp_send_error(ns, p, 1, NET_ICMP_PROTO_UNREACH, (uint32_t)(off - 0));
		}
		pkb_free(p);
		return;
	}
	NET_INC(ns, Ip6, InDelivers);
	net_deliver(ns, nexthdr, p, &m);
	return;
param_problem:
	NET_INC(ns, Ip6, InHdrErrors);
	pkb_pull(p, sizeof(*h));
	icmp_send_error(ns, p, 1, NET_ICMP_PARAM_PROB, pointer);
	pkb_free(p);
	return;
hdr_error:
	NET_INC(ns, Ip6, InHdrErrors);
	pkb_free(p);
	return;
addr_error:
	NET_INC(ns, Ip6, InAddrErrors);
	pkb_free(p);
}
