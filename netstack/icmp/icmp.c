/*
 * ICMP (RFC 792, RFC 1122 3.2.2) and ICMPv6 (RFC 4443): echo requests are
 * answered, errors about packets we sent go to the transport that sent
 * them (net_protocol.err), and errors about packets we could not take are
 * made here (icmp_send_error).  Each message is checked against its length
 * before a field is read, its checksum unless it came over loopback; the
 * embedded packet of an error too.  Neighbour discovery is the veth's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "../core/ip.h"

#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12
#define ICMP6_DEST_UNREACH 1
#define ICMP6_PKT_TOOBIG 2
#define ICMP6_TIME_EXCEED 3
#define ICMP6_PARAMPROB 4
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ICMP6_NDP_NS 135 /* neighbour solicitation and advertisement: netstack/ipv6/ndp.c */
#define ICMP6_NDP_NA 136

struct icmp_hdr {
	uint8_t type, code;
	uint16_t check;
	uint32_t rest; /* id and sequence, the pointer, the MTU... */
} __attribute__((packed));

/* Linux's icmp_err_convert: the errno of each "destination unreachable" code. */
static const int unreach_errno[16] = {
	ENETUNREACH, EHOSTUNREACH, ENOPROTOOPT, ECONNREFUSED, EMSGSIZE, EOPNOTSUPP, ENETUNREACH, EHOSTDOWN,
	ENONET, ENETUNREACH, EHOSTUNREACH, ENETUNREACH, EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH, EHOSTUNREACH,
};

/* Sends an ICMP(v6) message (type, code, rest) with body from src to dst; the body is copied. */
static void send_msg(struct netns *ns, int v6, const struct in6_addr *src, const struct in6_addr *dst, int type, int code,
		     uint32_t rest, const void *body, size_t len)
{
	struct pkb *p = pkb_alloc(NET_MAX_HEADROOM, sizeof(struct icmp_hdr) + len);
	struct net_tx_opts o = {.ttl = -1, .csum_off = 2};
	struct icmp_hdr *h;

	if (!p)
		return;
	h = (struct icmp_hdr *)p->data;
	h->type = (uint8_t)type;
	h->code = (uint8_t)code;
	h->check = 0;
	h->rest = rest;
	memcpy(p->data + sizeof(*h), body, len);
	if (!v6) {
		/* Made even over loopback: raw sockets (ping) read it and check it. */
		h->check = net_csum_fold(net_csum_add(0, p->data, p->len));
		o.csum_off = 0;
	}
	net_ip_output(ns, p, src, dst, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, &o);
}

void icmp_send_error(struct netns *ns, struct pkb *p, int v6, int kind, uint32_t info)
{
	const unsigned char *nh = pkb_network(p);
	size_t have = p->nh_off + p->len, max;
	struct in6_addr src, dst;
	int type, code;

	if (v6) {
		const struct ip6_hdr_wire *h = (const struct ip6_hdr_wire *)nh;

		if (have < sizeof(*h))
			return;
		src = h->daddr;
		dst = h->saddr;
		/* Not to multicast (but "packet too big"), nor to an unspecified source. */
		if (IN6_IS_ADDR_UNSPECIFIED(&dst) || dst.s6_addr[0] == 0xff ||
		    ((p->flags & PKB_MULTICAST) && kind != NET_ICMP_TOO_BIG))
			return;
		/* Not about an ICMPv6 error (types below 128). */
		if (h->nexthdr == IPPROTO_ICMPV6 && p->len >= 1 && p->data[0] < 128 && p->nh_off == sizeof(*h))
			return;
		type = kind == NET_ICMP_PORT_UNREACH || kind == NET_ICMP_NET_UNREACH ? ICMP6_DEST_UNREACH
		       : kind == NET_ICMP_TOO_BIG ? ICMP6_PKT_TOOBIG
		       : kind == NET_ICMP_REASM_TIMEOUT || kind == NET_ICMP_TTL_EXCEEDED ? ICMP6_TIME_EXCEED : ICMP6_PARAMPROB;
		code = kind == NET_ICMP_PORT_UNREACH ? 4 : kind == NET_ICMP_PROTO_UNREACH || kind == NET_ICMP_REASM_TIMEOUT ? 1 : 0;
		max = 1280 - sizeof(*h) - sizeof(struct icmp_hdr);
		if (src.s6_addr[0] == 0xff)
			memset(&src, 0, sizeof(src)); /* the route picks one of ours */
		send_msg(ns, 1, &src, &dst, type, code, htonl(info), nh, have < max ? have : max);
		return;
	}
	{
		const struct ip4_hdr *h = (const struct ip4_hdr *)nh;
		size_t ihl;

		if (have < sizeof(*h))
			return;
		ihl = (size_t)(h->ver_ihl & 0xf) * 4;
		if ((p->flags & (PKB_BROADCAST | PKB_MULTICAST)) || (ntohs(h->frag_off) & IP4_OFFMASK))
			return;
		net_addr_from_v4(&src, h->daddr);
		net_addr_from_v4(&dst, h->saddr);
		type = net_addr_type(ns, &dst);
		if (h->saddr == 0 || type == RTN_BROADCAST || type == RTN_MULTICAST)
			return;
		/* Never about an ICMP error. */
		if (h->protocol == IPPROTO_ICMP && p->nh_off == ihl && p->len >= 1 && p->data[0] != ICMP_ECHO &&
		    p->data[0] != ICMP_ECHOREPLY && p->data[0] != 13 && p->data[0] != 14)
			return;
		/* About a packet for another host (being forwarded): from an address of ours the route picks. */
		if (net_addr_type(ns, &src) != RTN_LOCAL)
			net_addr_from_v4(&src, 0);
		type = kind == NET_ICMP_PARAM_PROB ? ICMP_PARAMETERPROB :
		       kind == NET_ICMP_REASM_TIMEOUT || kind == NET_ICMP_TTL_EXCEEDED ? ICMP_TIME_EXCEEDED : ICMP_DEST_UNREACH;
		code = kind == NET_ICMP_PORT_UNREACH ? 3 : kind == NET_ICMP_PROTO_UNREACH ? 2 : kind == NET_ICMP_TOO_BIG ? 4 :
		       kind == NET_ICMP_REASM_TIMEOUT ? 1 : 0;
		/* The offending header and up to 576 bytes in all (RFC 1812 4.3.2.3). */
		max = 576 - sizeof(*h) - sizeof(struct icmp_hdr);
		send_msg(ns, 0, &src, &dst, type, code, kind == NET_ICMP_TOO_BIG ? htonl(info & 0xffff) : htonl(info << 24),
			 nh, have < max ? have : max);
	}
}

/* An error about a packet we sent: the embedded packet checked, then its transport told. */
static void deliver_err(struct netns *ns, struct net_icmp_err *e, const unsigned char *in, size_t len)
{
	const struct net_protocol *pr;
	int proto;

	if (e->v6) {
		const struct ip6_hdr_wire *h = (const struct ip6_hdr_wire *)in;

		if (len < sizeof(*h))
			return;
		e->src = h->saddr;
		e->dst = h->daddr;
		proto = h->nexthdr; /* extension headers in our own packets: we send none */
		e->payload = in + sizeof(*h);
		e->payload_len = len - sizeof(*h);
	} else {
		const struct ip4_hdr *h = (const struct ip4_hdr *)in;
		size_t ihl;

		if (len < sizeof(*h))
			return;
		ihl = (size_t)(h->ver_ihl & 0xf) * 4;
		if ((h->ver_ihl >> 4) != 4 || ihl < sizeof(*h) || ihl > len)
			return;
		net_addr_from_v4(&e->src, h->saddr);
		net_addr_from_v4(&e->dst, h->daddr);
		proto = h->protocol;
		e->payload = in + ihl;
		e->payload_len = len - ihl;
	}
	/* Every transport needs its ports at least: 8 bytes, as RFC 792 guarantees. */
	if (e->payload_len < 8)
		return;
	pr = net_find_protocol(proto);
	if (pr && pr->err)
		pr->err(ns, e);
}

static int csum_bad(struct pkb *p, const struct net_rx_meta *m, int v6)
{
	uint32_t sum;

	if (p->flags & PKB_L4_CSUM_UNCHECKED)
		return 0;
	sum = v6 ? net_csum_pseudo(&m->src, &m->dst, IPPROTO_ICMPV6, p->len) : 0;
	return net_csum_fold(net_csum_add(sum, p->data, p->len)) != 0;
}

static void icmp_rcv(struct netns *ns, struct pkb *p, const struct net_rx_meta *m)
{
	struct icmp_hdr h;
	struct net_icmp_err e;

	NET_INC(ns, Icmp, InMsgs);
	if (p->len < sizeof(h)) {
		NET_INC(ns, Icmp, InErrors);
		goto out;
	}
	if (csum_bad(p, m, 0)) {
		NET_INC(ns, Icmp, InCsumErrors);
		NET_INC(ns, Icmp, InErrors);
		goto out;
	}
	memcpy(&h, p->data, sizeof(h));
	ns->icmp_types[0][0][h.type]++;
	switch (h.type) {
	case ICMP_ECHO:
		/* Not to broadcasts (icmp_echo_ignore_broadcasts, Linux's default). */
		if (!(p->flags & (PKB_BROADCAST | PKB_MULTICAST)))
			send_msg(ns, 0, &m->dst, &m->src, ICMP_ECHOREPLY, 0, h.rest, p->data + sizeof(h), p->len - sizeof(h));
		break;
	case ICMP_ECHOREPLY:
		break;
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		memset(&e, 0, sizeof(e));
		e.type = h.type;
		e.code = h.code;
		e.from = m->src;
		if (h.type == ICMP_DEST_UNREACH) {
			e.err = unreach_errno[h.code & 15];
			if (h.code == 4)
				e.info = ntohl(h.rest) & 0xffff;
		} else if (h.type == ICMP_TIME_EXCEEDED) {
			e.err = EHOSTUNREACH;
		} else {
			e.err = EPROTO;
			e.info = ntohl(h.rest) >> 24;
		}
		deliver_err(ns, &e, p->data + sizeof(h), p->len - sizeof(h));
		break;
	}
out:
	pkb_free(p);
}

static void icmp6_rcv(struct netns *ns, struct pkb *p, const struct net_rx_meta *m)
{
	struct icmp_hdr h;
	struct net_icmp_err e;

	NET_INC(ns, Icmp6, InMsgs);
	if (p->len < sizeof(h)) {
		NET_INC(ns, Icmp6, InErrors);
		goto out;
	}
	if (csum_bad(p, m, 1)) {
		NET_INC(ns, Icmp6, InCsumErrors);
		NET_INC(ns, Icmp6, InErrors);
		goto out;
	}
	memcpy(&h, p->data, sizeof(h));
	ns->icmp_types[1][0][h.type]++;
	switch (h.type) {
	case ICMP6_ECHO_REQUEST:
		send_msg(ns, 1, (p->flags & PKB_MULTICAST) ? &in6addr_any : &m->dst, &m->src, ICMP6_ECHO_REPLY, 0, h.rest,
			 p->data + sizeof(h), p->len - sizeof(h));
		break;
	case ICMP6_ECHO_REPLY:
		break;
	case ICMP6_NDP_NS:
	case ICMP6_NDP_NA:
		ndp_rcv(ns, p, m);
		break;
	case ICMP6_DEST_UNREACH:
	case ICMP6_PKT_TOOBIG:
	case ICMP6_TIME_EXCEED:
	case ICMP6_PARAMPROB:
		memset(&e, 0, sizeof(e));
		e.v6 = 1;
		e.type = h.type;
		e.code = h.code;
		e.from = m->src;
		if (h.type == ICMP6_DEST_UNREACH) {
			static const int err[8] = {ENETUNREACH, EACCES, EHOSTUNREACH, EHOSTUNREACH, ECONNREFUSED, EACCES, EACCES,
						   EHOSTUNREACH};

			e.err = err[h.code & 7];
		} else if (h.type == ICMP6_PKT_TOOBIG) {
			e.err = EMSGSIZE;
			e.info = ntohl(h.rest);
		} else if (h.type == ICMP6_TIME_EXCEED) {
			e.err = EHOSTUNREACH;
		} else {
			e.err = EPROTO;
			e.info = ntohl(h.rest);
		}
		deliver_err(ns, &e, p->data + sizeof(h), p->len - sizeof(h));
		break;
	}
out:
	pkb_free(p);
}

static const struct net_protocol icmp_protocol = {.protocol = IPPROTO_ICMP, .rcv = icmp_rcv};
NET_PROTOCOL(icmp_protocol)
static const struct net_protocol icmp6_protocol = {.protocol = IPPROTO_ICMPV6, .rcv = icmp6_rcv};
NET_PROTOCOL(icmp6_protocol)
