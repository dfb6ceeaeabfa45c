/*
 * AF_INET and AF_INET6 on the socket layer (inet.h): the two families,
 * the transports' registry, the options they share, sockaddr decoding, the
 * bound-port tables and waiting.
 *
 * The port table of a protocol is a hash by local port of chains through
 * inet_sock.bind_next, allocated on first bind in ns->ports[protocol].
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "../../sentry/host/host.h"
#include "../../sentry/kernel/task.h"
#include "../../vfs/socket.h"
#include "../../vfs/vfs.h"
#include "inet.h"

#define TYPES_MAX 16
#define PORT_HASH 256

/* Linux's defaults and bounds for socket buffers (net.core.*mem_*). */
#define RMEM_DEFAULT 212992
#define WMEM_DEFAULT 212992
#define RMEM_MAX 212992
#define WMEM_MAX 212992
#define MIN_RCVBUF 2304 /* SOCK_MIN_RCVBUF on x86-64 */
#define MIN_SNDBUF 4608 /* SOCK_MIN_SNDBUF */

/* Filled by constructors before main, read-only afterwards. */
static const struct inet_type *types[TYPES_MAX];
static int ntypes;

void inet_register_type(const struct inet_type *t)
{
	if (ntypes == TYPES_MAX)
		abort(); /* a build mistake: raise TYPES_MAX */
	types[ntypes++] = t;
}

static long inet_create(int family, int type, int protocol, int flags, struct file **out)
{
	const struct inet_type *t = NULL;
	int i, seen = 0;

	if (type >= 11) /* SOCK_MAX */
		return -EINVAL;
	if (protocol < 0 || protocol >= 263) /* IPPROTO_MAX */
		return -EINVAL;
	for (i = 0; i < ntypes; i++) {
		if (types[i]->type != type)
			continue;
		seen = 1;
		if (protocol == 0 ? types[i]->protocol > 0 && (!t || types[i]->is_default) :
				    !t && (types[i]->protocol == protocol || types[i]->protocol == -1))
			t = types[i];
	}
	if (!t)
		return seen ? -EPROTONOSUPPORT : -ESOCKTNOSUPPORT;
	if (t->needs_cap && (!task_current || !net_capable(task_current, net_ns_of(task_current), CAP_NET_RAW)))
		return -EPERM;
	return t->create(net_ns_of(task_current), family, protocol ? protocol : t->protocol, flags, out);
}

static long inet4_create(int type, int protocol, int flags, struct file **out)
{
	return inet_create(AF_INET, type, protocol, flags, out);
}

static long inet6_create(int type, int protocol, int flags, struct file **out)
{
	return inet_create(AF_INET6, type, protocol, flags, out);
}

static const struct sock_family inet4_family = {.family = AF_INET, .create = inet4_create};
SOCK_FAMILY(inet4_family)
static const struct sock_family inet6_family = {.family = AF_INET6, .create = inet6_create};
SOCK_FAMILY(inet6_family)

void inet_sock_init(struct inet_sock *s, struct netns *ns, struct inode *ino, int family, int type, int protocol)
{
	memset(s, 0, sizeof(*s));
	s->ns = net_ns_get(ns);
	s->ino = ino;
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	if (family == AF_INET)
		net_addr_from_v4(&s->laddr, 0);
	s->raddr = s->laddr;
	s->rcvbuf = RMEM_DEFAULT;
	s->sndbuf = WMEM_DEFAULT;
	s->rcvlowat = 1;
	s->tos = 0;
	s->ttl = -1;
	s->hoplimit = -1;
	s->tclass = 0;
	s->mc_loop = 1;
	s->mc_ttl = 1;
	s->pmtudisc = IP_PMTUDISC_WANT;
	s->uid = task_current ? task_current->cred.euid : 0;
}

int inet_addr_any(const struct in6_addr *a)
{
	return IN6_IS_ADDR_UNSPECIFIED(a) || (net_addr_is_v4(a) && net_addr_v4(a) == 0);
}

long inet_addr_in(const struct inet_sock *s, const struct sockaddr *sa, socklen_t len, struct in6_addr *addr,
		  uint16_t *port)
{
	if (s->family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		if (len < sizeof(*in))
			return -EINVAL;
		if (in->sin_family != AF_INET)
			return -EAFNOSUPPORT;
		net_addr_from_v4(addr, in->sin_addr.s_addr);
		*port = ntohs(in->sin_port);
		return 0;
	}
	{
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		if (len < 24) /* SIN6_LEN_RFC2133: without sin6_scope_id */
			return -EINVAL;
		if (in6->sin6_family != AF_INET6)
			return -EAFNOSUPPORT;
		*addr = in6->sin6_addr;
		*port = ntohs(in6->sin6_port);
		return 0;
	}
}

void inet_addr_out(const struct inet_sock *s, const struct in6_addr *addr, uint16_t port, struct sockaddr_storage *ss,
		   socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (s->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr.s_addr = net_addr_is_v4(addr) ? net_addr_v4(addr) : 0;
		*len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		/* An AF_INET6 socket shows IPv4's wildcard as ::. */
		if (!(net_addr_is_v4(addr) && net_addr_v4(addr) == 0))
			in6->sin6_addr = *addr;
		*len = sizeof(*in6);
	}
}

/* ---- options ---- */

static long put_int(void *val, socklen_t *len, int v)
{
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

static long get_timeo(uint64_t ns, void *val, socklen_t *len)
{
	struct timeval tv = {.tv_sec = (time_t)(ns / 1000000000u), .tv_usec = (suseconds_t)(ns % 1000000000u / 1000)};

	memcpy(val, &tv, sizeof(tv));
	*len = sizeof(tv);
	return 0;
}

static long set_timeo(uint64_t *ns, const void *val, socklen_t len)
{
	struct timeval tv;

	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0) {
		*ns = 1; /* Linux: a negative timeout does not wait (the shortest one here) */
		return 0;
	}
	if (tv.tv_sec == 0 && tv.tv_usec == 0) {
		*ns = 0;
		return 0;
	}
	*ns = (uint64_t)tv.tv_sec > UINT64_MAX / 2000000000u ? UINT64_MAX / 2 :
							   (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
	return 0;
}

static long sol_socket_get(struct inet_sock *s, int name, void *val, socklen_t *len)
{
	switch (name) {
	case SO_TYPE: return put_int(val, len, s->type);
	case SO_DOMAIN: return put_int(val, len, s->family);
	case SO_PROTOCOL: return put_int(val, len, s->protocol);
	case SO_ERROR: {
		int e = s->so_error;

		s->so_error = 0;
		return put_int(val, len, e);
	}
	case SO_REUSEADDR: return put_int(val, len, s->reuseaddr);
	case SO_REUSEPORT: return put_int(val, len, s->reuseport);
	case SO_KEEPALIVE: return put_int(val, len, s->keepalive);
	case SO_BROADCAST: return put_int(val, len, s->broadcast);
	case SO_OOBINLINE: return put_int(val, len, s->oobinline);
	case SO_DONTROUTE: return put_int(val, len, s->dontroute);
	case SO_PASSCRED: return put_int(val, len, s->passcred);
	case SO_TIMESTAMP_OLD: return put_int(val, len, s->timestamp);
	case SO_RCVBUF: return put_int(val, len, s->rcvbuf);
	case SO_SNDBUF: return put_int(val, len, s->sndbuf);
	case SO_RCVLOWAT: return put_int(val, len, s->rcvlowat);
	case SO_SNDLOWAT: return put_int(val, len, 1);
	case SO_PRIORITY: return put_int(val, len, s->priority);
	case SO_MARK: return put_int(val, len, (int)s->mark);
	case SO_ACCEPTCONN: return put_int(val, len, s->listening);
	case SO_BINDTODEVICE: {
		struct netif *i = s->bound_ifindex ? netif_by_index(s->ns, s->bound_ifindex) : NULL;
		size_t n = i ? strlen(i->name) + 1 : 0;

		if (n)
			memcpy(val, i->name, n);
		*len = (socklen_t)n;
		return 0;
	}
	case SO_LINGER: {
		struct linger l = {.l_onoff = s->linger_on, .l_linger = s->linger_s};

		memcpy(val, &l, sizeof(l));
		*len = sizeof(l);
		return 0;
	}
	case SO_RCVTIMEO_OLD: return get_timeo(s->rcvtimeo_ns, val, len);
	case SO_SNDTIMEO_OLD: return get_timeo(s->sndtimeo_ns, val, len);
	}
	return -ENOPROTOOPT;
}

static long sol_socket_set(struct inet_sock *s, int name, const void *val, socklen_t len)
{
	int v = 0;

	switch (name) {
	case SO_LINGER: {
		struct linger l;

		if (len < sizeof(l))
			return -EINVAL;
		memcpy(&l, val, sizeof(l));
		s->linger_on = !!l.l_onoff;
		s->linger_s = l.l_linger < 0 ? 0 : l.l_linger;
		return 0;
	}
	case SO_RCVTIMEO_OLD: return set_timeo(&s->rcvtimeo_ns, val, len);
	case SO_SNDTIMEO_OLD: return set_timeo(&s->sndtimeo_ns, val, len);
	case SO_BINDTODEVICE: {
		char dev[IFNAMSIZ] = {0};
		struct netif *i;

		if (task_current && !net_capable(task_current, s->ns, CAP_NET_RAW))
			return -EPERM;
		memcpy(dev, val, len < IFNAMSIZ - 1 ? len : IFNAMSIZ - 1);
		if (!dev[0]) {
			s->bound_ifindex = 0;
			return 0;
		}
		i = netif_by_name(s->ns, dev);
		if (!i)
			return -ENODEV;
		s->bound_ifindex = i->index;
		return 0;
	}
	}
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case SO_REUSEADDR: s->reuseaddr = !!v; return 0;
	case SO_REUSEPORT: s->reuseport = !!v; return 0;
	case SO_KEEPALIVE: s->keepalive = !!v; return 0;
	case SO_BROADCAST: s->broadcast = !!v; return 0;
	case SO_OOBINLINE: s->oobinline = !!v; return 0;
	case SO_DONTROUTE: s->dontroute = !!v; return 0;
	case SO_PASSCRED: s->passcred = !!v; return 0;
	case SO_TIMESTAMP_OLD: s->timestamp = !!v; return 0;
	case SO_RCVBUFFORCE:
	case SO_SNDBUFFORCE:
		if (task_current && !capable(task_current, CAP_NET_ADMIN))
			return -EPERM;
		/* fall through: with the cap, the max does not apply */
		__attribute__((fallthrough));
	case SO_RCVBUF:
	case SO_SNDBUF: {
		int rcv = name == SO_RCVBUF || name == SO_RCVBUFFORCE;
		int max = rcv ? RMEM_MAX : WMEM_MAX;
		unsigned u = (unsigned)v;

		if (name == SO_RCVBUF || name == SO_SNDBUF)
			u = u > (unsigned)max ? (unsigned)max : u;
		else if (v < 0)
			u = 0;
		if (u > INT32_MAX / 2)
			u = INT32_MAX / 2;
		v = (int)u * 2;
		if (rcv)
			s->rcvbuf = v < MIN_RCVBUF ? MIN_RCVBUF : v;
		else
			s->sndbuf = v < MIN_SNDBUF ? MIN_SNDBUF : v;
		vfs_notify(s->ino);
		return 0;
	}
	case SO_RCVLOWAT:
		s->rcvlowat = v < 0 ? INT32_MAX : v ? v : 1;
		return 0;
	case SO_SNDLOWAT:
		return -ENOPROTOOPT;
	case SO_PRIORITY:
		if ((v < 0 || v > 6) && task_current && !net_capable(task_current, s->ns, CAP_NET_ADMIN))
			return -EPERM;
		s->priority = v;
		return 0;
	case SO_MARK:
		if (task_current && !net_capable(task_current, s->ns, CAP_NET_ADMIN))
			return -EPERM;
		s->mark = (uint32_t)v;
		return 0;
	}
	return -ENOPROTOOPT;
}

/* ---- multicast groups ---- */

#define MAX_MEMBERSHIPS 20 /* net.ipv4.igmp_max_memberships */

static int is_group(const struct in6_addr *a)
{
	return net_addr_is_v4(a) ? (ntohl(net_addr_v4(a)) >> 28) == 0xe : a->s6_addr[0] == 0xff;
}

/* The interface a group is joined on when none is named: the route's to it (-ENODEV: none). */
static long group_dev(struct inet_sock *s, const struct in6_addr *group, int ifindex, int *out)
{
	struct net_route *rt;
	struct netif *i;

	if (ifindex) {
		i = netif_by_index(s->ns, ifindex);
		if (!i)
			return -ENODEV;
		*out = i->index;
		return 0;
	}
	if (net_route_lookup(s->ns, group, 0, &rt, NULL) < 0)
		return -ENODEV;
	*out = rt->dev->index;
	return 0;
}

static long mc_join(struct inet_sock *s, const struct in6_addr *group, int ifindex)
{
	struct inet_mcast *m;
	struct netif *i;

	for (m = s->mc; m; m = m->next)
		if (m->ifindex == ifindex && IN6_ARE_ADDR_EQUAL(&m->group, group))
			return -EADDRINUSE;
	if (s->mc_count >= MAX_MEMBERSHIPS)
		return -ENOBUFS;
	i = netif_by_index(s->ns, ifindex);
	m = calloc(1, sizeof(*m));
	if (!i || !m || netif_mc_join(i, group, 1) < 0) {
		free(m);
		return i ? -ENOMEM : -ENODEV;
	}
	m->group = *group;
	m->ifindex = ifindex;
	m->next = s->mc;
	s->mc = m;
	s->mc_count++;
	return 0;
}

/* Leaves group on ifindex (0: on whichever it was joined); -EADDRNOTAVAIL when it was not. */
static long mc_leave(struct inet_sock *s, const struct in6_addr *group, int ifindex)
{
	struct inet_mcast **pp, *m;
	struct netif *i;

	for (pp = &s->mc; (m = *pp); pp = &m->next) {
		if ((ifindex && m->ifindex != ifindex) || !IN6_ARE_ADDR_EQUAL(&m->group, group))
			continue;
		i = netif_by_index(s->ns, m->ifindex);
		if (i)
			netif_mc_join(i, group, 0);
		*pp = m->next;
		free(m);
		s->mc_count--;
		return 0;
	}
	return -EADDRNOTAVAIL;
}

void inet_sock_destroy(struct inet_sock *s)
{
	while (s->mc)
		mc_leave(s, &s->mc->group, s->mc->ifindex);
}

/* IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP: a struct ip_mreq, or ip_mreqn with an interface index. */
static long ip_membership(struct inet_sock *s, int join, const void *val, socklen_t len)
{
	struct ip_mreqn mr = {0};
	struct in6_addr group, ifaddr;
	struct netif *i;
	int ifindex = 0;
	long r;

	if (len < sizeof(struct ip_mreq))
		return -EINVAL;
	memcpy(&mr, val, len >= sizeof(mr) ? sizeof(mr) : sizeof(struct ip_mreq));
	net_addr_from_v4(&group, mr.imr_multiaddr.s_addr);
	if (!is_group(&group))
		return -EINVAL;
	if (mr.imr_ifindex) {
		r = group_dev(s, &group, mr.imr_ifindex, &ifindex);
	} else if (mr.imr_address.s_addr) {
		net_addr_from_v4(&ifaddr, mr.imr_address.s_addr);
		i = netif_with_addr(s->ns, &ifaddr, NULL);
		r = i ? 0 : -ENODEV;
		if (i)
			ifindex = i->index;
	} else {
		r = group_dev(s, &group, 0, &ifindex);
	}
	if (!join)
		return mc_leave(s, &group, r < 0 ? 0 : ifindex) == 0 ? 0 : r < 0 ? r : -EADDRNOTAVAIL;
	return r < 0 ? r : mc_join(s, &group, ifindex);
}

/* IP_MULTICAST_IF: an in_addr, an ip_mreq or an ip_mreqn naming the interface groups are sent by. */
static long ip_multicast_if(struct inet_sock *s, const void *val, socklen_t len)
{
	struct ip_mreqn mr = {0};
	struct in6_addr a;
	struct netif *i;

	if (len >= sizeof(struct ip_mreqn))
		memcpy(&mr, val, sizeof(mr));
	else if (len >= sizeof(struct ip_mreq))
		memcpy(&mr, val, sizeof(struct ip_mreq));
	else if (len >= sizeof(struct in_addr))
		memcpy(&mr.imr_address, val, sizeof(struct in_addr));
	else
		return -EINVAL;
	if (!mr.imr_ifindex && !mr.imr_address.s_addr) {
		s->mc_ifindex = 0;
		s->mc_addr = 0;
		return 0;
	}
	if (mr.imr_ifindex) {
		i = netif_by_index(s->ns, mr.imr_ifindex);
	} else {
		net_addr_from_v4(&a, mr.imr_address.s_addr);
		i = netif_with_addr(s->ns, &a, NULL);
	}
	if (!i)
		return -EADDRNOTAVAIL;
	if (s->bound_ifindex && i->index != s->bound_ifindex)
		return -EINVAL;
	s->mc_ifindex = i->index;
	s->mc_addr = mr.imr_address.s_addr;
	return 0;
}

/* IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP: a struct ipv6_mreq. */
static long ipv6_membership(struct inet_sock *s, int join, const void *val, socklen_t len)
{
	struct ipv6_mreq mr;
	int ifindex;
	long r;

	if (len < sizeof(mr))
		return -EINVAL;
	memcpy(&mr, val, sizeof(mr));
	if (!is_group(&mr.ipv6mr_multiaddr) || net_addr_is_v4(&mr.ipv6mr_multiaddr))
		return -EINVAL;
	if (!join)
		return mc_leave(s, &mr.ipv6mr_multiaddr, (int)mr.ipv6mr_interface);
	for (struct inet_mcast *m = s->mc; m; m = m->next)
		if (m->ifindex == (int)mr.ipv6mr_interface && IN6_ARE_ADDR_EQUAL(&m->group, &mr.ipv6mr_multiaddr))
			return -EADDRINUSE;
	r = group_dev(s, &mr.ipv6mr_multiaddr, (int)mr.ipv6mr_interface, &ifindex);
	return r < 0 ? r : mc_join(s, &mr.ipv6mr_multiaddr, ifindex);
}

/* IP_MTU and IPV6_MTU: the MTU of the route to the connected peer (lo's for a local one). */
static long path_mtu(struct inet_sock *s, void *val, socklen_t *len)
{
	struct net_route *rt;

	if (!s->rport || net_route_lookup(s->ns, &s->raddr, s->bound_ifindex, &rt, NULL) < 0)
		return -ENOTCONN;
	return put_int(val, len, (int)(rt->type == RTN_LOCAL ? s->ns->lo->mtu : rt->dev->mtu));
}

static long sol_ip_get(struct inet_sock *s, int name, void *val, socklen_t *len)
{
	switch (name) {
	case IP_TOS: return put_int(val, len, s->tos);
	case IP_TTL: return put_int(val, len, s->ttl < 0 ? 64 : s->ttl);
	case IP_PKTINFO: return put_int(val, len, s->pktinfo);
	case IP_RECVTOS: return put_int(val, len, s->recvtos);
	case IP_RECVTTL: return put_int(val, len, s->recvttl);
	case IP_RECVERR: return put_int(val, len, s->recverr);
	case IP_MTU_DISCOVER: return put_int(val, len, s->pmtudisc);
	case IP_FREEBIND: return put_int(val, len, s->freebind);
	case IP_MULTICAST_TTL: return put_int(val, len, s->mc_ttl);
	case IP_MULTICAST_LOOP: return put_int(val, len, s->mc_loop);
	case IP_RECVORIGDSTADDR: return put_int(val, len, s->recvorigdstaddr);
	case IP_MULTICAST_IF:
		memcpy(val, &s->mc_addr, sizeof(s->mc_addr));
		*len = sizeof(s->mc_addr);
		return 0;
	case IP_OPTIONS:
		*len = 0;
		return 0;
	case IP_MTU:
		return path_mtu(s, val, len);
	}
	return -ENOPROTOOPT;
}

/* An int option's value as Linux reads it: an int, or one byte when len is shorter (ip_setsockopt's rule). */
static long opt_int(const void *val, socklen_t len, int *v)
{
	if (len >= sizeof(int)) {
		memcpy(v, val, sizeof(int));
		return 0;
	}
	if (len >= 1) {
		*v = *(const unsigned char *)val;
		return 0;
	}
	return -EINVAL;
}

static long sol_ip_set(struct inet_sock *s, int name, const void *val, socklen_t len)
{
	int v = 0;

	switch (name) {
	case IP_OPTIONS:
		return len == 0 ? 0 : -EINVAL;
	case IP_ADD_MEMBERSHIP:
	case IP_DROP_MEMBERSHIP:
		return s->type == SOCK_STREAM ? -EPROTO : ip_membership(s, name == IP_ADD_MEMBERSHIP, val, len);
	case IP_MULTICAST_IF:
		return s->type == SOCK_STREAM ? -EPROTO : ip_multicast_if(s, val, len);
	case IP_TOS: case IP_TTL: case IP_PKTINFO: case IP_RECVTOS: case IP_RECVTTL: case IP_RECVERR:
	case IP_MTU_DISCOVER: case IP_FREEBIND: case IP_MULTICAST_TTL: case IP_MULTICAST_LOOP: case IP_RECVORIGDSTADDR:
		if (opt_int(val, len, &v) < 0)
			return -EINVAL;
		break;
	default:
		return -ENOPROTOOPT;
	}
	switch (name) {
	case IP_TOS:
		/* A stream socket's ECN bits are TCP's own: only the rest is set. */
		s->tos = s->type == SOCK_STREAM ? ((v & 0xfc) | (s->tos & 3)) : (v & 0xff);
		return 0;
	case IP_TTL:
		if (len < sizeof(int))
			return -EINVAL;
		if (v != -1 && (v < 1 || v > 255))
			return -EINVAL;
		s->ttl = v;
		return 0;
	case IP_PKTINFO: s->pktinfo = !!v; return 0;
	case IP_RECVTOS: s->recvtos = !!v; return 0;
	case IP_RECVTTL: s->recvttl = !!v; return 0;
	case IP_RECVERR: s->recverr = !!v; return 0;
	case IP_FREEBIND: s->freebind = !!v; return 0;
	case IP_RECVORIGDSTADDR: s->recvorigdstaddr = !!v; return 0;
	case IP_MULTICAST_LOOP: s->mc_loop = !!v; return 0;
	case IP_MTU_DISCOVER:
		if (v < IP_PMTUDISC_DONT || v > IP_PMTUDISC_OMIT)
			return -EINVAL;
		s->pmtudisc = v;
		return 0;
	case IP_MULTICAST_TTL:
		if (s->type == SOCK_STREAM)
			return -EINVAL;
		if (v == -1)
			v = 1;
		if (v < 0 || v > 255)
			return -EINVAL;
		s->mc_ttl = v;
		return 0;
	}
	return -ENOPROTOOPT;
}

static long sol_ipv6_get(struct inet_sock *s, int name, void *val, socklen_t *len)
{
	switch (name) {
	case IPV6_V6ONLY: return put_int(val, len, s->v6only);
	case IPV6_UNICAST_HOPS: return put_int(val, len, s->hoplimit < 0 ? 64 : s->hoplimit);
	case IPV6_MULTICAST_HOPS: return put_int(val, len, s->mc_ttl);
	case IPV6_MULTICAST_LOOP: return put_int(val, len, s->mc_loop);
	case IPV6_RECVPKTINFO: return put_int(val, len, s->pktinfo);
	case IPV6_RECVTCLASS: return put_int(val, len, s->recvtclass);
	case IPV6_RECVHOPLIMIT: return put_int(val, len, s->recvhoplimit);
	case IPV6_TCLASS: return put_int(val, len, s->tclass);
	case IPV6_RECVERR: return put_int(val, len, s->recverr);
	case IPV6_MTU_DISCOVER: return put_int(val, len, s->pmtudisc);
	case IPV6_MULTICAST_IF: return put_int(val, len, s->mc_ifindex);
	case IPV6_MTU:
		return path_mtu(s, val, len);
	}
	return -ENOPROTOOPT;
}

static long sol_ipv6_set(struct inet_sock *s, int name, const void *val, socklen_t len)
{
	int v;

	switch (name) {
	case IPV6_JOIN_GROUP:
	case IPV6_LEAVE_GROUP:
		return s->type == SOCK_STREAM ? -EPROTO : ipv6_membership(s, name == IPV6_JOIN_GROUP, val, len);
	case IPV6_MULTICAST_IF:
		if (len < sizeof(int))
			return -EINVAL;
		memcpy(&v, val, sizeof(v));
		if (s->bound_ifindex && v != s->bound_ifindex)
			return -EINVAL;
		if (v && !netif_by_index(s->ns, v))
			return -ENODEV;
		s->mc_ifindex = v;
		return 0;
	case IPV6_V6ONLY: case IPV6_UNICAST_HOPS: case IPV6_MULTICAST_HOPS: case IPV6_MULTICAST_LOOP:
	case IPV6_RECVPKTINFO: case IPV6_RECVTCLASS: case IPV6_RECVHOPLIMIT: case IPV6_TCLASS: case IPV6_RECVERR:
	case IPV6_MTU_DISCOVER:
		if (len < sizeof(int))
			return -EINVAL;
		memcpy(&v, val, sizeof(v));
		break;
	default:
		return -ENOPROTOOPT;
	}
	switch (name) {
	case IPV6_V6ONLY:
		if (s->bound || s->lport)
			return -EINVAL;
		s->v6only = !!v;
		return 0;
	case IPV6_UNICAST_HOPS:
		if (v < -1 || v > 255)
			return -EINVAL;
		s->hoplimit = v;
		return 0;
	case IPV6_MULTICAST_HOPS:
		if (s->type == SOCK_STREAM)
			return -ENOPROTOOPT;
		if (v < -1 || v > 255)
			return -EINVAL;
		s->mc_ttl = v == -1 ? 1 : v;
		return 0;
	case IPV6_MULTICAST_LOOP:
		if (v != 0 && v != 1)
			return -EINVAL;
		s->mc_loop = v;
		return 0;
	case IPV6_RECVPKTINFO: s->pktinfo = !!v; return 0;
	case IPV6_RECVTCLASS: s->recvtclass = !!v; return 0;
	case IPV6_RECVHOPLIMIT: s->recvhoplimit = !!v; return 0;
	case IPV6_RECVERR: s->recverr = !!v; return 0;
	case IPV6_TCLASS:
		if (v < -1 || v > 0xff)
			return -EINVAL;
		s->tclass = v == -1 ? 0 : v;
		return 0;
	case IPV6_MTU_DISCOVER:
		if (v < IPV6_PMTUDISC_DONT || v > IPV6_PMTUDISC_OMIT)
			return -EINVAL;
		s->pmtudisc = v;
		return 0;
	}
	return -ENOPROTOOPT;
}

long inet_getsockopt(struct inet_sock *s, int level, int name, void *val, socklen_t *len)
{
	if (level == SOL_SOCKET)
		return sol_socket_get(s, name, val, len);
	if (level == SOL_IP)
		return sol_ip_get(s, name, val, len);
	if (level == SOL_IPV6 && s->family == AF_INET6)
		return sol_ipv6_get(s, name, val, len);
	/* Another level: IPv4's getsockopt says EOPNOTSUPP, IPv6's (and every setsockopt) ENOPROTOOPT. */
	return s->family == AF_INET ? -EOPNOTSUPP : -ENOPROTOOPT;
}

long inet_setsockopt(struct inet_sock *s, int level, int name, const void *val, socklen_t len)
{
	if (level == SOL_SOCKET)
		return sol_socket_set(s, name, val, len);
	if (level == SOL_IP)
		return sol_ip_set(s, name, val, len);
	if (level == SOL_IPV6 && s->family == AF_INET6)
		return sol_ipv6_set(s, name, val, len);
	return -ENOPROTOOPT;
}

/* ---- the port tables ---- */

struct port_table {
	struct inet_sock *hash[PORT_HASH];
	unsigned next;  /* where the ephemeral search starts next */
};

static struct port_table *table_of(struct netns *ns, int protocol, int make)
{
	struct port_table *t = ns->ports[protocol & 0xff];

	if (!t && make) {
		t = calloc(1, sizeof(*t));
		if (t)
			t->next = (unsigned)(host_realtime_ns() >> 10);
		ns->ports[protocol & 0xff] = t;
	}
	return t;
}

enum { K_V6ANY, K_V6ONE, K_V4ANY, K_V4ONE };

static int addr_kind(const struct inet_sock *s)
{
	if (net_addr_is_v4(&s->laddr))
		return net_addr_v4(&s->laddr) ? K_V4ONE : K_V4ANY;
	return IN6_IS_ADDR_UNSPECIFIED(&s->laddr) ? K_V6ANY : K_V6ONE;
}

/* Do the local addresses of a and b (as bound) share an address packets could come to? */
static int addr_overlap(const struct inet_sock *a, const struct inet_sock *b)
{
	int ka = addr_kind(a), kb = addr_kind(b);

	if (ka == K_V6ANY && kb == K_V6ANY)
		return 1;
	if (ka == K_V6ANY)
		return kb == K_V6ONE || !a->v6only;
	if (kb == K_V6ANY)
		return ka == K_V6ONE || !b->v6only;
	if (ka == K_V6ONE || kb == K_V6ONE)
		return ka == kb && IN6_ARE_ADDR_EQUAL(&a->laddr, &b->laddr);
	return ka == K_V4ANY || kb == K_V4ANY || IN6_ARE_ADDR_EQUAL(&a->laddr, &b->laddr);
}

int inet_port_conflict(const struct inet_sock *a, const struct inet_sock *b)
{
	if (a == b || a->lport != b->lport || a->protocol != b->protocol)
		return 0;
	if (a->bound_ifindex && b->bound_ifindex && a->bound_ifindex != b->bound_ifindex)
		return 0;
	if (!addr_overlap(a, b))
		return 0;
	if (a->reuseaddr && b->reuseaddr && (a->protocol != IPPROTO_TCP || (!a->listening && !b->listening)))
		return 0;
	if (a->reuseport && b->reuseport && a->uid == b->uid)
		return 0;
	return 1;
}

int inet_port_in_use(const struct inet_sock *s)
{
	struct port_table *t = table_of(s->ns, s->protocol, 0);
	struct inet_sock *o;

	if (!t)
		return 0;
	for (o = t->hash[s->lport % PORT_HASH]; o; o = o->bind_next)
		if (inet_port_conflict(s, o))
			return 1;
	return 0;
}

/* Is addr one s may bind to: 0, -EADDRNOTAVAIL, -EINVAL? */
static long bindable(struct inet_sock *s, const struct in6_addr *addr)
{
	int type;

	if (inet_addr_any(addr))
		return 0;
	if (s->family == AF_INET6 && net_addr_is_v4(addr) && s->v6only)
		return -EINVAL;
	type = net_addr_type(s->ns, addr);
	if (type == RTN_LOCAL || type == RTN_MULTICAST || (type == RTN_BROADCAST && net_addr_is_v4(addr)))
		return 0;
	return s->freebind ? 0 : -EADDRNOTAVAIL;
}

long inet_port_bind(struct inet_sock *s, const struct in6_addr *addr, uint16_t port)
{
	struct port_table *t;
	struct in6_addr old;
	long r;

	if (s->bound)
		return -EINVAL;
	r = bindable(s, addr);
	if (r < 0)
		return r;
	if (port && port < 1024 && task_current && !net_capable(task_current, s->ns, CAP_NET_BIND_SERVICE))
		return -EACCES;
	t = table_of(s->ns, s->protocol, 1);
	if (!t)
		return -ENOMEM;
	old = s->laddr;
	s->laddr = *addr;
	if (port) {
		s->lport = port;
		if (inet_port_in_use(s)) {
			s->lport = 0;
			s->laddr = old;
			return -EADDRINUSE;
		}
	} else {
		unsigned lo = s->ns->local_port_lo, n = s->ns->local_port_hi - lo + 1, i;

		for (i = 0; i < n; i++) {
			s->lport = (uint16_t)(lo + (t->next + i) % n);
			if (!inet_port_in_use(s))
				break;
		}
		if (i == n) {
			s->lport = 0;
			s->laddr = old;
			return -EADDRINUSE; /* Linux's answer when the range is full */
		}
		/* The next search starts somewhere else, as Linux's random offsets do. */
		t->next = t->next * 1103515245u + 12345u + i + 1;
	}
	s->bind_next = t->hash[s->lport % PORT_HASH];
	t->hash[s->lport % PORT_HASH] = s;
	s->bound = 1;
	return 0;
}

void inet_port_unbind(struct inet_sock *s)
{
	struct port_table *t = table_of(s->ns, s->protocol, 0);
	struct inet_sock **pp;

	if (!s->bound || !t)
		return;
	for (pp = &t->hash[s->lport % PORT_HASH]; *pp; pp = &(*pp)->bind_next)
		if (*pp == s) {
			*pp = s->bind_next;
			break;
		}
	s->bind_next = NULL;
	s->bound = 0;
}

/* Would s take a packet for dst (its family and v6only considered)? */
static int takes_dst(const struct inet_sock *s, const struct in6_addr *dst)
{
	switch (addr_kind(s)) {
	case K_V6ANY: return !net_addr_is_v4(dst) || !s->v6only;
	case K_V4ANY: return net_addr_is_v4(dst);
	default: return IN6_ARE_ADDR_EQUAL(&s->laddr, dst);
	}
}

struct inet_sock *inet_lookup(struct netns *ns, int protocol, const struct in6_addr *src, uint16_t sport,
			      const struct in6_addr *dst, uint16_t dport, int ifindex)
{
	struct port_table *t = table_of(ns, protocol, 0);
	struct inet_sock *s, *best = NULL;
	int best_score = -1;

	if (!t)
		return NULL;
	for (s = t->hash[dport % PORT_HASH]; s; s = s->bind_next) {
		int score = 0;

		if (s->lport != dport || !takes_dst(s, dst))
			continue;
		if (s->rport) {
			if (s->rport != sport || !IN6_ARE_ADDR_EQUAL(&s->raddr, src))
				continue;
			score += 4;
		}
		if (s->bound_ifindex) {
			if (s->bound_ifindex != ifindex)
				continue;
			score += 1;
		}
		if (!inet_addr_any(&s->laddr))
			score += 2;
		if (s->family == AF_INET && net_addr_is_v4(dst))
			score += 1; /* a v4 socket before a dual-stack one, as Linux's scoring */
		if (score > best_score) {
			best = s;
			best_score = score;
		}
	}
	return best;
}

void inet_for_each(struct netns *ns, int protocol, void (*fn)(struct inet_sock *s, void *arg), void *arg)
{
	struct port_table *t = table_of(ns, protocol, 0);
	struct inet_sock *s;
	int i;

	if (!t)
		return;
	for (i = 0; i < PORT_HASH; i++)
		for (s = t->hash[i]; s; s = s->bind_next)
			fn(s, arg);
}

/* ---- waiting ---- */

long inet_wait(struct task *t, struct inet_sock *s, int nonblock, uint64_t deadline)
{
	struct vfs_pollset ps;
	int r;

	if (nonblock || !t)
		return -EAGAIN;
	if (deadline && host_realtime_ns() >= deadline)
		return -ETIMEDOUT;
	vfs_pollset_init(&ps, t);
	vfs_pollset_add_inode(&ps, s->ino);
	r = task_block(t, NULL, deadline);
	vfs_pollset_clear(&ps);
	return r == -ERESTARTSYS || r == -ETIMEDOUT ? r : 0;
}

uint64_t inet_deadline(uint64_t timeo_ns)
{
	return timeo_ns ? host_realtime_ns() + timeo_ns : 0;
}

void inet_put_cmsg(struct umsg *m, int level, int type, const void *data, size_t len, int *msg_flags)
{
	struct cmsghdr *c;

	if (!m->ctl || !m->ctlcap)
		return;
	if (m->ctlcap - m->ctllen < CMSG_LEN(len)) {
		*msg_flags |= MSG_CTRUNC;
		return;
	}
	c = (struct cmsghdr *)((char *)m->ctl + m->ctllen);
	c->cmsg_len = CMSG_LEN(len);
	c->cmsg_level = level;
	c->cmsg_type = type;
	memcpy(CMSG_DATA(c), data, len);
	m->ctllen += CMSG_SPACE(len) <= m->ctlcap - m->ctllen ? CMSG_SPACE(len) : CMSG_LEN(len);
}
