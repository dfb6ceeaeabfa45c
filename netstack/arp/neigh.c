/*
 * The neighbour cache (ethernet.h), shared by ARP and NDP as Linux's
 * neighbour tables are.  Simpler than RFC 4861's state machine: an entry
 * is either waiting for an answer (packets queued, a solicitation a second
 * up to NEIGH_PROBES times), known, or failed (unanswered: kept, and asked
 * again when used); a known entry older than NEIGH_REACHABLE_NS, or learnt
 * from the neighbour's own question, is stale: still used, and asked again
 * NEIGH_DELAY_NS later unless it speaks first, failing if that goes
 * unanswered.  rtnetlink shows these as Linux's NUD_* states and is told of
 * each change (net_notify_neigh).  Bounded everywhere, since a peer chooses
 * what it says: NEIGH_MAX entries (a failed one, else the one heard from
 * longest ago makes room), NEIGH_QUEUE_MAX packets waiting on each (the
 * oldest is dropped).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/neighbour.h>
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
#define NEIGH_DELAY_NS 5000000000ULL /* Linux's delay_first_probe_time */

struct neigh {
	struct neigh *next;
	struct netif *ifp;
	struct in6_addr addr;  /* v4-mapped for ARP */
	unsigned char mac[ETH_ADDR_LEN];
	int known;             /* mac is the neighbour's */
	int failed;            /* asked NEIGH_PROBES times unanswered: kept (Linux's FAILED) until used again */
	int permanent;         /* set by ip neigh add: never asked, never made room for */
	int probes;            /* solicitations sent since it last answered */
	int delay;             /* used while stale: asked again when the timer fires (Linux's DELAY, 5 s) */
	uint64_t confirmed_ns; /* when it last answered; 0: never (learnt from its own question: Linux's STALE) */
	uint64_t updated_ns;   /* when it last changed or was heard from (the oldest makes room) */
	struct pkb *queue, *queue_tail;
	int queue_len;
	struct ktimer timer;   /* the next solicitation, while probes > 0 */
};

/* What rtnetlink shows of n (NUD_* as Linux's, from netstack's simpler states). */
static void view(const struct neigh *n, struct net_neigh *v)
{
	uint64_t now = host_monotonic_ns();

	memset(v, 0, sizeof(*v));
	v->ifp = n->ifp;
	v->addr = n->addr;
	memcpy(v->mac, n->mac, ETH_ADDR_LEN);
	if (n->permanent)
		v->state = NUD_PERMANENT;
	else if (n->failed)
		v->state = NUD_FAILED;
	else if (!n->known)
		v->state = NUD_INCOMPLETE;
	else if (n->probes)
		v->state = NUD_PROBE;
	else if (n->delay)
		v->state = NUD_DELAY;
	else if (n->confirmed_ns && now - n->confirmed_ns <= NEIGH_REACHABLE_NS)
		v->state = NUD_REACHABLE;
	else
		v->state = NUD_STALE;
	v->has_mac = n->known;
	v->probes = (unsigned)n->probes;
	v->confirmed_ms = n->confirmed_ns ? (now - n->confirmed_ns) / 1000000 : (now - n->updated_ns) / 1000000;
	v->updated_ms = (now - n->updated_ns) / 1000000;
}

/* Tells RTNLGRP_NEIGH of n as it is now (RTM_NEWNEIGH), or that it goes (RTM_DELNEIGH). */
static void notify(const struct neigh *n, int added)
{
	struct net_neigh v;

	view(n, &v);
	net_notify_neigh(&v, added);
}

/* The entries live on their namespace's list (netns.neighs), oldest first, under sentry_lock. */
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

/* Drops what waits on n (it failed, or goes). */
static void drop_queue(struct neigh *n)
{
	struct pkb *p;

	while ((p = n->queue)) {
		n->queue = p->next;
		n->ifp->stats.tx_dropped++;
		pkb_free(p);
	}
	n->queue_tail = NULL;
	n->queue_len = 0;
}

/* The packets that waited for n's address go out, now that it is known. */
static void send_queue(struct neigh *n)
{
	struct pkb *p;

	while ((p = n->queue)) {
		n->queue = p->next;
		p->next = NULL;
		eth_send(n->ifp, p, n->mac, 0);
	}
	n->queue_tail = NULL;
	n->queue_len = 0;
}

/* Takes n away; told (RTM_DELNEIGH) when tell. */
static void drop(struct neigh *n, int tell)
{
	struct neigh **pp;

	for (pp = &n->ifp->ns->neighs; *pp != n; pp = &(*pp)->next)
		;
	*pp = n->next;
	n->ifp->ns->nneighs--;
	timer_cancel_locked(&n->timer);
	drop_queue(n);
	if (tell)
		notify(n, 0);
	free(n);
}

static void neigh_timer(struct ktimer *k)
{
	struct neigh *n = k->arg;

	n->delay = 0;
	if (n->probes < NEIGH_PROBES) {
		solicit(n);
		return;
	}
	/* No answer: its packets are lost, and it stays FAILED (told) until used again or made room for. */
	drop_queue(n);
	n->known = 0;
	n->failed = 1;
	n->probes = 0;
	n->updated_ns = host_monotonic_ns();
	notify(n, 1);
}

static struct neigh *make(struct netif *ifp, const struct in6_addr *addr)
{
	struct neigh *n, *old = NULL, **pp;

	if (ifp->ns->nneighs >= NEIGH_MAX) {
		/* A failed entry makes room first, then the known one heard from longest ago. */
		for (n = ifp->ns->neighs; n; n = n->next)
			if (!n->permanent && (n->failed || n->known) &&
			    (!old || (n->failed && !old->failed) ||
			     (n->failed == old->failed && n->updated_ns < old->updated_ns)))
				old = n;
		if (!old)
			return NULL; /* every entry is waiting for an answer or permanent: no room for another */
		drop(old, 1);
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->ifp = ifp;
	n->addr = *addr;
	n->timer.fn = neigh_timer;
	n->timer.arg = n;
	n->updated_ns = host_monotonic_ns();
	for (pp = &ifp->ns->neighs; *pp; pp = &(*pp)->next)
		;
	*pp = n;
	ifp->ns->nneighs++;
	return n;
}

void neigh_flush(struct netns *ns)
{
	while (ns->neighs)
		drop(ns->neighs, 0);
}

void neigh_flush_dev(struct netif *ifp)
{
	struct neigh *n, *next;

	for (n = ifp->ns->neighs; n; n = next) {
		next = n->next;
		if (n->ifp == ifp)
			drop(n, 1);
	}
}

int neigh_output(struct netif *ifp, struct pkb *p, const struct in6_addr *next_hop)
{
	struct neigh *n = find(ifp, next_hop);
	int fresh = 0;

	if (n && n->known) {
		if (!n->permanent && !n->probes && !n->delay && host_monotonic_ns() - n->confirmed_ns > NEIGH_REACHABLE_NS) {
			/* Stale: still used, and asked again a while later unless it speaks first (Linux's DELAY). */
			n->delay = 1;
			timer_arm_locked(&n->timer, host_monotonic_ns() + NEIGH_DELAY_NS, 0);
		}
		return eth_send(ifp, p, n->mac, 0);
	}
	if (n && n->failed) {
		n->failed = 0; /* asked again, as Linux's FAILED entry turns INCOMPLETE when used */
		n->updated_ns = host_monotonic_ns();
		fresh = 1;
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
	int made = 0, was;

	if (!n && (!create || !(n = make(ifp, addr))))
		return;
	if (!n->known && !n->failed && !n->queue && !n->probes)
		made = 1; /* learnt from its own question, unasked: Linux's STALE, confirmed when used */
	if (n->permanent) {
		/* What ip neigh add said stands (Linux's: an override needs NEIGH_UPDATE_F_ADMIN). */
		return;
	}
	was = n->known && !n->failed ? (n->confirmed_ns ? 2 : 1) : 0;
	memcpy(n->mac, mac, ETH_ADDR_LEN);
	n->known = 1;
	n->failed = 0;
	n->probes = 0;
	n->delay = 0;
	n->confirmed_ns = made ? 0 : host_monotonic_ns();
	n->updated_ns = host_monotonic_ns();
	timer_cancel_locked(&n->timer);
	/* Told when its state changes: a new entry, an answer to our question (not every refresh). */
	if (was != (made ? 1 : 2))
		notify(n, 1);
	send_queue(n);
}

void net_neigh_walk(struct netns *ns, void (*fn)(void *ctx, const struct net_neigh *n), void *ctx)
{
	struct neigh *n;
	struct net_neigh v;

	for (n = ns->neighs; n; n = n->next) {
		view(n, &v);
		fn(ctx, &v);
	}
}

int net_neigh_set(struct netif *ifp, const struct in6_addr *addr, const unsigned char *mac, int state, int create,
		  int replace, int excl)
{
	struct neigh *n = find(ifp, addr);

	if (n && excl)
		return -EEXIST;
	if (!n && !create)
		return -ENOENT;
	if (n && !replace && !create)
		replace = 1; /* ip neigh change */
	if (n && !replace)
		return 0; /* Linux's neigh_add on an existing entry without NLM_F_REPLACE changes nothing */
	if (!n && !(n = make(ifp, addr)))
		return -ENOBUFS;
	timer_cancel_locked(&n->timer);
	n->permanent = !!(state & NUD_PERMANENT);
	n->failed = !!(state & NUD_FAILED) || !mac;
	n->known = !n->failed;
	n->probes = 0;
	n->delay = 0;
	if (mac)
		memcpy(n->mac, mac, ETH_ADDR_LEN);
	n->updated_ns = host_monotonic_ns();
	n->confirmed_ns = state & (NUD_REACHABLE | NUD_PERMANENT) ? n->updated_ns : 0;
	if (n->known)
		send_queue(n);
	else
		drop_queue(n);
	notify(n, 1);
	return 0;
}

int net_neigh_del(struct netif *ifp, const struct in6_addr *addr)
{
	struct neigh *n = find(ifp, addr);

	if (!n)
		return -ENOENT;
	/* As Linux's neigh_delete: FAILED first (told, if it was not), then gone (told). */
	n->known = n->permanent = 0;
	if (!n->failed) {
		n->failed = 1;
		notify(n, 1);
	}
	drop(n, 1);
	return 0;
}
