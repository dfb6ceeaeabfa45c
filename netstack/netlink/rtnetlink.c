/*
 * NETLINK_ROUTE: links, addresses, routes, neighbours and rules of the
 * sandbox's network namespace, in the messages iproute2 and glibc read.
 *
 * What is shown comes from netstack's own state (struct netif, netif_addr,
 * net_route); what is changed goes through netstack's calls (netif_set_up,
 * netif_addr_add, net_route_add...), so the routes an address brings stay
 * netstack's business.  Changes need CAP_NET_ADMIN, as Linux's rtnetlink.
 *
 * Dispatch follows Linux's rtnetlink_rcv_msg: a type past RTM_MAX is
 * EOPNOTSUPP, a message with less than one byte of body is ignored, a kind
 * nobody handles is EOPNOTSUPP.  Requests are parsed leniently (an
 * attribute whose length lies is dropped with what follows) unless the
 * socket asked for NETLINK_GET_STRICT_CHK, when dump requests are checked
 * as Linux checks them and filters in them are applied.
 *
 * Where cvisor differs: interface counters other than netstack's, the
 * attributes of a kernel's devices that no program of a sandbox reads
 * (VF info, XDP programs, permanent addresses), route metrics (RTA_METRICS),
 * policy routing (only the three default rules exist and cannot change).
 *
 * Notifications: what netstack changes (links up and down, MTU and name;
 * addresses; routes, an address's own among them) is told to the sockets
 * in RTNLGRP_LINK, RTNLGRP_IPV4/IPV6_IFADDR, RTNLGRP_IPV4/IPV6_ROUTE and
 * RTNLGRP_NEIGH (bind's nl_groups or NETLINK_ADD_MEMBERSHIP), in the order
 * Linux tells it (netstack/core and the neighbour cache call the listener
 * below): links made, moved and deleted too, and a neighbour when it
 * answers, fails, is learnt from its own question, added or deleted.  Not
 * told: rules, netconf.  Neighbour states are netstack's simpler ones
 * shown as Linux's (INCOMPLETE, REACHABLE, STALE, PROBE, FAILED, PERMANENT;
 * no DELAY).  Where
 * netstack's state differs from Linux's, so does the news: an Ethernet
 * link coming up gets no IPv6 link-local address, there is no DAD (Linux
 * tells of a new IPv6 address from a work queue a moment later; here at
 * once), and NLM_F_REPLACE of a route is told as its removal and addition.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>

#include "../../sentry/kernel/task.h"
#include "../../vfs/fs/proc/proc.h"
#include "../../vfs/vfs.h"
#include "../link/veth.h"
#include "../netstack.h"
#include "netlink.h"

#define INFINITY_LIFE_TIME 0xffffffffu
#define IFAPROT_KERNEL_LO 1      /* IFA_PROTO of ::1 and 127.0.0.1's IPv6 twin */
#define RTCF_LOCAL 0x80000000u   /* route get: a local destination (ip prints "cache <local>") */
#define RTCF_BROADCAST 0x10000000u

static int is_v4(const struct in6_addr *a) { return net_addr_is_v4(a); }

/* An address a route leaves unset: all zeros (netstack's way), or 0.0.0.0 v4-mapped. */
static int addr_unset(const struct in6_addr *a)
{
	return IN6_IS_ADDR_UNSPECIFIED(a) || (is_v4(a) && net_addr_v4(a) == 0);
}

/*
 * The request whose change is being told (Linux passes its sequence
 * number and portid on to the news of what was asked for: an IPv4
 * address, a route; not to the routes an address brings, nor to IPv6's
 * addresses).  kind 0: none, the news says 0 and 0.
 */
enum { ORIGIN_NONE, ORIGIN_ADDR4, ORIGIN_ROUTE };
static struct {
	int kind;
	uint32_t seq, portid;
} origin;

static void origin_set(const struct nl_req *q, const struct nl_reply *r, int kind)
{
	origin.kind = kind;
	origin.seq = q->h->nlmsg_seq;
	origin.portid = r->portid; /* the asking socket's, whatever its header says */
}

/* ---- links ---- */

static unsigned char operstate(const struct netif *ifp)
{
	if (!(ifp->flags & IFF_UP))
		return IF_OPER_DOWN;
	if (ifp->flags & IFF_LOOPBACK)
		return IF_OPER_UNKNOWN;
	/* A veth whose peer is down: Linux's linkwatch settles on LOWERLAYERDOWN (an iflink of its own). */
	return (ifp->flags & IFF_RUNNING) ? IF_OPER_UP : IF_OPER_LOWERLAYERDOWN;
}

/* The other end of ifp's link (a veth's peer), or NULL. */
static struct netif *peer_of(const struct netif *ifp)
{
	return ifp->ops && ifp->ops->peer ? ifp->ops->peer(ifp) : NULL;
}

static void fill_link(struct nl_reply *r, const struct netif *ifp, int type, int flags)
{
	struct ifinfomsg *ifi = nl_msg_begin(r, type, flags, sizeof(*ifi));
	struct rtnl_link_stats64 st64;
	struct rtnl_link_stats st;
	int lo = !!(ifp->flags & IFF_LOOPBACK), up = !!(ifp->flags & IFF_UP);
	struct netif *peer = peer_of(ifp);
	size_t af, v6;

	if (!ifi)
		return;
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_type = ifp->type;
	ifi->ifi_index = ifp->index;
	ifi->ifi_flags = ifp->flags;
	nl_put_str(r, IFLA_IFNAME, ifp->name);
	nl_put_u32(r, IFLA_TXQLEN, 1000);
	nl_put_u8(r, IFLA_OPERSTATE, operstate(ifp));
	nl_put_u8(r, IFLA_LINKMODE, 0);
	nl_put_u32(r, IFLA_MTU, ifp->mtu);
	nl_put_u32(r, IFLA_MIN_MTU, lo ? 0 : 68);
	nl_put_u32(r, IFLA_MAX_MTU, lo ? 0 : 65535);
	nl_put_u32(r, IFLA_GROUP, 0);
	nl_put_u32(r, IFLA_PROMISCUITY, 0);
	nl_put_u32(r, IFLA_ALLMULTI, 0);
	nl_put_u32(r, IFLA_NUM_TX_QUEUES, ifp->nqueues ? ifp->nqueues : 1);
	nl_put_u32(r, IFLA_GSO_MAX_SEGS, 65535);
	nl_put_u32(r, IFLA_GSO_MAX_SIZE, 65536);
	nl_put_u32(r, IFLA_GRO_MAX_SIZE, 65536);
	nl_put_u32(r, IFLA_TSO_MAX_SIZE, 524280);
	nl_put_u32(r, IFLA_TSO_MAX_SEGS, 65535);
	nl_put_u32(r, IFLA_NUM_RX_QUEUES, ifp->nqueues ? ifp->nqueues : 1);
	if (ifp->ops && ifp->ops->peer) /* 0 while it has none: ip prints "@NONE" */
		nl_put_u32(r, IFLA_LINK, peer ? (uint32_t)peer->index : 0);
	nl_put_u8(r, IFLA_CARRIER, lo || netif_carrier(ifp));
	nl_put_u32(r, IFLA_CARRIER_CHANGES, 0);
	nl_put_u32(r, IFLA_CARRIER_UP_COUNT, 0);
	nl_put_u32(r, IFLA_CARRIER_DOWN_COUNT, 0);
	nl_put_u8(r, IFLA_PROTO_DOWN, 0);
	if (ifp->hwlen > 0 && ifp->hwlen <= 6) {
		nl_put(r, IFLA_ADDRESS, ifp->hwaddr, (size_t)ifp->hwlen);
		nl_put(r, IFLA_BROADCAST, ifp->broadcast, (size_t)ifp->hwlen);
	}
	memset(&st64, 0, sizeof(st64));
	st64.rx_packets = ifp->stats.rx_packets;
	st64.rx_bytes = ifp->stats.rx_bytes;
	st64.rx_errors = ifp->stats.rx_errors;
	st64.rx_dropped = ifp->stats.rx_dropped;
	st64.tx_packets = ifp->stats.tx_packets;
	st64.tx_bytes = ifp->stats.tx_bytes;
	st64.tx_errors = ifp->stats.tx_errors;
	st64.tx_dropped = ifp->stats.tx_dropped;
	nl_put(r, IFLA_STATS64, &st64, sizeof(st64));
	memset(&st, 0, sizeof(st));
	st.rx_packets = (uint32_t)st64.rx_packets;
	st.rx_bytes = (uint32_t)st64.rx_bytes;
	st.rx_errors = (uint32_t)st64.rx_errors;
	st.rx_dropped = (uint32_t)st64.rx_dropped;
	st.tx_packets = (uint32_t)st64.tx_packets;
	st.tx_bytes = (uint32_t)st64.tx_bytes;
	st.tx_errors = (uint32_t)st64.tx_errors;
	st.tx_dropped = (uint32_t)st64.tx_dropped;
	nl_put(r, IFLA_STATS, &st, sizeof(st));
	{
		size_t xdp = nl_nest_begin(r, IFLA_XDP);

		nl_put_u8(r, IFLA_XDP_ATTACHED, XDP_ATTACHED_NONE);
		nl_nest_end(r, xdp);
	}
	nl_put_str(r, IFLA_QDISC, ifp->was_up ? "noqueue" : "noop");
	if (ifp->ops && ifp->ops->kind) {
		size_t li = nl_nest_begin(r, IFLA_LINKINFO);

		nl_put_str(r, IFLA_INFO_KIND, ifp->ops->kind);
		nl_nest_end(r, li);
	}
	/* Gone by a move: where to, as the namespace it leaves names it (ip prints "new-netnsid N new-ifindex M"). */
	if (type == RTM_DELLINK && ifp->move_to) {
		int id = net_ns_id(ifp->ns, ifp->move_to);

		if (id >= 0)
			nl_put_u32(r, IFLA_NEW_NETNSID, (uint32_t)id);
		nl_put_u32(r, IFLA_NEW_IFINDEX, (uint32_t)ifp->move_index);
	}
	/* A peer in another namespace is named by the id this one gives it (ip prints "link-netnsid N"). */
	if (peer && peer->ns != ifp->ns) {
		int id = net_ns_id(ifp->ns, peer->ns);

		if (id >= 0)
			nl_put_u32(r, IFLA_LINK_NETNSID, (uint32_t)id);
	}
	/* IPv6's part: `ip -d link` prints its address generation mode. */
	af = nl_nest_begin(r, IFLA_AF_SPEC);
	v6 = nl_nest_begin(r, AF_INET6);
	nl_put_u32(r, IFLA_INET6_FLAGS, up ? 0x80000000u /* IF_READY */ : 0);
	nl_put_u8(r, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_EUI64);
	nl_nest_end(r, v6);
	nl_nest_end(r, af);
	nl_msg_end(r);
}

/* A link dump of family AF_INET6: IPv6's view of each interface (Linux's inet6_fill_ifinfo). */
static void fill_link6(struct nl_reply *r, const struct netif *ifp)
{
	struct ifinfomsg *ifi = nl_msg_begin(r, RTM_NEWLINK, 0, sizeof(*ifi));
	size_t pi;

	if (!ifi)
		return;
	ifi->ifi_family = AF_INET6;
	ifi->ifi_type = ifp->type;
	ifi->ifi_index = ifp->index;
	ifi->ifi_flags = ifp->flags;
	nl_put_str(r, IFLA_IFNAME, ifp->name);
	if (ifp->hwlen > 0 && ifp->hwlen <= 6)
		nl_put(r, IFLA_ADDRESS, ifp->hwaddr, (size_t)ifp->hwlen);
	nl_put_u32(r, IFLA_MTU, ifp->mtu);
	nl_put_u8(r, IFLA_OPERSTATE, operstate(ifp));
	pi = nl_nest_begin(r, IFLA_PROTINFO);
	nl_put_u32(r, IFLA_INET6_FLAGS, (ifp->flags & IFF_UP) ? 0x80000000u : 0);
	nl_put_u8(r, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_EUI64);
	nl_nest_end(r, pi);
	nl_msg_end(r);
}

/* The interface a link request names: its index, else IFLA_IFNAME; NULL when none. */
static struct netif *link_of(const struct nl_req *q, const struct ifinfomsg *ifi, const struct nlattr **tb)
{
	if (ifi->ifi_index)
		return netif_by_index(q->ns, ifi->ifi_index);
	if (tb[IFLA_IFNAME]) {
		char name[IFNAMSIZ];
		size_t n = nl_len(tb[IFLA_IFNAME]);

		if (n >= IFNAMSIZ)
			n = IFNAMSIZ - 1;
		memcpy(name, nl_data(tb[IFLA_IFNAME]), n);
		name[n] = 0;
		return netif_by_name(q->ns, name);
	}
	return NULL;
}

static long get_link(const struct nl_req *q, struct nl_reply *r)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi = NLMSG_DATA(q->h);
	struct netif *ifp;
	long e;

	if (r->dump) {
		if (q->strict) {
			if (q->h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) || ifi->__ifi_pad || ifi->ifi_type ||
			    ifi->ifi_flags || ifi->ifi_change || ifi->ifi_index)
				r->err = -EINVAL;
			else if (nl_parse(q->h, sizeof(*ifi), tb, IFLA_MAX, 1) < 0)
				r->err = -EINVAL;
			if (r->err)
				return NL_DUMPED;
		}
		/* IPv6 answers for itself; a bridge's dump lists its ports (there are none). */
		if (ifi->ifi_family == AF_BRIDGE)
			return NL_DUMPED;
		for (ifp = q->ns->ifs; ifp; ifp = ifp->next) {
			if (ifi->ifi_family == AF_INET6)
				fill_link6(r, ifp);
			else
				fill_link(r, ifp, RTM_NEWLINK, 0);
		}
		return NL_DUMPED;
	}
	e = nl_parse(q->h, sizeof(*ifi), tb, IFLA_MAX, q->strict);
	if (e < 0)
		return e;
	if (!ifi->ifi_index && !tb[IFLA_IFNAME] && !tb[IFLA_ALT_IFNAME])
		return -EINVAL;
	ifp = link_of(q, ifi, tb);
	if (!ifp)
		return -ENODEV;
	fill_link(r, ifp, RTM_NEWLINK, 0);
	return 0;
}

/* RTM_NEWLINK on an existing interface and RTM_SETLINK: up/down, mtu, name. */
/*
 * A new name, which the IPv4 addresses' labels follow as Linux's
 * inetdev_changename has them: the first takes the name, the others keep
 * their ":suffix" or get ":N" (N their place).  Linux renames a running
 * loopback too (IFF_LIVE_RENAME_OK).
 */
static void rename_link(struct netif *ifp, const char *name)
{
	struct netif_addr *a;
	int named = 0;

	snprintf(ifp->name, sizeof(ifp->name), "%s", name);
	for (a = ifp->addrs; a; a = a->next) {
		char old[IFNAMSIZ], suffix[IFNAMSIZ];
		const char *dot;

		if (!is_v4(&a->addr))
			continue;
		memcpy(old, a->label, IFNAMSIZ);
		old[IFNAMSIZ - 1] = 0;
		if (named++ == 0) {
			snprintf(a->label, sizeof(a->label), "%s", name);
			continue;
		}
		dot = strchr(old, ':');
		if (!dot) {
			snprintf(suffix, sizeof(suffix), ":%d", named);
			dot = suffix;
		}
		{
			size_t nl = strlen(name), dl = strlen(dot);

			/* The suffix is kept whole; the name gives way when both do not fit. */
			if (nl + dl >= IFNAMSIZ)
				nl = IFNAMSIZ - 1 - dl;
			memcpy(a->label, name, nl);
			memcpy(a->label + nl, dot, dl + 1);
		}
	}
}

/*
 * An interface name of a request (IFLA_IFNAME): -ERANGE past IFNAMSIZ - 1
 * bytes (a NUL may end it), -EINVAL for a name Linux's dev_valid_name
 * refuses.  A "%d" in it (one at most) is left for alloc_name.
 */
static long link_name(const struct nlattr *a, char *out)
{
	size_t n = nl_len(a);
	const char *d = nl_data(a);

	if (n && d[n - 1] == 0)
		n--;
	if (n >= IFNAMSIZ)
		return -ERANGE;
	memcpy(out, d, n);
	out[n] = 0;
	n = strlen(out);
	if (n == 0 || strchr(out, '/') || strchr(out, ':') || strchr(out, ' ') || strchr(out, '\t') ||
	    strchr(out, '\n') || !strcmp(out, ".") || !strcmp(out, ".."))
		return -EINVAL;
	return 0;
}

/*
 * A pattern such as "veth%d" becomes the first name of it ns does not
 * have (nor avoid, the other end's), as Linux's dev_alloc_name; a name
 * without '%' is kept.  -EINVAL for any other '%', -ENFILE when none is free.
 */
static long alloc_name(struct netns *ns, char *name, const char *avoid)
{
	char pat[IFNAMSIZ], *pct = strchr(name, '%');
	int i;

	if (!pct)
		return 0;
	if (pct[1] != 'd' || strchr(pct + 2, '%'))
		return -EINVAL;
	memcpy(pat, name, IFNAMSIZ);
	for (i = 0; i < 32768; i++) {
		char cand[IFNAMSIZ + 16];

		snprintf(cand, sizeof(cand), "%.*s%d%s", (int)(pct - name), pat, i, pct + 2);
		if (strlen(cand) >= IFNAMSIZ)
			return -EINVAL;
		if (!netif_by_name(ns, cand) && (!avoid || strcmp(cand, avoid))) {
			memcpy(name, cand, IFNAMSIZ);
			return 0;
		}
	}
	return -ENFILE;
}

/*
 * The namespace IFLA_NET_NS_PID (a process of the caller's pid namespace)
 * or IFLA_NET_NS_FD (an open /proc/PID/ns/net) names, which the caller
 * must hold CAP_NET_ADMIN over (Linux's rtnl_link_get_net_capable):
 * -ESRCH, -EBADF, -EINVAL (not a network namespace's file), -EPERM.
 * *out stays NULL when neither is there.
 */
static long target_ns(const struct nl_req *q, const struct nlattr **tb, struct netns **out)
{
	struct ns_common *ns;
	uint32_t v;
	long e;

	*out = NULL;
	if (tb[IFLA_NET_NS_PID]) {
		struct task *t;

		if ((e = nl_get_u32(tb[IFLA_NET_NS_PID], &v)) < 0)
			return e;
		t = q->t && v <= 0x7fffffff ? task_find_vnr(q->t, (int)v) : NULL;
		if (!t)
			return -ESRCH;
		ns = &net_ns_of(t)->ns;
	} else if (tb[IFLA_NET_NS_FD]) {
		struct file *f;

		if ((e = nl_get_u32(tb[IFLA_NET_NS_FD], &v)) < 0)
			return e;
		f = q->t && q->t->files && v <= 0x7fffffff ? fdt_get(q->t->files, (int)v) : NULL;
		if (!f)
			return -EBADF;
		ns = nsfs_of_file(f);
		file_put(f); /* the fd table still holds it, and the file its namespace */
		if (!ns || ns->type != NS_NET)
			return -EINVAL;
	} else {
		return 0;
	}
	if (!net_capable(q->t, (struct netns *)ns, CAP_NET_ADMIN))
		return -EPERM;
	*out = (struct netns *)ns;
	return 0;
}

/* Sets a new interface's MTU and MAC from its request's attributes (checked first: ip link add ... mtu N address M). */
static long link_settings(const struct nlattr **tb, uint32_t *mtu, const unsigned char **mac)
{
	long e;

	*mtu = 0;
	*mac = NULL;
	if (tb[IFLA_MTU]) {
		if ((e = nl_get_u32(tb[IFLA_MTU], mtu)) < 0)
			return e;
		if (*mtu < 68 || *mtu > 65535)
			return -EINVAL;
	}
	if (tb[IFLA_ADDRESS]) {
		if (nl_len(tb[IFLA_ADDRESS]) < 6)
			return -EINVAL;
		*mac = nl_data(tb[IFLA_ADDRESS]);
		if ((*mac)[0] & 1 || !memcmp(*mac, "\0\0\0\0\0\0", 6))
			return -EADDRNOTAVAIL; /* Linux's eth_validate_addr */
	}
	return 0;
}

/*
 * RTM_NEWLINK with NLM_F_CREATE of an interface that is not there: a veth
 * pair is the one kind a sandbox makes (IFLA_LINKINFO's kind "veth", the
 * peer's ifinfomsg and attributes in IFLA_INFO_DATA's VETH_INFO_PEER).
 * The new end goes to IFLA_NET_NS_PID/FD's namespace if given, the peer
 * to its own such attribute's, else to the caller's, as Linux's veth.
 */
static long new_link(const struct nl_req *q, struct nl_reply *r, const struct ifinfomsg *ifi,
		     const struct nlattr **tb)
{
	const struct nlattr *li[IFLA_INFO_MAX + 1], *vd[VETH_INFO_MAX + 1], *ptb[IFLA_MAX + 1];
	const struct ifinfomsg *pifi = NULL;
	char name[IFNAMSIZ] = "veth%d", pname[IFNAMSIZ] = "veth%d";
	struct netns *ns, *pns;
	struct netif *a, *b;
	const unsigned char *mac, *pmac;
	uint32_t mtu, pmtu;
	long e;

	memset(ptb, 0, sizeof(ptb));
	if (tb[IFLA_LINKINFO] && (e = nl_parse_attrs(nl_data(tb[IFLA_LINKINFO]), nl_len(tb[IFLA_LINKINFO]), li,
						     IFLA_INFO_MAX, q->strict)) < 0)
		return e;
	if (!tb[IFLA_LINKINFO] || !li[IFLA_INFO_KIND] || nl_len(li[IFLA_INFO_KIND]) < 4 ||
	    memcmp(nl_data(li[IFLA_INFO_KIND]), "veth", 4) ||
	    (nl_len(li[IFLA_INFO_KIND]) > 4 && ((const char *)nl_data(li[IFLA_INFO_KIND]))[4])) {
		r->ext_msg = "Unknown device type.";
		return -EOPNOTSUPP;
	}
	if (li[IFLA_INFO_DATA]) {
		if ((e = nl_parse_attrs(nl_data(li[IFLA_INFO_DATA]), nl_len(li[IFLA_INFO_DATA]), vd, VETH_INFO_MAX,
					q->strict)) < 0)
			return e;
		if (vd[VETH_INFO_PEER]) {
			const struct nlattr *pa = vd[VETH_INFO_PEER];

			if (nl_len(pa) < sizeof(struct ifinfomsg))
				return -EINVAL;
			pifi = nl_data(pa);
			if ((e = nl_parse_attrs((const char *)nl_data(pa) + NLMSG_ALIGN(sizeof(*pifi)),
						nl_len(pa) >= NLMSG_ALIGN(sizeof(*pifi)) ? nl_len(pa) - NLMSG_ALIGN(sizeof(*pifi)) : 0,
						ptb, IFLA_MAX, q->strict)) < 0)
				return e;
		}
	}
	if ((tb[IFLA_IFNAME] && (e = link_name(tb[IFLA_IFNAME], name)) < 0) ||
	    (ptb[IFLA_IFNAME] && (e = link_name(ptb[IFLA_IFNAME], pname)) < 0)) {
		if (e == -ERANGE)
			r->ext_msg = "Attribute failed policy validation.";
		return e;
	}
	if ((e = link_settings(tb, &mtu, &mac)) < 0 || (e = link_settings(ptb, &pmtu, &pmac)) < 0)
		return e;
	if ((e = target_ns(q, tb, &ns)) < 0 || (e = target_ns(q, ptb, &pns)) < 0)
		return e;
	if (!ns)
		ns = q->ns;
	if (!pns)
		pns = q->ns;
	/* The peer's name first, as Linux registers the peer first. */
	if ((e = alloc_name(pns, pname, NULL)) < 0 || (e = alloc_name(ns, name, ns == pns ? pname : NULL)) < 0)
		return e;
	e = veth_new(ns, name, pns, pname, &a, &b);
	if (e < 0)
		return e;
	if (mtu)
		a->mtu = mtu;
	if (pmtu)
		b->mtu = pmtu;
	if (mac)
		memcpy(a->hwaddr, mac, 6);
	if (pmac)
		memcpy(b->hwaddr, pmac, 6);
	if (pifi && (pifi->ifi_flags & IFF_UP))
		netif_set_up(b, 1);
	if (ifi->ifi_flags & IFF_UP)
		netif_set_up(a, 1);
	return 0;
}

static long set_link(const struct nl_req *q, struct nl_reply *r)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi = NLMSG_DATA(q->h);
	struct netif *ifp;
	struct netns *to = NULL;
	char name[IFNAMSIZ];
	uint32_t mtu = 0;
	int changed = 0, rename = 0;
	long e;

	e = nl_parse(q->h, sizeof(*ifi), tb, IFLA_MAX, q->strict);
	if (e < 0)
		return e;
	if (tb[IFLA_TARGET_NETNSID])
		return -EOPNOTSUPP; /* another namespace's links by its id: not in cvisor */
	ifp = link_of(q, ifi, tb);
	if (!ifp) {
		if (q->h->nlmsg_type == RTM_NEWLINK && (q->h->nlmsg_flags & NLM_F_CREATE))
			return new_link(q, r, ifi, tb);
		return -ENODEV;
	}
	if (q->h->nlmsg_type == RTM_NEWLINK && (q->h->nlmsg_flags & NLM_F_EXCL))
		return -EEXIST;
	if (tb[IFLA_MTU]) {
		e = nl_get_u32(tb[IFLA_MTU], &mtu);
		if (e < 0)
			return e;
		/* Linux's dev_validate_mtu with lo's bounds (none) and an Ethernet's (68..65535). */
		if (!(ifp->flags & IFF_LOOPBACK) && (mtu < 68 || mtu > 65535))
			return -EINVAL;
		if (mtu < 68)
			return -EINVAL; /* Linux would drop the interface's IPv4 setup instead */
	}
	if (tb[IFLA_IFNAME] && ifi->ifi_index) {
		size_t n = nl_len(tb[IFLA_IFNAME]);

		if (n >= IFNAMSIZ)
			n = IFNAMSIZ - 1;
		memcpy(name, nl_data(tb[IFLA_IFNAME]), n);
		name[n] = 0;
		n = strlen(name);
		if (n == 0 || strchr(name, '/') || strchr(name, ':') || strchr(name, ' ') || !strcmp(name, ".") ||
		    !strcmp(name, ".."))
			return -EINVAL;
		rename = strcmp(name, ifp->name) != 0;
	}
	/* Another namespace first, as Linux's do_setlink: what follows (up, mtu) is done there. */
	if ((e = target_ns(q, tb, &to)) < 0)
		return e;
	if (to && to != ifp->ns) {
		e = netif_move(ifp, to, rename ? name : NULL);
		if (e == -EINVAL)
			r->ext_msg = "The interface netns is immutable.";
		else if (e == -EEXIST)
			r->ext_msg = "An interface with the same name exists in the target netns.";
		if (e < 0)
			return e;
		rename = 0;
	}
	if (rename) {
		struct netif *other = netif_by_name(ifp->ns, name);

		if (other && other != ifp)
			return -EEXIST;
		rename_link(ifp, name);
		changed = 1;
	}
	if (tb[IFLA_MTU] && ifp->mtu != mtu) {
		ifp->mtu = mtu;
		changed = 1;
	}
	if (changed)
		net_notify_link(ifp); /* up and down are told by netif_set_up */
	if (ifi->ifi_flags || ifi->ifi_change) {
		unsigned want = ifi->ifi_flags;

		if (ifi->ifi_change)
			want = (want & ifi->ifi_change) | (ifp->flags & ~ifi->ifi_change);
		e = netif_set_up(ifp, !!(want & IFF_UP));
		if (e < 0)
			return e;
	}
	return 0;
}

/* RTM_DELLINK: a veth goes with its peer; lo and the sandbox's own link cannot go (EOPNOTSUPP, as lo's in Linux). */
static long del_link(const struct nl_req *q, struct nl_reply *r)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi = NLMSG_DATA(q->h);
	struct netif *ifp;
	long e;

	(void)r;
	e = nl_parse(q->h, sizeof(*ifi), tb, IFLA_MAX, q->strict);
	if (e < 0)
		return e;
	if (!ifi->ifi_index && !tb[IFLA_IFNAME])
		return -EINVAL;
	ifp = link_of(q, ifi, tb);
	if (!ifp)
		return -ENODEV;
	if (!ifp->ops || !ifp->ops->dellink)
		return -EOPNOTSUPP;
	netif_delete(ifp);
	return 0;
}

/* ---- addresses ---- */

static void fill_addr(struct nl_reply *r, const struct netif *ifp, const struct netif_addr *a, int type)
{
	struct ifaddrmsg *ifa = nl_msg_begin(r, type, 0, sizeof(*ifa));
	struct ifa_cacheinfo ci = {.ifa_prefered = INFINITY_LIFE_TIME, .ifa_valid = INFINITY_LIFE_TIME};
	int v4 = is_v4(&a->addr);

	if (!ifa)
		return;
	ifa->ifa_family = v4 ? AF_INET : AF_INET6;
	ifa->ifa_prefixlen = (unsigned char)a->prefixlen;
	ifa->ifa_flags = (unsigned char)a->flags;
	ifa->ifa_scope = (unsigned char)a->scope;
	ifa->ifa_index = (uint32_t)ifp->index;
	if (v4) {
		uint32_t v = net_addr_v4(&a->addr);
		char label[IFNAMSIZ];

		nl_put(r, IFA_ADDRESS, &v, 4);
		nl_put(r, IFA_LOCAL, &v, 4);
		memcpy(label, a->label[0] ? a->label : ifp->name, IFNAMSIZ);
		label[IFNAMSIZ - 1] = 0;
		nl_put_str(r, IFA_LABEL, label);
		nl_put_u32(r, IFA_FLAGS, a->flags);
		nl_put(r, IFA_CACHEINFO, &ci, sizeof(ci));
	} else {
		nl_put(r, IFA_ADDRESS, &a->addr, 16);
		nl_put(r, IFA_CACHEINFO, &ci, sizeof(ci));
		nl_put_u32(r, IFA_FLAGS, a->flags);
		if (IN6_IS_ADDR_LOOPBACK(&a->addr))
			nl_put_u8(r, IFA_PROTO, IFAPROT_KERNEL_LO);
	}
	nl_msg_end(r);
}

static void dump_addrs(const struct nl_req *q, struct nl_reply *r, int family, int index)
{
	struct netif *ifp;
	struct netif_addr *a;

	for (ifp = q->ns->ifs; ifp; ifp = ifp->next) {
		if (index && ifp->index != index)
			continue;
		for (a = ifp->addrs; a; a = a->next)
			if ((family == AF_INET) == is_v4(&a->addr))
				fill_addr(r, ifp, a, RTM_NEWADDR);
	}
}

static long get_addr(const struct nl_req *q, struct nl_reply *r, int family)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(q->h);
	const struct nlattr *tb[IFA_MAX + 1];
	int index = 0;

	if (!r->dump)
		return -EOPNOTSUPP; /* Linux has no RTM_GETADDR doit for IPv4; IPv6's is unused by iproute2 */
	if (q->strict) {
		if (q->h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) || ifa->ifa_prefixlen || ifa->ifa_flags ||
		    ifa->ifa_scope || nl_parse(q->h, sizeof(*ifa), tb, IFA_MAX, 1) < 0) {
			r->err = -EINVAL;
			return NL_DUMPED;
		}
		index = (int)ifa->ifa_index;
	}
	if (family == AF_UNSPEC || family == AF_INET)
		dump_addrs(q, r, AF_INET, index);
	if (family == AF_UNSPEC || family == AF_INET6)
		dump_addrs(q, r, AF_INET6, index);
	return NL_DUMPED;
}

/* The scope Linux gives an IPv6 address from its kind (ipv6_addr_scope). */
static int v6_scope(const struct in6_addr *a)
{
	if (IN6_IS_ADDR_LOOPBACK(a))
		return RT_SCOPE_HOST;
	if (IN6_IS_ADDR_LINKLOCAL(a) || (IN6_IS_ADDR_MULTICAST(a) && (a->s6_addr[1] & 0xf) <= 2))
		return RT_SCOPE_LINK;
	if (IN6_IS_ADDR_SITELOCAL(a))
		return RT_SCOPE_SITE;
	return RT_SCOPE_UNIVERSE;
}

/* The address of an RTM_NEWADDR/DELADDR: IFA_LOCAL, else IFA_ADDRESS, of the family's length. */
static long addr_of(int family, const struct nlattr **tb, struct in6_addr *out)
{
	const struct nlattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];

	if (family == AF_INET6 && tb[IFA_ADDRESS] && !tb[IFA_LOCAL])
		a = tb[IFA_ADDRESS];
	if (!a)
		return family == AF_INET ? -EINVAL : -EINVAL;
	if (family == AF_INET) {
		uint32_t v;

		if (nl_len(a) < 4)
			return -ERANGE;
		memcpy(&v, nl_data(a), 4);
		net_addr_from_v4(out, v);
	} else {
		if (nl_len(a) < 16)
			return -EINVAL;
		memcpy(out, nl_data(a), 16);
	}
	return 0;
}

static long change_addr(const struct nl_req *q, struct nl_reply *r, int add)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(q->h);
	const struct nlattr *tb[IFA_MAX + 1];
	struct in6_addr addr;
	struct netif *ifp;
	uint32_t flags;
	long e;

	e = nl_parse(q->h, sizeof(*ifa), tb, IFA_MAX, q->strict);
	if (e < 0)
		return e;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (ifa->ifa_family == AF_INET ? ifa->ifa_prefixlen > 32 : ifa->ifa_prefixlen > 128)
		return -EINVAL;
	e = addr_of(ifa->ifa_family, tb, &addr);
	if (e < 0)
		return e;
	ifp = netif_by_index(q->ns, (int)ifa->ifa_index);
	if (!add) {
		if (!ifp && ifa->ifa_family == AF_INET6)
			return -ENODEV;
		origin_set(q, r, ifa->ifa_family == AF_INET ? ORIGIN_ADDR4 : ORIGIN_NONE);
		e = ifp ? netif_addr_del(ifp, &addr, ifa->ifa_prefixlen) : -EADDRNOTAVAIL;
		origin.kind = ORIGIN_NONE;
		if (e == -EADDRNOTAVAIL)
			r->ext_msg = ifa->ifa_family == AF_INET ? "ipv4: Address not found." : "ipv6: address not found.";
		return e;
	}
	if (!ifp)
		return -ENODEV;
	flags = ifa->ifa_flags;
	if (tb[IFA_FLAGS]) {
		e = nl_get_u32(tb[IFA_FLAGS], &flags);
		if (e < 0)
			return e;
	}
	if (ifa->ifa_family == AF_INET6) {
		if (IN6_IS_ADDR_UNSPECIFIED(&addr) || IN6_IS_ADDR_MULTICAST(&addr) || IN6_IS_ADDR_V4MAPPED(&addr))
			return -EINVAL;
		flags &= IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN;
	} else {
		flags &= IFA_F_SECONDARY | IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN;
	}
	flags |= IFA_F_PERMANENT;
	origin_set(q, r, ifa->ifa_family == AF_INET ? ORIGIN_ADDR4 : ORIGIN_NONE);
	e = netif_addr_add(ifp, &addr, ifa->ifa_prefixlen,
			   ifa->ifa_family == AF_INET ? ifa->ifa_scope : v6_scope(&addr), flags);
	origin.kind = ORIGIN_NONE;
	if (e == -EEXIST && !(q->h->nlmsg_flags & NLM_F_EXCL) && (q->h->nlmsg_flags & NLM_F_REPLACE))
		return 0;
	if (e == -EEXIST)
		r->ext_msg = ifa->ifa_family == AF_INET ? "ipv4: Address already assigned." : "ipv6: address already assigned.";
	if (e == 0 && ifa->ifa_family == AF_INET && tb[IFA_LABEL]) {
		struct netif_addr *a;

		if (netif_with_addr(q->ns, &addr, &a) == ifp) {
			size_t n = nl_len(tb[IFA_LABEL]);

			if (n >= sizeof(a->label))
				n = sizeof(a->label) - 1;
			memcpy(a->label, nl_data(tb[IFA_LABEL]), n);
			a->label[n] = 0;
		}
	}
	return e;
}

/* ---- routes ---- */

/* IPv4 routes: Linux keeps local and main in one table until rules change, and a get reports main. */
static void fill_route(struct nl_reply *r, const struct net_route *rt, int type)
{
	struct rtmsg *m = nl_msg_begin(r, type, 0, sizeof(*m));
	int v4 = is_v4(&rt->dst);

	if (!m)
		return;
	m->rtm_family = v4 ? AF_INET : AF_INET6;
	m->rtm_dst_len = (unsigned char)rt->prefixlen;
	m->rtm_table = rt->table;
	m->rtm_protocol = rt->protocol;
	m->rtm_scope = v4 ? rt->scope : RT_SCOPE_UNIVERSE;
	m->rtm_type = rt->type;
	/* Out by a link without carrier (a veth whose peer is down): ip prints "linkdown", as Linux marks its next hops. */
	if (rt->type != RTN_LOCAL && rt->dev && (rt->dev->flags & IFF_UP) && !netif_carrier(rt->dev))
		m->rtm_flags |= RTNH_F_LINKDOWN;
	nl_put_u32(r, RTA_TABLE, rt->table);
	if (v4) {
		uint32_t v;

		if (rt->prefixlen) {
			v = net_addr_v4(&rt->dst);
			nl_put(r, RTA_DST, &v, 4);
		}
		if (rt->metric)
			nl_put_u32(r, RTA_PRIORITY, rt->metric);
		if (!addr_unset(&rt->prefsrc)) {
			v = net_addr_v4(&rt->prefsrc);
			nl_put(r, RTA_PREFSRC, &v, 4);
		}
		if (!addr_unset(&rt->gateway)) {
			v = net_addr_v4(&rt->gateway);
			nl_put(r, RTA_GATEWAY, &v, 4);
		}
		if (rt->dev)
			nl_put_u32(r, RTA_OIF, (uint32_t)rt->dev->index);
	} else {
		struct rta_cacheinfo ci;

		if (rt->prefixlen)
			nl_put(r, RTA_DST, &rt->dst, 16);
		nl_put_u32(r, RTA_PRIORITY, rt->metric);
		if (!addr_unset(&rt->gateway))
			nl_put(r, RTA_GATEWAY, &rt->gateway, 16);
		if (rt->dev)
			nl_put_u32(r, RTA_OIF, (uint32_t)rt->dev->index);
		memset(&ci, 0, sizeof(ci));
		nl_put(r, RTA_CACHEINFO, &ci, sizeof(ci));
		nl_put_u8(r, RTA_PREF, 0 /* ICMPV6_ROUTER_PREF_MEDIUM */);
	}
	nl_msg_end(r);
}

/* Linux's dump order: by table (main before local), then by destination, longer prefixes first. */
static int route_before(const struct net_route *a, const struct net_route *b)
{
	int c;

	if (a->table != b->table)
		return a->table < b->table;
	c = memcmp(&a->dst, &b->dst, sizeof(a->dst));
	if (c)
		return c < 0;
	if (a->prefixlen != b->prefixlen)
		return a->prefixlen > b->prefixlen;
	return a->metric < b->metric;
}

struct route_filter {
	int table, protocol, type, oif;
};

static int route_match(const struct net_route *rt, const struct route_filter *f)
{
	return (!f->table || rt->table == f->table) && (!f->protocol || rt->protocol == f->protocol) &&
	       (!f->type || rt->type == f->type) && (!f->oif || (rt->dev && rt->dev->index == f->oif));
}

static void dump_routes(const struct nl_req *q, struct nl_reply *r, int v4, const struct route_filter *f)
{
	const struct net_route *last = NULL, *rt, *next;

	/* Few routes: pick each next one in order rather than sort a copy. */
	for (;;) {
		next = NULL;
		for (rt = q->ns->routes; rt; rt = rt->next) {
			if (is_v4(&rt->dst) != v4 || !route_match(rt, f))
				continue;
			if (last && !route_before(last, rt))
				continue;
			if (!next || route_before(rt, next))
				next = rt;
		}
		if (!next)
			return;
		fill_route(r, next, RTM_NEWROUTE);
		last = next;
	}
}

static long dump_route_req(const struct nl_req *q, struct nl_reply *r, int family)
{
	const struct rtmsg *m = NLMSG_DATA(q->h);
	const struct nlattr *tb[RTA_MAX + 1];
	struct route_filter f = {0};

	if (q->strict) {
		uint32_t v;

		if (q->h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) || m->rtm_dst_len || m->rtm_src_len || m->rtm_tos ||
		    m->rtm_scope || nl_parse(q->h, sizeof(*m), tb, RTA_MAX, 1) < 0) {
			r->err = -EINVAL;
			return NL_DUMPED;
		}
		f.table = m->rtm_table;
		f.protocol = m->rtm_protocol;
		f.type = m->rtm_type;
		if (tb[RTA_TABLE] && nl_get_u32(tb[RTA_TABLE], &v) == 0)
			f.table = (int)v;
		if (tb[RTA_OIF] && nl_get_u32(tb[RTA_OIF], &v) == 0)
			f.oif = (int)v;
	}
	if (family == AF_UNSPEC || family == AF_INET)
		dump_routes(q, r, 1, &f);
	if (family == AF_UNSPEC || family == AF_INET6)
		dump_routes(q, r, 0, &f);
	return NL_DUMPED;
}

/* ip route get: where a packet to RTA_DST would go, as a cloned route. */
static long get_route(const struct nl_req *q, struct nl_reply *r)
{
	const struct rtmsg *m = NLMSG_DATA(q->h);
	const struct nlattr *tb[RTA_MAX + 1];
	struct in6_addr dst, src;
	struct net_route *rt;
	struct rtmsg *out;
	uint32_t oif = 0, v;
	int v4;
	long e;

	e = nl_parse(q->h, sizeof(*m), tb, RTA_MAX, q->strict);
	if (e < 0)
		return e;
	if (m->rtm_family != AF_INET && m->rtm_family != AF_INET6)
		return -EOPNOTSUPP;
	v4 = m->rtm_family == AF_INET;
	memset(&dst, 0, sizeof(dst));
	if (v4)
		net_addr_from_v4(&dst, 0);
	if (tb[RTA_DST]) {
		if (nl_len(tb[RTA_DST]) < (v4 ? 4u : 16u))
			return v4 ? -ERANGE : -EINVAL;
		if (v4) {
			memcpy(&v, nl_data(tb[RTA_DST]), 4);
			net_addr_from_v4(&dst, v);
		} else {
			memcpy(&dst, nl_data(tb[RTA_DST]), 16);
		}
	}
	if (tb[RTA_OIF]) {
		e = nl_get_u32(tb[RTA_OIF], &oif);
		if (e < 0)
			return e;
		if (oif && !netif_by_index(q->ns, (int)oif))
			return -ENODEV;
	}
	if (v4 && net_addr_v4(&dst) == 0) {
		/* Linux sends to 0.0.0.0 as to 127.0.0.1 (ip_route_output_key): lo, local. */
		struct in6_addr lo;

		net_addr_from_v4(&lo, htonl(INADDR_LOOPBACK));
		e = net_route_lookup(q->ns, &lo, 0, &rt, &src);
	} else {
		e = net_route_lookup(q->ns, &dst, (int)oif, &rt, &src);
	}
	if (e < 0)
		return e;
	out = nl_msg_begin(r, RTM_NEWROUTE, 0, sizeof(*out));
	if (!out)
		return -ENOBUFS;
	out->rtm_family = m->rtm_family;
	out->rtm_dst_len = v4 ? 32 : 128;
	out->rtm_type = rt->type;
	if (v4) {
		out->rtm_table = RT_TABLE_MAIN;
		struct netif_addr *a;

		/* Out through a loopback device is local to Linux, whatever the route's type. */
		out->rtm_flags = RTM_F_CLONED |
				 (rt->type == RTN_LOCAL || (rt->dev->flags & IFF_LOOPBACK) ? RTCF_LOCAL : 0) |
				 (rt->type == RTN_BROADCAST ? RTCF_BROADCAST : 0);
		nl_put_u32(r, RTA_TABLE, RT_TABLE_MAIN);
		v = net_addr_v4(&dst);
		nl_put(r, RTA_DST, &v, 4);
		nl_put_u32(r, RTA_OIF, (uint32_t)rt->dev->index);
		if (!addr_unset(&rt->gateway)) {
			v = net_addr_v4(&rt->gateway);
			nl_put(r, RTA_GATEWAY, &v, 4);
		}
		/* A source of narrower scope than the route (127.0.0.1 for a link route) is none to Linux. */
		if (!netif_with_addr(q->ns, &src, &a) || rt->type == RTN_LOCAL || a->scope <= rt->scope) {
			v = net_addr_v4(&src);
			nl_put(r, RTA_PREFSRC, &v, 4);
		}
		nl_put_u32(r, RTA_UID, q->t ? q->t->cred.uid : 0);
		{
			struct rta_cacheinfo ci = {.rta_clntref = 1};

			nl_put(r, RTA_CACHEINFO, &ci, sizeof(ci));
		}
	} else {
		struct rta_cacheinfo ci = {.rta_clntref = 1};
		struct in6_addr any = IN6ADDR_ANY_INIT;

		out->rtm_src_len = 128;
		out->rtm_table = rt->table;
		out->rtm_protocol = rt->protocol;
		nl_put_u32(r, RTA_TABLE, rt->table);
		nl_put(r, RTA_DST, &dst, 16);
		nl_put(r, RTA_SRC, &any, 16);
		if (!addr_unset(&rt->gateway))
			nl_put(r, RTA_GATEWAY, &rt->gateway, 16);
		nl_put(r, RTA_PREFSRC, &src, 16);
		nl_put_u32(r, RTA_PRIORITY, rt->metric);
		nl_put_u32(r, RTA_OIF, (uint32_t)rt->dev->index);
		nl_put(r, RTA_CACHEINFO, &ci, sizeof(ci));
		nl_put_u8(r, RTA_PREF, 0);
	}
	nl_msg_end(r);
	return 0;
}

static long change_route(const struct nl_req *q, struct nl_reply *r, int add)
{
	const struct rtmsg *m = NLMSG_DATA(q->h);
	const struct nlattr *tb[RTA_MAX + 1];
	struct net_route rt;
	uint32_t v, table;
	int v4, alen;
	long e;

	e = nl_parse(q->h, sizeof(*m), tb, RTA_MAX, q->strict);
	if (e < 0)
		return e;
	if (m->rtm_family != AF_INET && m->rtm_family != AF_INET6)
		return -EOPNOTSUPP;
	v4 = m->rtm_family == AF_INET;
	alen = v4 ? 4 : 16;
	if (m->rtm_dst_len > (v4 ? 32 : 128) || m->rtm_src_len)
		return -EINVAL;
	memset(&rt, 0, sizeof(rt));
	if (v4)
		net_addr_from_v4(&rt.dst, 0);
	rt.prefixlen = m->rtm_dst_len;
	rt.protocol = m->rtm_protocol;
	rt.scope = m->rtm_scope;
	rt.type = m->rtm_type ? m->rtm_type : RTN_UNICAST;
	table = m->rtm_table;
	if (tb[RTA_TABLE] && (e = nl_get_u32(tb[RTA_TABLE], &table)) < 0)
		return e;
	if (table == RT_TABLE_UNSPEC)
		table = RT_TABLE_MAIN;
	if (table > 255)
		return -EOPNOTSUPP; /* netstack keeps table numbers in a byte */
	rt.table = (unsigned char)table;
	if (tb[RTA_DST]) {
		if (nl_len(tb[RTA_DST]) < (size_t)alen)
			return v4 ? -ERANGE : -EINVAL;
		if (v4) {
			memcpy(&v, nl_data(tb[RTA_DST]), 4);
			net_addr_from_v4(&rt.dst, v);
		} else {
			memcpy(&rt.dst, nl_data(tb[RTA_DST]), 16);
		}
	}
	/* Bits past the prefix: Linux refuses them ("Invalid prefix for given prefix length"). */
	{
		int bits = (v4 ? 96 : 0) + rt.prefixlen, i;

		for (i = 0; i < 16; i++, bits -= 8) {
			unsigned char mask = bits >= 8 ? 0xff : bits > 0 ? (unsigned char)(0xff00 >> bits) : 0;

			if (rt.dst.s6_addr[i] & ~mask) {
				r->ext_msg = "Invalid prefix for given prefix length.";
				return -EINVAL;
			}
		}
	}
	if (tb[RTA_GATEWAY]) {
		if (nl_len(tb[RTA_GATEWAY]) < (size_t)alen)
			return v4 ? -ERANGE : -EINVAL;
		if (v4) {
			memcpy(&v, nl_data(tb[RTA_GATEWAY]), 4);
			net_addr_from_v4(&rt.gateway, v);
		} else {
			memcpy(&rt.gateway, nl_data(tb[RTA_GATEWAY]), 16);
		}
	}
	if (tb[RTA_PREFSRC]) {
		if (nl_len(tb[RTA_PREFSRC]) < (size_t)alen)
			return v4 ? -ERANGE : -EINVAL;
		if (v4) {
			memcpy(&v, nl_data(tb[RTA_PREFSRC]), 4);
			net_addr_from_v4(&rt.prefsrc, v);
		} else {
			memcpy(&rt.prefsrc, nl_data(tb[RTA_PREFSRC]), 16);
		}
	}
	if (tb[RTA_PRIORITY] && (e = nl_get_u32(tb[RTA_PRIORITY], &rt.metric)) < 0)
		return e;
	if (!v4 && !rt.metric && add)
		rt.metric = 1024; /* IP6_RT_PRIO_USER */
	if (tb[RTA_OIF]) {
		if ((e = nl_get_u32(tb[RTA_OIF], &v)) < 0)
			return e;
		rt.dev = netif_by_index(q->ns, (int)v);
		if (!rt.dev)
			return -ENODEV;
	}
	if (!add) {
		origin_set(q, r, ORIGIN_ROUTE);
		e = net_route_del(q->ns, rt.table, &rt.dst, rt.prefixlen, rt.dev, tb[RTA_PRIORITY] ? rt.metric : 0);
		origin.kind = ORIGIN_NONE;
		return e;
	}
	if (!(q->h->nlmsg_flags & NLM_F_CREATE))
		return -ENOENT;
	if (!rt.dev && tb[RTA_GATEWAY]) {
		/* The gateway must be on a link we have a route to. */
		struct net_route *via;

		if (net_route_lookup(q->ns, &rt.gateway, 0, &via, NULL) < 0 || !addr_unset(&via->gateway) ||
		    via->type != RTN_UNICAST) {
			r->ext_msg = "Nexthop has invalid gateway.";
			return v4 ? -EINVAL : -EHOSTUNREACH;
		}
		rt.dev = via->dev;
	}
	if (!rt.dev && rt.type != RTN_BLACKHOLE && rt.type != RTN_UNREACHABLE && rt.type != RTN_PROHIBIT)
		return -ENODEV;
	if (!rt.dev)
		rt.dev = q->ns->ifs; /* netstack's routes always name a device; Linux uses lo for these */
	origin_set(q, r, ORIGIN_ROUTE);
	e = net_route_add(q->ns, &rt);
	if (e == -EEXIST && (q->h->nlmsg_flags & NLM_F_REPLACE) && !(q->h->nlmsg_flags & NLM_F_EXCL)) {
		net_route_del(q->ns, rt.table, &rt.dst, rt.prefixlen, NULL, rt.metric);
		e = net_route_add(q->ns, &rt);
	}
	origin.kind = ORIGIN_NONE;
	return e;
}

/* ---- neighbours: netstack's ARP and NDP cache ---- */

#define NUD_VALID (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)

static void fill_neigh(struct nl_reply *r, const struct net_neigh *n, int type)
{
	struct ndmsg *m = nl_msg_begin(r, type, 0, sizeof(*m));
	/* Ages in USER_HZ (100) ticks, as Linux's neigh_fill_info gives them. */
	struct nda_cacheinfo ci = {.ndm_confirmed = (uint32_t)(n->confirmed_ms / 10),
				   .ndm_used = (uint32_t)(n->confirmed_ms / 10),
				   .ndm_updated = (uint32_t)(n->updated_ms / 10)};
	int v4 = is_v4(&n->addr);

	if (!m)
		return;
	m->ndm_family = v4 ? AF_INET : AF_INET6;
	m->ndm_ifindex = n->ifp->index;
	m->ndm_state = n->state;
	m->ndm_type = RTN_UNICAST;
	if (v4) {
		uint32_t a = net_addr_v4(&n->addr);

		nl_put(r, NDA_DST, &a, 4);
	} else {
		nl_put(r, NDA_DST, &n->addr, 16);
	}
	if (n->has_mac && (n->state & NUD_VALID))
		nl_put(r, NDA_LLADDR, n->mac, 6);
	nl_put(r, NDA_CACHEINFO, &ci, sizeof(ci));
	nl_put_u32(r, NDA_PROBES, n->probes);
	nl_msg_end(r);
}

struct neigh_dump {
	struct nl_reply *r;
	int v4, index;
	const struct in6_addr *only; /* a get: this address */
	int found;
};

static void dump_one_neigh(void *ctx, const struct net_neigh *n)
{
	struct neigh_dump *d = ctx;

	if (is_v4(&n->addr) != d->v4 || (d->index && n->ifp->index != d->index))
		return;
	if (d->only && !IN6_ARE_ADDR_EQUAL(d->only, &n->addr))
		return;
	d->found = 1;
	fill_neigh(d->r, n, RTM_NEWNEIGH);
}

/* The address of a neighbour request (NDA_DST), of family's length: -EINVAL as Linux's "Invalid network address". */
static long neigh_dst(const struct nl_reply *r, int family, const struct nlattr *a, struct in6_addr *out)
{
	if (!a) {
		((struct nl_reply *)r)->ext_msg = "Network address not specified";
		return -EINVAL;
	}
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (nl_len(a) < (family == AF_INET ? 4u : 16u)) {
		((struct nl_reply *)r)->ext_msg = "Invalid network address";
		return -EINVAL;
	}
	if (family == AF_INET) {
		uint32_t v;

		memcpy(&v, nl_data(a), 4);
		net_addr_from_v4(out, v);
	} else {
		memcpy(out, nl_data(a), 16);
	}
	return 0;
}

static long get_neigh(const struct nl_req *q, struct nl_reply *r, int family)
{
	const struct ndmsg *m = NLMSG_DATA(q->h);
	const struct nlattr *tb[NDA_MAX + 1];
	struct neigh_dump d = {.r = r};
	struct in6_addr dst;
	uint32_t v;
	long e;

	if (r->dump) {
		/* Filters: the device (ndm_ifindex under strict checking, NDA_IFINDEX), as Linux's neigh_dump_info. */
		if (q->h->nlmsg_len >= NLMSG_LENGTH(sizeof(*m))) {
			if (q->strict && (m->ndm_pad1 || m->ndm_pad2 || m->ndm_state || m->ndm_type ||
					  (m->ndm_flags & ~NTF_PROXY) || m->ndm_ifindex)) {
				r->err = -EINVAL;
				return NL_DUMPED;
			}
			if (nl_parse(q->h, sizeof(*m), tb, NDA_MAX, q->strict) < 0) {
				if (q->strict)
					r->err = -EINVAL;
				return NL_DUMPED;
			}
			if (tb[NDA_IFINDEX] && nl_get_u32(tb[NDA_IFINDEX], &v) == 0)
				d.index = (int)v;
			if (m->ndm_flags & NTF_PROXY)
				return NL_DUMPED; /* no proxy entries */
		}
		for (d.v4 = 1; d.v4 >= 0; d.v4--)
			if (family == AF_UNSPEC || (family == AF_INET) == d.v4)
				net_neigh_walk(q->ns, dump_one_neigh, &d);
		return NL_DUMPED;
	}
	/* ip neigh get: one entry, by NDA_DST and the device. */
	if (q->h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return -EINVAL;
	e = nl_parse(q->h, sizeof(*m), tb, NDA_MAX, q->strict);
	if (e < 0)
		return e;
	e = neigh_dst(r, family, tb[NDA_DST], &dst);
	if (e < 0)
		return e;
	if (m->ndm_ifindex && !netif_by_index(q->ns, m->ndm_ifindex))
		return -ENODEV;
	d.v4 = family == AF_INET;
	d.index = m->ndm_ifindex;
	d.only = &dst;
	net_neigh_walk(q->ns, dump_one_neigh, &d);
	if (!d.found)
		r->ext_msg = "Neighbour entry not found.";
	return d.found ? 0 : -ENOENT;
}

/* ip neigh add/replace/change (RTM_NEWNEIGH), ip neigh del (RTM_DELNEIGH), checked in Linux's order. */
static long change_neigh(const struct nl_req *q, struct nl_reply *r, int add)
{
	const struct ndmsg *m = NLMSG_DATA(q->h);
	const struct nlattr *tb[NDA_MAX + 1];
	struct netif *ifp = NULL;
	struct in6_addr dst;
	int flags = q->h->nlmsg_flags;
	long e;

	if (q->h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return -EINVAL;
	e = nl_parse(q->h, sizeof(*m), tb, NDA_MAX, q->strict);
	if (e < 0)
		return e;
	if (!tb[NDA_DST]) {
		r->ext_msg = "Network address not specified";
		return -EINVAL;
	}
	if (m->ndm_ifindex) {
		ifp = netif_by_index(q->ns, m->ndm_ifindex);
		if (!ifp)
			return -ENODEV;
		if (add && tb[NDA_LLADDR] && nl_len(tb[NDA_LLADDR]) < (size_t)(ifp->hwlen > 0 ? ifp->hwlen : 0)) {
			r->ext_msg = "Invalid link address";
			return -EINVAL;
		}
	}
	e = neigh_dst(r, m->ndm_family, tb[NDA_DST], &dst);
	if (e < 0)
		return e;
	if (m->ndm_flags & NTF_PROXY)
		return add ? -EOPNOTSUPP : -ENOENT; /* no proxy entries */
	if (!ifp) {
		r->ext_msg = "Device not specified";
		return -EINVAL;
	}
	if (!ifp->ops || !ifp->ops->out)
		return -EINVAL; /* lo and other links without neighbours: netstack keeps none there */
	if (!add)
		return net_neigh_del(ifp, &dst);
	if ((m->ndm_state & (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE)) &&
	    !tb[NDA_LLADDR]) {
		/* Linux makes the entry and then refuses the state; netstack makes none. */
		r->ext_msg = "No link layer address given.";
		return -EINVAL;
	}
	return net_neigh_set(ifp, &dst, tb[NDA_LLADDR] ? nl_data(tb[NDA_LLADDR]) : NULL, m->ndm_state,
			     !!(flags & NLM_F_CREATE), !!(flags & NLM_F_REPLACE), !!(flags & NLM_F_EXCL));
}

/* ---- rules: the three Linux starts with (and IPv6's two), fixed ---- */

static void fill_rule(struct nl_reply *r, int family, int table, uint32_t prio)
{
	struct fib_rule_hdr *h = nl_msg_begin(r, RTM_NEWRULE, 0, sizeof(*h));

	if (!h)
		return;
	h->family = (unsigned char)family;
	h->table = (unsigned char)table;
	h->action = FR_ACT_TO_TBL;
	nl_put_u32(r, FRA_TABLE, (uint32_t)table);
	nl_put_u32(r, FRA_SUPPRESS_PREFIXLEN, 0xffffffffu);
	nl_put_u8(r, FRA_PROTOCOL, RTPROT_KERNEL);
	if (prio)
		nl_put_u32(r, FRA_PRIORITY, prio);
	nl_msg_end(r);
}

static long get_rule(const struct nl_req *q, struct nl_reply *r, int family)
{
	(void)q;
	if (!r->dump)
		return -EOPNOTSUPP;
	if (family == AF_UNSPEC || family == AF_INET) {
		fill_rule(r, AF_INET, RT_TABLE_LOCAL, 0);
		fill_rule(r, AF_INET, RT_TABLE_MAIN, 32766);
		fill_rule(r, AF_INET, RT_TABLE_DEFAULT, 32767);
	}
	if (family == AF_UNSPEC || family == AF_INET6) {
		fill_rule(r, AF_INET6, RT_TABLE_LOCAL, 0);
		fill_rule(r, AF_INET6, RT_TABLE_MAIN, 32766);
	}
	return NL_DUMPED;
}

/* ---- per-interface IP settings (ip netconf): a sandbox neither forwards nor filters ---- */

static void fill_netconf(struct nl_reply *r, int family, int index)
{
	struct netconfmsg *m = nl_msg_begin(r, RTM_NEWNETCONF, 0, sizeof(*m));

	if (!m)
		return;
	m->ncm_family = (unsigned char)family;
	nl_put_u32(r, NETCONFA_IFINDEX, (uint32_t)index);
	nl_put_u32(r, NETCONFA_FORWARDING, 0);
	if (family == AF_INET) {
		nl_put_u32(r, NETCONFA_RP_FILTER, 0);
		nl_put_u32(r, NETCONFA_MC_FORWARDING, 0);
		nl_put_u32(r, NETCONFA_BC_FORWARDING, 0);
	}
	nl_put_u32(r, NETCONFA_PROXY_NEIGH, 0);
	nl_put_u32(r, NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN, 0);
	nl_msg_end(r);
}

static long get_netconf(const struct nl_req *q, struct nl_reply *r, int family)
{
	const struct nlattr *tb[NETCONFA_MAX + 1];
	struct netif *ifp;
	uint32_t index;
	int f;
	long e;

	if (r->dump) {
		for (f = AF_INET; f <= AF_INET6; f += AF_INET6 - AF_INET) {
			if (family != AF_UNSPEC && family != f)
				continue;
			for (ifp = q->ns->ifs; ifp; ifp = ifp->next)
				fill_netconf(r, f, ifp->index);
			fill_netconf(r, f, NETCONFA_IFINDEX_ALL);
			fill_netconf(r, f, NETCONFA_IFINDEX_DEFAULT);
		}
		return NL_DUMPED;
	}
	e = nl_parse(q->h, sizeof(struct netconfmsg), tb, NETCONFA_MAX, q->strict);
	if (e < 0)
		return e;
	if (!tb[NETCONFA_IFINDEX])
		return -EINVAL;
	if ((e = nl_get_u32(tb[NETCONFA_IFINDEX], &index)) < 0)
		return e;
	if ((int)index != NETCONFA_IFINDEX_ALL && (int)index != NETCONFA_IFINDEX_DEFAULT &&
	    !netif_by_index(q->ns, (int)index))
		return -EINVAL;
	fill_netconf(r, family, (int)index);
	return 0;
}

/* ---- dispatch ---- */

static long route_handle(const struct nl_req *q, struct nl_reply *r)
{
	int type = q->h->nlmsg_type, family, kind;

	if (type > RTM_MAX)
		return -EOPNOTSUPP;
	/* Linux: "All the messages must have at least 1 byte length" (else ignored). */
	if (q->h->nlmsg_len < NLMSG_LENGTH(1))
		return 0;
	family = *(const unsigned char *)NLMSG_DATA(q->h);
	kind = (type - RTM_BASE) & 3;
	if (kind != 2 && !net_capable(q->t, q->ns, CAP_NET_ADMIN))
		return -EPERM;
	/* Only neighbour tables delete in bulk in Linux; nothing here does. */
	if (kind == 1 && (q->h->nlmsg_flags & NLM_F_BULK))
		return -EOPNOTSUPP;
	/*
	 * Handlers are per family as in Linux: links', rules' and neighbours'
	 * serve any, addresses' and routes' only IPv4 and IPv6 (a dump of
	 * another family lists them all, as rtnl_dump_all).
	 */
	if (family != AF_INET && family != AF_INET6) {
		if (r->dump)
			family = AF_UNSPEC;
		else if (type != RTM_GETLINK && type != RTM_NEWLINK && type != RTM_SETLINK && type != RTM_DELLINK &&
			 type != RTM_NEWNEIGH && type != RTM_DELNEIGH && type != RTM_GETNEIGH)
			return -EOPNOTSUPP;
	}
	if (kind == 2 && !r->dump && type != RTM_GETLINK && type != RTM_GETROUTE && type != RTM_GETNETCONF &&
	    type != RTM_GETNEIGH)
		return -EOPNOTSUPP;
	switch (type) {
	case RTM_GETLINK:
		return get_link(q, r);
	case RTM_NEWLINK:
	case RTM_SETLINK:
		return set_link(q, r);
	case RTM_DELLINK:
		return del_link(q, r);
	case RTM_GETADDR:
		return get_addr(q, r, family);
	case RTM_NEWADDR:
		return change_addr(q, r, 1);
	case RTM_DELADDR:
		return change_addr(q, r, 0);
	case RTM_GETROUTE:
		return r->dump ? dump_route_req(q, r, family) : get_route(q, r);
	case RTM_NEWROUTE:
		return change_route(q, r, 1);
	case RTM_DELROUTE:
		return change_route(q, r, 0);
	case RTM_GETNEIGH:
		return get_neigh(q, r, family);
	case RTM_NEWNEIGH:
		return change_neigh(q, r, 1);
	case RTM_DELNEIGH:
		return change_neigh(q, r, 0);
	case RTM_GETRULE:
		return get_rule(q, r, family);
	case RTM_GETNETCONF:
		return get_netconf(q, r, family);
	}
	return -EOPNOTSUPP;
}

const struct nl_protocol nl_route_protocol = {.protocol = NETLINK_ROUTE, .handle = route_handle};

/* ---- notifications (see the top of this file) ---- */

/* The news goes out with the asking request's sequence number and portid when it is what was asked for. */
static void notify_origin(struct nl_reply *r, int kind)
{
	static struct nlmsghdr from;

	if (origin.kind != kind)
		return;
	from.nlmsg_seq = origin.seq;
	r->req = &from;
	r->portid = origin.portid;
}

static void notify_link(struct netif *ifp)
{
	struct nl_reply r;

	if (!nl_has_listeners(ifp->ns, NETLINK_ROUTE, RTNLGRP_LINK))
		return;
	nl_notify_begin(&r);
	fill_link(&r, ifp, RTM_NEWLINK, 0);
	nl_broadcast(ifp->ns, NETLINK_ROUTE, RTNLGRP_LINK, &r);
}

static void notify_link_gone(struct netif *ifp)
{
	struct nl_reply r;

	if (!nl_has_listeners(ifp->ns, NETLINK_ROUTE, RTNLGRP_LINK))
		return;
	nl_notify_begin(&r);
	fill_link(&r, ifp, RTM_DELLINK, 0);
	nl_broadcast(ifp->ns, NETLINK_ROUTE, RTNLGRP_LINK, &r);
}

static void notify_addr(struct netif *ifp, const struct netif_addr *a, int added)
{
	uint32_t group = is_v4(&a->addr) ? RTNLGRP_IPV4_IFADDR : RTNLGRP_IPV6_IFADDR;
	struct nl_reply r;

	if (!nl_has_listeners(ifp->ns, NETLINK_ROUTE, group))
		return;
	nl_notify_begin(&r);
	if (is_v4(&a->addr))
		notify_origin(&r, ORIGIN_ADDR4);
	fill_addr(&r, ifp, a, added ? RTM_NEWADDR : RTM_DELADDR);
	nl_broadcast(ifp->ns, NETLINK_ROUTE, group, &r);
}

static void notify_route(struct netns *ns, const struct net_route *rt, int added)
{
	uint32_t group = is_v4(&rt->dst) ? RTNLGRP_IPV4_ROUTE : RTNLGRP_IPV6_ROUTE;
	struct nl_reply r;

	if (!nl_has_listeners(ns, NETLINK_ROUTE, group))
		return;
	nl_notify_begin(&r);
	notify_origin(&r, ORIGIN_ROUTE);
	fill_route(&r, rt, added ? RTM_NEWROUTE : RTM_DELROUTE);
	nl_broadcast(ns, NETLINK_ROUTE, group, &r);
}

static void notify_neigh(const struct net_neigh *n, int added)
{
	struct nl_reply r;

	if (!nl_has_listeners(n->ifp->ns, NETLINK_ROUTE, RTNLGRP_NEIGH))
		return;
	nl_notify_begin(&r);
	fill_neigh(&r, n, added ? RTM_NEWNEIGH : RTM_DELNEIGH);
	nl_broadcast(n->ifp->ns, NETLINK_ROUTE, RTNLGRP_NEIGH, &r);
}

static const struct net_change_listener rtnl_listener = {
	.link = notify_link,
	.link_gone = notify_link_gone,
	.addr = notify_addr,
	.route = notify_route,
	.neigh = notify_neigh,
};

__attribute__((constructor)) static void register_listener(void)
{
	net_set_change_listener(&rtnl_listener);
}
