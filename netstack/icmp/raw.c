/*
 * Raw sockets (SOCK_RAW, CAP_NET_RAW) and ping sockets.
 *
 * A raw socket of protocol P gets a copy of every packet of P that IP
 * takes (raw_deliver): an AF_INET one from its IPv4 header on, an AF_INET6
 * one from the transport header (RFC 3542), filtered by ICMP_FILTER /
 * ICMP6_FILTER.  What it sends is the payload of an IP packet of protocol
 * P; ICMPv6's checksum is made for it (RFC 3542 3.1).  IP_HDRINCL (and
 * IPPROTO_RAW) sockets are not supported: EPERM on send... as if not
 * allowed, which programs treat as a failed send.
 *
 * Ping sockets (SOCK_DGRAM with IPPROTO_ICMP/ICMPV6) exist in Linux only
 * for the groups of net.ipv4.ping_group_range, whose default ("1 0")
 * allows nobody: socket() answers EACCES here as there, and ping falls
 * back to a raw socket.
 *
 * Raw sockets live on one list (few exist); copies are clones of the
 * packet, not copies of its bytes.  Each queue is bounded by SO_RCVBUF.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "../../sentry/kernel/task.h"
#include "../../sentry/mm/mm.h"
#include "../../vfs/socket.h"
#include "../../vfs/vfs.h"
#include "../core/ip.h"
#include "../socket/inet.h"

#define ICMP_FILTER 1 /* SOL_RAW option of <linux/icmp.h>, which clashes with <netinet/in.h> */

struct raw_cb {
	struct in6_addr src, dst;
	uint8_t tos, ttl;
	int ifindex;
};

_Static_assert(sizeof(struct raw_cb) <= sizeof(((struct pkb *)0)->cb), "raw_cb fits in pkb.cb");

struct raw_sock {
	struct inet_sock inet;
	struct raw_sock *next;     /* all raw sockets */
	struct pkb *head, *tail;
	uint32_t icmp_filter;      /* ICMP_FILTER: a set bit drops that type */
	struct icmp6_filter icmp6_filter;
	int has_icmp6_filter;
	uint64_t last_tstamp;      /* SIOCGSTAMP: of the last packet read */
};

static struct raw_sock *raw_socks;
static const struct file_ops raw_fops;

static struct raw_sock *raw_of(struct file *f)
{
	return f->priv;
}

/* Does r want a packet of m (its family, addresses, filter)? p at the transport header. */
static int wants(struct raw_sock *r, struct netns *ns, int protocol, const struct pkb *p, const struct net_rx_meta *m)
{
	struct inet_sock *s = &r->inet;

	if (s->ns != ns || s->protocol != protocol || s->rd_shut)
		return 0;
	if (m->v6 != (s->family == AF_INET6))
		return 0;
	if (!inet_addr_any(&s->laddr) && !IN6_ARE_ADDR_EQUAL(&s->laddr, &m->dst))
		return 0;
	if (s->rport && !IN6_ARE_ADDR_EQUAL(&s->raddr, &m->src))
		return 0;
	if (s->bound_ifindex && s->bound_ifindex != m->ifindex)
		return 0;
	if (protocol == IPPROTO_ICMP && p->len >= 1 && p->data[0] < 32 && (r->icmp_filter & (1u << p->data[0])))
		return 0;
	if (protocol == IPPROTO_ICMPV6 && r->has_icmp6_filter && p->len >= 1 &&
	    ICMP6_FILTER_WILLBLOCK(p->data[0], &r->icmp6_filter))
		return 0;
	return 1;
}

int raw_deliver(struct netns *ns, int protocol, struct pkb *p, const struct net_rx_meta *m)
{
	struct raw_sock *r;
	int n = 0;

	for (r = raw_socks; r; r = r->next) {
		struct pkb *c;
		struct raw_cb *cb;

		if (!wants(r, ns, protocol, p, m))
			continue;
		n++;
		if (r->inet.rmem_alloc > (size_t)r->inet.rcvbuf)
			continue;
		c = pkb_clone(p);
		if (!c)
			continue;
		if (!m->v6) {
			/* An IPv4 raw socket reads the IP header too. */
			c->data -= m->nh_len;
			c->len += m->nh_len;
		}
		cb = (struct raw_cb *)c->cb;
		memset(cb, 0, sizeof(*cb));
		cb->src = m->src;
		cb->dst = m->dst;
		cb->tos = (uint8_t)m->tos;
		cb->ttl = (uint8_t)m->ttl;
		cb->ifindex = m->ifindex;
		c->next = NULL;
		if (r->tail)
			r->tail->next = c;
		else
			r->head = c;
		r->tail = c;
		r->inet.rmem_alloc += pkb_truesize(c);
		vfs_notify(r->inet.ino);
	}
	return n;
}

static long raw_create(struct netns *ns, int family, int protocol, int flags, struct file **out)
{
	struct raw_sock *r = calloc(1, sizeof(*r));
	struct inode *ino;

	if (!r)
		return -ENOMEM;
	ino = anon_inode(S_IFSOCK | 0777);
	if (!ino) {
		free(r);
		return -ENOMEM;
	}
	inet_sock_init(&r->inet, ns, ino, family, SOCK_RAW, protocol);
	r->inet.lport = (uint16_t)protocol; /* as Linux shows a raw socket's "port": its protocol */
	*out = file_new(NULL, ino, &raw_fops, O_RDWR | (flags & O_NONBLOCK));
	if (!*out) {
		inode_put(ino);
		net_ns_put(r->inet.ns);
		free(r);
		return -ENOMEM;
	}
	(*out)->priv = r;
	r->next = raw_socks;
	raw_socks = r;
	return 0;
}

static const struct inet_type raw_type = {.type = SOCK_RAW, .protocol = -1, .needs_cap = 1, .create = raw_create};
INET_TYPE(raw_type)

static long ping_create(struct netns *ns, int family, int protocol, int flags, struct file **out)
{
	if ((family == AF_INET) != (protocol == IPPROTO_ICMP))
		return -EPROTONOSUPPORT;
	return -EACCES; /* net.ipv4.ping_group_range "1 0": no group may */
}

static const struct inet_type ping4_type = {.type = SOCK_DGRAM, .protocol = IPPROTO_ICMP, .create = ping_create};
INET_TYPE(ping4_type)
static const struct inet_type ping6_type = {.type = SOCK_DGRAM, .protocol = IPPROTO_ICMPV6, .create = ping_create};
INET_TYPE(ping6_type)

static void raw_release(struct file *f)
{
	struct raw_sock *r = raw_of(f), **pp;
	struct pkb *p, *n;

	for (pp = &raw_socks; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	inet_sock_destroy(&r->inet);
	for (p = r->head; p; p = n) {
		n = p->next;
		pkb_free(p);
	}
	inode_put(r->inet.ino);
	net_ns_put(r->inet.ns);
	free(r);
}

/* A raw socket's address: the port is ignored (Linux reads sin_port as nothing). */
static long raw_addr(struct inet_sock *s, const struct sockaddr *sa, socklen_t len, struct in6_addr *addr)
{
	uint16_t port;
	long r = inet_addr_in(s, sa, len, addr, &port);

	if (r == -EAFNOSUPPORT && s->family == AF_INET)
		return -EINVAL; /* raw_sendmsg's answer for another family */
	return r;
}

static long raw_bind(struct task *t, struct file *f, const struct sockaddr *sa, socklen_t len)
{
	struct inet_sock *s = &raw_of(f)->inet;
	struct in6_addr a;
	int type;
	long r = raw_addr(s, sa, len, &a);

	if (r < 0)
		return r;
	if (!inet_addr_any(&a)) {
		type = net_addr_type(s->ns, &a);
		if (type != RTN_LOCAL && type != RTN_MULTICAST && type != RTN_BROADCAST)
			return -EADDRNOTAVAIL;
	}
	s->laddr = a;
	return 0;
}

static long raw_connect(struct task *t, struct file *f, const struct sockaddr *sa, socklen_t len)
{
	struct inet_sock *s = &raw_of(f)->inet;
	struct in6_addr a;
	long r;

	if (len >= sizeof(sa_family_t) && sa->sa_family == AF_UNSPEC) {
		s->rport = 0;
		return 0;
	}
	r = raw_addr(s, sa, len, &a);
	if (r < 0)
		return r;
	s->raddr = a;
	s->rport = (uint16_t)s->protocol; /* marks it connected */
	return 0;
}

static long raw_sendmsg(struct task *t, struct file *f, struct umsg *m, int flags)
{
	struct raw_sock *r = raw_of(f);
	struct inet_sock *s = &r->inet;
	size_t total = iov_total(m->iov, m->iovcnt);
	struct net_tx_opts o;
	struct in6_addr dst, src;
	struct net_route *rt;
	struct pkb *p;
	long e;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (s->so_error) {
		e = -s->so_error;
		s->so_error = 0;
		return e;
	}
	if (s->protocol == IPPROTO_RAW || s->hdrincl)
		return -EPERM; /* building the IP header is the application's: not supported */
	if (m->addr) {
		e = raw_addr(s, m->addr, m->addrlen, &dst);
		if (e < 0)
			return e;
	} else if (s->rport) {
		dst = s->raddr;
	} else {
		return -EDESTADDRREQ;
	}
	if (s->family == AF_INET6 && net_addr_is_v4(&dst))
		return -EINVAL;
	if (total > 65535 - (s->family == AF_INET ? 20 : 0))
		return -EMSGSIZE;
	src = s->laddr;
	o = (struct net_tx_opts){.ttl = s->family == AF_INET ? s->ttl : s->hoplimit,
				 .tos = s->family == AF_INET ? s->tos : s->tclass, .ifindex = s->bound_ifindex};
	if (net_route_lookup(s->ns, &dst, o.ifindex, &rt, inet_addr_any(&src) ? &src : NULL) < 0)
		return -ENETUNREACH;
	if (net_route_src_ok(s->ns, rt, &src) < 0)
		return -EINVAL;
	if (rt->type == RTN_BROADCAST && !s->broadcast)
		return -EACCES;
	p = pkb_alloc(NET_MAX_HEADROOM, total);
	if (!p)
		return -ENOBUFS;
	if (umsg_copy_from(m, p->data, total) < 0) {
		pkb_free(p);
		return -EFAULT;
	}
	/* ICMPv6's checksum is the stack's (RFC 3542); ICMP's stays the application's. */
	if (s->protocol == IPPROTO_ICMPV6 && total >= 4)
		net_fill_csum(p, &src, &dst, IPPROTO_ICMPV6, 2);
	e = net_ip_output(s->ns, p, &src, &dst, s->protocol, &o);
	return e < 0 ? e : (long)total;
}

static long raw_recvmsg(struct task *t, struct file *f, struct umsg *m, int flags, int maxfds,
			struct sockaddr_storage *from, socklen_t *fromlen, int *msg_flags)
{
	struct raw_sock *r = raw_of(f);
	struct inet_sock *s = &r->inet;
	uint64_t deadline = inet_deadline(s->rcvtimeo_ns);
	struct raw_cb *cb;
	size_t done;
	struct pkb *p;
	int fault;
	long e;

	*msg_flags = 0;
	m->nfds = 0;
	m->has_creds = 0;
	if (fromlen)
		*fromlen = 0;
	if (flags & MSG_ERRQUEUE)
		return -EAGAIN;
	for (;;) {
		if (s->so_error) {
			e = -s->so_error;
			s->so_error = 0;
			return e;
		}
		if (r->head)
			break;
		e = inet_wait(t, s, (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT), deadline);
		if (e == -ETIMEDOUT)
			return -EAGAIN;
		if (e == -ERESTARTSYS && deadline)
			return -EINTR;
		if (e < 0)
			return e;
	}
	p = r->head;
	cb = (struct raw_cb *)p->cb;
	done = iov_total(m->iov, m->iovcnt);
	if (done > p->len)
		done = p->len;
	fault = umsg_copy_to(m, p->data, done) < 0;
	if (p->len > done)
		*msg_flags |= MSG_TRUNC;
	if (from)
		inet_addr_out(s, &cb->src, 0, from, fromlen);
	if (s->timestamp) {
		struct timeval tv = {.tv_sec = (time_t)(p->tstamp_ns / 1000000000u),
				     .tv_usec = (suseconds_t)(p->tstamp_ns % 1000000000u / 1000)};

		inet_put_cmsg(m, SOL_SOCKET, SO_TIMESTAMP_OLD, &tv, sizeof(tv), msg_flags);
	}
	if (s->family == AF_INET) {
		if (s->recvttl) {
			int v = cb->ttl;

			inet_put_cmsg(m, SOL_IP, IP_TTL, &v, sizeof(v), msg_flags);
		}
		if (s->pktinfo) {
			struct in_pktinfo pi = {.ipi_ifindex = cb->ifindex};

			pi.ipi_spec_dst.s_addr = net_addr_v4(&cb->dst);
			pi.ipi_addr.s_addr = net_addr_v4(&cb->dst);
			inet_put_cmsg(m, SOL_IP, IP_PKTINFO, &pi, sizeof(pi), msg_flags);
		}
	} else {
		if (s->recvhoplimit) {
			int v = cb->ttl;

			inet_put_cmsg(m, SOL_IPV6, IPV6_HOPLIMIT, &v, sizeof(v), msg_flags);
		}
		if (s->pktinfo) {
			struct in6_pktinfo pi = {.ipi6_addr = cb->dst, .ipi6_ifindex = (unsigned)cb->ifindex};

			inet_put_cmsg(m, SOL_IPV6, IPV6_PKTINFO, &pi, sizeof(pi), msg_flags);
		}
	}
	r->last_tstamp = p->tstamp_ns;
	e = (flags & MSG_TRUNC) ? (long)p->len : (long)done;
	if (!(flags & MSG_PEEK)) {
		r->head = p->next;
		if (!r->head)
			r->tail = NULL;
		r->inet.rmem_alloc -= pkb_truesize(p);
		pkb_free(p);
	}
	return fault ? -EFAULT : e;
}

static long raw_shutdown(struct file *f, int how)
{
	struct inet_sock *s = &raw_of(f)->inet;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (how != SHUT_WR)
		s->rd_shut = 1;
	if (how != SHUT_RD)
		s->wr_shut = 1;
	vfs_notify(s->ino);
	return s->rport ? 0 : -ENOTCONN;
}

static long raw_getname(struct file *f, int peer, struct sockaddr_storage *addr, socklen_t *len)
{
	struct inet_sock *s = &raw_of(f)->inet;

	if (peer) {
		if (!s->rport)
			return -ENOTCONN;
		inet_addr_out(s, &s->raddr, 0, addr, len);
		return 0;
	}
	inet_addr_out(s, &s->laddr, 0, addr, len);
	return 0;
}

static long raw_getsockopt(struct task *t, struct file *f, int level, int name, void *val, socklen_t *len)
{
	struct raw_sock *r = raw_of(f);
	struct inet_sock *s = &r->inet;

	if (level == SOL_RAW && name == ICMP_FILTER && s->family == AF_INET && s->protocol == IPPROTO_ICMP) {
		memcpy(val, &r->icmp_filter, sizeof(r->icmp_filter));
		*len = sizeof(r->icmp_filter);
		return 0;
	}
	if (level == IPPROTO_ICMPV6 && name == ICMP6_FILTER && s->family == AF_INET6 && s->protocol == IPPROTO_ICMPV6) {
		memcpy(val, &r->icmp6_filter, sizeof(r->icmp6_filter));
		*len = sizeof(r->icmp6_filter);
		return 0;
	}
	if (level == SOL_IP && name == IP_HDRINCL) {
		memcpy(val, &s->hdrincl, sizeof(int));
		*len = sizeof(int);
		return 0;
	}
	if (level == SOL_RAW || level == IPPROTO_ICMPV6)
		return -ENOPROTOOPT;
	return inet_getsockopt(s, level, name, val, len);
}

static long raw_setsockopt(struct file *f, int level, int name, const void *val, socklen_t len)
{
	struct raw_sock *r = raw_of(f);
	struct inet_sock *s = &r->inet;

	if (level == SOL_RAW && name == ICMP_FILTER) {
		if (s->family != AF_INET || s->protocol != IPPROTO_ICMP)
			return -EOPNOTSUPP;
		/* As Linux: a short value overwrites the filter's first bytes only. */
		memcpy(&r->icmp_filter, val, len < sizeof(r->icmp_filter) ? len : sizeof(r->icmp_filter));
		return 0;
	}
	if (level == IPPROTO_ICMPV6 && name == ICMP6_FILTER) {
		if (s->family != AF_INET6 || s->protocol != IPPROTO_ICMPV6)
			return -EOPNOTSUPP;
		if (len > sizeof(r->icmp6_filter))
			len = sizeof(r->icmp6_filter);
		memset(&r->icmp6_filter, 0, sizeof(r->icmp6_filter));
		memcpy(&r->icmp6_filter, val, len);
		r->has_icmp6_filter = 1;
		return 0;
	}
	if (level == SOL_IP && name == IP_HDRINCL && s->family == AF_INET) {
		if (len < sizeof(int))
			return -EINVAL;
		s->hdrincl = *(const int *)val != 0;
		return 0;
	}
	if ((level == SOL_RAW || level == SOL_IPV6) && name == IPV6_CHECKSUM && s->family == AF_INET6) {
		int v;

		/* ICMPv6's checksum is always made at offset 2 (SOL_IPV6 may not change it); others': accepted. */
		if (len < sizeof(int))
			return -EINVAL;
		memcpy(&v, val, sizeof(v));
		if ((v > 0 && (v & 1)) || (level == SOL_IPV6 && s->protocol == IPPROTO_ICMPV6))
			return -EINVAL;
		return 0;
	}
	if (level == SOL_RAW || level == IPPROTO_ICMPV6)
		return -ENOPROTOOPT;
	return inet_setsockopt(s, level, name, val, len);
}

static unsigned raw_poll(struct file *f, uint64_t *deadline)
{
	struct raw_sock *r = raw_of(f);
	unsigned m = POLLOUT | POLLWRNORM;

	(void)deadline;
	if (r->head)
		m |= POLLIN | POLLRDNORM;
	if (r->inet.so_error)
		m |= POLLERR;
	return m;
}

static long raw_ioctl(struct file *f, struct task *t, unsigned long req, gva_t arg)
{
	struct raw_sock *r = raw_of(f);
	int v;

	switch (req) {
	case FIONREAD:
		v = r->head ? (int)r->head->len : 0;
		return mm_copy_out(t->mm, arg, &v, sizeof(v)) < 0 ? -EFAULT : 0;
	case TIOCOUTQ:
		v = 0;
		return mm_copy_out(t->mm, arg, &v, sizeof(v)) < 0 ? -EFAULT : 0;
	case SIOCGSTAMP: {
		struct timeval tv = {.tv_sec = (time_t)(r->last_tstamp / 1000000000u),
				     .tv_usec = (suseconds_t)(r->last_tstamp % 1000000000u / 1000)};

		if (!r->last_tstamp)
			return -ENOENT;
		return mm_copy_out(t->mm, arg, &tv, sizeof(tv)) < 0 ? -EFAULT : 0;
	}
	}
	return inet_ioctl(&r->inet, t, req, arg);
}

static const struct socket_ops raw_sock_ops = {
	.bind = raw_bind,
	.listen = sock_no_listen,
	.connect = raw_connect,
	.accept = sock_no_accept,
	.sendmsg = raw_sendmsg,
	.recvmsg = raw_recvmsg,
	.shutdown = raw_shutdown,
	.getname = raw_getname,
	.getsockopt = raw_getsockopt,
	.setsockopt = raw_setsockopt,
	.guest_iov = 1,
};

static const struct file_ops raw_fops = {
	.read = sock_file_read,
	.write = sock_file_write,
	.poll = raw_poll,
	.ioctl = raw_ioctl,
	.release = raw_release,
	.sock = &raw_sock_ops,
};

void raw_for_each(struct netns *ns, int v6, void (*fn)(struct inet_sock *s, void *arg), void *arg)
{
	struct raw_sock *r;

	for (r = raw_socks; r; r = r->next)
		if (r->inet.ns == ns && (r->inet.family == AF_INET6) == !!v6)
			fn(&r->inet, arg);
}
