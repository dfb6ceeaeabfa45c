/*
 * UDP (RFC 768) and UDP-Lite (RFC 3828) over IPv4 and IPv6, and their
 * sockets: one socket type, the protocol in inet.protocol (each has its
 * own ports, as Linux's udp and udplite tables).
 *
 * A socket is a struct udp_sock behind a file (f->priv), its inet_sock
 * first.  Received datagrams wait on its queue as packet buffers starting
 * at the payload, with where they came from in cb (struct udp_cb); the
 * queue is bounded by SO_RCVBUF, counted in the buffers' true size as Linux
 * counts skb->truesize: past it datagrams are dropped (Udp RcvbufErrors).
 * Sending copies the application's bytes once, into the packet that
 * travels; receiving copies them once more, out of it.
 *
 * Locking: sentry_lock.  Every change a poller may see calls vfs_notify.
 * read(2)/write(2) never block here (-EAGAIN; the syscall layer waits on
 * the inode's queue); the socket calls, on sentry bounce buffers, wait in
 * inet_wait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <linux/errqueue.h>
#include <netinet/udp.h>
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

struct udp_hdr {
	uint16_t source, dest, len, check;
} __attribute__((packed));

/* Where a queued datagram came from (in pkb.cb). */
struct udp_cb {
	struct in6_addr src, dst;
	uint16_t sport;
	uint8_t tos, ttl;
	int ifindex;
};

_Static_assert(sizeof(struct udp_cb) <= sizeof(((struct pkb *)0)->cb), "udp_cb fits in pkb.cb");

struct udp_sock {
	struct inet_sock inet;
	struct pkb *head, *tail;   /* received, not yet read */
	int addr_locked, port_locked; /* bound by bind(2), not by connect or a send */
	/* IP_RECVERR/IPV6_RECVERR: the ICMP errors about our datagrams, oldest first, for MSG_ERRQUEUE. */
	struct udp_err *errq, *errq_tail;
	int errq_len;
	/* UDP-Lite: UDPLITE_SEND_CSCOV and RECV_CSCOV (0: the whole datagram), and which were set. */
	uint16_t pcslen, pcrlen;
	int pcflag;                /* UDPLITE_SEND_CC, UDPLITE_RECV_CC */
};

/*
 * An error queued for MSG_ERRQUEUE: what Linux's ip_icmp_error keeps (the
 * extended error, whom it came from, where our datagram went, and the
 * datagram's payload as the ICMP message quoted it).
 */
struct udp_err {
	struct udp_err *next;
	struct sock_extended_err ee;
	int v6;
	struct in6_addr from, dst;
	uint16_t dport;
	size_t len;
	unsigned char data[];
};

#define UDP_ERRQ_MAX 64 /* Linux bounds the queue by SO_RCVBUF; a count is enough here */

#define UDPLITE_SEND_CC 1
#define UDPLITE_RECV_CC 2
#ifndef SOL_UDPLITE
#define SOL_UDPLITE 136
#endif
#ifndef UDPLITE_SEND_CSCOV
#define UDPLITE_SEND_CSCOV 10 /* <linux/udp.h>; glibc's netinet/udp.h lacks them */
#define UDPLITE_RECV_CSCOV 11
#endif

static int udp_is_lite(const struct inet_sock *s)
{
	return s->protocol == IPPROTO_UDPLITE;
}

/*
 * Counts name in the group of a datagram's protocol and family: Udp, Udp6,
 * UdpLite or UdpLite6, whose columns come in the same order.
 */
#define UDP_INC(ns, lite, v6, name) \
	((ns)->mib[udp_mib_group(lite, v6) + (NET_MIB_Udp_##name - NET_MIB_Udp_InDatagrams)]++)

static int udp_mib_group(int lite, int v6)
{
	if (lite)
		return v6 ? NET_MIB_UdpLite6_InDatagrams : NET_MIB_UdpLite_InDatagrams;
	return v6 ? NET_MIB_Udp6_InDatagrams : NET_MIB_Udp_InDatagrams;
}

_Static_assert(NET_MIB_Udp6_MemErrors - NET_MIB_Udp6_InDatagrams == NET_MIB_Udp_MemErrors - NET_MIB_Udp_InDatagrams &&
		       NET_MIB_UdpLite_MemErrors - NET_MIB_UdpLite_InDatagrams ==
			       NET_MIB_Udp_MemErrors - NET_MIB_Udp_InDatagrams &&
		       NET_MIB_UdpLite6_MemErrors - NET_MIB_UdpLite6_InDatagrams ==
			       NET_MIB_Udp_MemErrors - NET_MIB_Udp_InDatagrams,
	       "the UDP groups' counters line up");

#define UDP_MAX_V4 (65535 - 20 - 8)
#define UDP_MAX_V6 (65535 - 8)

static const struct file_ops udp_fops;

static struct udp_sock *udp_of(struct file *f)
{
	return f->priv;
}

static void notify(struct udp_sock *u)
{
	vfs_notify(u->inet.ino);
}

/* ---- receiving ---- */

static void enqueue(struct netns *ns, struct udp_sock *u, struct pkb *p, const struct net_rx_meta *m,
		    const struct udp_hdr *hp);
static void deliver_broadcast(struct netns *ns, struct pkb *p, const struct net_rx_meta *m, const struct udp_hdr *h,
			      int protocol);

/*
 * Both protocols' receive: UDP's length field is the datagram's, UDP-Lite's
 * (RFC 3828 3.1) the bytes its checksum covers (0: all), the datagram
 * being the whole IP payload; UDP-Lite's checksum may never be 0.
 */
static void rcv(struct netns *ns, struct pkb *p, const struct net_rx_meta *m, int lite)
{
	int protocol = lite ? IPPROTO_UDPLITE : IPPROTO_UDP;
	struct udp_hdr h;
	struct inet_sock *s;
	size_t ulen, cov;

	if (p->len < sizeof(h))
		goto error;
	memcpy(&h, p->data, sizeof(h));
	ulen = ntohs(h.len);
	if (lite) {
		cov = ulen ? ulen : p->len;
		if (cov < sizeof(h) || cov > p->len || p->len > 0xffff)
			goto error;
		ulen = p->len;
	} else {
		if (ulen < sizeof(h) || ulen > p->len)
			goto error;
		pkb_trim(p, ulen);
		cov = ulen;
	}
	if (!(p->flags & PKB_L4_CSUM_UNCHECKED)) {
		if (h.check == 0 && (m->v6 || lite))
			goto error; /* IPv6 makes the checksum mandatory (RFC 8200 8.1), UDP-Lite always */
		if (h.check != 0 && net_csum_fold(net_csum_add(net_csum_pseudo(&m->src, &m->dst, protocol, ulen),
								p->data, cov)) != 0) {
			UDP_INC(ns, lite, m->v6, InCsumErrors);
			goto error;
		}
	}
	if (p->flags & (PKB_BROADCAST | PKB_MULTICAST)) {
		deliver_broadcast(ns, p, m, &h, protocol);
		return;
	}
	s = inet_lookup(ns, protocol, &m->src, ntohs(h.source), &m->dst, ntohs(h.dest), m->ifindex);
	if (!s) {
		UDP_INC(ns, lite, m->v6, NoPorts);
		icmp_send_error(ns, p, m->v6, NET_ICMP_PORT_UNREACH, 0);
		pkb_free(p);
		return;
	}
	if (lite && (((struct udp_sock *)s)->pcflag & UDPLITE_RECV_CC) && cov < ulen &&
	    (((struct udp_sock *)s)->pcrlen == 0 || cov < ((struct udp_sock *)s)->pcrlen)) {
		/* Less coverage than UDPLITE_RECV_CSCOV asks for: dropped, as Linux (RFC 3828 3.3). */
		goto error;
	}
	enqueue(ns, (struct udp_sock *)s, p, m, &h);
	return;
error:
	UDP_INC(ns, lite, m->v6, InErrors);
	pkb_free(p);
}

static void udp_rcv(struct netns *ns, struct pkb *p, const struct net_rx_meta *m)
{
	rcv(ns, p, m, 0);
}

static void udplite_rcv(struct netns *ns, struct pkb *p, const struct net_rx_meta *m)
{
	rcv(ns, p, m, 1);
}

/* Queues p (at its UDP header) on u, or drops it when u's SO_RCVBUF is full; takes p. */
static void enqueue(struct netns *ns, struct udp_sock *u, struct pkb *p, const struct net_rx_meta *m,
		    const struct udp_hdr *hp)
{
	struct inet_sock *s = &u->inet;
	struct udp_cb *cb = (struct udp_cb *)p->cb;
	struct udp_hdr h = *hp;

	if (s->rd_shut || u->inet.rmem_alloc > (size_t)s->rcvbuf) {
		UDP_INC(ns, udp_is_lite(s), m->v6, RcvbufErrors);
		UDP_INC(ns, udp_is_lite(s), m->v6, InErrors);
		pkb_free(p);
		return;
	}
	UDP_INC(ns, udp_is_lite(s), m->v6, InDatagrams);
	pkb_pull(p, sizeof(h));
	memset(cb, 0, sizeof(*cb));
	cb->src = m->src;
	cb->dst = m->dst;
	cb->sport = ntohs(h.source);
	cb->tos = (uint8_t)m->tos;
	cb->ttl = (uint8_t)m->ttl;
	cb->ifindex = m->ifindex;
	p->next = NULL;
	if (u->tail)
		u->tail->next = p;
	else
		u->head = p;
	u->tail = p;
	u->inet.rmem_alloc += pkb_truesize(p);
	notify(u);
}

struct bcast {
	struct pkb *p;
	const struct net_rx_meta *m;
	const struct udp_hdr *h;
	int n;
};

static void bcast_one(struct inet_sock *s, void *arg)
{
	struct bcast *b = arg;
	struct pkb *c;

	if (s->lport != ntohs(b->h->dest) || (s->rport && (s->rport != ntohs(b->h->source) ||
							   !IN6_ARE_ADDR_EQUAL(&s->raddr, &b->m->src))))
		return;
	if (!inet_addr_any(&s->laddr) && !IN6_ARE_ADDR_EQUAL(&s->laddr, &b->m->dst))
		return;
	if ((s->family == AF_INET6 && s->v6only && net_addr_is_v4(&b->m->dst)) ||
	    (s->family == AF_INET && !net_addr_is_v4(&b->m->dst)))
		return;
	if (s->bound_ifindex && s->bound_ifindex != b->m->ifindex)
		return;
	b->n++;
	c = pkb_clone(b->p);
	if (c)
		enqueue(s->ns, (struct udp_sock *)s, c, b->m, b->h);
}

/*
 * A broadcast, or a datagram to a group joined on its interface, goes to
 * every socket of its port that would take it (each gets a clone), as
 * Linux's mcast_deliver with IP_MULTICAST_ALL (its default) does.
 */
static void deliver_broadcast(struct netns *ns, struct pkb *p, const struct net_rx_meta *m, const struct udp_hdr *h,
			      int protocol)
{
	struct bcast b = {.p = p, .m = m, .h = h};

	inet_for_each(ns, protocol, bcast_one, &b);
	if (!b.n)
		UDP_INC(ns, protocol == IPPROTO_UDPLITE, m->v6, NoPorts);
	pkb_free(p);
}

/*
 * An ICMP error about a datagram we sent: a connected socket (or one with
 * IP_RECVERR) has it as its pending error, as Linux's udp_err.
 */
/* Queues e for MSG_ERRQUEUE (IP_RECVERR): dropped when the queue is full or memory short. */
static void errq_add(struct udp_sock *u, const struct net_icmp_err *e, uint16_t dport)
{
	size_t len = e->payload_len > sizeof(struct udp_hdr) ? e->payload_len - sizeof(struct udp_hdr) : 0;
	struct udp_err *q;

	if (u->errq_len >= UDP_ERRQ_MAX)
		return;
	q = calloc(1, sizeof(*q) + len);
	if (!q)
		return;
	q->ee.ee_errno = (uint32_t)e->err;
	q->ee.ee_origin = e->v6 ? SO_EE_ORIGIN_ICMP6 : SO_EE_ORIGIN_ICMP;
	q->ee.ee_type = (uint8_t)e->type;
	q->ee.ee_code = (uint8_t)e->code;
	q->ee.ee_info = e->info;
	q->v6 = e->v6;
	q->from = e->from;
	q->dst = e->dst;
	q->dport = dport;
	q->len = len;
	memcpy(q->data, e->payload + sizeof(struct udp_hdr), len);
	if (u->errq_tail)
		u->errq_tail->next = q;
	else
		u->errq = q;
	u->errq_tail = q;
	u->errq_len++;
}

/*
 * recvmsg(MSG_ERRQUEUE): the oldest queued error, as Linux's ip_recv_error
 * and ipv6_recv_error give it: the datagram's payload as data, where it was
 * going as the name, the extended error and its sender in an
 * IP_RECVERR/IPV6_RECVERR message; the pending error becomes the next one's.
 */
static long errq_recv(struct udp_sock *u, struct umsg *m, struct sockaddr_storage *from, socklen_t *fromlen,
		      int *msg_flags)
{
	struct inet_sock *s = &u->inet;
	size_t want = iov_total(m->iov, m->iovcnt), done;
	struct udp_err *q = u->errq;
	unsigned char buf[sizeof(struct sock_extended_err) + sizeof(struct sockaddr_in6)];
	int fault;

	if (!q)
		return -EAGAIN;
	done = q->len < want ? q->len : want;
	fault = umsg_copy_to(m, q->data, done) < 0;
	if (q->len > done)
		*msg_flags |= MSG_TRUNC;
	*msg_flags |= MSG_ERRQUEUE;
	if (from)
		inet_addr_out(s, &q->dst, q->dport, from, fromlen);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &q->ee, sizeof(q->ee));
	if (q->v6) {
		struct sockaddr_in6 off = {.sin6_family = AF_INET6, .sin6_addr = q->from};

		memcpy(buf + sizeof(q->ee), &off, sizeof(off));
		inet_put_cmsg(m, SOL_IPV6, IPV6_RECVERR, buf, sizeof(q->ee) + sizeof(off), msg_flags);
	} else {
		struct sockaddr_in off = {.sin_family = AF_INET};

		off.sin_addr.s_addr = net_addr_v4(&q->from);
		memcpy(buf + sizeof(q->ee), &off, sizeof(off));
		inet_put_cmsg(m, SOL_IP, IP_RECVERR, buf, sizeof(q->ee) + sizeof(off), msg_flags);
	}
	u->errq = q->next;
	if (!u->errq)
		u->errq_tail = NULL;
	u->errq_len--;
	s->so_error = u->errq ? (int)u->errq->ee.ee_errno : 0;
	free(q);
	notify(u);
	return fault ? -EFAULT : (long)done;
}

static void err(struct netns *ns, const struct net_icmp_err *e, int protocol)
{
	struct udp_hdr h;
	struct inet_sock *s;

	memcpy(&h, e->payload, sizeof(h));
	s = inet_lookup(ns, protocol, &e->dst, ntohs(h.dest), &e->src, ntohs(h.source), 0);
	if (!s)
		return;
	if (!s->recverr && !s->rport)
		return;
	if (!s->recverr && e->err == EMSGSIZE)
		return;
	if (s->recverr)
		errq_add((struct udp_sock *)s, e, ntohs(h.dest));
	s->so_error = e->err;
	vfs_notify(s->ino);
}

static void udp_err(struct netns *ns, const struct net_icmp_err *e)
{
	err(ns, e, IPPROTO_UDP);
}

static void udplite_err(struct netns *ns, const struct net_icmp_err *e)
{
	err(ns, e, IPPROTO_UDPLITE);
}

static const struct net_protocol udp_protocol = {.protocol = IPPROTO_UDP, .rcv = udp_rcv, .err = udp_err};
NET_PROTOCOL(udp_protocol)
static const struct net_protocol udplite_protocol = {.protocol = IPPROTO_UDPLITE, .rcv = udplite_rcv,
						     .err = udplite_err};
NET_PROTOCOL(udplite_protocol)

/* ---- the socket calls ---- */

static long udp_create(struct netns *ns, int family, int protocol, int flags, struct file **out)
{
	struct udp_sock *u = calloc(1, sizeof(*u));
	struct inode *ino;

	if (!u)
		return -ENOMEM;
	ino = anon_inode(S_IFSOCK | 0777);
	if (!ino) {
		free(u);
		return -ENOMEM;
	}
	inet_sock_init(&u->inet, ns, ino, family, SOCK_DGRAM, protocol);
	*out = file_new(NULL, ino, &udp_fops, O_RDWR | (flags & O_NONBLOCK));
	if (!*out) {
		inode_put(ino);
		net_ns_put(u->inet.ns);
		free(u);
		return -ENOMEM;
	}
	(*out)->priv = u;
	return 0;
}

static const struct inet_type udp_type = {.type = SOCK_DGRAM, .protocol = IPPROTO_UDP, .is_default = 1,
					 .create = udp_create};
INET_TYPE(udp_type)
static const struct inet_type udplite_type = {.type = SOCK_DGRAM, .protocol = IPPROTO_UDPLITE, .create = udp_create};
INET_TYPE(udplite_type)

static void udp_release(struct file *f)
{
	struct udp_sock *u = udp_of(f);
	struct pkb *p, *n;

	inet_port_unbind(&u->inet);
	inet_sock_destroy(&u->inet);
	for (p = u->head; p; p = n) {
		n = p->next;
		pkb_free(p);
	}
	while (u->errq) {
		struct udp_err *q = u->errq;

		u->errq = q->next;
		free(q);
	}
	inode_put(u->inet.ino);
	net_ns_put(u->inet.ns);
	free(u);
}

/*
 * The destination of a send or connect from the application's sockaddr,
 * with the rules of Linux's udp_sendmsg/udpv6_sendmsg and datagram
 * connect: an AF_INET6 socket takes an AF_INET address (unless v6only),
 * AF_UNSPEC stands for AF_INET on an AF_INET socket's send; the wildcard
 * means this host.
 */
static long dest_in(struct inet_sock *s, const struct sockaddr *sa, socklen_t len, struct in6_addr *addr,
		    uint16_t *port)
{
	long r;

	if (len < sizeof(sa_family_t))
		return -EINVAL;
	if (s->family == AF_INET6 && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		if (len < sizeof(*in))
			return -EINVAL;
		if (s->v6only)
			return -EAFNOSUPPORT;
		net_addr_from_v4(addr, in->sin_addr.s_addr);
		*port = ntohs(in->sin_port);
	} else if (s->family == AF_INET && sa->sa_family == AF_UNSPEC) {
		struct sockaddr_in in;

		if (len < sizeof(in))
			return -EINVAL;
		memcpy(&in, sa, sizeof(in));
		net_addr_from_v4(addr, in.sin_addr.s_addr);
		*port = ntohs(in.sin_port);
	} else {
		r = inet_addr_in(s, sa, len, addr, port);
		if (r < 0)
			return s->family == AF_INET6 && r == -EAFNOSUPPORT ? -EINVAL : r;
	}
	if (s->family == AF_INET6 && net_addr_is_v4(addr) && s->v6only)
		return -ENETUNREACH;
	if (inet_addr_any(addr)) {
		if (net_addr_is_v4(addr))
			net_addr_from_v4(addr, htonl(INADDR_LOOPBACK));
		else
			*addr = in6addr_loopback;
	}
	return 0;
}

/* Binds s to an ephemeral port on its wildcard (a send or connect before any bind). */
static long autobind(struct udp_sock *u)
{
	struct in6_addr any = u->inet.laddr;

	if (u->inet.bound)
		return 0;
	return inet_port_bind(&u->inet, &any, 0) < 0 ? -EAGAIN : 0;
}

static long udp_bind(struct task *t, struct file *f, const struct sockaddr *sa, socklen_t len)
{
	struct udp_sock *u = udp_of(f);
	struct inet_sock *s = &u->inet;
	struct in6_addr addr;
	uint16_t port;
	long r;

	(void)t;
	if (s->family == AF_INET && len >= sizeof(struct sockaddr_in) && sa->sa_family == AF_UNSPEC &&
	    ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY)) {
		/* Linux tolerates AF_UNSPEC with INADDR_ANY, for old programs. */
		net_addr_from_v4(&addr, 0);
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	} else {
		r = inet_addr_in(s, sa, len, &addr, &port);
		if (r < 0)
			return r;
	}
	if (s->family == AF_INET6 && net_addr_is_v4(&addr) && s->v6only)
		return -EINVAL;
	r = inet_port_bind(s, &addr, port);
	if (r < 0)
		return r;
	u->addr_locked = !inet_addr_any(&addr);
	u->port_locked = port != 0;
	return 0;
}

/* Dissolves the association (connect to AF_UNSPEC), as Linux's udp_disconnect. */
static void disconnect(struct udp_sock *u)
{
	struct inet_sock *s = &u->inet;

	memset(&s->raddr, 0, sizeof(s->raddr));
	if (s->family == AF_INET)
		net_addr_from_v4(&s->raddr, 0);
	s->rport = 0;
	if (!u->addr_locked) {
		/* The address connect chose goes; re-hash by taking the socket off and on again. */
		uint16_t port = s->lport;
		struct in6_addr any = s->raddr;

		if (s->bound) {
			inet_port_unbind(s);
			s->lport = 0;
			if (u->port_locked)
				inet_port_bind(s, &any, port);
			else
				s->laddr = any;
		} else {
			s->laddr = any;
		}
	} else if (!u->port_locked && s->bound) {
		struct in6_addr a = s->laddr;

		inet_port_unbind(s);
		s->lport = 0;
		s->laddr = a;
	}
	notify(u);
}

static long udp_connect(struct task *t, struct file *f, const struct sockaddr *sa, socklen_t len)
{
	struct udp_sock *u = udp_of(f);
	struct inet_sock *s = &u->inet;
	struct in6_addr addr, src;
	struct net_route *rt;
	uint16_t port;
	long r;

	(void)t;
	if (len >= sizeof(sa_family_t) && sa->sa_family == AF_UNSPEC) {
		disconnect(u);
		return 0;
	}
	r = dest_in(s, sa, len, &addr, &port);
	if (r < 0)
		return r;
	r = net_route_lookup(s->ns, &addr, s->bound_ifindex, &rt, &src);
	if (r < 0)
		return -ENETUNREACH;
	if (!inet_addr_any(&s->laddr) && (r = net_route_src_ok(s->ns, rt, &s->laddr)) < 0)
		return r;
	if (rt->type == RTN_BROADCAST && !s->broadcast)
		return -EACCES;
	r = autobind(u);
	if (r < 0)
		return r;
	if (inet_addr_any(&s->laddr)) {
		/* The route's source becomes the socket's address, as Linux re-hashes it. */
		uint16_t lport = s->lport;

		inet_port_unbind(s);
		s->lport = 0;
		if (inet_port_bind(s, &src, lport) < 0) {
			s->lport = lport;
			inet_port_bind(s, &s->laddr, lport);
		}
	}
	s->raddr = addr;
	s->rport = port;
	notify(u);
	return 0;
}

/* The IP_PKTINFO/IPV6_PKTINFO, IP_TOS, IP_TTL... of a sendmsg. */
static long send_cmsgs(struct inet_sock *s, struct umsg *m, struct net_tx_opts *o, struct in6_addr *src)
{
	size_t off = 0;

	while (m->ctl && off + sizeof(struct cmsghdr) <= m->ctllen) {
		struct cmsghdr *c = (struct cmsghdr *)((char *)m->ctl + off);
		size_t dlen = c->cmsg_len - CMSG_LEN(0);
		int v;

		if (c->cmsg_len < CMSG_LEN(0) || c->cmsg_len > m->ctllen - off)
			return -EINVAL;
		if (c->cmsg_level == SOL_IP && s->family == AF_INET) {
			switch (c->cmsg_type) {
			case IP_PKTINFO: {
				struct in_pktinfo pi;

				if (dlen != sizeof(pi))
					return -EINVAL;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				o->ifindex = pi.ipi_ifindex;
				if (pi.ipi_spec_dst.s_addr)
					net_addr_from_v4(src, pi.ipi_spec_dst.s_addr);
				break;
			}
			case IP_TOS:
			case IP_TTL:
				if (dlen != sizeof(int) && !(c->cmsg_type == IP_TOS && dlen == 1))
					return -EINVAL;
				v = 0;
				memcpy(&v, CMSG_DATA(c), dlen);
				if (c->cmsg_type == IP_TOS) {
					if (v < 0 || v > 255)
						return -EINVAL;
					o->tos = v;
				} else {
					if (v < 1 || v > 255)
						return -EINVAL;
					o->ttl = v;
				}
				break;
			default:
				return -EINVAL;
			}
		} else if (c->cmsg_level == SOL_IPV6 && s->family == AF_INET6) {
			switch (c->cmsg_type) {
			case IPV6_PKTINFO: {
				struct in6_pktinfo pi;

				if (dlen < sizeof(pi))
					return -EINVAL;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				o->ifindex = (int)pi.ipi6_ifindex;
				if (!IN6_IS_ADDR_UNSPECIFIED(&pi.ipi6_addr)) {
					if (net_addr_type(s->ns, &pi.ipi6_addr) != RTN_LOCAL)
						return -EINVAL;
					*src = pi.ipi6_addr;
				}
				break;
			}
			case IPV6_HOPLIMIT:
			case IPV6_TCLASS:
				if (dlen != sizeof(int))
					return -EINVAL;
				memcpy(&v, CMSG_DATA(c), sizeof(v));
				if (v < -1 || v > 255)
					return -EINVAL;
				if (c->cmsg_type == IPV6_HOPLIMIT)
					o->ttl = v;
				else
					o->tos = v < 0 ? 0 : v;
				break;
			default:
				return -EINVAL;
			}
		}
		off += CMSG_ALIGN(c->cmsg_len);
	}
	return 0;
}

static long udp_sendmsg(struct task *t, struct file *f, struct umsg *m, int flags)
{
	struct udp_sock *u = udp_of(f);
	struct inet_sock *s = &u->inet;
	size_t total = iov_total(m->iov, m->iovcnt);
	struct in6_addr dst, src;
	struct net_tx_opts o;
	struct net_route *rt;
	struct udp_hdr *h;
	struct pkb *p;
	uint16_t dport;
	int v4;
	long r;

	(void)t;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (s->so_error) {
		r = -s->so_error;
		s->so_error = 0;
		return r;
	}
	if (s->wr_shut)
		return -EPIPE;
	if (m->addr) {
		r = dest_in(s, m->addr, m->addrlen, &dst, &dport);
		if (r < 0)
			return r;
		if (dport == 0)
			return -EINVAL;
	} else {
		if (!s->rport)
			return -EDESTADDRREQ;
		dst = s->raddr;
		dport = s->rport;
	}
	v4 = net_addr_is_v4(&dst);
	if (total > (v4 ? UDP_MAX_V4 : UDP_MAX_V6))
		return -EMSGSIZE;
	o = (struct net_tx_opts){.ttl = v4 ? s->ttl : s->hoplimit, .tos = v4 ? s->tos : s->tclass,
				 .ifindex = s->bound_ifindex, .csum_off = 6,
				 .dontfrag = s->pmtudisc == IP_PMTUDISC_DO || s->pmtudisc == IP_PMTUDISC_PROBE};
	src = s->laddr;
	if (v4 ? (ntohl(net_addr_v4(&dst)) >> 28) == 0xe : dst.s6_addr[0] == 0xff) {
		/* To a group: IP_MULTICAST_IF's interface and IP_MULTICAST_TTL's hop limit. */
		if (!o.ifindex)
			o.ifindex = s->mc_ifindex;
		o.ttl = s->mc_ttl;
	}
	r = send_cmsgs(s, m, &o, &src);
	if (r < 0)
		return r;
	r = net_route_lookup(s->ns, &dst, o.ifindex, &rt, inet_addr_any(&src) ? &src : NULL);
	if (r < 0) {
		if (v4)
			NET_INC(s->ns, Ip, OutNoRoutes);
		else
			NET_INC(s->ns, Ip6, OutNoRoutes);
		return -ENETUNREACH;
	}
	if ((r = net_route_src_ok(s->ns, rt, &src)) < 0)
		return r;
	if (rt->type == RTN_BROADCAST && !s->broadcast)
		return -EACCES;
	r = autobind(u);
	if (r < 0)
		return r;
	p = pkb_alloc(NET_MAX_HEADROOM, sizeof(*h) + total);
	if (!p) {
		UDP_INC(s->ns, udp_is_lite(s), !v4, SndbufErrors);
		return -ENOBUFS;
	}
	h = (struct udp_hdr *)p->data;
	h->source = htons(s->lport);
	h->dest = htons(dport);
	h->len = htons((uint16_t)(sizeof(*h) + total));
	h->check = 0;
	/* The one copy of the way out: from the application into the packet. */
	if (umsg_copy_from(m, p->data + sizeof(*h), total) < 0) {
		pkb_free(p);
		return -EFAULT;
	}
	if (udp_is_lite(s)) {
		/*
		 * UDP-Lite: the length field says what the checksum covers
		 * (UDPLITE_SEND_CSCOV when set and shorter than the datagram, else
		 * 0: all of it, as Linux's udplite_csum), and the checksum is made
		 * here, over that much, whatever the link (RFC 3828 3.1).
		 */
		size_t cov = sizeof(*h) + total;
		uint16_t c;

		if (u->pcflag & UDPLITE_SEND_CC) {
			h->len = 0;
			if (u->pcslen < cov) {
				if (u->pcslen)
					cov = u->pcslen;
				h->len = htons((uint16_t)u->pcslen);
			}
		}
		c = net_csum_fold(net_csum_add(net_csum_pseudo(&src, &dst, IPPROTO_UDPLITE, p->len), p->data, cov));
		h->check = c ? c : 0xffff;
		o.csum_off = 0;
	}
	r = net_ip_output(s->ns, p, &src, &dst, s->protocol, &o);
	if (r < 0)
		return r;
	UDP_INC(s->ns, udp_is_lite(s), !v4, OutDatagrams);
	return (long)total;
}

/* The control messages a receive asked for (IP_PKTINFO, IP_TOS, IP_TTL, their IPv6 twins, SO_TIMESTAMP). */
static void recv_cmsgs(struct inet_sock *s, struct pkb *p, struct umsg *m, int *msg_flags)
{
	const struct udp_cb *cb = (const struct udp_cb *)p->cb;
	int v4 = net_addr_is_v4(&cb->src), v;

	if (s->timestamp) {
		struct timeval tv = {.tv_sec = (time_t)(p->tstamp_ns / 1000000000u),
				     .tv_usec = (suseconds_t)(p->tstamp_ns % 1000000000u / 1000)};

		inet_put_cmsg(m, SOL_SOCKET, SO_TIMESTAMP_OLD, &tv, sizeof(tv), msg_flags);
	}
	if (v4) {
		if (s->pktinfo && s->family == AF_INET) {
			struct in_pktinfo pi = {.ipi_ifindex = cb->ifindex};

			pi.ipi_spec_dst.s_addr = net_addr_v4(&cb->dst);
			pi.ipi_addr.s_addr = net_addr_v4(&cb->dst);
			inet_put_cmsg(m, SOL_IP, IP_PKTINFO, &pi, sizeof(pi), msg_flags);
		}
		if (s->recvttl) {
			v = cb->ttl;
			inet_put_cmsg(m, SOL_IP, IP_TTL, &v, sizeof(v), msg_flags);
		}
		if (s->recvtos) {
			unsigned char tos = cb->tos;

			inet_put_cmsg(m, SOL_IP, IP_TOS, &tos, 1, msg_flags);
		}
		if (s->pktinfo && s->family == AF_INET6) {
			struct in6_pktinfo pi = {.ipi6_addr = cb->dst, .ipi6_ifindex = (unsigned)cb->ifindex};

			inet_put_cmsg(m, SOL_IPV6, IPV6_PKTINFO, &pi, sizeof(pi), msg_flags);
		}
		return;
	}
	if (s->pktinfo) {
		struct in6_pktinfo pi = {.ipi6_addr = cb->dst, .ipi6_ifindex = (unsigned)cb->ifindex};

		inet_put_cmsg(m, SOL_IPV6, IPV6_PKTINFO, &pi, sizeof(pi), msg_flags);
	}
	if (s->recvhoplimit) {
		v = cb->ttl;
		inet_put_cmsg(m, SOL_IPV6, IPV6_HOPLIMIT, &v, sizeof(v), msg_flags);
	}
	if (s->recvtclass) {
		v = cb->tos;
		inet_put_cmsg(m, SOL_IPV6, IPV6_TCLASS, &v, sizeof(v), msg_flags);
	}
}

static long udp_recvmsg(struct task *t, struct file *f, struct umsg *m, int flags, int maxfds,
			struct sockaddr_storage *from, socklen_t *fromlen, int *msg_flags)
{
	struct udp_sock *u = udp_of(f);
	struct inet_sock *s = &u->inet;
	size_t want = iov_total(m->iov, m->iovcnt), done = 0, len;
	uint64_t deadline = inet_deadline(s->rcvtimeo_ns);
	struct pkb *p;
	int nonblock, fault;
	long r;

	(void)maxfds;
	*msg_flags = 0;
	m->nfds = 0;
	m->has_creds = 0;
	if (fromlen)
		*fromlen = 0;
	if (flags & MSG_ERRQUEUE)
		return errq_recv(u, m, from, fromlen, msg_flags);
	for (;;) {
		if (s->so_error) {
			r = -s->so_error;
			s->so_error = 0;
			return r;
		}
		if (u->head)
			break;
		nonblock = (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
		if (s->rd_shut && !nonblock)
			return 0; /* as Linux: EOF for a blocking read, EAGAIN for one that does not wait */
		r = inet_wait(t, s, nonblock, deadline);
		if (r == -ETIMEDOUT)
			return -EAGAIN;
		if (r == -ERESTARTSYS && deadline)
			return -EINTR; /* with SO_RCVTIMEO Linux does not restart */
		if (r < 0)
			return r;
	}
	p = u->head;
	len = p->len;
	done = len < want ? len : want;
	/* The one copy of the way in: from the packet to the application. */
	fault = umsg_copy_to(m, p->data, done) < 0;
	if (len > done)
		*msg_flags |= MSG_TRUNC;
	if (from) {
		const struct udp_cb *cb = (const struct udp_cb *)p->cb;

		inet_addr_out(s, &cb->src, cb->sport, from, fromlen);
	}
	recv_cmsgs(s, p, m, msg_flags);
	if (!(flags & MSG_PEEK)) {
		u->head = p->next;
		if (!u->head)
			u->tail = NULL;
		u->inet.rmem_alloc -= pkb_truesize(p);
		pkb_free(p);
		notify(u);
	}
	if (fault)
		return -EFAULT; /* the datagram is gone, as Linux drops it */
	return (flags & MSG_TRUNC) ? (long)len : (long)done;
}

static long udp_shutdown(struct file *f, int how)
{
	struct udp_sock *u = udp_of(f);
	struct inet_sock *s = &u->inet;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	/* Linux marks an unconnected socket shut too (pollers see it) and still answers ENOTCONN. */
	if (how != SHUT_WR)
		s->rd_shut = 1;
	if (how != SHUT_RD)
		s->wr_shut = 1;
	notify(u);
	return s->rport ? 0 : -ENOTCONN;
}

static long udp_getname(struct file *f, int peer, struct sockaddr_storage *addr, socklen_t *len)
{
	struct inet_sock *s = &udp_of(f)->inet;

	if (peer) {
		if (!s->rport)
			return -ENOTCONN;
		inet_addr_out(s, &s->raddr, s->rport, addr, len);
		return 0;
	}
	inet_addr_out(s, &s->laddr, s->lport, addr, len);
	return 0;
}

static long udp_getsockopt(struct task *t, struct file *f, int level, int name, void *val, socklen_t *len)
{
	struct inet_sock *s = &udp_of(f)->inet;
	int v = 0;

	(void)t;
	if (level == SOL_UDP || level == SOL_UDPLITE) { /* either level, either protocol, as Linux */
		struct udp_sock *u = udp_of(f);

		switch (name) {
		case UDP_CORK:
		case UDP_SEGMENT:
		case UDP_GRO:
			break;
		case UDPLITE_SEND_CSCOV:
		case UDPLITE_RECV_CSCOV: /* read on plain UDP too (0), as Linux lets it be */
			v = name == UDPLITE_SEND_CSCOV ? u->pcslen : u->pcrlen;
			break;
		default:
			return -ENOPROTOOPT;
		}
		memcpy(val, &v, sizeof(v));
		*len = sizeof(v);
		return 0;
	}
	return inet_getsockopt(s, level, name, val, len);
}

static long udp_setsockopt(struct file *f, int level, int name, const void *val, socklen_t len)
{
	struct inet_sock *s = &udp_of(f)->inet;

	if (level == SOL_UDP || level == SOL_UDPLITE) {
		struct udp_sock *u = udp_of(f);
		int v;

		if (len < sizeof(int))
			return -EINVAL;
		memcpy(&v, val, sizeof(v));
		switch (name) {
		case UDP_CORK: /* datagrams go out as they are sent: corking is accepted and does nothing */
		case UDP_GRO:
			return 0;
		case UDPLITE_SEND_CSCOV:
		case UDPLITE_RECV_CSCOV:
			if (!udp_is_lite(s))
				return -ENOPROTOOPT;
			/* Less than the header is the header; more than 65535 is 65535 (Linux's rounding). */
			if (v != 0 && v < 8)
				v = 8;
			else if (v > 0xffff)
				v = 0xffff;
			if (name == UDPLITE_SEND_CSCOV) {
				u->pcslen = (uint16_t)v;
				u->pcflag |= UDPLITE_SEND_CC;
			} else {
				u->pcrlen = (uint16_t)v;
				u->pcflag |= UDPLITE_RECV_CC;
			}
			return 0;
		}
		return -ENOPROTOOPT;
	}
	return inet_setsockopt(s, level, name, val, len);
}

static unsigned udp_poll(struct file *f, uint64_t *deadline)
{
	struct udp_sock *u = udp_of(f);
	struct inet_sock *s = &u->inet;
	unsigned m = POLLOUT | POLLWRNORM | POLLWRBAND;

	(void)deadline;
	if (u->head)
		m |= POLLIN | POLLRDNORM;
	if (s->so_error || u->errq)
		m |= POLLERR;
	if (s->rd_shut)
		m |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (s->rd_shut && s->wr_shut)
		m |= POLLHUP;
	return m;
}

static long udp_ioctl(struct file *f, struct task *t, unsigned long req, gva_t arg)
{
	struct udp_sock *u = udp_of(f);
	int v;

	switch (req) {
	case FIONREAD: /* SIOCINQ: the first datagram's payload */
		v = u->head ? (int)u->head->len : 0;
		break;
	case TIOCOUTQ: /* SIOCOUTQ: nothing waits to go out; loopback takes it at once */
		v = 0;
		break;
	default:
		return inet_ioctl(&u->inet, t, req, arg);
	}
	return mm_copy_out(t->mm, arg, &v, sizeof(v)) < 0 ? -EFAULT : 0;
}

static const struct socket_ops udp_sock_ops = {
	.bind = udp_bind,
	.listen = sock_no_listen,
	.connect = udp_connect,
	.accept = sock_no_accept,
	.sendmsg = udp_sendmsg,
	.recvmsg = udp_recvmsg,
	.shutdown = udp_shutdown,
	.getname = udp_getname,
	.getsockopt = udp_getsockopt,
	.setsockopt = udp_setsockopt,
	.guest_iov = 1,
};

static const struct file_ops udp_fops = {
	.read = sock_file_read,
	.write = sock_file_write,
	.poll = udp_poll,
	.ioctl = udp_ioctl,
	.release = udp_release,
	.sock = &udp_sock_ops,
};
