/*
 * NETLINK_SOCK_DIAG: the sockets of the sandbox as ss(8) asks for them.
 * SOCK_DIAG_BY_FAMILY for AF_INET/AF_INET6 (inet_diag: TCP and UDP, from
 * netstack's bound-socket tables through inet_for_each, with what the
 * transport's hook adds: sock_diag.h) and for AF_UNIX (unix_diag, from
 * vfs/fs/unix's list).  Other families answer ENOENT, as Linux without
 * their diag module; the old TCPDIAG_GETSOCK requests too (ss falls back).
 *
 * Where cvisor differs: an INET_DIAG_REQ_BYTECODE filter is not run (ss runs
 * its filter on what comes back as well); of the extensions, only
 * INET_DIAG_SHUTDOWN and INET_DIAG_SKV6ONLY (always sent, as Linux) and the
 * TOS/TCLASS ones are filled;
 * SOCK_DESTROY is EOPNOTSUPP.  Cookies are the socket's inode number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/tcp.h>
#include <string.h>

#include "../../vfs/fs/unix/unix.h"
#include "../../vfs/vfs.h"
#include "../socket/inet.h"
#include "netlink.h"
#include "sock_diag.h"

static const struct sock_diag_ops *hooks[256];

void sock_diag_register(const struct sock_diag_ops *ops)
{
	if (ops->protocol >= 0 && ops->protocol < 256)
		hooks[ops->protocol] = ops;
}

/* Every socket of protocol in ns, through the transport's walk when it has one. */
static void for_each(struct netns *ns, int protocol, void (*fn)(struct inet_sock *s, void *arg), void *arg)
{
	if (hooks[protocol] && hooks[protocol]->for_each)
		hooks[protocol]->for_each(ns, fn, arg);
	else
		inet_for_each(ns, protocol, fn, arg);
}

/* ---- inet_diag ---- */

struct inet_walk {
	const struct inet_diag_req_v2 *req;
	struct nl_reply *r;
	int exact;          /* a get of one socket: stop at the first match */
	int found;
};

static void diag_info(const struct inet_sock *s, struct sock_diag_info *d)
{
	memset(d, 0, sizeof(*d));
	if (s->listening)
		d->state = TCP_LISTEN;
	else if (s->rport)
		d->state = TCP_ESTABLISHED;
	else
		d->state = TCP_CLOSE;
	/* What is queued, in true size, as Linux's udp_rqueue_get (and /proc/net/udp's rx_queue). */
	d->rqueue = (uint32_t)s->rmem_alloc;
	if (s->protocol >= 0 && s->protocol < 256 && hooks[s->protocol] && hooks[s->protocol]->fill)
		hooks[s->protocol]->fill(s, d);
}

static void put_addr(uint32_t out[4], const struct inet_sock *s, const struct in6_addr *a)
{
	memset(out, 0, 16);
	if (s->family == AF_INET)
		out[0] = net_addr_v4(a);
	else
		memcpy(out, a, 16);
}

static int id_matches(const struct inet_sock *s, const struct inet_diag_sockid *id)
{
	uint32_t src[4], dst[4];

	put_addr(src, s, &s->laddr);
	put_addr(dst, s, &s->raddr);
	return id->idiag_sport == htons(s->lport) && id->idiag_dport == htons(s->rport) &&
	       !memcmp(id->idiag_src, src, s->family == AF_INET ? 4 : 16) &&
	       !memcmp(id->idiag_dst, dst, s->family == AF_INET ? 4 : 16) &&
	       (!id->idiag_if || id->idiag_if == (uint32_t)s->bound_ifindex);
}

static void inet_one(struct inet_sock *s, void *arg)
{
	struct inet_walk *w = arg;
	const struct inet_diag_req_v2 *req = w->req;
	struct sock_diag_info d;
	struct inet_diag_msg *m;
	uint64_t ino = s->ino ? s->ino->ino : 0;

	if (s->family != req->sdiag_family || (w->exact && w->found))
		return;
	diag_info(s, &d);
	if (w->exact ? !id_matches(s, &req->id) : !(req->idiag_states & (1u << d.state)))
		return;
	w->found = 1;
	m = nl_msg_begin(w->r, SOCK_DIAG_BY_FAMILY, 0, sizeof(*m));
	if (!m)
		return;
	m->idiag_family = (uint8_t)s->family;
	m->idiag_state = (uint8_t)d.state;
	m->idiag_timer = (uint8_t)d.timer;
	m->idiag_retrans = (uint8_t)d.retrans;
	m->id.idiag_sport = htons(s->lport);
	m->id.idiag_dport = htons(s->rport);
	put_addr(m->id.idiag_src, s, &s->laddr);
	put_addr(m->id.idiag_dst, s, &s->raddr);
	m->id.idiag_if = (uint32_t)s->bound_ifindex;
	m->id.idiag_cookie[0] = (uint32_t)ino;
	m->id.idiag_cookie[1] = (uint32_t)(ino >> 32);
	m->idiag_expires = d.expires_ms;
	m->idiag_rqueue = d.rqueue;
	m->idiag_wqueue = d.wqueue;
	m->idiag_uid = s->uid;
	m->idiag_inode = (uint32_t)ino;
	nl_put_u8(w->r, INET_DIAG_SHUTDOWN, (uint8_t)((s->rd_shut ? 1 : 0) | (s->wr_shut ? 2 : 0)));
	if (s->family == AF_INET && (req->idiag_ext & (1 << (INET_DIAG_TOS - 1))))
		nl_put_u8(w->r, INET_DIAG_TOS, (uint8_t)(s->tos < 0 ? 0 : s->tos));
	if (s->family == AF_INET6 && (req->idiag_ext & (1 << (INET_DIAG_TCLASS - 1))))
		nl_put_u8(w->r, INET_DIAG_TCLASS, (uint8_t)(s->tclass < 0 ? 0 : s->tclass));
	/* Bound to an IPv6 address of its own (not :: nor v4-mapped), a socket is v6-only to Linux. */
	if (s->family == AF_INET6)
		nl_put_u8(w->r, INET_DIAG_SKV6ONLY,
			  s->v6only || (!IN6_IS_ADDR_UNSPECIFIED(&s->laddr) && !net_addr_is_v4(&s->laddr)));
	nl_msg_end(w->r);
}

static long inet_diag(const struct nl_req *q, struct nl_reply *r)
{
	const struct inet_diag_req_v2 *req = NLMSG_DATA(q->h);
	struct inet_walk w = {.req = req, .r = r};

	if (q->h->nlmsg_len < NLMSG_LENGTH(sizeof(*req)))
		return -EINVAL;
	if (req->sdiag_protocol != IPPROTO_TCP && req->sdiag_protocol != IPPROTO_UDP)
		return -ENOENT;
	if (!r->dump) {
		w.exact = 1;
		for_each(q->ns, req->sdiag_protocol, inet_one, &w);
		return w.found ? 0 : -ENOENT;
	}
	for_each(q->ns, req->sdiag_protocol, inet_one, &w);
	return NL_DUMPED;
}

/* ---- unix_diag ---- */

struct unix_walk {
	const struct unix_diag_req *req;
	struct nl_reply *r;
	int exact, found;
	uint32_t net_ino;      /* the asking socket's namespace: only its sockets are shown */
};

static void unix_one(const struct unix_sock_info *u, void *arg)
{
	struct unix_walk *w = arg;
	const struct unix_diag_req *req = w->req;
	struct unix_diag_msg *m;
	int state = u->listening ? TCP_LISTEN : u->connected ? TCP_ESTABLISHED : TCP_CLOSE;
	unsigned show = req->udiag_show;

	if (u->net_ino && u->net_ino != w->net_ino)
		return;
	if (w->exact ? u->ino != req->udiag_ino || w->found : !(req->udiag_states & (1u << state)))
		return;
	w->found = 1;
	m = nl_msg_begin(w->r, SOCK_DIAG_BY_FAMILY, 0, sizeof(*m));
	if (!m)
		return;
	m->udiag_family = AF_UNIX;
	m->udiag_type = (uint8_t)u->type;
	m->udiag_state = (uint8_t)state;
	m->udiag_ino = (uint32_t)u->ino;
	m->udiag_cookie[0] = (uint32_t)u->ino;
	m->udiag_cookie[1] = (uint32_t)(u->ino >> 32);
	if ((show & UDIAG_SHOW_NAME) && u->addrlen > sizeof(sa_family_t))
		nl_put(w->r, UNIX_DIAG_NAME, u->addr->sun_path, u->addrlen - sizeof(sa_family_t));
	if ((show & UDIAG_SHOW_VFS) && u->bound) {
		struct unix_diag_vfs v = {.udiag_vfs_ino = (uint32_t)u->bound->ino,
					  .udiag_vfs_dev = u->bound->sb ? (uint32_t)u->bound->sb->dev : 0};

		nl_put(w->r, UNIX_DIAG_VFS, &v, sizeof(v));
	}
	if ((show & UDIAG_SHOW_PEER) && u->peer_ino)
		nl_put_u32(w->r, UNIX_DIAG_PEER, (uint32_t)u->peer_ino);
	if ((show & UDIAG_SHOW_ICONS) && u->listening) {
		uint32_t icons[64];
		int i;

		for (i = 0; i < u->npending; i++)
			icons[i] = (uint32_t)u->pending[i];
		nl_put(w->r, UNIX_DIAG_ICONS, icons, (size_t)u->npending * sizeof(icons[0]));
	}
	if (show & UDIAG_SHOW_RQLEN) {
		struct unix_diag_rqlen q = {.udiag_rqueue = u->rqueue, .udiag_wqueue = u->wqueue};

		nl_put(w->r, UNIX_DIAG_RQLEN, &q, sizeof(q));
	}
	nl_put_u8(w->r, UNIX_DIAG_SHUTDOWN, (uint8_t)u->shutdown);
	if (show & UDIAG_SHOW_UID)
		nl_put_u32(w->r, UNIX_DIAG_UID, u->uid);
	nl_msg_end(w->r);
}

static long unix_diag(const struct nl_req *q, struct nl_reply *r)
{
	const struct unix_diag_req *req = NLMSG_DATA(q->h);
	struct unix_walk w = {.req = req, .r = r, .net_ino = q->ns->ns.ino};

	if (q->h->nlmsg_len < NLMSG_LENGTH(sizeof(*req)))
		return -EINVAL;
	if (req->sdiag_protocol)
		return -EINVAL;
	if (!r->dump) {
		w.exact = 1;
		unix_for_each(unix_one, &w);
		return w.found ? 0 : -ENOENT;
	}
	unix_for_each(unix_one, &w);
	return NL_DUMPED;
}

/* ---- dispatch (Linux's sock_diag_rcv_msg) ---- */

static long diag_handle(const struct nl_req *q, struct nl_reply *r)
{
	const struct sock_diag_req *req = NLMSG_DATA(q->h);

	switch (q->h->nlmsg_type) {
	case TCPDIAG_GETSOCK:
	case DCCPDIAG_GETSOCK:
		return -ENOENT; /* the old inet_diag_req: ss asks SOCK_DIAG_BY_FAMILY first */
	case SOCK_DIAG_BY_FAMILY:
		if (q->h->nlmsg_len < NLMSG_LENGTH(sizeof(*req)))
			return -EINVAL;
		if (req->sdiag_family >= AF_MAX)
			return -EINVAL;
		if (req->sdiag_family == AF_INET || req->sdiag_family == AF_INET6)
			return inet_diag(q, r);
		if (req->sdiag_family == AF_UNIX)
			return unix_diag(q, r);
		return -ENOENT;
	case SOCK_DESTROY:
		return -EOPNOTSUPP;
	}
	return -EINVAL;
}

const struct nl_protocol nl_sock_diag_protocol = {.protocol = NETLINK_SOCK_DIAG, .handle = diag_handle};
