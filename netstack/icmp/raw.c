/*
 * Raw sockets (SOCK_RAW): each gets a copy of every packet of its
 * protocol that IP takes.  Until they exist here, nobody does.
 */
#define _GNU_SOURCE
#include "../core/ip.h"

int raw_deliver(struct netns *ns, int protocol, struct pkb *p, const struct net_rx_meta *m)
{
	(void)ns;
	(void)protocol;
	(void)p;
	(void)m;
	return 0;
}
