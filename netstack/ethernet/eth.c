/*
 * Ethernet II framing for the veth (ethernet.h).  Every field of a received
 * frame is attacker-controlled: the length is checked before the header is
 * read, and what is not ours (another host's unicast, a frame of our own
 * MAC, VLAN tags) is dropped and counted on the interface.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "../core/ip.h"
#include "ethernet.h"

static const unsigned char eth_broadcast[ETH_ADDR_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

void eth_rcv(struct netif *ifp, const unsigned char *frame, size_t len, uint32_t pflags)
{
	const struct eth_hdr *h = (const struct eth_hdr *)frame;
	uint16_t type;
	uint32_t flags = 0;
	struct pkb *p;

	if (len < ETH_HDR_LEN) {
		ifp->stats.rx_errors++;
		return;
	}
	if (!memcmp(h->src, ifp->hwaddr, ETH_ADDR_LEN)) {
		ifp->stats.rx_dropped++; /* our own, seen again */
		return;
	}
	if (!memcmp(h->dst, eth_broadcast, ETH_ADDR_LEN))
		flags = PKB_BROADCAST;
	else if (h->dst[0] & 1)
		flags = PKB_MULTICAST;
	else if (memcmp(h->dst, ifp->hwaddr, ETH_ADDR_LEN)) {
		ifp->stats.rx_dropped++; /* another host's */
		return;
	}
	type = ntohs(h->type);
	frame += ETH_HDR_LEN;
	len -= ETH_HDR_LEN;
	switch (type) {
	case ETH_P_ARP:
		ifp->stats.rx_packets++;
		ifp->stats.rx_bytes += len;
		arp_rcv(ifp, frame, len);
		return;
	case ETH_P_IP:
	case ETH_P_IPV6:
		break;
	default:
		ifp->stats.rx_dropped++;
		return;
	}
	p = pkb_alloc(0, len);
	if (!p) {
		ifp->stats.rx_dropped++;
		return;
	}
	memcpy(p->data, frame, len);
	p->proto = type;
	p->flags = flags | pflags;
	net_rx(ifp, p);
}

int eth_send(struct netif *ifp, struct pkb *p, const unsigned char *dst, uint16_t type)
{
	static unsigned char copy[ETH_HDR_LEN + 65536]; /* under sentry_lock */
	const unsigned char *frame;
	struct eth_hdr *h;
	size_t len = p->len + ETH_HDR_LEN;
	int r;

	if (p->len > ifp->mtu) {
		ifp->stats.tx_dropped++;
		pkb_free(p);
		return -EMSGSIZE;
	}
	/* The header goes into the headroom; a packet without any is copied behind one (never so far). */
	h = pkb_push(p, ETH_HDR_LEN);
	if (h) {
		frame = p->data;
	} else {
		h = (struct eth_hdr *)copy;
		memcpy(copy + ETH_HDR_LEN, p->data, p->len);
		frame = copy;
	}
	memcpy(h->dst, dst, ETH_ADDR_LEN);
	memcpy(h->src, ifp->hwaddr, ETH_ADDR_LEN);
	h->type = htons(type ? type : p->proto);
	r = ifp->ops->out(ifp, frame, len);
	if (r < 0) {
		ifp->stats.tx_errors++;
	} else {
		ifp->stats.tx_packets++;
		ifp->stats.tx_bytes += len;
	}
	pkb_free(p);
	return r;
}

int eth_xmit(struct netif *ifp, struct pkb *p, const struct in6_addr *next_hop)
{
	unsigned char mac[ETH_ADDR_LEN];

	if (net_addr_is_v4(next_hop)) {
		uint32_t a = ntohl(net_addr_v4(next_hop));

		if ((p->flags & PKB_BROADCAST) || a == 0xffffffff ||
		    net_addr_type(ifp->ns, next_hop) == RTN_BROADCAST)
			return eth_send(ifp, p, eth_broadcast, 0);
		if ((a >> 28) == 0xe) { /* RFC 1112 6.4: 01:00:5e and the group's low 23 bits */
			mac[0] = 0x01, mac[1] = 0x00, mac[2] = 0x5e;
			mac[3] = (unsigned char)((a >> 16) & 0x7f), mac[4] = (unsigned char)(a >> 8), mac[5] = (unsigned char)a;
			return eth_send(ifp, p, mac, 0);
		}
	} else if (next_hop->s6_addr[0] == 0xff) { /* RFC 2464 7: 33:33 and the group's last 32 bits */
		mac[0] = 0x33, mac[1] = 0x33;
		memcpy(mac + 2, next_hop->s6_addr + 12, 4);
		return eth_send(ifp, p, mac, 0);
	}
	return neigh_output(ifp, p, next_hop);
}
