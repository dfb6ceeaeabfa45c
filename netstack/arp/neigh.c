/*
 * The neighbour cache (ethernet.h), shared by ARP and NDP as Linux's
 * neighbour tables are.  Simpler than RFC 4861's state machine: an entry
 * is either waiting for an answer (packets queued, a solicitation a second
 * up to NEIGH_PROBES times) or known; a known entry older than
 * NEIGH_REACHABLE_NS is still used while it is asked again, and dropped if
 * that goes unanswered.  Bounded everywhere, since a peer chooses what it
 * says: NEIGH_MAX entries (the oldest known one makes room), NEIGH_QUEUE_MAX
 * packets waiting on each (the oldest is dropped).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
#include <stdlib.h>
#include <string.h>

#include "../../sentry/host/host.h"
#include "../core/ip.h"
#include "../ethernet/ethernet.h"

#define NEIGH_MAX 256
#define NEIGH_QUEUE_MAX 8
#define NEIGH_PROBES 3
#define NEIGH_RETRANS_NS 1000000000ULL
#define NEIGH_REACHABLE_NS 30000000000ULL

struct neigh {
	struct neigh *next;
	struct netif *ifp;
	struct in6_addr addr;  /* v4-mapped for ARP */
	unsigned char mac[ETH_ADDR_LEN];
	int known;             /* mac is the neighbour's */
	int probes;            /* solicitations sent since it last answered */
	uint64_t confirmed_ns; /* when it last answered */
	struct pkb *queue, *queue_tail;
	int queue_len;
	struct ktimer timer;   /* the next solicitation, while probes > 0 */
};

/* The entries live on their namespace's list (netns.neighs), under sentry_lock. */
static struct neigh *find(struct netif *ifp, const struct in6_addr *addr)
{
	struct neigh *n;

	for (n = ifp->ns->neighs; n; n = n->next)
		if (n->ifp == ifp && IN6_ARE_ADDR_EQUAL(&n->addr, addr))
			return n;
	return NULL;
}

static void solicit(struct neigh *n)
{
	n->probes++;
	if (net_addr_is_v4(&n->addr))
		arp_solicit(n->ifp, &n->addr);
	else
		ndp_solicit(n->ifp, &n->addr);
	timer_arm_locked(&n->timer, host_monotonic_ns() + NEIGH_RETRANS_NS, 0);
}

static void drop(struct neigh *n)
{
	struct neigh **pp;
	struct pkb *p;

	for (pp = &n->ifp->ns->neighs; *pp != n; pp = &(*pp)->next)
		;
	*pp = n->next;
	n->ifp->ns->nneighs--;
	timer_cancel_locked(&n->timer);
	while ((p = n->queue)) {
		n->queue = p->next;
		n->ifp->stats.tx_dropped++;
		pkb_free(p);
	}
	free(n);
}

static void neigh_timer(struct ktimer *k)
{
	struct neigh *n = k->arg;

	if (n->probes >= NEIGH_PROBES)
		drop(n); /* no answer: its packets are lost, as Linux's FAILED entry loses them */
	else
		solicit(n);
}

static struct neigh *make(struct netif *ifp, const struct in6_addr *addr)
{
	struct neigh *n, *old = NULL;

	if (ifp->ns->nneighs >= NEIGH_MAX) {
		for (n = ifp->ns->neighs; n; n = n->next)
			if (n->known && (!old || n->confirmed_ns < old->confirmed_ns))
				old = n;
		if (!old)
			return NULL; /* every entry is waiting for an answer: no room for another */
		drop(old);
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->ifp = ifp;
	n->addr = *addr;
	n->timer.fn = neigh_timer;
	n->timer.arg = n;
	n->next = ifp->ns->neighs;
	ifp->ns->neighs = n;
	ifp->ns->nneighs++;
	return n;
}

void neigh_flush(struct netns *ns)
{
	while (ns->neighs)
		drop(ns->neighs);
}

void neigh_flush_dev(struct netif *ifp)
{
	struct neigh *n, *next;

	for (n = ifp->ns->neighs; n; n = next) {
		next = n->next;
		if (n->ifp == ifp)
			drop(n);
	}
}

int neigh_output(struct netif *ifp, struct pkb *p, const struct in6_addr *next_hop)
{
	struct neigh *n = find(ifp, next_hop);
	int fresh = 0;

	if (n && n->known) {
		if (!n->probes && host_monotonic_ns() - n->confirmed_ns > NEIGH_REACHABLE_NS)
			solicit(n); /* still used meanwhile */
		return eth_send(ifp, p, n->mac, 0);
	}
	if (!n) {
		n = make(ifp, next_hop);
		if (!n) {
			ifp->stats.tx_dropped++;
			pkb_free(p);
			return -ENOBUFS;
		}
		fresh = 1;
	}
	if (n->queue_len >= NEIGH_QUEUE_MAX) {
		struct pkb *oldest = n->queue;

		n->queue = oldest->next;
		n->queue_len--;
		ifp->stats.tx_dropped++;
		pkb_free(oldest);
	}
	p->next = NULL;
	if (n->queue)
		n->queue_tail->next = p;
	else
		n->queue = p;
	n->queue_tail = p;
	n->queue_len++;
	/* Asked after p waits: a veth peer in the sandbox answers before solicit returns. */
	if (fresh)
		solicit(n);
	return 0;
}

void neigh_update(struct netif *ifp, const struct in6_addr *addr, const unsigned char *mac, int create)
{
	struct neigh *n = find(ifp, addr);
	struct pkb *p;

	if (!n && (!create || !(n = make(ifp, addr))))
		return;
	memcpy(n->mac, mac, ETH_ADDR_LEN);
	n->known = 1;
	n->probes = 0;
	n->confirmed_ns = host_monotonic_ns();
	timer_cancel_locked(&n->timer);
	while ((p = n->queue)) {
		n->queue = p->next;
		p->next = NULL;
		eth_send(ifp, p, n->mac, 0);
	}
	n->queue_tail = NULL;
	n->queue_len = 0;
}
