/*
 * ARP (RFC 826) for IPv4 over Ethernet.  We answer requests for our own
 * addresses on the interface they came in on, and learn a neighbour's MAC
 * when it asks for us or answers us; what else we hear only refreshes
 * entries we already have, so a flood of requests for other hosts fills
 * nothing.  Every packet is checked for the Ethernet/IPv4 sizes first.
 */
#define _GNU_SOURCE
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <string.h>

#include "../ethernet/ethernet.h"

#define ARP_REQUEST 1
#define ARP_REPLY 2

/* An ARP packet for IPv4 over Ethernet, as on the wire. */
struct arp_pkt {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	unsigned char sha[ETH_ADDR_LEN];
	uint32_t spa;
	unsigned char tha[ETH_ADDR_LEN];
	uint32_t tpa;
} __attribute__((packed));

static const unsigned char broadcast[ETH_ADDR_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* Is v4 (network order) one of ifp's addresses? */
static int ours(struct netif *ifp, uint32_t v4)
{
	struct netif_addr *a;

	for (a = ifp->addrs; a; a = a->next)
		if (net_addr_is_v4(&a->addr) && net_addr_v4(&a->addr) == v4)
			return 1;
	return 0;
}

static void send_arp(struct netif *ifp, int op, uint32_t spa, const unsigned char *tha, uint32_t tpa,
		     const unsigned char *to)
{
	struct pkb *p = pkb_alloc(NET_MAX_HEADROOM, sizeof(struct arp_pkt));
	struct arp_pkt *a;

	if (!p) {
		ifp->stats.tx_dropped++;
		return;
	}
	a = (struct arp_pkt *)p->data;
	a->htype = htons(ARPHRD_ETHER);
	a->ptype = htons(ETH_P_IP);
	a->hlen = ETH_ADDR_LEN;
	a->plen = 4;
	a->op = htons((uint16_t)op);
	memcpy(a->sha, ifp->hwaddr, ETH_ADDR_LEN);
	a->spa = spa;
	memcpy(a->tha, tha, ETH_ADDR_LEN);
	a->tpa = tpa;
	eth_send(ifp, p, to, ETH_P_ARP);
}

void arp_solicit(struct netif *ifp, const struct in6_addr *target)
{
	static const unsigned char zero[ETH_ADDR_LEN];
	struct netif_addr *a;
	uint32_t spa = 0;

	/* From an address of ours in the target's subnet, else the first one. */
	for (a = ifp->addrs; a; a = a->next) {
		uint32_t mask;

		/* (an IPv6 address's prefix may be up to 128: the shift is only for IPv4's) */
		if (!net_addr_is_v4(&a->addr))
			continue;
		mask = a->prefixlen >= 32 ? ~0u : a->prefixlen ? htonl(~0u << (32 - a->prefixlen)) : 0;
		if (!spa || ((net_addr_v4(&a->addr) ^ net_addr_v4(target)) & mask) == 0)
			spa = net_addr_v4(&a->addr);
	}
	send_arp(ifp, ARP_REQUEST, spa, zero, net_addr_v4(target), broadcast);
}

void arp_rcv(struct netif *ifp, const unsigned char *pkt, size_t len)
{
	struct arp_pkt a;
	struct in6_addr sender;
	int op, for_us;

	if (len < sizeof(a)) {
		ifp->stats.rx_errors++;
		return;
	}
	memcpy(&a, pkt, sizeof(a));
	op = ntohs(a.op);
	if (ntohs(a.htype) != ARPHRD_ETHER || ntohs(a.ptype) != ETH_P_IP || a.hlen != ETH_ADDR_LEN || a.plen != 4 ||
	    (op != ARP_REQUEST && op != ARP_REPLY) || (a.sha[0] & 1)) {
		ifp->stats.rx_dropped++;
		return;
	}
	for_us = ours(ifp, a.tpa);
	/* A sender of 0.0.0.0 is probing for a conflict (RFC 5227): nothing to learn. */
	if (a.spa != 0 && !ours(ifp, a.spa)) {
		net_addr_from_v4(&sender, a.spa);
		neigh_update(ifp, &sender, a.sha, for_us);
	}
	if (op == ARP_REQUEST && for_us)
		send_arp(ifp, ARP_REPLY, a.tpa, a.sha, a.spa, a.sha);
}
