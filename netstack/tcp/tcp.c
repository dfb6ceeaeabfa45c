/*
 * TCP sockets: the state machine's transitions (RFC 9293 3.3.2), the
 * connection table, and the socket calls on SOCK_STREAM/IPPROTO_TCP.
 *
 * read(2) and write(2) never block in here (-EAGAIN; the syscall layer
 * waits on the socket's inode queue); the socket calls, whose data is in
 * sentry buffers, wait in inet_wait and look again after every wake.
 * SIGPIPE for -EPIPE is the syscall layer's.
 *
 * Memory: every packet is charged to the sandbox's budget by pkb_alloc;
 * a socket holds at most its send buffer of data in its send queue, and
 * its receive queues at most twice the receive buffer in packets
 * (pkb_truesize), so a peer sending one byte per segment cannot make it
 * hold more.
 *
 * Differences from Linux, on purpose or for now: no TCP Fast Open; buffers do not
 * autotune (4 MiB each way unless SO_RCVBUF/SO_SNDBUF set them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "../../sentry/host/host.h"
#include "../../sentry/kernel/task.h"
#include "../../sentry/mm/mm.h"
#include "../../vfs/fs/proc/proc.h"
#include "../../vfs/socket.h"
#include "../../vfs/vfs.h"
#include "../netlink/sock_diag.h"
#include "tcp.h"

#define TCP_SYNQ_MIN 16       /* every listener may hold this many half-open connections... */
#define TCP_SYNQ_MAX 1024     /* ...and at most this many, whatever its backlog: a SYN flood's cost */
#define TCP_AUTO_BUF (4u << 20) /* the buffers in force unless set: Linux autotunes up to about this */

static const struct file_ops tcp_fops;

/* ---- time, re-entry, freeing ---- */

uint64_t tcp_now_ms(void)
{
	return host_monotonic_ns() / 1000000;
}

static int tcp_depth;
static struct tcp_sock *free_list;

void tcp_enter(void)
{
	tcp_depth++;
}

static void tcp_free(struct tcp_sock *tp)
{
	struct pkb *p, *n;

	tcp_timers_stop(tp);
	for (p = tp->sndq; p; p = n) {
		n = p->next;
		pkb_free(p);
	}
	for (p = tp->rcvq; p; p = n) {
		n = p->next;
		tcp_pkb_free_charged(tp, p);
	}
	for (p = tp->ooo; p; p = n) {
		n = p->next;
		tcp_pkb_free_charged(tp, p);
	}
	if (tp->inet.ino)
		inode_put(tp->inet.ino);
	net_ns_put(tp->inet.ns);
	free(tp);
}

void tcp_leave(void)
{
	if (--tcp_depth)
		return;
	while (free_list) {
		struct tcp_sock *tp = free_list;

		free_list = tp->free_next;
		tcp_free(tp);
	}
}

static void conn_remove(struct tcp_sock *tp);
static void unlink_child(struct tcp_sock *c);

/* Frees tp once nothing can reach it: closed, no file, no listener, not on any table. */
void tcp_maybe_free(struct tcp_sock *tp)
{
	if (tp->dead || tp->has_file || tp->parent || tp->refs || tp->state != TCP_S_CLOSE)
		return;
	if (tp->in_table)
		conn_remove(tp);
	if (tp->inet.bound)
		inet_port_unbind(&tp->inet);
	tcp_timers_stop(tp);
	tp->dead = 1;
	tp->free_next = free_list;
	free_list = tp;
	if (!tcp_depth) {
		tcp_enter();
		tcp_leave();
	}
}

/* ---- the connection table ---- */

#define CONN_BUCKETS 4096
static struct tcp_sock *conn_table[CONN_BUCKETS];

static unsigned conn_hash(const struct in6_addr *raddr, uint16_t lport, uint16_t rport)
{
	uint32_t h = raddr->s6_addr32[3] ^ raddr->s6_addr32[1] ^ ((uint32_t)lport << 16 | rport);

	h ^= h >> 15;
	h *= 0x2c1b3c6dU;
	h ^= h >> 12;
	return h % CONN_BUCKETS;
}

struct tcp_sock *tcp_conn_lookup(struct netns *ns, const struct in6_addr *laddr, uint16_t lport,
				 const struct in6_addr *raddr, uint16_t rport)
{
	struct tcp_sock *tp;

	for (tp = conn_table[conn_hash(raddr, lport, rport)]; tp; tp = tp->hnext)
		if (tp->inet.ns == ns && tp->inet.lport == lport && tp->inet.rport == rport &&
		    !memcmp(&tp->inet.raddr, raddr, sizeof(*raddr)) && !memcmp(&tp->inet.laddr, laddr, sizeof(*laddr)))
			return tp;
	return NULL;
}

void tcp_conn_insert(struct tcp_sock *tp)
{
	unsigned h = conn_hash(&tp->inet.raddr, tp->inet.lport, tp->inet.rport);

	tp->hnext = conn_table[h];
	conn_table[h] = tp;
	tp->in_table = 1;
}

static void conn_remove(struct tcp_sock *tp)
{
	struct tcp_sock **pp = &conn_table[conn_hash(&tp->inet.raddr, tp->inet.lport, tp->inet.rport)];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == tp) {
			*pp = tp->hnext;
			break;
		}
	tp->in_table = 0;
}

/*
 * The sandbox's end.  Closing a connection queues a FIN behind its data,
 * and Linux's kernel goes on sending both after the process has gone; the
 * sentry is that kernel, so before it exits it waits (bounded, the
 * caller's) for every connection that still owes its peer data or a FIN,
 * and resets the ones left at the deadline rather than vanishing from
 * under their peers.  Both under sentry_lock.
 */
int tcp_unfinished(void)
{
	int n = 0;

	for (int b = 0; b < CONN_BUCKETS; b++)
		for (struct tcp_sock *tp = conn_table[b]; tp; tp = tp->hnext)
			n += tp->state == TCP_S_FIN_WAIT1 || tp->state == TCP_S_CLOSING || tp->state == TCP_S_LAST_ACK;
	return n;
}

void tcp_abort_unfinished(void)
{
	tcp_enter();
	for (int b = 0; b < CONN_BUCKETS; b++)
		for (struct tcp_sock *tp = conn_table[b], *next; tp; tp = next) {
			next = tp->hnext; /* tcp_done takes tp off the table */
			if (tp->state == TCP_S_FIN_WAIT1 || tp->state == TCP_S_CLOSING || tp->state == TCP_S_LAST_ACK) {
				tcp_send_rst(tp);
				tcp_done(tp, 0);
			}
		}
	tcp_leave();
}

/* ---- state ---- */

void tcp_notify(struct tcp_sock *tp)
{
	if (tp->inet.ino)
		vfs_notify(tp->inet.ino);
}

/* Moves tp to state, keeping the count of connections in ESTABLISHED or CLOSE_WAIT (CurrEstab). */
static void curr_estab(struct tcp_sock *tp, int state)
{
	int was = tp->state == TCP_S_ESTABLISHED || tp->state == TCP_S_CLOSE_WAIT;
	int is = state == TCP_S_ESTABLISHED || state == TCP_S_CLOSE_WAIT;

	if (was && !is)
		tp->inet.ns->mib[NET_MIB_Tcp_CurrEstab]--;
	else if (is && !was)
		tp->inet.ns->mib[NET_MIB_Tcp_CurrEstab]++;
	tp->state = state;
}

void tcp_set_state(struct tcp_sock *tp, int state)
{
	if (state == TCP_S_ESTABLISHED && (tp->state == TCP_S_SYN_SENT || tp->state == TCP_S_SYN_RECV)) {
		if (tp->state == TCP_S_SYN_SENT)
			NET_INC(tp->inet.ns, Tcp, ActiveOpens);
		else
			NET_INC(tp->inet.ns, Tcp, PassiveOpens);
	}
	curr_estab(tp, state);
	tcp_notify(tp);
}

void tcp_done(struct tcp_sock *tp, int err)
{
	struct pkb *p, *n;
	int was = tp->state;

	if (was == TCP_S_SYN_SENT || was == TCP_S_SYN_RECV)
		NET_INC(tp->inet.ns, Tcp, AttemptFails);
	tcp_timers_stop(tp);
	curr_estab(tp, TCP_S_CLOSE);
	tp->shut_all = 1;
	if (err)
		tp->inet.so_error = err;
	for (p = tp->sndq; p; p = n) {
		n = p->next;
		pkb_free(p);
	}
	tp->sndq = tp->sndq_tail = NULL;
	tp->snd_queued = 0;
	for (p = tp->ooo; p; p = n) {
		n = p->next;
		tcp_pkb_free_charged(tp, p);
	}
	tp->ooo = NULL;
	tp->ooo_queued = 0;
	if (tp->in_table)
		conn_remove(tp);
	if (tp->inet.bound)
		inet_port_unbind(&tp->inet);
	if (tp->parent)
		unlink_child(tp);
	tcp_notify(tp);
	tcp_maybe_free(tp);
}

void tcp_enter_time_wait(struct tcp_sock *tp)
{
	struct pkb *p, *n;

	curr_estab(tp, TCP_S_TIME_WAIT);
	tcp_rtx_stop(tp);
	tcp_dack_stop(tp);
	for (p = tp->sndq; p; p = n) {
		n = p->next;
		pkb_free(p);
	}
	tp->sndq = tp->sndq_tail = NULL;
	tp->snd_queued = 0;
	tcp_ka_arm(tp, TCP_TIMEWAIT_MS);
	tcp_notify(tp);
}

/* ---- buffers ---- */

void tcp_buffers_update(struct tcp_sock *tp)
{
	tp->rcvbuf_eff = tp->user_rcvbuf ? (size_t)tp->inet.rcvbuf : TCP_AUTO_BUF;
	tp->sndbuf_eff = tp->user_sndbuf ? (size_t)tp->inet.sndbuf : TCP_AUTO_BUF;
	if (tp->rcvbuf_eff < 2048)
		tp->rcvbuf_eff = 2048;
	if (tp->sndbuf_eff < 4096)
		tp->sndbuf_eff = 4096;
}

/* The window scale that lets us advertise the whole buffer (RFC 7323 2.3). */
static int wscale_for(size_t space)
{
	int s = 0;

	while (s < 14 && (65535ul << s) < space)
		s++;
	return s;
}

void tcp_sock_defaults(struct tcp_sock *tp)
{
	tp->state = TCP_S_CLOSE;
	/* What SO_RCVBUF/SO_SNDBUF report before they are set: net.ipv4.tcp_rmem[1], tcp_wmem[1]. */
	tp->inet.rcvbuf = tp->inet.ns->sysctl.tcp_rmem[1];
	tp->inet.sndbuf = tp->inet.ns->sysctl.tcp_wmem[1];
	tp->rto_ms = TCP_RTO_INIT_MS;
	tp->adv_mss = 536;
	tp->mss = 536;
	tp->cong = &tcp_cubic;
	tp->sack_ok = tp->ts_ok = tp->wscale_ok = 1;
	tp->quickack = 16;
	tcp_buffers_update(tp);
	tcp_timers_init(tp);
}

static uint32_t iss_secret;

/* An initial sequence number hard to guess (RFC 6528: a keyed hash of the four-tuple plus a 4 us clock). */
static uint32_t new_iss(struct tcp_sock *tp)
{
	uint32_t h = iss_secret, i;

	if (!iss_secret)
		iss_secret = h = (uint32_t)(host_realtime_ns() ^ (host_monotonic_ns() << 13)) | 1;
	for (i = 0; i < 4; i++)
		h = (h ^ tp->inet.raddr.s6_addr32[i] ^ tp->inet.laddr.s6_addr32[i]) * 0x9e3779b1u;
	h = (h ^ ((uint32_t)tp->inet.lport << 16 | tp->inet.rport)) * 0x85ebca6bu;
	h ^= h >> 16;
	return h + (uint32_t)(host_monotonic_ns() / 4000);
}

/* The route to raddr: fills laddr when unset, and the MSS from the interface's MTU. */
static long route_setup(struct tcp_sock *tp)
{
	struct net_route *rt;
	struct in6_addr src;
	long r = net_route_lookup(tp->inet.ns, &tp->inet.raddr, tp->inet.bound_ifindex, &rt, &src);
	int v6 = !net_addr_is_v4(&tp->inet.raddr);
	unsigned mtu;

	if (r < 0)
		return r;
	if (!memcmp(&tp->inet.laddr, &in6addr_any, sizeof(src)) ||
	    (net_addr_is_v4(&tp->inet.laddr) && net_addr_v4(&tp->inet.laddr) == 0))
		tp->inet.laddr = src;
	else if ((r = net_route_src_ok(tp->inet.ns, rt, &tp->inet.laddr)) < 0)
		return r;
	mtu = rt && rt->dev ? rt->dev->mtu : 1500;
	/* Linux's default advmss: the MTU less the headers, at most 65535 less them (IPv4) or 65535 (IPv6). */
	tp->adv_mss = (int)mtu - (v6 ? 60 : 40);
	if (!v6 && tp->adv_mss > 65495)
		tp->adv_mss = 65495;
	if (tp->user_mss && tp->user_mss < tp->adv_mss)
		tp->adv_mss = tp->user_mss;
	tcp_mss_update(tp);
	return 0;
}

/* ---- listeners and their children ---- */

static void unlink_child(struct tcp_sock *c)
{
	struct tcp_sock *l = c->parent, **pp;

	for (pp = &l->synq; *pp; pp = &(*pp)->qnext)
		if (*pp == c) {
			*pp = c->qnext;
			l->synq_len--;
			goto found;
		}
	for (pp = &l->acceptq; *pp; pp = &(*pp)->qnext)
		if (*pp == c) {
			*pp = c->qnext;
			l->acceptq_len--;
			if (l->acceptq_tail == c) {
				struct tcp_sock *t = l->acceptq;

				while (t && t->qnext)
					t = t->qnext;
				l->acceptq_tail = t;
			}
			break;
		}
found:
	c->qnext = NULL;
	c->parent = NULL;
	if (--l->refs == 0)
		tcp_maybe_free(l);
}

struct tcp_sock *tcp_child_new(struct tcp_sock *l, const struct net_rx_meta *m, uint16_t sport, uint16_t dport)
{
	struct tcp_sock *c;
	int synq_max = l->backlog < TCP_SYNQ_MIN ? TCP_SYNQ_MIN : l->backlog;

	if (synq_max > TCP_SYNQ_MAX)
		synq_max = TCP_SYNQ_MAX;
	if (l->acceptq_len >= l->backlog + 1) {
		/* Linux drops the SYN while the accept queue is full (the client's SYN retries try again). */
		tcp_mib.listen_overflows++;
		tcp_mib.listen_drops++;
		return NULL;
	}
	if (l->synq_len >= synq_max) {
		tcp_mib.syn_drops++;
		tcp_mib.listen_drops++;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	/* The listener's options, without its file, its queues or its place in the port table. */
	c->inet = l->inet;
	net_ns_get(c->inet.ns);
	c->inet.ino = NULL;
	c->inet.bound = 0;
	c->inet.so_error = 0;
	c->inet.laddr = m->dst;
	c->inet.lport = dport;
	c->inet.raddr = m->src;
	c->inet.rport = sport;
	tcp_sock_defaults(c);
	c->nodelay = l->nodelay;
	c->cork = l->cork;
	c->user_rcvbuf = l->user_rcvbuf;
	c->user_sndbuf = l->user_sndbuf;
	c->user_mss = l->user_mss;
	c->ka_idle_s = l->ka_idle_s;
	c->ka_intvl_s = l->ka_intvl_s;
	c->ka_cnt = l->ka_cnt;
	c->user_timeout_ms = l->user_timeout_ms;
	c->linger2_s = l->linger2_s;
	c->syn_retries = l->syn_retries;
	c->cong = l->cong;
	tcp_buffers_update(c);
	c->rcv_wscale = wscale_for(c->rcvbuf_eff);
	if (route_setup(c) < 0) {
		net_ns_put(c->inet.ns);
		free(c);
		return NULL;
	}
	c->inet.laddr = m->dst; /* the address the SYN came to, whatever the route would pick */
	c->state = TCP_S_SYN_RECV;
	c->iss = new_iss(c);
	c->snd_una = c->snd_nxt = c->snd_max = c->write_seq = c->iss + 1;
	c->snd_una = c->iss;
	c->snd_nxt = c->snd_max = c->iss;
	c->write_seq = c->iss + 1;
	c->parent = l;
	l->refs++;
	c->qnext = l->synq;
	l->synq = c;
	l->synq_len++;
	tcp_conn_insert(c);
	return c;
}

void tcp_child_established(struct tcp_sock *c)
{
	struct tcp_sock *l = c->parent, **pp;

	for (pp = &l->synq; *pp; pp = &(*pp)->qnext)
		if (*pp == c) {
			*pp = c->qnext;
			l->synq_len--;
			break;
		}
	c->qnext = NULL;
	if (l->acceptq_tail)
		l->acceptq_tail->qnext = c;
	else
		l->acceptq = c;
	l->acceptq_tail = c;
	l->acceptq_len++;
	tcp_notify(l);
}

/* A listener stops: its children that no one accepted are reset. */
static void listen_stop(struct tcp_sock *l)
{
	while (l->synq || l->acceptq) {
		struct tcp_sock *c = l->synq ? l->synq : l->acceptq;

		if (c->state != TCP_S_SYN_RECV && c->state != TCP_S_CLOSE)
			tcp_send_rst(c);
		tcp_done(c, 0);
	}
	l->state = TCP_S_CLOSE;
	l->inet.listening = 0;
	tcp_notify(l);
}

/* ---- waiting ---- */

static uint64_t deadline_of(uint64_t timeo_ns)
{
	return timeo_ns ? host_realtime_ns() + timeo_ns : 0;
}

static int nonblocking(struct file *f, int flags)
{
	return (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
}

/* ---- the socket calls ---- */

static long tcp_bind(struct task *t, struct file *f, const struct sockaddr *addr, socklen_t len)
{
	struct tcp_sock *tp = f->priv;
	struct in6_addr a;
	uint16_t port;
	long r = inet_addr_in(&tp->inet, addr, len, &a, &port);

	if (r < 0)
		return r;
	if (tp->inet.bound || tp->state != TCP_S_CLOSE)
		return -EINVAL;
	if (port) {
		/*
		 * Connections are not on the port table: one still using the port
		 * (TIME_WAIT included) refuses it unless both sockets allow reuse
		 * and it does not listen, Linux's rule.
		 */
		for (int b = 0; b < CONN_BUCKETS; b++)
			for (struct tcp_sock *c = conn_table[b]; c; c = c->hnext) {
				int any = !memcmp(&a, &in6addr_any, sizeof(a)) ||
					  (net_addr_is_v4(&a) && !net_addr_v4(&a)) ||
					  !memcmp(&c->inet.laddr, &a, sizeof(a));

				if (c->inet.ns != tp->inet.ns || c->inet.lport != port || !any || c->inet.bound)
					continue;
				if (!(tp->inet.reuseaddr && c->inet.reuseaddr))
					return -EADDRINUSE;
			}
	}
	return inet_port_bind(&tp->inet, &a, port);
}

static long tcp_listen(struct file *f, int backlog)
{
	struct tcp_sock *tp = f->priv;
	long r;

	if (tp->state != TCP_S_CLOSE && tp->state != TCP_S_LISTEN)
		return -EINVAL;
	if (tp->connecting)
		return -EINVAL;
	if (backlog < 0 || backlog > tp->inet.ns->sysctl.somaxconn)
		backlog = tp->inet.ns->sysctl.somaxconn; /* net.core.somaxconn, read at each listen */
	tp->backlog = backlog;
	if (tp->state == TCP_S_LISTEN)
		return 0;
	if (!tp->inet.bound) {
		struct in6_addr any = in6addr_any;

		if (tp->inet.family == AF_INET)
			net_addr_from_v4(&any, 0);
		r = inet_port_bind(&tp->inet, &any, 0);
		if (r < 0)
			return r;
	}
	/* Bound sockets may share a port with SO_REUSEADDR, but not while one listens (Linux). */
	tp->inet.listening = 1;
	if (inet_port_in_use(&tp->inet)) {
		tp->inet.listening = 0;
		return -EADDRINUSE;
	}
	tp->shut_all = 0;
	tp->refs++; /* the listener's own: its children hold more */
	tp->state = TCP_S_LISTEN;
	tcp_notify(tp);
	return 0;
}

/* Whether tp has a connection (getpeername, send, recv see one). */
static int synchronized(int state)
{
	return state != TCP_S_CLOSE && state != TCP_S_LISTEN && state != TCP_S_SYN_SENT && state != TCP_S_SYN_RECV;
}

static long take_error(struct tcp_sock *tp)
{
	int e = tp->inet.so_error;

	tp->inet.so_error = 0;
	return -e;
}

static long tcp_connect(struct task *t, struct file *f, const struct sockaddr *addr, socklen_t len)
{
	struct tcp_sock *tp = f->priv;
	struct in6_addr a;
	uint16_t port;
	long r;

	if (len >= sizeof(sa_family_t) && addr->sa_family == AF_UNSPEC) {
		/* Linux: disconnect; a live connection is reset. */
		if (tp->state != TCP_S_CLOSE && tp->state != TCP_S_LISTEN) {
			tcp_enter();
			if (tp->state != TCP_S_SYN_SENT)
				tcp_send_rst(tp);
			tcp_done(tp, 0);
			tcp_leave();
		}
		tp->connecting = 0;
		return 0;
	}
	switch (tp->state) {
	case TCP_S_SYN_SENT:
		return -EALREADY;
	case TCP_S_CLOSE:
		if (tp->connecting) {
			/* A connect that failed meanwhile: its error once, then a fresh attempt may start. */
			tp->connecting = 0;
			if (tp->inet.so_error)
				return take_error(tp);
			return -ECONNABORTED;
		}
		break;
	case TCP_S_LISTEN:
		return -EISCONN;
	default:
		if (tp->connecting) {
			tp->connecting = 0;
			return 0; /* the first answer after a nonblocking connect completed: Linux says 0, then EISCONN */
		}
		return -EISCONN;
	}
	r = inet_addr_in(&tp->inet, addr, len, &a, &port);
	if (r < 0)
		return r;
	/* The wildcard as a peer is this host (Linux's route output): the bound address, else loopback. */
	if (inet_addr_any(&a)) {
		if (!inet_addr_any(&tp->inet.laddr) && net_addr_is_v4(&a) == net_addr_is_v4(&tp->inet.laddr))
			a = tp->inet.laddr;
		else if (net_addr_is_v4(&a))
			net_addr_from_v4(&a, htonl(INADDR_LOOPBACK));
		else
			a = in6addr_loopback;
	}
	if (port == 0)
		return -ECONNREFUSED; /* no one listens on port 0; Linux answers so after a RST of its own */
	if (tp->shut_all)
		tp->shut_all = 0;
	tp->inet.raddr = a;
	tp->inet.rport = port;
	r = route_setup(tp);
	if (r < 0)
		goto fail;
	if (!tp->inet.bound) {
		r = inet_port_bind(&tp->inet, &tp->inet.laddr, 0);
		if (r < 0)
			goto fail;
	}
	if (tcp_conn_lookup(tp->inet.ns, &tp->inet.laddr, tp->inet.lport, &a, port)) {
		r = -EADDRNOTAVAIL;
		goto fail;
	}
	tcp_buffers_update(tp);
	tp->rcv_wscale = wscale_for(tp->rcvbuf_eff);
	tp->iss = new_iss(tp);
	tp->snd_una = tp->snd_nxt = tp->snd_max = tp->iss;
	tp->write_seq = tp->iss + 1;
	tp->fin_queued = 0;
	tp->fin_rcvd = 0;
	tp->snd_urg = 0;
	tp->urg_state = 0;
	tp->inet.rd_shut = tp->inet.wr_shut = 0;
	tp->retries = 0;
	tp->backoff = 0;
	tp->rto_ms = TCP_RTO_INIT_MS;
	tp->connecting = 1;
	tp->state = TCP_S_SYN_SENT;
	tcp_conn_insert(tp);
	tcp_enter();
	tcp_send_syn(tp);
	if (tp->state == TCP_S_SYN_SENT)
		tcp_rtx_arm(tp);
	tcp_leave();
	/*
	 * On loopback the handshake is over already.  A nonblocking connect
	 * answers EINPROGRESS all the same, as Linux's does on loopback (its
	 * answer comes a softirq later): the outcome is for poll, SO_ERROR and
	 * the next connect.
	 */
	if (nonblocking(f, 0))
		return -EINPROGRESS;
	for (;;) {
		if (tp->state != TCP_S_SYN_SENT && tp->state != TCP_S_SYN_RECV) {
			tp->connecting = 0;
			if (tp->state == TCP_S_CLOSE)
				return tp->inet.so_error ? take_error(tp) : -ECONNABORTED;
			return 0;
		}
		r = inet_wait(t, &tp->inet, nonblocking(f, 0), deadline_of(tp->inet.sndtimeo_ns));
		if (r == -EAGAIN || r == -ETIMEDOUT)
			return -EINPROGRESS;
		if (r < 0)
			return r;
	}
fail:
	tp->inet.rport = 0;
	memset(&tp->inet.raddr, 0, sizeof(tp->inet.raddr));
	return r;
}

static long tcp_accept(struct task *t, struct file *f, int flags, struct file **out, struct sockaddr_storage *peer,
		       socklen_t *peerlen)
{
	struct tcp_sock *tp = f->priv, *c;
	struct file *nf;
	long r;

	for (;;) {
		if (tp->state != TCP_S_LISTEN)
			return -EINVAL;
		if ((c = tp->acceptq))
			break;
		r = inet_wait(t, &tp->inet, nonblocking(f, 0), deadline_of(tp->inet.rcvtimeo_ns));
		if (r == -ETIMEDOUT)
			return -EAGAIN;
		if (r < 0)
			return r;
	}
	c->inet.ino = anon_inode(S_IFSOCK | 0777);
	if (!c->inet.ino)
		return -ENOMEM;
	nf = file_new(NULL, c->inet.ino, &tcp_fops, O_RDWR | (flags & O_NONBLOCK));
	if (!nf) {
		inode_put(c->inet.ino);
		c->inet.ino = NULL;
		return -ENOMEM;
	}
	nf->priv = c;
	c->has_file = 1;
	tcp_enter();
	unlink_child(c);
	tcp_leave();
	if (peer)
		inet_addr_out(&c->inet, &c->inet.raddr, c->inet.rport, peer, peerlen);
	*out = nf;
	return 0;
}

static long tcp_sendmsg(struct task *t, struct file *f, struct umsg *m, int flags)
{
	struct tcp_sock *tp = f->priv;
	size_t total = iov_total(m->iov, m->iovcnt), done = 0;
	long r;

	for (;;) {
		if (tp->inet.so_error)
			return done ? (long)done : take_error(tp);
		if (tp->inet.wr_shut || tp->shut_all)
			return done ? (long)done : -EPIPE;
		if (tp->state == TCP_S_ESTABLISHED || tp->state == TCP_S_CLOSE_WAIT) {
			size_t room = tp->snd_queued < tp->sndbuf_eff ? tp->sndbuf_eff - tp->snd_queued : 0, n;

			if (done == total)
				break;
			if (room) {
				n = total - done < room ? total - done : room;
				tcp_enter();
				r = tcp_queue_data(tp, m->iov, m->iovcnt, done, n);
				if (r > 0) {
					done += (size_t)r;
					if (flags & MSG_OOB) {
						/* The last byte queued so far is the urgent one (Linux marks it at every push). */
						tp->snd_urg = 1;
						tp->snd_up = tp->write_seq;
					}
					tp->more_pending = (flags & MSG_MORE) || done < total;
					tcp_output(tp);
					tp->more_pending = 0;
				}
				tcp_leave();
				if (r < 0 && !done)
					return r;
				continue;
			}
		} else if (tp->state != TCP_S_SYN_SENT && tp->state != TCP_S_SYN_RECV) {
			return done ? (long)done : -EPIPE;
		}
		if (done == total && total)
			break;
		r = inet_wait(t, &tp->inet, nonblocking(f, flags), deadline_of(tp->inet.sndtimeo_ns));
		if (r == -ETIMEDOUT)
			r = -EAGAIN;
		if (r < 0) {
			if (done)
				break;
			return r;
		}
	}
	if (done < total || !(flags & MSG_MORE)) {
		tcp_enter();
		tcp_output(tp);
		tcp_leave();
	}
	return (long)done;
}

/* After the application read: a window update when the window grew by enough to matter. */
static void window_update(struct tcp_sock *tp)
{
	uint32_t edge = tp->rcv_wup + tp->rcv_wnd_adv, cur = SEQ_GT(edge, tp->rcv_nxt) ? edge - tp->rcv_nxt : 0;
	uint32_t now = tcp_adv_window(tp);

	if (!synchronized(tp->state) || tp->fin_rcvd)
		return;
	if (now > cur && (now - cur >= 2 * (uint32_t)tp->adv_mss || now - cur >= tp->rcvbuf_eff / 2 ||
			  (cur < (uint32_t)tp->adv_mss && now >= (uint32_t)tp->adv_mss))) {
		tcp_enter();
		tcp_send_ack(tp);
		tcp_leave();
	}
}

/*
 * Copies up to want bytes of the receive queue into iov (from skip);
 * consumes them unless peek, which starts from the queue's byte from.
 */
static size_t copy_out(struct tcp_sock *tp, const struct iovec *iov, int cnt, size_t skip, size_t want, int peek,
		       size_t from)
{
	struct pkb *p = tp->rcvq;
	size_t done = 0, poff = 0;
	int i = 0;
	size_t ioff = skip;

	while (p && from >= p->len) {
		from -= p->len;
		p = p->next;
	}
	poff = from;

	while (p && done < want) {
		size_t n = p->len - poff;

		while (i < cnt && ioff >= iov[i].iov_len)
			ioff -= iov[i].iov_len, i++;
		if (i >= cnt)
			break;
		if (n > iov[i].iov_len - ioff)
			n = iov[i].iov_len - ioff;
		if (n > want - done)
			n = want - done;
		memcpy((char *)iov[i].iov_base + ioff, p->data + poff, n);
		ioff += n;
		poff += n;
		done += n;
		if (poff == p->len) {
			struct pkb *next = p->next;

			if (!peek) {
				tp->rcvq = next;
				if (!next)
					tp->rcvq_tail = NULL;
				tp->rcv_queued -= p->len;
				tp->copied_seq += (uint32_t)p->len;
				tcp_pkb_free_charged(tp, p);
			}
			p = next;
			poff = 0;
		}
	}
	if (!peek && poff) {
		pkb_pull(p, poff);
		tp->rcv_queued -= poff;
		tp->copied_seq += (uint32_t)poff;
	}
	return done;
}

/*
 * recv(MSG_OOB): the urgent byte, once, and never waiting (Linux's
 * tcp_recv_urg): EINVAL when there is none to give (none came, it was
 * given already, or SO_OOBINLINE keeps it in the stream), EAGAIN while
 * it is pointed at but has not come.
 */
static long recv_urgent(struct tcp_sock *tp, struct umsg *m, int flags, size_t total, int *msg_flags)
{
	if (tp->inet.oobinline || !tp->urg_state || tp->urg_state == TCP_URG_READ)
		return -EINVAL;
	if (tp->state == TCP_S_CLOSE && !tp->fin_rcvd)
		return -ENOTCONN;
	if (tp->urg_state == TCP_URG_VALID) {
		if (!(flags & MSG_PEEK))
			tp->urg_state = TCP_URG_READ;
		*msg_flags |= MSG_OOB;
		if (!total) {
			/* Taken all the same, as Linux's. */
			*msg_flags |= MSG_TRUNC;
			return 0;
		}
		/* MSG_TRUNC: counted, taken, but not written (the layer copies nothing back). */
		if (flags & MSG_TRUNC)
			m->unwritten = 1;
		else
			for (int i = 0; i < m->iovcnt; i++)
				if (m->iov[i].iov_len) {
					*(unsigned char *)m->iov[i].iov_base = tp->urg_byte;
					break;
				}
		if (!(flags & MSG_PEEK))
			tcp_notify(tp); /* POLLPRI is over */
		return 1;
	}
	if (tp->state == TCP_S_CLOSE || tp->fin_rcvd || tp->inet.rd_shut || tp->shut_all)
		return 0;
	return -EAGAIN;
}

static long tcp_recvmsg(struct task *t, struct file *f, struct umsg *m, int flags, int maxfds,
			struct sockaddr_storage *from, socklen_t *fromlen, int *msg_flags)
{
	struct tcp_sock *tp = f->priv;
	size_t total = iov_total(m->iov, m->iovcnt), done = 0;
	int peek = !!(flags & MSG_PEEK);
	long r;

	*msg_flags = 0;
	if (fromlen)
		*fromlen = 0; /* a stream socket names no sender */
	if (flags & MSG_ERRQUEUE)
		return -EAGAIN; /* its error queue (timestamps, zero-copy notices) is always empty here */
	if (tp->state == TCP_S_LISTEN)
		return -ENOTCONN;
	if (flags & MSG_OOB)
		return recv_urgent(tp, m, flags, total, msg_flags);
	for (;;) {
		if (tp->rcvq && done < total) {
			size_t want = total - done, n, at = 0, skipped = 0;

			if (tp->urg_state && SEQ_GEQ(tp->urg_seq, tp->copied_seq)) {
				/* Reads stop at the mark; from there on the urgent byte is passed over, unless inline. */
				uint32_t off = tp->urg_seq - tp->copied_seq;

				if (off == 0 && done)
					break;
				if (off == 0 && !tp->inet.oobinline) {
					if (peek)
						at = 1;
					else
						tcp_rcvq_skip(tp), skipped = 1;
				} else if (off && off < want) {
					want = off;
				}
			}
			n = copy_out(tp, m->iov, m->iovcnt, done, want, peek, at);
			if (peek && n)
				return (long)n; /* MSG_PEEK looks once (WAITALL with PEEK is Linux's "return what is there") */
			done += n;
			if (tp->urg_state && SEQ_GT(tp->copied_seq, tp->urg_seq))
				tp->urg_state = 0;
			window_update(tp);
			if (n || skipped)
				tcp_notify(tp);
		}
		if (done == total || (done && !(flags & MSG_WAITALL)))
			break;
		/* After the peer's FIN, the end of the stream: a later reset's error is send's (Linux's SOCK_DONE). */
		if (tp->fin_rcvd)
			break;
		if (tp->inet.so_error && !tp->rcvq)
			return done ? (long)done : take_error(tp);
		if (tp->inet.rd_shut || (tp->shut_all && !tp->rcvq))
			break;
		if (tp->state == TCP_S_CLOSE && !tp->shut_all)
			return done ? (long)done : -ENOTCONN;
		if (total == 0)
			break;
		r = inet_wait(t, &tp->inet, nonblocking(f, flags), deadline_of(tp->inet.rcvtimeo_ns));
		if (r == -ETIMEDOUT)
			r = -EAGAIN;
		if (r < 0)
			return done ? (long)done : r;
	}
	return (long)done;
}

static long tcp_shutdown(struct file *f, int how)
{
	struct tcp_sock *tp = f->priv;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	how++; /* 1 read, 2 write, 3 both */
	tcp_enter();
	switch (tp->state) {
	case TCP_S_CLOSE:
		tcp_leave();
		return -ENOTCONN;
	case TCP_S_LISTEN:
		if (how & 1) {
			listen_stop(tp);
			if (tp->inet.bound)
				inet_port_unbind(&tp->inet);
			tp->refs--;
		}
		break;
	case TCP_S_SYN_SENT:
		tcp_done(tp, 0);
		tp->shut_all = 0;
		break;
	default:
		if (how & 1)
			tp->inet.rd_shut = 1;
		if ((how & 2) && !tp->inet.wr_shut) {
			tp->inet.wr_shut = 1;
			if (tp->state == TCP_S_ESTABLISHED || tp->state == TCP_S_SYN_RECV)
				tcp_set_state(tp, TCP_S_FIN_WAIT1);
			else if (tp->state == TCP_S_CLOSE_WAIT)
				tcp_set_state(tp, TCP_S_LAST_ACK);
			if (tp->state == TCP_S_FIN_WAIT1 || tp->state == TCP_S_LAST_ACK)
				tcp_send_fin(tp);
		}
		tcp_notify(tp);
	}
	tcp_leave();
	return 0;
}

static long tcp_getname(struct file *f, int peer, struct sockaddr_storage *addr, socklen_t *len)
{
	struct tcp_sock *tp = f->priv;

	if (peer) {
		if (!synchronized(tp->state) && tp->state != TCP_S_SYN_RECV)
			return -ENOTCONN;
		inet_addr_out(&tp->inet, &tp->inet.raddr, tp->inet.rport, addr, len);
	} else {
		inet_addr_out(&tp->inet, &tp->inet.laddr, tp->inet.lport, addr, len);
	}
	return 0;
}

/* Segments sent and not acknowledged (TCP_INFO's unacked counts packets). */
static uint32_t packets_out(struct tcp_sock *tp)
{
	uint32_t n = 0;

	for (struct pkb *p = tp->sndq; p && SEQ_LT((uint32_t)TCB_SEQ(p), tp->snd_max); p = p->next)
		n++;
	return n;
}

/* Linux's struct tcp_info as far as the fields we keep (the uapi layout; glibc's ends at total_retrans). */
struct tcp_info_linux {
	struct tcp_info base;
	uint64_t pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
	uint32_t segs_out, segs_in, notsent_bytes, min_rtt, data_segs_in, data_segs_out;
	uint64_t delivery_rate, busy_time, rwnd_limited, sndbuf_limited;
	uint32_t delivered, delivered_ce;
	uint64_t bytes_sent, bytes_retrans;
	uint32_t dsack_dups, reord_seen, rcv_ooopack, snd_wnd;
};

static void fill_info(struct tcp_sock *tp, struct tcp_info_linux *x)
{
	struct tcp_info *i = &x->base;
	uint64_t now = tcp_now_ms();
	uint32_t mss = (uint32_t)tp->mss;

	memset(x, 0, sizeof(*x));
	i->tcpi_state = (uint8_t)tp->state;
	i->tcpi_ca_state = tp->in_loss ? 4 : tp->in_recovery ? 3 : 0;
	i->tcpi_retransmits = (uint8_t)tp->retries;
	i->tcpi_probes = (uint8_t)(tp->probing ? tp->retries : tp->ka_probes);
	i->tcpi_backoff = (uint8_t)tp->backoff;
	if (tp->ts_ok)
		i->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (tp->sack_ok)
		i->tcpi_options |= TCPI_OPT_SACK;
	if (tp->wscale_ok && synchronized(tp->state)) {
		i->tcpi_options |= TCPI_OPT_WSCALE;
		i->tcpi_snd_wscale = (uint8_t)tp->snd_wscale;
		i->tcpi_rcv_wscale = (uint8_t)tp->rcv_wscale;
	}
	i->tcpi_rto = (tp->state == TCP_S_LISTEN ? TCP_RTO_INIT_MS : tp->rto_ms) * 1000;
	i->tcpi_ato = TCP_DELACK_MS * 1000;
	i->tcpi_snd_mss = mss;
	i->tcpi_rcv_mss = (uint32_t)(tp->rcv_mss ? tp->rcv_mss : 536);
	if (tp->state == TCP_S_LISTEN) {
		i->tcpi_unacked = (uint32_t)tp->acceptq_len;
		i->tcpi_sacked = (uint32_t)tp->backlog;
	} else {
		i->tcpi_unacked = packets_out(tp);
		i->tcpi_sacked = mss ? tp->sacked_out / mss : 0;
	}
	i->tcpi_retrans = tp->retrans_out;
	i->tcpi_last_data_sent = (uint32_t)(tp->last_snd_ms ? now - tp->last_snd_ms : 0);
	i->tcpi_last_data_recv = (uint32_t)(tp->last_rcv_ms ? now - tp->last_rcv_ms : 0);
	i->tcpi_last_ack_recv = (uint32_t)(tp->last_ack_rcv_ms ? now - tp->last_ack_rcv_ms : 0);
	i->tcpi_pmtu = (uint32_t)tp->adv_mss + (net_addr_is_v4(&tp->inet.raddr) ? 40 : 60);
	i->tcpi_rcv_ssthresh = tcp_adv_window(tp);
	i->tcpi_rtt = tp->srtt_us;
	i->tcpi_rttvar = tp->rttvar_us;
	i->tcpi_snd_ssthresh = tp->ssthresh >= 0x7fffffff || !mss ? 0x7fffffff : tp->ssthresh / mss;
	i->tcpi_snd_cwnd = mss ? (tp->cwnd ? tp->cwnd : 10 * mss) / mss : 10;
	i->tcpi_advmss = (uint32_t)tp->adv_mss;
	i->tcpi_reordering = 3;
	i->tcpi_rcv_space = (uint32_t)tp->rcvbuf_eff;
	i->tcpi_total_retrans = tp->total_retrans;
	x->bytes_acked = tp->bytes_acked;
	x->bytes_received = tp->bytes_received;
	x->segs_out = tp->segs_out;
	x->segs_in = tp->segs_in;
	x->notsent_bytes = tp->write_seq - tp->snd_nxt;
	if (!synchronized(tp->state))
		x->notsent_bytes = 0;
	x->min_rtt = tp->min_rtt_us;
	x->data_segs_in = tp->data_segs_in;
	x->data_segs_out = tp->data_segs_out;
	x->bytes_sent = tp->bytes_sent;
	x->bytes_retrans = tp->bytes_retrans;
	x->snd_wnd = tp->snd_wnd;
}

static long tcp_getsockopt(struct task *t, struct file *f, int level, int name, void *val, socklen_t *len)
{
	struct tcp_sock *tp = f->priv;
	int v;

	if (level != IPPROTO_TCP)
		return inet_getsockopt(&tp->inet, level, name, val, len);
	if ((int)*len < 0)
		return -EINVAL;
	switch (name) {
	case TCP_NODELAY:
		v = tp->nodelay;
		break;
	case TCP_CORK:
		v = tp->cork;
		break;
	case TCP_MAXSEG:
		v = synchronized(tp->state) ? tp->mss : tp->user_mss ? tp->user_mss : 536;
		break;
	case TCP_KEEPIDLE:
		v = TCP_KA_IDLE_S(tp);
		break;
	case TCP_KEEPINTVL:
		v = TCP_KA_INTVL_S(tp);
		break;
	case TCP_KEEPCNT:
		v = TCP_KA_CNT(tp);
		break;
	case TCP_SYNCNT:
		v = tp->syn_retries ? tp->syn_retries : TCP_SYN_RETRIES;
		break;
	case TCP_LINGER2:
		v = tp->linger2_s ? tp->linger2_s : tp->inet.ns->sysctl.tcp_fin_timeout;
		break;
	case TCP_USER_TIMEOUT:
		v = (int)tp->user_timeout_ms;
		break;
	case TCP_QUICKACK:
		v = !tp->pingpong;
		break;
	case TCP_DEFER_ACCEPT:
	case TCP_WINDOW_CLAMP:
	case TCP_FASTOPEN:
		v = 0;
		break;
	case TCP_INFO: {
		struct tcp_info_linux x;
		socklen_t n = *len < sizeof(x) ? *len : sizeof(x);

		fill_info(tp, &x);
		memcpy(val, &x, n);
		*len = n;
		return 0;
	}
	case TCP_CONGESTION: {
		char name16[16] = {0};
		socklen_t n = *len < sizeof(name16) ? *len : sizeof(name16);

		strncpy(name16, tp->cong->name, sizeof(name16) - 1);
		memcpy(val, name16, n);
		*len = n;
		return 0;
	}
	default:
		return -ENOPROTOOPT;
	}
	if (*len < sizeof(int)) {
		/* Linux copies what fits. */
		memcpy(val, &v, *len);
		return 0;
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

static long tcp_setsockopt(struct file *f, int level, int name, const void *val, socklen_t len)
{
	struct tcp_sock *tp = f->priv;
	int v = 0;
	long r;

	if (level != IPPROTO_TCP) {
		r = inet_setsockopt(&tp->inet, level, name, val, len);
		if (r == 0 && level == SOL_SOCKET) {
			if (name == SO_RCVBUF || name == SO_RCVBUFFORCE)
				tp->user_rcvbuf = 1;
			if (name == SO_SNDBUF || name == SO_SNDBUFFORCE)
				tp->user_sndbuf = 1;
			tcp_buffers_update(tp);
			if (name == SO_KEEPALIVE)
				tcp_ka_reset(tp);
			if (name == SO_SNDBUF || name == SO_SNDBUFFORCE)
				tcp_notify(tp);
		}
		return r;
	}
	if (name == TCP_CONGESTION) {
		char buf[16] = {0};
		const struct tcp_cong_ops *c;

		memcpy(buf, val, len < sizeof(buf) - 1 ? len : sizeof(buf) - 1);
		c = tcp_cong_find(buf);
		if (!c)
			return -ENOENT;
		if (c != tp->cong) {
			tp->cong = c;
			if (synchronized(tp->state))
				c->init(tp);
		}
		return 0;
	}
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case TCP_NODELAY:
		tp->nodelay = !!v;
		break;
	case TCP_CORK:
		tp->cork = !!v;
		break;
	case TCP_MAXSEG:
		if (v && (v < 88 || v > 65535 - 40))
			return -EINVAL;
		tp->user_mss = v;
		return 0;
	case TCP_KEEPIDLE:
		if (v < 1 || v > 32767)
			return -EINVAL;
		tp->ka_idle_s = v;
		tcp_ka_reset(tp);
		return 0;
	case TCP_KEEPINTVL:
		if (v < 1 || v > 32767)
			return -EINVAL;
		tp->ka_intvl_s = v;
		return 0;
	case TCP_KEEPCNT:
		if (v < 1 || v > 127)
			return -EINVAL;
		tp->ka_cnt = v;
		return 0;
	case TCP_SYNCNT:
		if (v < 1 || v > 127)
			return -EINVAL;
		tp->syn_retries = v;
		return 0;
	case TCP_LINGER2:
		tp->linger2_s = v < 0 ? -1 : v;
		return 0;
	case TCP_USER_TIMEOUT:
		if (v < 0)
			return -EINVAL;
		tp->user_timeout_ms = (uint32_t)v;
		return 0;
	case TCP_QUICKACK:
		tp->pingpong = !v;
		if (v) {
			tp->quickack = 16;
			if (tp->ack_pending) {
				tcp_enter();
				tcp_send_ack(tp);
				tcp_leave();
			}
		}
		return 0;
	case TCP_DEFER_ACCEPT:
	case TCP_WINDOW_CLAMP:
	case TCP_FASTOPEN:
		return 0;
	default:
		return -ENOPROTOOPT;
	}
	/* NODELAY and uncorking push what was held back. */
	if ((name == TCP_NODELAY && v) || (name == TCP_CORK && !v)) {
		tcp_enter();
		tcp_output(tp);
		tcp_leave();
	}
	return 0;
}

/* ---- the file ---- */

static unsigned tcp_poll(struct file *f, uint64_t *deadline)
{
	struct tcp_sock *tp = f->priv;
	unsigned m = 0;
	int rcv_shut, snd_shut;

	(void)deadline;
	if (tp->state == TCP_S_LISTEN)
		return tp->acceptq ? POLLIN | POLLRDNORM : 0;
	rcv_shut = tp->fin_rcvd || tp->inet.rd_shut || tp->shut_all;
	snd_shut = tp->inet.wr_shut || tp->shut_all;
	if ((rcv_shut && snd_shut) || tp->state == TCP_S_CLOSE)
		m |= POLLHUP;
	if (rcv_shut)
		m |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (tp->state != TCP_S_SYN_SENT && tp->state != TCP_S_SYN_RECV) {
		size_t target = (size_t)(tp->inet.rcvlowat > 0 ? tp->inet.rcvlowat : 1);

		/* An urgent byte at the head is not data to read (Linux's tcp_poll). */
		if (tp->urg_state && tp->urg_seq == tp->copied_seq && !tp->inet.oobinline)
			target++;
		if (tp->rcv_queued >= target)
			m |= POLLIN | POLLRDNORM;
		if (tp->urg_state == TCP_URG_VALID)
			m |= POLLPRI;
		if (!snd_shut) {
			/* Writable with a third of the buffer free, as Linux's sk_stream_is_writeable. */
			if (tp->sndbuf_eff - (tp->snd_queued < tp->sndbuf_eff ? tp->snd_queued : tp->sndbuf_eff) >=
			    tp->sndbuf_eff / 3)
				m |= POLLOUT | POLLWRNORM;
		} else {
			m |= POLLOUT | POLLWRNORM;
		}
	}
	if (tp->inet.so_error)
		m |= POLLERR;
	return m;
}

static long tcp_ioctl(struct file *f, struct task *t, unsigned long req, gva_t arg)
{
	struct tcp_sock *tp = f->priv;
	int n;

	switch (req) {
	case SIOCINQ: /* FIONREAD */
		if (tp->state == TCP_S_LISTEN)
			return -EINVAL;
		n = (int)tp->rcv_queued;
		/* With an urgent byte in the queue, what a read gets: the bytes before the mark (Linux's tcp_inq). */
		if (tp->urg_state && !tp->inet.oobinline && SEQ_GEQ(tp->urg_seq, tp->copied_seq) &&
		    SEQ_LT(tp->urg_seq, tp->copied_seq + (uint32_t)tp->rcv_queued))
			n = (int)(tp->urg_seq - tp->copied_seq);
		break;
	case SIOCOUTQ:
		if (tp->state == TCP_S_LISTEN)
			return -EINVAL;
		n = (int)(tp->write_seq - tp->snd_una);
		if (!synchronized(tp->state))
			n = 0;
		break;
	case SIOCOUTQNSD:
		if (tp->state == TCP_S_LISTEN)
			return -EINVAL;
		n = synchronized(tp->state) ? (int)(tp->write_seq - tp->snd_nxt) : 0;
		break;
	case SIOCATMARK: /* sockatmark(3): the next byte to read is the urgent one */
		n = tp->urg_state && tp->urg_seq == tp->copied_seq;
		break;
	default:
		return -ENOTTY;
	}
	return mm_copy_out(t->mm, arg, &n, sizeof(n));
}

static void tcp_release(struct file *f)
{
	struct tcp_sock *tp = f->priv;

	tcp_enter();
	tp->has_file = 0;
	switch (tp->state) {
	case TCP_S_LISTEN:
		listen_stop(tp);
		tp->refs--;
		break;
	case TCP_S_FIN_WAIT2:
	case TCP_S_CLOSING:
	case TCP_S_LAST_ACK:
		if (tp->rcv_queued || (tp->inet.linger_on && tp->inet.linger_s == 0)) {
			/*
			 * Unread data or SO_LINGER 0 after our FIN: aborted too, as
			 * Linux's tcp_close and tcp_disconnect; a reset unless all we
			 * had to send went, our FIN (one past write_seq) last
			 * (CLOSING, LAST_ACK with SO_LINGER 0).
			 */
			if (tp->rcv_queued || tp->state == TCP_S_FIN_WAIT2 || tp->snd_nxt != tp->write_seq + 1)
				tcp_send_rst(tp);
			tcp_done(tp, 0);
			break;
		}
		if (tp->state == TCP_S_FIN_WAIT2)
			tcp_ka_arm(tp, TCP_FIN_TIMEOUT_MS(tp));
		break;
	case TCP_S_CLOSE:
	case TCP_S_TIME_WAIT:
		break;
	case TCP_S_SYN_SENT:
		tcp_done(tp, 0);
		break;
	default:
		if (tp->rcv_queued || (tp->inet.linger_on && tp->inet.linger_s == 0)) {
			/* Unread data, or SO_LINGER 0: abort with a RST (RFC 9293 3.10.4; Linux's tcp_close). */
			tcp_send_rst(tp);
			tcp_done(tp, 0);
			break;
		}
		if (!tp->inet.wr_shut) {
			tp->inet.wr_shut = 1;
			if (tp->state == TCP_S_ESTABLISHED || tp->state == TCP_S_SYN_RECV)
				tcp_set_state(tp, TCP_S_FIN_WAIT1);
			else if (tp->state == TCP_S_CLOSE_WAIT)
				tcp_set_state(tp, TCP_S_LAST_ACK);
			tcp_send_fin(tp);
		}
		break;
	}
	if (tp->state == TCP_S_LISTEN)
		tp->state = TCP_S_CLOSE;
	if (tp->state == TCP_S_CLOSE && tp->inet.bound)
		inet_port_unbind(&tp->inet);
	if (tp->refs == 0)
		tcp_maybe_free(tp);
	tcp_leave();
}

static void tcp_close_wait(struct task *t, struct file *f);

static const struct socket_ops tcp_sock_ops = {
	.bind = tcp_bind,
	.listen = tcp_listen,
	.connect = tcp_connect,
	.accept = tcp_accept,
	.sendmsg = tcp_sendmsg,
	.recvmsg = tcp_recvmsg,
	.shutdown = tcp_shutdown,
	.getname = tcp_getname,
	.getsockopt = tcp_getsockopt,
	.setsockopt = tcp_setsockopt,
	.close_wait = tcp_close_wait,
};

/*
 * SO_LINGER with a timeout: close(2) sends the FIN now and waits until it
 * and all data before it are acknowledged, or the time is up, or a signal
 * comes; then tcp_release does the rest (the connection finishes in the
 * background if it has to), as Linux's tcp_close with sk_lingertime.
 * Unread data or a zero timeout are release's business (a RST).
 */
static void tcp_close_wait(struct task *t, struct file *f)
{
	struct tcp_sock *tp = f->priv;
	uint64_t deadline;

	if (!tp->inet.linger_on || tp->inet.linger_s == 0 || tp->rcv_queued)
		return;
	if (tp->state != TCP_S_ESTABLISHED && tp->state != TCP_S_CLOSE_WAIT)
		return;
	tcp_shutdown(f, SHUT_WR);
	deadline = host_realtime_ns() + (uint64_t)tp->inet.linger_s * 1000000000ull; /* inet_wait's clock */
	while (tp->state == TCP_S_FIN_WAIT1 || tp->state == TCP_S_CLOSING || tp->state == TCP_S_LAST_ACK)
		if (inet_wait(t, &tp->inet, 0, deadline) < 0)
			break;
}

static const struct file_ops tcp_fops = {
	.read = sock_file_read,
	.write = sock_file_write,
	.poll = tcp_poll,
	.ioctl = tcp_ioctl,
	.release = tcp_release,
	.sock = &tcp_sock_ops,
};

long tcp_create(struct netns *ns, int family, int protocol, int flags, struct file **out)
{
	struct tcp_sock *tp = calloc(1, sizeof(*tp));
	struct inode *ino;
	struct file *f;

	if (!tp)
		return -ENOMEM;
	ino = anon_inode(S_IFSOCK | 0777);
	if (!ino) {
		free(tp);
		return -ENOMEM;
	}
	inet_sock_init(&tp->inet, ns, ino, family, SOCK_STREAM, IPPROTO_TCP);
	tcp_sock_defaults(tp);
	f = file_new(NULL, ino, &tcp_fops, O_RDWR | (flags & O_NONBLOCK));
	if (!f) {
		inode_put(ino);
		net_ns_put(tp->inet.ns);
		free(tp);
		return -ENOMEM;
	}
	f->priv = tp;
	tp->has_file = 1;
	*out = f;
	return 0;
}

static const struct inet_type tcp_type = {.type = SOCK_STREAM, .protocol = IPPROTO_TCP, .create = tcp_create};
INET_TYPE(tcp_type)

/* ---- /proc/net/tcp and tcp6 ---- */

struct show_ctx {
	struct proc_buf *b;
	int v6, n;
};

static void show_one(struct tcp_sock *tp, struct show_ctx *c)
{
	const struct in6_addr *l = &tp->inet.laddr, *r = &tp->inet.raddr;
	unsigned long tx = 0, rx = 0;
	int tr = 0;
	uint64_t when = 0, ino = tp->inet.ino ? tp->inet.ino->ino : 0;

	if ((tp->inet.family == AF_INET6) != c->v6)
		return;
	if (tp->state == TCP_S_LISTEN) {
		rx = (unsigned long)tp->acceptq_len; /* as Linux's: the accept queue; tx stays 0 */
	} else if (synchronized(tp->state)) {
		tx = tp->write_seq - tp->snd_una;
		rx = tp->rcv_queued;
	}
	if (tp->rtx_due_ns)
		tr = tp->probing ? 4 : 1, when = tp->rtx_due_ns > host_monotonic_ns() ? tp->rtx_due_ns - host_monotonic_ns() : 0;
	else if (tp->ka_timer.deadline_ns)
		tr = tp->state == TCP_S_TIME_WAIT ? 3 : 2, when = timer_remaining(&tp->ka_timer);
	/* Jiffies at USER_HZ 100, as the file shows them. */
	when /= 10000000;
	if (!c->v6)
		proc_printf(c->b, "%4d: %08X:%04X %08X:%04X %02X %08lX:%08lX %02X:%08lX %08X %5u %8d %lu 1 %016lx %u %u %u %u %d\n",
			    c->n, net_addr_v4(l), tp->inet.lport, net_addr_v4(r), tp->inet.rport, tp->state, tx, rx, tr,
			    (unsigned long)when, (unsigned)tp->retries, tp->inet.uid, 0, (unsigned long)ino, 0UL,
			    tp->rto_ms / 10, TCP_DELACK_MS / 10, tp->quickack ? 1u : 0u, tp->cwnd && tp->mss ? tp->cwnd / (unsigned)tp->mss : 10u,
			    -1);
	else
		proc_printf(c->b,
			    "%4d: %08X%08X%08X%08X:%04X %08X%08X%08X%08X:%04X %02X %08lX:%08lX %02X:%08lX %08X %5u %8d %lu 1 %016lx %u %u %u %u %d\n",
			    c->n, l->s6_addr32[0], l->s6_addr32[1], l->s6_addr32[2], l->s6_addr32[3], tp->inet.lport,
			    r->s6_addr32[0], r->s6_addr32[1], r->s6_addr32[2], r->s6_addr32[3], tp->inet.rport, tp->state, tx, rx,
			    tr, (unsigned long)when, (unsigned)tp->retries, tp->inet.uid, 0, (unsigned long)ino, 0UL, tp->rto_ms / 10,
			    TCP_DELACK_MS / 10, tp->quickack ? 1u : 0u, tp->cwnd && tp->mss ? tp->cwnd / (unsigned)tp->mss : 10u, -1);
	c->n++;
}

static void show_bound(struct inet_sock *s, void *arg)
{
	struct tcp_sock *tp = tcp_sk(s);

	if (!tp->in_table)
		show_one(tp, arg);
}

static void show(struct task *t, struct proc_buf *b, int v6)
{
	struct show_ctx c = {.b = b, .v6 = v6};
	struct netns *ns = net_ns_of(t);

	if (!v6)
		proc_printf(b, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
			       "inode                                                     \n");
	else
		proc_printf(b, "  sl  local_address                         remote_address                        st tx_queue "
			       "rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	inet_for_each(ns, IPPROTO_TCP, show_bound, &c);
	for (int h = 0; h < CONN_BUCKETS; h++)
		for (struct tcp_sock *tp = conn_table[h]; tp; tp = tp->hnext)
			if (tp->inet.ns == ns)
				show_one(tp, &c);
}

static void show_tcp(struct task *t, struct proc_buf *b)
{
	show(t, b, 0);
}

static void show_tcp6(struct task *t, struct proc_buf *b)
{
	show(t, b, 1);
}

/* ---- sock_diag (ss -t): the same sockets and figures as /proc/net/tcp ---- */

struct diag_walk {
	void (*fn)(struct inet_sock *s, void *arg);
	void *arg;
};

/* A bound socket that is also a connection is shown once, with the connections. */
static void diag_bound(struct inet_sock *s, void *arg)
{
	struct diag_walk *w = arg;

	if (!tcp_sk(s)->in_table)
		w->fn(s, w->arg);
}

static void diag_for_each(struct netns *ns, void (*fn)(struct inet_sock *s, void *arg), void *arg)
{
	struct diag_walk w = {.fn = fn, .arg = arg};
	struct tcp_sock *tp;
	int h;

	inet_for_each(ns, IPPROTO_TCP, diag_bound, &w);
	for (h = 0; h < CONN_BUCKETS; h++)
		for (tp = conn_table[h]; tp; tp = tp->hnext)
			if (tp->inet.ns == ns)
				fn(&tp->inet, arg);
}

static void diag_fill(const struct inet_sock *s, struct sock_diag_info *d)
{
	/* timer_remaining only reads the timer, but takes it non-const. */
	struct tcp_sock *tp = (struct tcp_sock *)(uintptr_t)s;

	d->state = tp->state;
	if (tp->state == TCP_S_LISTEN) {
		d->rqueue = (uint32_t)tp->acceptq_len;
		d->wqueue = (uint32_t)tp->backlog;
	} else if (synchronized(tp->state)) {
		d->wqueue = tp->write_seq - tp->snd_una;
		d->rqueue = (uint32_t)tp->rcv_queued;
	}
	if (tp->rtx_timer.deadline_ns) {
		d->timer = tp->probing ? 4 : 1;
		d->expires_ms = (uint32_t)(timer_remaining(&tp->rtx_timer) / 1000000);
	} else if (tp->ka_timer.deadline_ns) {
		d->timer = tp->state == TCP_S_TIME_WAIT ? 3 : 2;
		d->expires_ms = (uint32_t)(timer_remaining(&tp->ka_timer) / 1000000);
	}
	d->retrans = tp->retries;
}

static const struct sock_diag_ops tcp_diag = {.protocol = IPPROTO_TCP, .for_each = diag_for_each, .fill = diag_fill};
SOCK_DIAG(tcp_diag)

static const struct proc_net_file tcp_proc = {.name = "tcp", .show = show_tcp};
static const struct proc_net_file tcp6_proc = {.name = "tcp6", .show = show_tcp6};
PROC_NET_FILE(tcp_proc)
PROC_NET_FILE(tcp6_proc)
