/*
 * The receive backlog and the transport registry (netstack.h).  A link
 * hands a packet to net_rx; it is queued on its namespace's backlog and
 * handed to IP by the outermost call only, so a loopback exchange (send,
 * receive, answer, receive...) runs as a loop, not a recursion.  The
 * backlog is bounded as Linux's netdev_max_backlog: past it packets are
 * dropped and counted on the interface.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <stdlib.h>

#include "../../sentry/host/host.h"
#include "../netstack.h"
#include "ip.h"

/* Filled by constructors before main, read-only afterwards. */
static const struct net_protocol *protocols[256];

void net_register_protocol(const struct net_protocol *p)
{
	if (p->protocol < 0 || p->protocol > 255 || protocols[p->protocol])
		abort(); /* a build mistake: two transports for one number */
	protocols[p->protocol] = p;
}

const struct net_protocol *net_find_protocol(int protocol)
{
	return protocol >= 0 && protocol < 256 ? protocols[protocol] : NULL;
}

int net_deliver(struct netns *ns, int protocol, struct pkb *p, const struct net_rx_meta *m)
{
	const struct net_protocol *pr = net_find_protocol(protocol);

	if (!pr || !pr->rcv) {
		pkb_free(p);
		return -ENOPROTOOPT;
	}
	pr->rcv(ns, p, m);
	return 0;
}

static void handle(struct netns *ns, struct pkb *p)
{
	p->nh_off = 0;
	switch (p->proto) {
	case ETH_P_IP:
		ip4_rcv(ns, p);
		break;
	case ETH_P_IPV6:
		ip6_rcv(ns, p);
		break;
	default:
		if (p->dev)
			p->dev->stats.rx_dropped++;
		pkb_free(p);
	}
}

void net_rx(struct netif *ifp, struct pkb *p)
{
	struct netns *ns = ifp->ns;

	p->dev = ifp;
	p->next = NULL;
	ifp->stats.rx_packets++;
	ifp->stats.rx_bytes += p->len;
	if (!(ifp->flags & IFF_UP) || ns->backlog_len >= NET_BACKLOG_MAX) {
		ifp->stats.rx_dropped++;
		pkb_free(p);
		return;
	}
	if (!p->tstamp_ns)
		p->tstamp_ns = host_realtime_ns();
	if (ns->backlog_tail)
		ns->backlog_tail->next = p;
	else
		ns->backlog = p;
	ns->backlog_tail = p;
	ns->backlog_len++;
	if (ns->draining)
		return;
	ns->draining = 1;
	while ((p = ns->backlog)) {
		ns->backlog = p->next;
		if (!ns->backlog)
			ns->backlog_tail = NULL;
		ns->backlog_len--;
		p->next = NULL;
		handle(ns, p);
	}
	ns->draining = 0;
}
