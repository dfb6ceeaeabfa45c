/*
 * Ethernet links (the veth of --network=sandbox) and their neighbours:
 * what netstack/ethernet, netstack/arp, netstack/ipv6/ndp.c and
 * netstack/link/packet.c call among themselves.  Includers define
 * _GNU_SOURCE first.  Locking: sentry_lock, as the whole stack.
 */
#pragma once

#include "../netstack.h"

#define ETH_HDR_LEN 14
#define ETH_ADDR_LEN 6

/* The Ethernet header (IEEE 802.3, Ethernet II framing), as on the wire. */
struct eth_hdr {
	unsigned char dst[ETH_ADDR_LEN], src[ETH_ADDR_LEN];
	uint16_t type;
} __attribute__((packed));

/*
 * A frame the link received, len bytes at frame (the link's buffer, not
 * kept): checked, then handed to ARP or copied into a packet for IP
 * (net_rx) with pflags (PKB_CSUM_PARTIAL or 0).  Frames not for us
 * (another host's unicast, our own echoed back, VLAN tagged, runts) are
 * counted and dropped.
 */
void eth_rcv(struct netif *ifp, const unsigned char *frame, size_t len, uint32_t pflags);

/* netif_ops.xmit of an Ethernet link: finds next_hop's MAC (neigh_output) and sends. */
int eth_xmit(struct netif *ifp, struct pkb *p, const struct in6_addr *next_hop);

/* Prepends the Ethernet header (to dst, of p->proto or type if non-zero) and sends the frame (ifp->ops->out); takes p. */
int eth_send(struct netif *ifp, struct pkb *p, const unsigned char *dst, uint16_t type);

/* The packet socket's way out (netif_ops.out of link/packet.c): writes one whole frame.  0 or -errno. */
int packet_link_out(struct netif *ifp, const unsigned char *frame, size_t len);

/*
 * The neighbour cache (netstack/arp/neigh.c), one for ARP and NDP: IP
 * address -> MAC per interface, bounded (NEIGH_MAX entries, NEIGH_QUEUE_MAX
 * packets waiting on an unresolved one).  neigh_output sends p to
 * next_hop's MAC, or queues it and solicits (ARP request, neighbour
 * solicitation) up to NEIGH_PROBES times a second apart; unanswered, the
 * queue is dropped.  Takes p; 0 or -ENOBUFS.
 */
int neigh_output(struct netif *ifp, struct pkb *p, const struct in6_addr *next_hop);
/*
 * What a neighbour said it is (ARP, NDP): updates an entry, or makes one
 * if create (it spoke to us), and sends what waited on it.
 */
void neigh_update(struct netif *ifp, const struct in6_addr *addr, const unsigned char *mac, int create);

/* ARP (netstack/arp/arp.c): a request for target (v4-mapped), a received ARP packet. */
void arp_solicit(struct netif *ifp, const struct in6_addr *target);
void arp_rcv(struct netif *ifp, const unsigned char *pkt, size_t len);

/* NDP (netstack/ipv6/ndp.c): a neighbour solicitation for target (ndp_rcv is in core/ip.h). */
void ndp_solicit(struct netif *ifp, const struct in6_addr *target);
