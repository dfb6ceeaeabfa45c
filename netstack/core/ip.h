/*
 * What the layers of netstack/ call among themselves and nobody outside:
 * IP's receive entries (net_rx hands packets to them) and helpers the
 * network layers share.  Includers define _GNU_SOURCE first.
 */
#pragma once

#include "../netstack.h"

/* The receive entries of IPv4 and IPv6: p starts at the IP header; each takes p. */
void ip4_rcv(struct netns *ns, struct pkb *p);
void ip6_rcv(struct netns *ns, struct pkb *p);
/* IPv4/IPv6 output (net_ip_output picks by the addresses). */
int ip4_output(struct netns *ns, struct pkb *p, const struct in6_addr *src, const struct in6_addr *dst, int protocol,
	       const struct net_tx_opts *o);
int ip6_output(struct netns *ns, struct pkb *p, const struct in6_addr *src, const struct in6_addr *dst, int protocol,
	       const struct net_tx_opts *o);
/* Hands a transport packet to its protocol (p at the transport header); takes p.  0, or -ENOPROTOOPT: nobody takes it. */
int net_deliver(struct netns *ns, int protocol, struct pkb *p, const struct net_rx_meta *m);
/* Fills the transport checksum at o->csum_off of p (see net_tx_opts). */
void net_fill_csum(struct pkb *p, const struct in6_addr *src, const struct in6_addr *dst, int protocol, int off);
/* The loopback interface of ns (made by net_ns_setup). */
struct netif *loopback_new(void);
/* The veth of --network=sandbox: its interface in ns, up with c's addresses and routes, and its receive thread (netstack/link/packet.c). */
int packet_link_init(struct netns *ns, const struct net_config *c);
/*
 * One frame as the veth's packet socket gave it (frame[0..len), its
 * virtio_net_hdr first; truncated: the socket cut it short), handed to
 * Ethernet or dropped and counted.  Every byte is the peer's to choose.
 */
void packet_link_rx(struct netif *ifp, unsigned char *frame, size_t len, int truncated);
/* Drops ns's neighbour entries and the packets waiting on them (netstack/arp/neigh.c): ns is going. */
void neigh_flush(struct netns *ns);
/* ...and those of ifp alone: it is leaving its namespace. */
void neigh_flush_dev(struct netif *ifp);
/* A neighbour solicitation or advertisement ICMPv6 received (p at the ICMPv6 header, checksum checked; not taken): netstack/ipv6/ndp.c. */
void ndp_rcv(struct netns *ns, const struct pkb *p, const struct net_rx_meta *m);

/* IPv4 header (RFC 791), as on the wire. */
struct ip4_hdr {
	uint8_t ver_ihl;
	uint8_t tos;
	uint16_t tot_len;
	uint16_t id;
	uint16_t frag_off;
	uint8_t ttl;
	uint8_t protocol;
	uint16_t check;
	uint32_t saddr, daddr;
} __attribute__((packed));

#define IP4_DF 0x4000
#define IP4_MF 0x2000
#define IP4_OFFMASK 0x1fff

/* IPv6 header (RFC 8200). */
struct ip6_hdr_wire {
	uint32_t vtc_flow;
	uint16_t payload_len;
	uint8_t nexthdr;
	uint8_t hop_limit;
	struct in6_addr saddr, daddr;
} __attribute__((packed));

#define NET_DEFAULT_TTL 64
#define NET_BACKLOG_MAX 1000 /* Linux's netdev_max_backlog */

/*
 * Sends an ICMP or ICMPv6 error about p (a packet we received, its network
 * header at p->data - p->nh_off) to its sender: Linux's rules on when not
 * to (about an error, a broadcast, a fragment past the first) apply.
 * kind is one of the NET_ICMP_* below; info the pointer or MTU.
 */
enum { NET_ICMP_PORT_UNREACH, NET_ICMP_PROTO_UNREACH, NET_ICMP_PARAM_PROB, NET_ICMP_TOO_BIG, NET_ICMP_REASM_TIMEOUT,
       NET_ICMP_TTL_EXCEEDED, NET_ICMP_NET_UNREACH /* a packet being forwarded: its TTL ran out, no route on */ };
void icmp_send_error(struct netns *ns, struct pkb *p, int v6, int kind, uint32_t info);
/*
 * Raw sockets of protocol get a copy of a packet (p at its transport
 * header, the IP header before it): 1 if any did.  Defined by
 * netstack/icmp/raw.c.
 */
int raw_deliver(struct netns *ns, int protocol, struct pkb *p, const struct net_rx_meta *m);

/* The network header of p (where IP found it). */
static inline unsigned char *pkb_network(const struct pkb *p)
{
	return p->data - p->nh_off;
}

/* ---- fragments (netstack/core/frag.c) ---- */

#define NET_FRAG_HIGH_THRESH (4u << 20)              /* Linux's ipfrag_high_thresh */
#define NET_FRAG_TIMEOUT_NS (30ull * 1000000000ull) /* Linux's ipfrag_time */

/* What makes fragments one datagram's (RFC 791: source, destination, protocol, identification). */
struct net_frag_key {
	struct in6_addr src, dst; /* v4-mapped for IPv4 */
	uint32_t id;
	uint8_t protocol;      /* IPv4's protocol field; 0 for IPv6, whose identification alone counts */
	uint8_t v6;
	uint8_t pad[2];        /* zero: keys are compared with memcmp */
};

/*
 * Queues fragment p (data at its payload, its headers before it: nh_off
 * bytes from the network header) at byte off of the datagram's payload,
 * with more set unless it is the last; takes p.  1 when that completes the
 * datagram: *out is a new packet of the first fragment's nh_off header
 * bytes (*hlen, for the caller to rewrite into a whole packet's) followed
 * by the whole payload.  0 while it waits, -errno when it or its queue was
 * dropped (limits, overlaps; counted).  A payload that would end past
 * max_payload is dropped.  Counts Reasm* of Ip or Ip6.
 */
int net_frag_queue(struct netns *ns, const struct net_frag_key *k, struct pkb *p, size_t off, int more,
		   size_t max_payload, struct pkb **out, size_t *hlen);
/* Drops the queues of ns due by now (monotonic ns): what the timer does; tests call it. */
void net_frag_expire(struct netns *ns, uint64_t now);
/* Drops every queue of ns (tests, a namespace going away). */
void net_frag_flush(struct netns *ns);
/*
 * Sends p, a whole IP packet (header made, proto set) too large for dev's
 * MTU, as fragments (netstack/ipv4/ip4_output.c, ipv6/ip6_output.c);
 * takes p.  0 or -errno.
 */
int ip4_fragment(struct netns *ns, struct netif *dev, struct pkb *p, const struct in6_addr *next_hop);
int ip6_fragment(struct netns *ns, struct netif *dev, struct pkb *p, const struct in6_addr *next_hop);
