/*
 * AF_NETLINK sockets (see netlink.h): socket, bind and autobind, the
 * options, sending requests to the kernel (and datagrams to another netlink
 * socket by its portid), receiving the queued answers; and the answer
 * builder the protocols fill.
 *
 * A socket is a struct nl_sock behind a file; every socket is on one list,
 * which finds a portid's owner (weak: a socket leaves it when its file
 * closes).  Queued datagrams count against the sandbox's memory and, but
 * for a dump's, against SO_RCVBUF: an answer that does not fit is dropped
 * and the next receive fails with ENOBUFS, as Linux's netlink_overrun.
 *
 * Protocols: NETLINK_ROUTE and NETLINK_SOCK_DIAG answer; NETLINK_KOBJECT_UEVENT
 * makes a socket that never hears anything (no device comes or goes in a
 * sandbox; udev-style programs open one and wait), as gVisor's does; any
 * other is EPROTONOSUPPORT, as from a kernel built without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "../../sentry/host/host.h"
#include "../../sentry/kernel/task.h"
#include "../../sentry/mm/memfile.h"
#include "../../vfs/socket.h"
#include "../../vfs/vfs.h"
#include "../netstack.h"
#include "netlink.h"

#define NL_RMEM_DEFAULT 212992   /* net.core.rmem_default and wmem_default */
#define NL_RMEM_MAX 212992       /* net.core.rmem_max: SO_RCVBUF's cap without FORCE */
#define NL_MIN_BUF 2304          /* SOCK_MIN_RCVBUF of a 64-bit Linux */
#define NL_GOODSIZE 3776         /* NLMSG_GOODSIZE with 4 KiB pages: a dump datagram's least size */
#define NL_RECVMSG_MAX 32768     /* the most a receive size raises a dump's datagrams to, as Linux */
#define NL_MAX_GROUPS 64

/* Linux's socket flags (NETLINK_F_*), reported back by getsockopt. */
enum {
	NLF_RECV_PKTINFO = 1 << 0,
	NLF_BROADCAST_ERROR = 1 << 1,
	NLF_NO_ENOBUFS = 1 << 2,
	NLF_LISTEN_ALL_NSID = 1 << 3,
	NLF_CAP_ACK = 1 << 4,
	NLF_EXT_ACK = 1 << 5,
	NLF_STRICT_CHK = 1 << 6,
};

struct nl_dgram {
	struct nl_dgram *next;
	size_t len;
	uint32_t portid;        /* the sender: 0 for the kernel */
	uint32_t group;
	int dump;               /* part of a dump's answer */
	unsigned char data[];
};

struct nl_sock {
	struct nl_sock *next;   /* all netlink sockets */
	struct inode *ino;      /* its file's: wait queue */
	struct netns *ns;       /* reference: the namespace of the task that made it */
	const struct nl_protocol *proto; /* NULL: a socket that answers nothing (uevent) */
	int type, protocol;
	uint32_t portid;
	int bound;
	uint64_t groups;        /* bit g-1 for group g */
	uint32_t dst_portid, dst_group; /* connect */
	unsigned flags;         /* NLF_* */
	int rcvbuf, sndbuf;     /* as getsockopt reports them */
	uint64_t rcvtimeo_ns;   /* SO_RCVTIMEO: 0 waits for ever */
	int passcred;
	struct nl_dgram *head, *tail;
	size_t queued;          /* bytes of datagrams that count against rcvbuf */
	size_t rmem;            /* what Linux would count for them (truesize): multicast's measure */
	/*
	 * A dump's datagrams not yet handed over: one goes on the queue at the
	 * request and one at each receive after, as Linux makes them (so an
	 * ack sent meanwhile lands between them).  While any is left, the dump
	 * runs, and another is EBUSY.
	 */
	struct nl_dgram *dump_head, *dump_tail;
	int err;                /* ENOBUFS after an overrun, reported by the next receive */
	size_t max_recvmsg_len;
};

static struct nl_sock *all_socks;
static const struct file_ops nl_fops;

static const struct nl_protocol *find_protocol(int protocol)
{
	if (protocol == NETLINK_ROUTE)
		return &nl_route_protocol;
	if (protocol == NETLINK_SOCK_DIAG)
		return &nl_sock_diag_protocol;
	return NULL;
}

static struct nl_sock *find_portid(struct netns *ns, int protocol, uint32_t portid)
{
	struct nl_sock *s;

	for (s = all_socks; s; s = s->next)
		if (s->bound && s->ns == ns && s->protocol == protocol && s->portid == portid)
			return s;
	return NULL;
}

/* ---- the queue ---- */

/*
 * About what a datagram of len bytes costs Linux's socket (an skb's
 * truesize: its data rounded up to a kmalloc size with the shared info,
 * and the sk_buff), so that a small SO_RCVBUF drops notifications when
 * Linux's would.
 */
static size_t truesize(size_t len)
{
	size_t data = 512;

	while (data < len + 320)
		data *= 2;
	return data + 256;
}

static void free_dgram(struct nl_dgram *d)
{
	mf_uncharge(sizeof(*d) + d->len);
	free(d);
}

/*
 * Queues len bytes for s.  A datagram that is not part of a dump and finds
 * the receive buffer full is dropped: -ENOBUFS, and when the kernel sent it
 * s's next receive says so (unless NETLINK_NO_ENOBUFS), as Linux's
 * netlink_overrun; another socket's datagram is refused with -EAGAIN.
 */
static long enqueue(struct nl_sock *s, const void *data, size_t len, uint32_t portid, int dump)
{
	struct nl_dgram *d;

	if (!dump && s->queued + len > (size_t)s->rcvbuf)
		goto overrun;
	if (mf_charge(sizeof(*d) + len) < 0)
		goto overrun;
	d = malloc(sizeof(*d) + len);
	if (!d) {
		mf_uncharge(sizeof(*d) + len);
		goto overrun;
	}
	d->next = NULL;
	d->len = len;
	d->portid = portid;
	d->group = 0;
	d->dump = dump;
	memcpy(d->data, data, len);
	if (dump) {
		if (s->dump_tail)
			s->dump_tail->next = d;
		else
			s->dump_head = d;
		s->dump_tail = d;
		return 0;
	}
	if (s->tail)
		s->tail->next = d;
	else
		s->head = d;
	s->tail = d;
	s->queued += len;
	s->rmem += truesize(len);
	vfs_notify(s->ino);
	return 0;
overrun:
	if (portid)
		return -EAGAIN;
	if (!(s->flags & NLF_NO_ENOBUFS)) {
		s->err = ENOBUFS;
		vfs_notify(s->ino);
	}
	return -ENOBUFS;
}

/* Hands the next datagram of a running dump over, while the queue is at most half full (Linux's rule). */
static void dump_continue(struct nl_sock *s)
{
	struct nl_dgram *d = s->dump_head;

	if (!d || s->queued > (size_t)s->rcvbuf / 2)
		return;
	s->dump_head = d->next;
	if (!s->dump_head)
		s->dump_tail = NULL;
	d->next = NULL;
	if (s->tail)
		s->tail->next = d;
	else
		s->head = d;
	s->tail = d;
	s->queued += d->len;
	s->rmem += truesize(d->len);
	vfs_notify(s->ino);
}

/* ---- the answer builder ---- */

static int grow(struct nl_reply *r, size_t more)
{
	size_t cap;
	unsigned char *nb;

	if (r->err)
		return -1;
	if (more > ((size_t)1 << 30) - r->len) {
		r->err = -ENOBUFS;
		return -1;
	}
	if (r->len + more <= r->cap)
		return 0;
	cap = r->cap ? r->cap : 4096;
	while (cap < r->len + more)
		cap *= 2;
	nb = realloc(r->buf, cap);
	if (!nb) {
		r->err = -ENOBUFS;
		return -1;
	}
	r->buf = nb;
	r->cap = cap;
	return 0;
}

/* Queues the datagram built so far (complete messages only). */
static void flush(struct nl_reply *r, size_t upto)
{
	if (upto == 0)
		return;
	if (!r->err && enqueue(r->sk, r->buf, upto, 0, r->dump) < 0 && r->dump)
		r->err = -ENOBUFS;
	memmove(r->buf, r->buf + upto, r->len - upto);
	r->len -= upto;
	r->msg -= upto;
}

void *nl_msg_begin(struct nl_reply *r, int type, int flags, size_t hdrlen)
{
	size_t need = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);
	struct nlmsghdr *h;

	if (grow(r, need) < 0)
		return NULL;
	r->msg = r->len;
	h = (struct nlmsghdr *)(r->buf + r->len);
	memset(h, 0, need);
	h->nlmsg_len = (uint32_t)need;
	h->nlmsg_type = (uint16_t)type;
	h->nlmsg_flags = (uint16_t)(flags | (r->dump ? NLM_F_MULTI : 0));
	h->nlmsg_seq = r->req->nlmsg_seq;
	h->nlmsg_pid = r->portid;
	r->len += need;
	return (char *)h + NLMSG_HDRLEN;
}

void *nl_msg_hdr(struct nl_reply *r)
{
	return r->buf + r->msg + NLMSG_HDRLEN;
}

void nl_msg_end(struct nl_reply *r)
{
	struct nlmsghdr *h;

	if (r->err || r->msg >= r->len)
		return;
	h = (struct nlmsghdr *)(r->buf + r->msg);
	h->nlmsg_len = (uint32_t)(r->len - r->msg);
	/* A dump's datagram holds whole messages up to its chunk; this one starts the next. */
	if (r->dump && r->len > r->chunk && r->msg > 0)
		flush(r, r->msg);
	r->msg = r->len;
}

void nl_msg_cancel(struct nl_reply *r)
{
	if (r->msg < r->len)
		r->len = r->msg;
}

void nl_put(struct nl_reply *r, int type, const void *data, size_t len)
{
	struct nlattr *a;

	if (len > 0xffff - NLA_HDRLEN) {
		r->err = -EMSGSIZE;
		return;
	}
	if (grow(r, NLA_ALIGN(NLA_HDRLEN + len)) < 0)
		return;
	a = (struct nlattr *)(r->buf + r->len);
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	a->nla_type = (uint16_t)type;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(NLA_HDRLEN + len) - (NLA_HDRLEN + len));
	r->len += NLA_ALIGN(NLA_HDRLEN + len);
}

void nl_put_u8(struct nl_reply *r, int type, uint8_t v) { nl_put(r, type, &v, 1); }
void nl_put_u16(struct nl_reply *r, int type, uint16_t v) { nl_put(r, type, &v, 2); }
void nl_put_u32(struct nl_reply *r, int type, uint32_t v) { nl_put(r, type, &v, 4); }
void nl_put_str(struct nl_reply *r, int type, const char *s) { nl_put(r, type, s, strlen(s) + 1); }

size_t nl_nest_begin(struct nl_reply *r, int type)
{
	size_t off = r->len;

	nl_put(r, type, NULL, 0);
	return off;
}

void nl_nest_end(struct nl_reply *r, size_t off)
{
	struct nlattr *a;

	if (r->err || off >= r->len)
		return;
	a = (struct nlattr *)(r->buf + off);
	if (r->len - off > 0xffff) {
		r->err = -EMSGSIZE;
		return;
	}
	a->nla_len = (uint16_t)(r->len - off);
}

/* ---- reading requests ---- */

long nl_parse(const struct nlmsghdr *h, size_t hdrlen, const struct nlattr **tb, int max, int strict)
{
	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	if (h->nlmsg_len < NLMSG_HDRLEN + hdrlen)
		return -EINVAL;
	if (h->nlmsg_len < NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen))
		return 0;
	return nl_parse_attrs((const unsigned char *)h + NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen),
			      h->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(hdrlen), tb, max, strict);
}

long nl_parse_attrs(const void *start, size_t len, const struct nlattr **tb, int max, int strict)
{
	const unsigned char *p = start, *end = p + len;

	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	while ((size_t)(end - p) >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		int type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > (size_t)(end - p))
			break;
		if (type <= max)
			tb[type] = a;
		else if (strict)
			return -EINVAL;
		if ((size_t)NLA_ALIGN(a->nla_len) >= (size_t)(end - p))
			return 0;
		p += NLA_ALIGN(a->nla_len);
	}
	/* Bytes left that hold no whole attribute: Linux warns, and refuses them when strict. */
	return strict && p < end ? -EINVAL : 0;
}

long nl_get_u32(const struct nlattr *a, uint32_t *v)
{
	if (nl_len(a) < 4)
		return -ERANGE;
	memcpy(v, nl_data(a), 4);
	return 0;
}

long nl_get_u8(const struct nlattr *a, uint8_t *v)
{
	if (nl_len(a) < 1)
		return -ERANGE;
	*v = *(const uint8_t *)nl_data(a);
	return 0;
}

/* ---- multicast ---- */

static int in_group(const struct nl_sock *s, struct netns *ns, int protocol, uint32_t group)
{
	return s->ns == ns && s->protocol == protocol && group >= 1 && group <= NL_MAX_GROUPS &&
	       ((s->groups >> (group - 1)) & 1);
}

int nl_has_listeners(struct netns *ns, int protocol, uint32_t group)
{
	struct nl_sock *s;

	for (s = all_socks; s; s = s->next)
		if (in_group(s, ns, protocol, group))
			return 1;
	return 0;
}

void nl_notify_begin(struct nl_reply *r)
{
	/* Notifications answer no request: sequence number and portid 0, as Linux's for changes the kernel makes. */
	static const struct nlmsghdr none;

	memset(r, 0, sizeof(*r));
	r->req = &none;
	r->chunk = (size_t)-1;
}

void nl_broadcast(struct netns *ns, int protocol, uint32_t group, struct nl_reply *r)
{
	struct nl_sock *s;

	for (s = all_socks; s && !r->err && r->len; s = s->next) {
		if (!in_group(s, ns, protocol, group))
			continue;
		/* Linux's netlink_broadcast_deliver: delivered while the socket is not yet past its buffer. */
		if (s->rmem > (size_t)s->rcvbuf) {
			if (!(s->flags & NLF_NO_ENOBUFS)) {
				s->err = ENOBUFS;
				vfs_notify(s->ino);
			}
			continue;
		}
		if (enqueue(s, r->buf, r->len, 0, 0) == 0)
			s->tail->group = group;
	}
	free(r->buf);
	r->buf = NULL;
}

/* ---- requests to the kernel ---- */

static void reply_init(struct nl_reply *r, struct nl_sock *s, const struct nlmsghdr *h)
{
	memset(r, 0, sizeof(*r));
	r->sk = s;
	r->req = h;
	r->portid = s->portid;
	r->chunk = s->max_recvmsg_len > NL_GOODSIZE ? s->max_recvmsg_len : NL_GOODSIZE;
}

/*
 * NLMSG_ERROR for h: err, then h (with its payload when err is non-zero and
 * NETLINK_CAP_ACK is off), then the extack message when the socket asked
 * for them (NETLINK_EXT_ACK).
 */
static void ack(struct nl_sock *s, const struct nlmsghdr *h, long err, const char *msg)
{
	struct nl_reply r;
	struct nlmsgerr *e;
	size_t payload = 0;
	int flags = 0;

	reply_init(&r, s, h);
	if (err && !(s->flags & NLF_CAP_ACK))
		payload = h->nlmsg_len - NLMSG_HDRLEN;
	else
		flags |= NLM_F_CAPPED;
	if (msg && !(s->flags & NLF_EXT_ACK))
		msg = NULL;
	if (msg)
		flags |= NLM_F_ACK_TLVS;
	e = nl_msg_begin(&r, NLMSG_ERROR, flags, sizeof(*e) + payload);
	if (e) {
		e->error = (int)err;
		memcpy(&e->msg, h, NLMSG_HDRLEN + payload);
		if (msg)
			nl_put_str(&r, NLMSGERR_ATTR_MSG, msg);
		nl_msg_end(&r);
		flush(&r, r.len);
	}
	free(r.buf);
}

/*
 * One request message, as Linux's netlink_rcv_skb: answers that are not
 * requests, and control messages, are only acked; a handler's error is
 * always answered, success only when NLM_F_ACK asks.
 */
static void handle_one(struct task *t, struct nl_sock *s, const struct nlmsghdr *h)
{
	struct nl_req q = {.t = t, .ns = s->ns, .sk = s, .h = h, .strict = !!(s->flags & NLF_STRICT_CHK)};
	struct nl_reply r;
	const char *msg = NULL;
	long err = 0;

	if ((h->nlmsg_flags & NLM_F_REQUEST) && h->nlmsg_type >= NLMSG_MIN_TYPE) {
		int dump = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;

		reply_init(&r, s, h);
		r.dump = dump;
		if (dump && s->dump_head) {
			err = -EBUSY;
		} else {
			err = s->proto->handle(&q, &r);
			if (err == NL_DUMPED) {
				int derr = r.err, *e;

				/*
				 * The whole messages go out, then DONE in a datagram of
				 * its own (as after Linux's first dump call) with the
				 * dump's error: a request the dump refused, or ENOBUFS.
				 */
				r.err = 0;
				nl_msg_cancel(&r);
				flush(&r, r.len);
				if (!(s->flags & NLF_EXT_ACK))
					r.ext_msg = NULL;
				e = nl_msg_begin(&r, NLMSG_DONE, r.ext_msg ? NLM_F_ACK_TLVS : 0, sizeof(int));
				if (e) {
					*e = derr;
					if (r.ext_msg)
						nl_put_str(&r, NLMSGERR_ATTR_MSG, r.ext_msg);
					nl_msg_end(&r);
					flush(&r, r.len);
				}
			} else if (!r.err) {
				flush(&r, r.len);
			} else if (!err) {
				err = r.err;
			}
		}
		free(r.buf);
		msg = r.ext_msg;
		if (err == NL_DUMPED) {
			dump_continue(s);
			return;
		}
	}
	if ((h->nlmsg_flags & NLM_F_ACK) || err)
		ack(s, h, err, err ? msg : NULL);
}

/* A whole request: its messages one after the other, until one's length does not fit. */
static void kernel_input(struct task *t, struct nl_sock *s, const unsigned char *buf, size_t len)
{
	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		size_t step;

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len)
			return;
		handle_one(t, s, h);
		step = NLMSG_ALIGN(h->nlmsg_len);
		if (step > len)
			step = len;
		buf += step;
		len -= step;
	}
}

/* ---- the socket calls ---- */

/* A free portid: the process id first, then negative ones, as Linux's netlink_autobind. */
static long autobind(struct task *t, struct nl_sock *s)
{
	static int32_t rover = -4097;
	int32_t id = t ? task_vnr(t, task_tgid(t)) : rover; /* the pid as the process sees it, as Linux's autobind */
	int tries;

	for (tries = 0; tries < 1 << 20; tries++) {
		if (!find_portid(s->ns, s->protocol, (uint32_t)id)) {
			s->portid = (uint32_t)id;
			s->bound = 1;
			return 0;
		}
		id = rover--;
		if (rover > -4097)
			rover = -4097;
	}
	return -EADDRINUSE;
}

static long nl_bind(struct task *t, struct file *f, const struct sockaddr *addr, socklen_t len)
{
	struct nl_sock *s = f->priv;
	const struct sockaddr_nl *nl = (const struct sockaddr_nl *)addr;
	uint64_t groups;

	if (len < sizeof(*nl) || nl->nl_family != AF_NETLINK)
		return -EINVAL;
	groups = nl->nl_groups;
	/* rtnetlink lets anyone listen; sock_diag's groups need CAP_NET_ADMIN, as Linux's NL_CFG_F_NONROOT_RECV. */
	if (groups && s->protocol != NETLINK_ROUTE && !capable(t, CAP_NET_ADMIN))
		return -EPERM;
	if (s->bound) {
		if (nl->nl_pid != s->portid)
			return -EINVAL;
	} else if (nl->nl_pid) {
		if (find_portid(s->ns, s->protocol, nl->nl_pid))
			return -EADDRINUSE;
		s->portid = nl->nl_pid;
		s->bound = 1;
	} else {
		long r = autobind(t, s);

		if (r < 0)
			return r;
	}
	s->groups = (s->groups & ~(uint64_t)0xffffffff) | groups;
	return 0;
}

static long nl_connect(struct task *t, struct file *f, const struct sockaddr *addr, socklen_t len)
{
	struct nl_sock *s = f->priv;
	const struct sockaddr_nl *nl = (const struct sockaddr_nl *)addr;

	if (len < sizeof(addr->sa_family))
		return -EINVAL;
	if (addr->sa_family == AF_UNSPEC) {
		s->dst_portid = 0;
		s->dst_group = 0;
		return 0;
	}
	if (addr->sa_family != AF_NETLINK || len < sizeof(*nl))
		return -EINVAL;
	if (nl->nl_groups && !capable(t, CAP_NET_ADMIN))
		return -EPERM;
	if (!s->bound) {
		long r = autobind(t, s);

		if (r < 0)
			return r;
	}
	s->dst_portid = nl->nl_pid;
	s->dst_group = nl->nl_groups ? (uint32_t)__builtin_ffs((int)nl->nl_groups) : 0;
	return 0;
}

static long nl_sendmsg(struct task *t, struct file *f, struct umsg *m, int flags)
{
	struct nl_sock *s = f->priv;
	uint32_t dst_portid = s->dst_portid, dst_group = s->dst_group;
	size_t len = iov_total(m->iov, m->iovcnt), done = 0;
	unsigned char *buf;
	long r;
	int i;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->addr && m->addrlen) {
		const struct sockaddr_nl *nl = (const struct sockaddr_nl *)m->addr;

		if (m->addrlen < sizeof(*nl) || nl->nl_family != AF_NETLINK)
			return -EINVAL;
		dst_portid = nl->nl_pid;
		dst_group = nl->nl_groups ? (uint32_t)__builtin_ffs((int)nl->nl_groups) : 0;
		if (dst_group && !capable(t, CAP_NET_ADMIN))
			return -EPERM;
	}
	if (!s->bound) {
		r = autobind(t, s);
		if (r < 0)
			return r;
	}
	if (len > (size_t)s->sndbuf - 32)
		return -EMSGSIZE;
	if (len == 0)
		return -ENODATA; /* as Linux's netlink_sendmsg */
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOBUFS;
	for (i = 0; i < m->iovcnt && done < len; i++) {
		memcpy(buf + done, m->iov[i].iov_base, m->iov[i].iov_len);
		done += m->iov[i].iov_len;
	}
	r = (long)len;
	if (dst_portid) {
		/* To another netlink socket of this protocol, by its portid. */
		struct nl_sock *to = find_portid(s->ns, s->protocol, dst_portid);

		/* A full receiver: EAGAIN, where a blocking sender on Linux would wait for room. */
		if (!to)
			r = -ECONNREFUSED;
		else if (enqueue(to, buf, len, s->portid, 0) < 0)
			r = -EAGAIN;
	} else if (s->proto) {
		kernel_input(t, s, buf, len);
	}
	free(buf);
	return r;
}

/* Waits for the queue to change: 0, -EAGAIN (non-blocking, or SO_RCVTIMEO passed), -ERESTARTSYS. */
static long wait_queue(struct task *t, struct file *f, int flags, uint64_t deadline)
{
	struct vfs_pollset ps;
	int r;

	if ((f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT) || !t)
		return -EAGAIN;
	vfs_pollset_init(&ps, t);
	vfs_pollset_add(&ps, f);
	r = task_block(t, NULL, deadline);
	vfs_pollset_clear(&ps);
	if (r == -ETIMEDOUT)
		return -EAGAIN;
	return r == -ERESTARTSYS ? r : 0;
}

static long nl_recvmsg(struct task *t, struct file *f, struct umsg *m, int flags, int maxfds,
		       struct sockaddr_storage *from, socklen_t *fromlen, int *msg_flags)
{
	struct nl_sock *s = f->priv;
	size_t want = iov_total(m->iov, m->iovcnt), done = 0, n;
	struct nl_dgram *d;
	uint64_t deadline = s->rcvtimeo_ns ? host_realtime_ns() + s->rcvtimeo_ns : 0;
	long r;
	int i;

	(void)maxfds;
	*msg_flags = 0;
	m->nfds = 0;
	m->has_creds = 0;
	if (fromlen)
		*fromlen = 0;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	for (;;) {
		if (s->err) {
			r = -s->err;
			s->err = 0;
			return r;
		}
		if (s->head)
			break;
		r = wait_queue(t, f, flags, deadline);
		if (r < 0)
			return r;
	}
	d = s->head;
	n = d->len < want ? d->len : want;
	for (i = 0; i < m->iovcnt && done < n; i++) {
		size_t k = m->iov[i].iov_len < n - done ? m->iov[i].iov_len : n - done;

		memcpy(m->iov[i].iov_base, d->data + done, k);
		done += k;
	}
	if (d->len > want)
		*msg_flags |= MSG_TRUNC;
	if (from) {
		struct sockaddr_nl *nl = (struct sockaddr_nl *)from;

		memset(from, 0, sizeof(*from));
		nl->nl_family = AF_NETLINK;
		nl->nl_pid = d->portid;
		nl->nl_groups = d->group ? 1u << (d->group - 1) : 0;
		*fromlen = sizeof(*nl);
	}
	if (s->passcred) {
		m->has_creds = 1;
		m->creds.pid = 0;
		m->creds.uid = 0;
		m->creds.gid = 0;
	}
	if (want > s->max_recvmsg_len)
		s->max_recvmsg_len = want < NL_RECVMSG_MAX ? want : NL_RECVMSG_MAX;
	r = (flags & MSG_TRUNC) ? (long)d->len : (long)done;
	if (!(flags & MSG_PEEK)) {
		s->head = d->next;
		if (!s->head)
			s->tail = NULL;
		s->queued -= d->len;
		s->rmem -= truesize(d->len);
		free_dgram(d);
	}
	/* A running dump goes on at every receive, a peek too, as Linux's netlink_recvmsg. */
	dump_continue(s);
	return r;
}

static long nl_shutdown(struct file *f, int how)
{
	(void)f;
	(void)how;
	return -EOPNOTSUPP;
}

static long nl_getname(struct file *f, int peer, struct sockaddr_storage *addr, socklen_t *len)
{
	struct nl_sock *s = f->priv;
	struct sockaddr_nl *nl = (struct sockaddr_nl *)addr;

	memset(addr, 0, sizeof(*addr));
	nl->nl_family = AF_NETLINK;
	if (peer) {
		nl->nl_pid = s->dst_portid;
		nl->nl_groups = s->dst_group ? 1u << (s->dst_group - 1) : 0;
	} else {
		nl->nl_pid = s->portid;
		nl->nl_groups = (uint32_t)s->groups;
	}
	*len = sizeof(*nl);
	return 0;
}

static const struct {
	int name;
	unsigned flag;
} flag_opts[] = {
	{NETLINK_PKTINFO, NLF_RECV_PKTINFO},
	{NETLINK_BROADCAST_ERROR, NLF_BROADCAST_ERROR},
	{NETLINK_NO_ENOBUFS, NLF_NO_ENOBUFS},
	{NETLINK_LISTEN_ALL_NSID, NLF_LISTEN_ALL_NSID},
	{NETLINK_CAP_ACK, NLF_CAP_ACK},
	{NETLINK_EXT_ACK, NLF_EXT_ACK},
	{NETLINK_GET_STRICT_CHK, NLF_STRICT_CHK},
};

static long nl_getsockopt(struct task *t, struct file *f, int level, int name, void *val, socklen_t *len)
{
	struct nl_sock *s = f->priv;
	int v;
	size_t i;

	(void)t;
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_TYPE: v = s->type; break;
		case SO_DOMAIN: v = AF_NETLINK; break;
		case SO_PROTOCOL: v = s->protocol; break;
		case SO_ERROR: v = s->err; s->err = 0; break;
		case SO_RCVBUF: v = s->rcvbuf; break;
		case SO_SNDBUF: v = s->sndbuf; break;
		case SO_PASSCRED: v = s->passcred; break;
		case SO_ACCEPTCONN: v = 0; break;
		case SO_RCVTIMEO_OLD: {
			struct timeval tv = {.tv_sec = (time_t)(s->rcvtimeo_ns / 1000000000u),
					     .tv_usec = (suseconds_t)(s->rcvtimeo_ns % 1000000000u / 1000)};

			memcpy(val, &tv, sizeof(tv));
			*len = sizeof(tv);
			return 0;
		}
		default:
			return -ENOPROTOOPT;
		}
		memcpy(val, &v, sizeof(v));
		*len = sizeof(v);
		return 0;
	}
	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	if (name == NETLINK_LIST_MEMBERSHIPS) {
		uint32_t g[NL_MAX_GROUPS / 32];

		g[0] = (uint32_t)s->groups;
		g[1] = (uint32_t)(s->groups >> 32);
		memcpy(val, g, sizeof(g));
		*len = sizeof(g);
		return 0;
	}
	for (i = 0; i < sizeof(flag_opts) / sizeof(flag_opts[0]); i++)
		if (flag_opts[i].name == name) {
			v = !!(s->flags & flag_opts[i].flag);
			memcpy(val, &v, sizeof(v));
			*len = sizeof(v);
			return 0;
		}
	return -ENOPROTOOPT;
}

/* SO_RCVBUF/SO_SNDBUF as Linux stores them: twice the value, capped at rmem_max unless FORCE. */
static int buf_size(int v, int force)
{
	unsigned u = v < 0 ? 0 : (unsigned)v;

	if (!force && u > NL_RMEM_MAX)
		u = NL_RMEM_MAX;
	if (u > INT32_MAX / 2)
		u = INT32_MAX / 2;
	u *= 2;
	return u < NL_MIN_BUF ? NL_MIN_BUF : (int)u;
}

static long nl_setsockopt(struct file *f, int level, int name, const void *val, socklen_t len)
{
	struct nl_sock *s = f->priv;
	int v = 0;
	size_t i;

	if (len >= sizeof(int))
		memcpy(&v, val, sizeof(v));
	if (level == SOL_SOCKET && name == SO_RCVTIMEO_OLD) {
		struct timeval tv;

		if (len < sizeof(tv))
			return -EINVAL;
		memcpy(&tv, val, sizeof(tv));
		if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EDOM;
		if (tv.tv_sec < 0)
			s->rcvtimeo_ns = 1; /* Linux: a negative timeout does not wait */
		else if ((uint64_t)tv.tv_sec > UINT64_MAX / 2000000000u)
			s->rcvtimeo_ns = UINT64_MAX / 2;
		else
			s->rcvtimeo_ns = (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
		return 0;
	}
	if (level == SOL_SOCKET) {
		if (len < sizeof(int))
			return -EINVAL;
		switch (name) {
		case SO_RCVBUFFORCE:
		case SO_SNDBUFFORCE:
			if (!task_current || !capable(task_current, CAP_NET_ADMIN))
				return -EPERM;
			/* fall through */
		case SO_RCVBUF:
		case SO_SNDBUF:
			if (name == SO_RCVBUF || name == SO_RCVBUFFORCE)
				s->rcvbuf = buf_size(v, name == SO_RCVBUFFORCE);
			else
				s->sndbuf = buf_size(v, name == SO_SNDBUFFORCE);
			return 0;
		case SO_PASSCRED:
			s->passcred = !!v;
			return 0;
		case SO_REUSEADDR: case SO_KEEPALIVE: case SO_PRIORITY: case SO_RCVLOWAT: case SO_SNDLOWAT:
		case SO_SNDTIMEO_OLD: case SO_TIMESTAMP_OLD: case SO_BROADCAST:
			return 0; /* accepted; nothing of netlink depends on them */
		}
		return -ENOPROTOOPT;
	}
	/* A value shorter than an int reads as 0 here, as Linux's netlink_setsockopt. */
	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	switch (name) {
	case NETLINK_ADD_MEMBERSHIP:
	case NETLINK_DROP_MEMBERSHIP:
		if (v <= 0 || v > NL_MAX_GROUPS)
			return -EINVAL;
		if (s->protocol != NETLINK_ROUTE && !capable(task_current, CAP_NET_ADMIN))
			return -EPERM;
		if (!s->bound) {
			long r = autobind(task_current, s);

			if (r < 0)
				return r;
		}
		if (name == NETLINK_ADD_MEMBERSHIP)
			s->groups |= (uint64_t)1 << (v - 1);
		else
			s->groups &= ~((uint64_t)1 << (v - 1));
		return 0;
	}
	for (i = 0; i < sizeof(flag_opts) / sizeof(flag_opts[0]); i++)
		if (flag_opts[i].name == name) {
			if (v)
				s->flags |= flag_opts[i].flag;
			else
				s->flags &= ~flag_opts[i].flag;
			return 0;
		}
	return -ENOPROTOOPT;
}

static unsigned nl_poll(struct file *f, uint64_t *deadline)
{
	struct nl_sock *s = f->priv;

	(void)deadline;
	return POLLOUT | POLLWRNORM | (s->head ? POLLIN | POLLRDNORM : 0) | (s->err ? POLLERR : 0);
}

static void nl_release(struct file *f)
{
	struct nl_sock *s = f->priv, **pp;
	struct nl_dgram *d, *n;

	for (pp = &all_socks; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	for (d = s->head; d; d = n) {
		n = d->next;
		free_dgram(d);
	}
	for (d = s->dump_head; d; d = n) {
		n = d->next;
		free_dgram(d);
	}
	net_ns_put(s->ns);
	free(s);
}

static const struct socket_ops nl_sock_ops = {
	.bind = nl_bind,
	.listen = sock_no_listen,
	.connect = nl_connect,
	.accept = sock_no_accept,
	.sendmsg = nl_sendmsg,
	.recvmsg = nl_recvmsg,
	.shutdown = nl_shutdown,
	.getname = nl_getname,
	.getsockopt = nl_getsockopt,
	.setsockopt = nl_setsockopt,
};

static const struct file_ops nl_fops = {
	.read = sock_file_read,
	.write = sock_file_write,
	.poll = nl_poll,
	.release = nl_release,
	.sock = &nl_sock_ops,
};

static long nl_create(int type, int protocol, int flags, struct file **out)
{
	struct nl_sock *s;
	struct inode *ino;

	if (type != SOCK_RAW && type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol < 0 || protocol >= MAX_LINKS)
		return -EPROTONOSUPPORT;
	if (!find_protocol(protocol) && protocol != NETLINK_KOBJECT_UEVENT)
		return -EPROTONOSUPPORT;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	ino = anon_inode(S_IFSOCK | 0777);
	if (!ino) {
		free(s);
		return -ENOMEM;
	}
	s->ino = ino;
	s->ns = net_ns_get(net_ns_of(task_current));
	s->proto = find_protocol(protocol);
	s->type = type;
	s->protocol = protocol;
	s->rcvbuf = NL_RMEM_DEFAULT;
	s->sndbuf = NL_RMEM_DEFAULT;
	*out = file_new(NULL, ino, &nl_fops, O_RDWR | (flags & O_NONBLOCK));
	inode_put(ino);
	if (!*out) {
		net_ns_put(s->ns);
		free(s);
		return -ENOMEM;
	}
	(*out)->priv = s;
	s->next = all_socks;
	all_socks = s;
	return 0;
}

static const struct sock_family netlink_family = {.family = AF_NETLINK, .create = nl_create};
SOCK_FAMILY(netlink_family)
