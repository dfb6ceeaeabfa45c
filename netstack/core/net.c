/*
 * Namespaces, start-up and the one way out (netstack.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "../../sentry/kernel/task.h"
#include "../../sentry/kernel/userns.h"
#include "../../sentry/mm/memfile.h"
#include "../netstack.h"
#include "ip.h"

struct netns net_init_ns;

/* A task with no namespace is the start-up's or a unit test's: the first one. */
int net_capable(const struct task *t, const struct netns *ns, int cap)
{
	return ns_capable(t, userns_owner(&ns->ns), cap);
}

struct netns *net_ns_of(struct task *t)
{
	return t && t->net ? (struct netns *)t->net : &net_init_ns;
}

int net_ns_setup(struct netns *ns)
{
	struct netif *lo;

	memset(ns, 0, sizeof(*ns));
	ns->ns = (struct ns_common){.refs = 1, .type = NS_NET, .ino = NS_NET_INIT_INO};
	ns->next_ifindex = 1;
	ns->local_port_lo = 32768;
	ns->local_port_hi = 60999;
	ns->sysctl = (struct net_sysctl){
		.somaxconn = 4096,
		.tcp_keepalive_time = 7200,
		.tcp_keepalive_intvl = 75,
		.tcp_keepalive_probes = 9,
		.tcp_fin_timeout = 60,
		.tcp_rmem = {4096, 131072, 6291456},
		.tcp_wmem = {4096, 16384, 4194304},
	};
	ns->mib[NET_MIB_Ip_Forwarding] = 2; /* not a router */
	ns->mib[NET_MIB_Ip_DefaultTTL] = NET_DEFAULT_TTL;
	ns->mib[NET_MIB_Tcp_RtoAlgorithm] = 1;
	ns->mib[NET_MIB_Tcp_RtoMin] = 200;
	ns->mib[NET_MIB_Tcp_RtoMax] = 120000;
	ns->mib[NET_MIB_Tcp_MaxConn] = (uint64_t)-1;
	lo = loopback_new();
	if (!lo)
		return -ENOMEM;
	netif_register(ns, lo);
	ns->lo = lo;
	return 0;
}

void net_ns_teardown(struct netns *ns)
{
	struct netif *i;
	struct net_route *r, *nr;
	struct pkb *p, *np;
	int h;

	net_frag_flush(ns);
	neigh_flush(ns);
	for (p = ns->backlog; p; p = np) {
		np = p->next;
		pkb_free(p);
	}
	ns->backlog = ns->backlog_tail = NULL;
	/* Empty by now: every socket that was bound held a reference. */
	for (h = 0; h < 256; h++) {
		free(ns->ports[h]);
		ns->ports[h] = NULL;
	}
	for (r = ns->routes; r; r = nr) {
		nr = r->next;
		free(r);
	}
	ns->routes = NULL;
	/*
	 * Taken from the head one by one: a veth's dellink deletes its peer,
	 * which may be the next of this list (netif_delete unlinks it) or an
	 * interface of another namespace, told there as it goes.
	 */
	while ((i = ns->ifs)) {
		struct netif_addr *a, *na;
		struct netif_mcast *m, *nm;
		struct netif *peer = i->ops && i->ops->peer ? i->ops->peer(i) : NULL;

		ns->ifs = i->next;
		for (a = i->addrs; a; a = na) {
			na = a->next;
			free(a);
		}
		for (m = i->mcast; m; m = nm) {
			nm = m->next;
			free(m);
		}
		if (i->ops && i->ops->dellink)
			i->ops->dellink(i);
		free(i);
		if (peer)
			netif_delete(peer);
	}
	ns->ifs = ns->lo = NULL;
}

/* Every namespace but net_init_ns, newest first (net_init_ns is always there and names none). */
static struct netns *all_ns;

int net_ns_id(struct netns *ns, struct netns *peer)
{
	int i, id = 0;

	for (i = 0; i < ns->nnsids; i++)
		if (ns->nsids[i].peer == peer)
			return ns->nsids[i].id;
	if (ns->nnsids == NET_NSIDS_MAX)
		return -1;
	/* The least id not given, as Linux's idr_alloc from 0. */
	for (;;) {
		for (i = 0; i < ns->nnsids && ns->nsids[i].id != id; i++)
			;
		if (i == ns->nnsids)
			break;
		id++;
	}
	ns->nsids[ns->nnsids].peer = peer;
	ns->nsids[ns->nnsids].id = id;
	ns->nnsids++;
	return id;
}

/* ns is going: no other namespace names it any more. */
static void forget_ns(struct netns *gone)
{
	struct netns *ns, **pp;
	int i;

	for (pp = &all_ns; *pp; pp = &(*pp)->all_next)
		if (*pp == gone) {
			*pp = gone->all_next;
			break;
		}
	for (ns = &net_init_ns; ns; ns = ns == &net_init_ns ? all_ns : ns->all_next)
		for (i = 0; i < ns->nnsids; i++)
			if (ns->nsids[i].peer == gone)
				ns->nsids[i--] = ns->nsids[--ns->nnsids];
}

static void net_ns_release(struct ns_common *c)
{
	struct netns *ns = (struct netns *)c;

	net_ns_teardown(ns);
	forget_ns(ns);
	free(ns);
	mf_uncharge(sizeof(*ns));
}

/* Charged to the sandbox's memory as the other namespaces are.  Only lo; ip link set netns moves others in. */
struct ns_common *net_ns_new(void)
{
	struct netns *ns;

	if (mf_charge(sizeof(*ns)) < 0)
		return NULL;
	ns = malloc(sizeof(*ns));
	if (!ns || net_ns_setup(ns) < 0) {
		free(ns);
		mf_uncharge(sizeof(*ns));
		return NULL;
	}
	ns->ns.ino = ns_alloc_ino();
	ns->ns.release = net_ns_release;
	ns->all_next = all_ns;
	all_ns = ns;
	return &ns->ns;
}

int net_lo_up(struct netns *ns)
{
	struct in6_addr a;
	int r;

	net_addr_from_v4(&a, htonl(INADDR_LOOPBACK));
	r = netif_addr_add(ns->lo, &a, 8, RT_SCOPE_HOST, IFA_F_PERMANENT);
	if (r == 0)
		r = netif_addr_add(ns->lo, &in6addr_loopback, 128, RT_SCOPE_HOST, IFA_F_PERMANENT);
	if (r == 0)
		r = netif_set_up(ns->lo, 1);
	return r;
}

int net_init(const struct net_config *c)
{
	int r = net_ns_setup(&net_init_ns);

	if (r < 0)
		return r;
	r = net_lo_up(&net_init_ns);
	if (r == 0 && c && c->sandbox)
		r = packet_link_init(&net_init_ns, c);
	return r;
}

void net_fill_csum(struct pkb *p, const struct in6_addr *src, const struct in6_addr *dst, int protocol, int off)
{
	uint32_t sum = protocol == IPPROTO_ICMP ? 0 : net_csum_pseudo(src, dst, protocol, p->len);
	uint16_t c;

	if ((size_t)off + 2 > p->len)
		return;
	memset(p->data + off, 0, 2);
	c = net_csum_fold(net_csum_add(sum, p->data, p->len));
	if (c == 0 && protocol == IPPROTO_UDP)
		c = 0xffff;
	memcpy(p->data + off, &c, 2);
}

int net_ip_output(struct netns *ns, struct pkb *p, const struct in6_addr *src, const struct in6_addr *dst,
		  int protocol, const struct net_tx_opts *o)
{
	/* An unspecified source (::) to an IPv4 destination: IPv4, the route picks the source. */
	if (net_addr_is_v4(dst) && (net_addr_is_v4(src) || IN6_IS_ADDR_UNSPECIFIED(src)))
		return ip4_output(ns, p, src, dst, protocol, o);
	if (net_addr_is_v4(dst) != net_addr_is_v4(src) && !IN6_IS_ADDR_UNSPECIFIED(src)) {
		pkb_free(p);
		return -EAFNOSUPPORT;
	}
	return ip6_output(ns, p, src, dst, protocol, o);
}
