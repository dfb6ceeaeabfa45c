/*
 * TCP against a scripted peer, the way packetdrill scripts test a stack:
 * IP below TCP is a fake (net_ip_output captures the segments TCP sends;
 * feed() hands it segments as IP would), the clock is a fake the test
 * moves (timers fire when it passes their deadline), and the socket calls
 * are made as the syscall layer makes them.  Covered: the handshake and
 * its options, segmentation to the peer's MSS, delayed and immediate
 * ACKs, out-of-order data and SACK blocks, retransmission on timeout
 * with backoff, fast retransmit, zero-window probes, RST (exact and
 * challenged), FIN both ways, TIME_WAIT's expiry, a listener's accept and
 * its bounded SYN queue under a flood, refused connections, malformed
 * segments dropped and counted, and urgent data's pointer both ways.
 * links: netstack/tcp/tcp.c netstack/tcp/tcp_in.c netstack/tcp/tcp_out.c netstack/tcp/tcp_timer.c netstack/tcp/tcp_cong.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "netstack/tcp/tcp.h"
#include "sentry/kernel/task.h"
#include "vfs/fs/proc/proc.h"
#include "vfs/socket.h"
#include "vfs/vfs.h"

#define UNIT_NAME "tcp"
#include "unit.h"

/* ---- the fake world below and beside TCP ---- */

struct netns net_init_ns;
__thread struct task *task_current;
static uint64_t now_ns = 1000000000ull;
static struct ktimer *armed[64];
static int notifies;

uint64_t host_monotonic_ns(void) { return now_ns; }
uint64_t host_realtime_ns(void) { return now_ns; }

void timer_arm_locked(struct ktimer *k, uint64_t deadline_ns, uint64_t interval_ns)
{
	int i, free_slot = -1;

	(void)interval_ns;
	for (i = 0; i < 64; i++) {
		if (armed[i] == k)
			free_slot = i;
		else if (!armed[i] && free_slot < 0)
			free_slot = i;
	}
	k->deadline_ns = deadline_ns;
	if (free_slot >= 0)
		armed[free_slot] = k;
}

void timer_cancel_locked(struct ktimer *k)
{
	for (int i = 0; i < 64; i++)
		if (armed[i] == k)
			armed[i] = NULL;
	k->deadline_ns = 0;
}

uint64_t timer_remaining(struct ktimer *k)
{
	return k->deadline_ns > now_ns ? k->deadline_ns - now_ns : 0;
}

/* Moves the clock by ms, firing what comes due in order. */
static void advance(uint64_t ms)
{
	uint64_t end = now_ns + ms * 1000000ull;

	for (;;) {
		struct ktimer *first = NULL;
		int at = -1;

		for (int i = 0; i < 64; i++)
			if (armed[i] && armed[i]->deadline_ns <= end && (!first || armed[i]->deadline_ns < first->deadline_ns))
				first = armed[i], at = i;
		if (!first)
			break;
		if (first->deadline_ns > now_ns)
			now_ns = first->deadline_ns;
		armed[at] = NULL;
		first->deadline_ns = 0;
		first->fn(first);
	}
	now_ns = end;
}

/* Packet buffers: the contract's, as simply as possible. */
struct pkb_shared {
	int refs;
	unsigned char mem[];
};

struct pkb *pkb_alloc(size_t headroom, size_t len)
{
	struct pkb *p = calloc(1, sizeof(*p));

	p->buf = malloc(sizeof(struct pkb_shared) + headroom + len + 1);
	p->buf->refs = 1;
	p->data = p->buf->mem + headroom;
	p->len = len;
	return p;
}

struct pkb *pkb_clone(struct pkb *p)
{
	struct pkb *q = malloc(sizeof(*q));

	*q = *p;
	q->next = NULL;
	p->buf->refs++;
	return q;
}

void pkb_free(struct pkb *p)
{
	if (!p)
		return;
	if (--p->buf->refs == 0)
		free(p->buf);
	free(p);
}

void *pkb_push(struct pkb *p, size_t n)
{
	if ((size_t)(p->data - p->buf->mem) < n)
		return NULL;
	p->data -= n;
	p->len += n;
	return p->data;
}

void *pkb_pull(struct pkb *p, size_t n)
{
	if (p->len < n)
		return NULL;
	p->data += n;
	p->len -= n;
	return p->data;
}

size_t pkb_truesize(const struct pkb *p)
{
	return sizeof(*p) + p->len + 64;
}

void pkb_trim(struct pkb *p, size_t n)
{
	if (n < p->len)
		p->len = n;
}

uint32_t net_csum_add(uint32_t sum, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

uint16_t net_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

uint32_t net_csum_pseudo(const struct in6_addr *src, const struct in6_addr *dst, int protocol, size_t len)
{
	uint32_t sum = 0;

	if (net_addr_is_v4(src)) {
		sum = net_csum_add(sum, &src->s6_addr32[3], 4);
		sum = net_csum_add(sum, &dst->s6_addr32[3], 4);
	} else {
		sum = net_csum_add(sum, src, 16);
		sum = net_csum_add(sum, dst, 16);
	}
	return sum + (uint32_t)protocol + (uint32_t)len;
}

/* Segments TCP sent from the port under test (our_port), in order; taken by next_seg. */
static struct pkb *sent[4096];
static int nsent, taken;
static uint16_t our_port;

/*
 * Loopback mode: what TCP sends comes back to TCP, queued and handed up
 * by the outermost call as netstack's net_rx does, so a send is answered
 * before net_ip_output returns.
 */
static const struct net_protocol *tcp_proto;
static int loopback;
static struct pkb *lo_head, *lo_tail;
static int lo_draining;
static uint64_t lo_segs;

static void lo_xmit(struct pkb *p, const struct in6_addr *src, const struct in6_addr *dst)
{
	p->next = NULL;
	p->cb[5] = 0;
	p->flags |= PKB_CSUM_NONE;
	if (lo_tail)
		lo_tail->next = p;
	else
		lo_head = p;
	lo_tail = p;
	lo_segs++;
	if (lo_draining)
		return;
	lo_draining = 1;
	while ((p = lo_head)) {
		struct net_rx_meta m = {.src = *src, .dst = *dst, .ttl = 64};

		lo_head = p->next;
		if (!lo_head)
			lo_tail = NULL;
		p->next = NULL;
		tcp_proto->rcv(&net_init_ns, p, &m);
	}
	lo_draining = 0;
}

int net_ip_output(struct netns *ns, struct pkb *p, const struct in6_addr *src, const struct in6_addr *dst,
		  int protocol, const struct net_tx_opts *o)
{
	uint16_t sport;

	if (loopback) {
		lo_xmit(p, src, dst);
		return 0;
	}
	/* IP fills the checksum the transport asks for (the fake interface is not loopback). */
	if (o && o->csum_off) {
		uint16_t c = 0;

		memcpy(p->data + o->csum_off, &c, 2);
		c = net_csum_fold(net_csum_add(net_csum_pseudo(src, dst, protocol, p->len), p->data, p->len));
		memcpy(p->data + o->csum_off, &c, 2);
	}
	memcpy(&sport, p->data, 2);
	if (nsent < 4096 && ntohs(sport) == our_port)
		sent[nsent++] = p;
	else
		pkb_free(p);
	return 0;
}

static struct netif lo_if = {.mtu = 1500, .no_csum = 0};
static struct net_route lo_rt = {.dev = &lo_if};
static struct in6_addr our_addr, peer_addr;

int net_route_lookup(struct netns *ns, const struct in6_addr *dst, int ifindex, struct net_route **rt,
		     struct in6_addr *src)
{
	*rt = &lo_rt;
	*src = our_addr;
	return 0;
}

int net_route_src_ok(struct netns *ns, const struct net_route *rt, const struct in6_addr *src)
{
	return 0;
}

void net_register_protocol(const struct net_protocol *p) { tcp_proto = p; }
/* No link below: nothing is held for a batch's end. */
void net_tx_batch_begin(void) {}
void net_tx_batch_end(void) {}
static const struct inet_type *tcp_t;
void inet_register_type(const struct inet_type *t) { tcp_t = t; }
void proc_net_register(const struct proc_net_file *f) { (void)f; }
void proc_printf(struct proc_buf *b, const char *fmt, ...) { (void)b; (void)fmt; }
struct netns *net_ns_of(struct task *t) { return &net_init_ns; }
/* The namespace is the test's own and never freed: its count only moves. */
void ns_put(struct ns_common *ns) { ns->refs--; }

struct inode *anon_inode(uint32_t mode)
{
	struct inode *i = calloc(1, sizeof(*i));

	i->mode = mode;
	return i;
}

void inode_put(struct inode *ino) { (void)ino; }
void vfs_notify(struct inode *ino) { notifies++; }
static int sigurgs;
void vfs_fown_urgent(struct inode *ino) { sigurgs++; }

/* read(2)/write(2) of a socket file (vfs/socket.c): the test drives recvmsg and sendmsg itself. */
long sock_file_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos) { return -EINVAL; }
long sock_file_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos) { return -EINVAL; }

struct file *file_new(struct path *p, struct inode *ino, const struct file_ops *ops, int flags)
{
	struct file *f = calloc(1, sizeof(*f));

	f->ops = ops;
	f->inode = ino;
	f->flags = flags;
	f->refs = 1;
	return f;
}

size_t iov_total(const struct iovec *iov, int cnt)
{
	size_t n = 0;

	for (int i = 0; i < cnt; i++)
		n += iov[i].iov_len;
	return n;
}

long mm_copy_out(struct mm *mm, gva_t dst, const void *src, size_t len)
{
	memcpy((void *)dst, src, len);
	return 0;
}

/* The port table: bound sockets, found by local port. */
static struct inet_sock *bound[64];

void inet_sock_init(struct inet_sock *s, struct netns *ns, struct inode *ino, int family, int type, int protocol)
{
	memset(s, 0, sizeof(*s));
	s->ns = ns;
	s->ino = ino;
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	s->tos = s->ttl = s->hoplimit = -1;
}

long inet_addr_in(const struct inet_sock *s, const struct sockaddr *sa, socklen_t len, struct in6_addr *addr,
		  uint16_t *port)
{
	const struct sockaddr_in *in = (const void *)sa;

	if (len < sizeof(*in))
		return -EINVAL;
	net_addr_from_v4(addr, in->sin_addr.s_addr);
	*port = ntohs(in->sin_port);
	return 0;
}

int inet_addr_any(const struct in6_addr *a)
{
	return IN6_IS_ADDR_UNSPECIFIED(a) || (net_addr_is_v4(a) && net_addr_v4(a) == 0);
}

void inet_addr_out(const struct inet_sock *s, const struct in6_addr *addr, uint16_t port, struct sockaddr_storage *ss,
		   socklen_t *len)
{
	struct sockaddr_in *in = (void *)ss;

	memset(in, 0, sizeof(*in));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	in->sin_addr.s_addr = net_addr_v4(addr);
	*len = sizeof(*in);
}

long inet_getsockopt(struct inet_sock *s, int level, int name, void *val, socklen_t *len)
{
	if (level == SOL_SOCKET && name == SO_ERROR) {
		int e = s->so_error;

		s->so_error = 0;
		memcpy(val, &e, sizeof(e));
		*len = sizeof(e);
		return 0;
	}
	return -ENOPROTOOPT;
}

long inet_setsockopt(struct inet_sock *s, int level, int name, const void *val, socklen_t len)
{
	int v;

	memcpy(&v, val, sizeof(v));
	if (level == SOL_SOCKET && name == SO_RCVBUF) {
		s->rcvbuf = 2 * v;
		return 0;
	}
	if (level == SOL_SOCKET && name == SO_LINGER) {
		const struct linger *l = val;

		s->linger_on = l->l_onoff;
		s->linger_s = l->l_linger;
		return 0;
	}
	return -ENOPROTOOPT;
}

static uint16_t next_port = 40000;

long inet_port_bind(struct inet_sock *s, const struct in6_addr *addr, uint16_t port)
{
	for (int i = 0; i < 64; i++)
		if (!bound[i]) {
			bound[i] = s;
			s->laddr = *addr;
			s->lport = port ? port : next_port++;
			s->bound = 1;
			return 0;
		}
	return -EADDRINUSE;
}

int inet_port_in_use(const struct inet_sock *s)
{
	return 0;
}

void inet_port_unbind(struct inet_sock *s)
{
	for (int i = 0; i < 64; i++)
		if (bound[i] == s)
			bound[i] = NULL;
	s->bound = 0;
}

struct inet_sock *inet_lookup(struct netns *ns, int protocol, const struct in6_addr *src, uint16_t sport,
			      const struct in6_addr *dst, uint16_t dport, int ifindex)
{
	for (int i = 0; i < 64; i++)
		if (bound[i] && bound[i]->lport == dport)
			return bound[i];
	return NULL;
}

void inet_for_each(struct netns *ns, int protocol, void (*fn)(struct inet_sock *s, void *arg), void *arg) {}

long inet_wait(struct task *t, struct inet_sock *s, int nonblock, uint64_t deadline)
{
	return -EAGAIN; /* the test never sleeps: every call is as if nonblocking */
}

/* ---- the scripted peer ---- */

#define PEER_PORT 5555

/* A segment TCP sent, parsed. */
struct out {
	uint32_t seq, ack, len;
	int flags, wnd, urg;
	struct tcp_opts o;
	unsigned char data[2048];
	int csum_ok;
};

static int pending(void)
{
	return nsent - taken;
}

static int next_seg(struct out *s)
{
	struct pkb *p;
	struct tcp_hdr th;
	size_t doff;

	memset(s, 0, sizeof(*s));
	if (taken == nsent)
		return 0;
	p = sent[taken++];
	memcpy(&th, p->data, sizeof(th));
	doff = (size_t)(th.off_res >> 4) * 4;
	s->seq = ntohl(th.seq);
	s->ack = ntohl(th.ack);
	s->flags = th.flags;
	s->wnd = ntohs(th.window);
	s->urg = ntohs(th.urg);
	s->len = (uint32_t)(p->len - doff);
	tcp_parse_options(p->data + 20, doff - 20, !!(th.flags & TH_SYN), &s->o);
	memcpy(s->data, p->data + doff, s->len < sizeof(s->data) ? s->len : sizeof(s->data));
	s->csum_ok = net_csum_fold(net_csum_add(net_csum_pseudo(&our_addr, &peer_addr, IPPROTO_TCP, p->len), p->data,
						 p->len)) == 0;
	pkb_free(p);
	return 1;
}

static void drain(void)
{
	struct out s;

	while (next_seg(&s))
		;
}

/* The urgent pointer of the segments fed (with TH_URG). */
static uint16_t feed_urp;

/* Feeds a segment from the peer to our port lport: flags, seq, ack, window, data, and options bytes. */
static void feed_raw(uint16_t sport, uint16_t lport, int flags, uint32_t seq, uint32_t ack, int wnd, const void *data,
		     size_t len, const unsigned char *opt, size_t optlen, int doff_override)
{
	struct pkb *p = pkb_alloc(0, 20 + optlen + len);
	struct tcp_hdr *th = (void *)p->data;
	struct net_rx_meta m = {.src = peer_addr, .dst = our_addr, .ttl = 64};

	memset(th, 0, 20);
	th->sport = htons(sport);
	th->dport = htons(lport);
	th->seq = htonl(seq);
	th->ack = htonl(ack);
	th->off_res = (uint8_t)((doff_override ? doff_override : (int)(20 + optlen) / 4) << 4);
	th->flags = (uint8_t)flags;
	th->window = htons((uint16_t)wnd);
	th->urg = htons(feed_urp);
	if (optlen)
		memcpy(p->data + 20, opt, optlen);
	if (len)
		memcpy(p->data + 20 + optlen, data, len);
	th->csum = net_csum_fold(net_csum_add(net_csum_pseudo(&peer_addr, &our_addr, IPPROTO_TCP, p->len), p->data,
					       p->len));
	tcp_proto->rcv(&net_init_ns, p, &m);
}

static void feed(int flags, uint32_t seq, uint32_t ack, int wnd, const void *data, size_t len)
{
	feed_raw(PEER_PORT, our_port, flags, seq, ack, wnd, data, len, NULL, 0, 0);
}

/* SACK option bytes for one block. */
static size_t sack_opt(unsigned char *o, uint32_t lo, uint32_t hi)
{
	uint32_t a = htonl(lo), b = htonl(hi);

	o[0] = 1, o[1] = 1, o[2] = 5, o[3] = 10;
	memcpy(o + 4, &a, 4);
	memcpy(o + 8, &b, 4);
	return 12;
}

static struct file *new_socket(void)
{
	struct file *f = NULL;

	CHECK("socket is made", tcp_t->create(&net_init_ns, AF_INET, IPPROTO_TCP, O_NONBLOCK, &f) == 0 && f);
	return f;
}

static struct tcp_sock *tp_of(struct file *f)
{
	return f->priv;
}

static long do_connect(struct file *f, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};

	a.sin_addr.s_addr = net_addr_v4(&peer_addr);
	if (!tp_of(f)->inet.bound)
		our_port = next_port; /* the port the fake table will give it: its SYN is captured */
	return f->ops->sock->connect(NULL, f, (struct sockaddr *)&a, sizeof(a));
}

static long do_send(struct file *f, const void *buf, size_t len, int flags)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct umsg m = {.iov = &iov, .iovcnt = 1};

	return f->ops->sock->sendmsg(NULL, f, &m, flags);
}

static long do_recv(struct file *f, void *buf, size_t len, int flags)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct umsg m = {.iov = &iov, .iovcnt = 1};
	int mf;

	return f->ops->sock->recvmsg(NULL, f, &m, flags, 0, NULL, NULL, &mf);
}


/*
 * An established connection to the scripted peer: our ISS in *iss, the
 * peer's is 1000; the peer's MSS 1000, window 65535 with scale 0, SACK and
 * timestamps (our segments then carry 988 bytes of data).
 */
static struct file *established(uint32_t *iss, int ts)
{
	struct file *f = new_socket();
	struct out s;
	unsigned char opt[20] = {2, 4, 1000 >> 8, 1000 & 255, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 0};
	long r;

	r = do_connect(f, PEER_PORT);
	our_port = tp_of(f)->inet.lport;
	next_seg(&s);
	*iss = s.seq;
	memcpy(opt + 12, &(uint32_t){htonl(s.o.tsval)}, 4);
	feed_raw(PEER_PORT, our_port, TH_SYN | TH_ACK, 1000, s.seq + 1, 65535, NULL, 0, opt, ts ? 20 : 4, 0);
	(void)r;
	drain();
	return f;
}

/* ---- the scripts ---- */

static void test_handshake(void)
{
	struct file *f = new_socket();
	struct out s;
	unsigned char opt[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 7, 0, 0, 0, 0, 1, 3, 3, 7};
	long r = do_connect(f, PEER_PORT);
	int got;

	CHECK("nonblocking connect answers EINPROGRESS", r == -EINPROGRESS);
	our_port = tp_of(f)->inet.lport;
	got = next_seg(&s);
	CHECK("a SYN goes out", got && s.flags == TH_SYN && s.len == 0 && s.csum_ok);
	CHECK("the SYN offers MSS 1460, SACK, timestamps and a window scale",
	      s.o.mss == 1460 && s.o.sack_ok && s.o.ts && s.o.wscale >= 0);
	CHECK("poll: not yet writable", !(f->ops->poll(f, NULL) & POLLOUT));
	memcpy(opt + 12, &(uint32_t){htonl(s.o.tsval)}, 4);
	feed_raw(PEER_PORT, our_port, TH_SYN | TH_ACK, 5000, s.seq + 1, 1000, NULL, 0, opt, sizeof(opt), 0);
	CHECK("SYN-ACK: ESTABLISHED", tp_of(f)->state == TCP_S_ESTABLISHED);
	got = next_seg(&s);
	CHECK("the handshake's ACK", got && s.flags == TH_ACK && s.ack == 5001 && s.len == 0);
	CHECK("the ACK carries a timestamp echoing the peer's", s.o.ts && s.o.tsecr == 7);
	CHECK("options agreed: wscale 7 both ways, MSS 1460 less 12 for timestamps",
	      tp_of(f)->snd_wscale == 7 && tp_of(f)->mss == 1448);
	CHECK("poll: writable now", f->ops->poll(f, NULL) & POLLOUT);
	r = do_connect(f, PEER_PORT);
	CHECK("connect again: 0 (it completed), then EISCONN", r == 0 && do_connect(f, PEER_PORT) == -EISCONN);
	f->ops->sock->setsockopt(f, SOL_SOCKET, SO_LINGER, &(struct linger){1, 0}, sizeof(struct linger));
	f->ops->release(f);
	CHECK("SO_LINGER 0 then close: a RST", next_seg(&s) && (s.flags & TH_RST));
}

static void test_data_out(void)
{
	uint32_t iss;
	struct file *f = established(&iss, 1);
	static char buf[3000];
	struct out s;
	int n = 0, ok = 1;
	uint32_t expect = iss + 1;

	for (int i = 0; i < 3000; i++)
		buf[i] = (char)i;
	CHECK("send 3000 bytes", do_send(f, buf, 3000, 0) == 3000);
	while (next_seg(&s)) {
		if (s.seq != expect || s.len != 988 || memcmp(s.data, buf + (s.seq - iss - 1), s.len))
			ok = 0;
		expect += s.len;
		n++;
	}
	CHECK("three full segments of 988 bytes go, in order, bytes intact", n == 3 && ok && expect == iss + 2965);
	CHECK("the retransmission timer runs", tp_of(f)->rtx_due_ns != 0);
	feed(TH_ACK, 1001, iss + 2965, 65535, NULL, 0);
	CHECK("Nagle sent the 36-byte tail when they were acknowledged",
	      next_seg(&s) && s.seq == iss + 2965 && s.len == 36 && !memcmp(s.data, buf + 2964, 36));
	feed(TH_ACK, 1001, iss + 3001, 65535, NULL, 0);
	CHECK("all acknowledged: the queue is empty and the timer stopped",
	      tp_of(f)->snd_queued == 0 && tp_of(f)->rtx_due_ns == 0);
	/* Nagle: a small write while data is unacknowledged waits. */
	do_send(f, buf, 100, 0);
	next_seg(&s);
	do_send(f, buf, 10, 0);
	CHECK("Nagle holds a small segment while one is unacknowledged", pending() == 0);
	feed(TH_ACK, 1001, iss + 3101, 65535, NULL, 0);
	CHECK("...and sends it when the ACK comes", next_seg(&s) && s.len == 10);
	feed(TH_ACK, 1001, iss + 3111, 65535, NULL, 0);
	f->ops->sock->setsockopt(f, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
	do_send(f, buf, 100, 0);
	do_send(f, buf, 10, 0);
	CHECK("TCP_NODELAY: both small segments go at once", pending() == 2);
	drain();
	feed(TH_ACK, 1001, iss + 3221, 65535, NULL, 0);
	f->ops->sock->setsockopt(f, IPPROTO_TCP, TCP_CORK, &(int){1}, sizeof(int));
	do_send(f, buf, 100, 0);
	CHECK("TCP_CORK holds a partial segment", pending() == 0);
	f->ops->sock->setsockopt(f, IPPROTO_TCP, TCP_CORK, &(int){0}, sizeof(int));
	CHECK("...and uncorking sends it", next_seg(&s) && s.len == 100);
	feed(TH_ACK, 1001, iss + 3321, 65535, NULL, 0);
	do_send(f, buf, 50, MSG_MORE);
	CHECK("MSG_MORE holds it too", pending() == 0);
	do_send(f, buf, 50, 0);
	CHECK("...until a send without it", next_seg(&s) && s.len == 100);
	f->ops->release(f);
	drain();
}

static void test_data_in(void)
{
	uint32_t iss;
	struct file *f = established(&iss, 1);
	char buf[4096];
	unsigned char opt[12];
	struct out s;
	int got;

	feed(TH_ACK | TH_PUSH, 1001, iss + 1, 65535, "hello", 5);
	got = next_seg(&s);
	CHECK("data in: ACKed at once while in quick-ACK mode", got && s.ack == 1006);
	CHECK("FIONREAD-style count: 5 queued", tp_of(f)->rcv_queued == 5);
	CHECK("MSG_PEEK sees it and leaves it", do_recv(f, buf, sizeof(buf), MSG_PEEK) == 5 && tp_of(f)->rcv_queued == 5);
	CHECK("recv takes it", do_recv(f, buf, sizeof(buf), 0) == 5 && !memcmp(buf, "hello", 5));
	CHECK("recv with nothing queued: EAGAIN", do_recv(f, buf, sizeof(buf), 0) == -EAGAIN);
	/* Out of order: the second piece first. */
	feed(TH_ACK, 1011, iss + 1, 65535, "world", 5);
	got = next_seg(&s);
	CHECK("a segment past a hole: an immediate duplicate ACK", got && s.ack == 1006);
	CHECK("...with a SACK block for what came", s.o.nsack == 1 && s.o.sack[0][0] == 1011 && s.o.sack[0][1] == 1016);
	CHECK("nothing readable yet", do_recv(f, buf, sizeof(buf), 0) == -EAGAIN);
	feed(TH_ACK, 1006, iss + 1, 65535, "there", 5);
	got = next_seg(&s);
	CHECK("the hole filled: ACK of everything, no SACK left", got && s.ack == 1016 && s.o.nsack == 0);
	CHECK("the bytes come out in order", do_recv(f, buf, sizeof(buf), 0) == 10 && !memcmp(buf, "thereworld", 10));
	/* A duplicate: D-SACK. */
	feed(TH_ACK, 1006, iss + 1, 65535, "there", 5);
	got = next_seg(&s);
	CHECK("a duplicate segment: ACK with a D-SACK block", got && s.ack == 1016 && s.o.nsack == 1 &&
								 s.o.sack[0][0] == 1006 && s.o.sack[0][1] == 1011);
	/* Delayed ACK once quick-ACK mode is over. */
	tp_of(f)->quickack = 0;
	feed(TH_ACK, 1016, iss + 1, 65535, "x", 1);
	CHECK("a small segment: the ACK is delayed", pending() == 0 && tp_of(f)->dack_due_ns);
	advance(50);
	CHECK("...and sent when the delayed-ACK timer fires", next_seg(&s) && s.ack == 1017);
	(void)opt;
	/* The FIN: EOF after the data. */
	feed(TH_ACK | TH_FIN, 1017, iss + 1, 65535, "bye", 3);
	got = next_seg(&s);
	CHECK("data with FIN: ACK covers the FIN", got && s.ack == 1021);
	CHECK("CLOSE_WAIT", tp_of(f)->state == TCP_S_CLOSE_WAIT);
	CHECK("poll: POLLIN and POLLRDHUP", (f->ops->poll(f, NULL) & (POLLIN | POLLRDHUP)) == (POLLIN | POLLRDHUP));
	do_recv(f, buf, 1, 0);
	CHECK("reads the data, then 0 for the end", do_recv(f, buf, sizeof(buf), 0) == 3 && do_recv(f, buf, 10, 0) == 0);
	CHECK("our side may still send (half-close)", do_send(f, "ok", 2, 0) == 2 && next_seg(&s) && s.len == 2);
	f->ops->sock->shutdown(f, SHUT_WR);
	got = next_seg(&s);
	CHECK("shutdown(SHUT_WR): our FIN, LAST_ACK", got && (s.flags & TH_FIN) && tp_of(f)->state == TCP_S_LAST_ACK);
	feed(TH_ACK, 1021, s.seq + 1, 65535, NULL, 0);
	CHECK("its ACK: CLOSED", tp_of(f)->state == TCP_S_CLOSE);
	CHECK("sending now: EPIPE", do_send(f, "x", 1, 0) == -EPIPE);
	f->ops->release(f);
	drain();
}

static void test_retransmit(void)
{
	uint32_t iss;
	struct file *f = established(&iss, 1);
	static char buf[5 * 988];
	unsigned char opt[12];
	struct out s;
	uint64_t rto;
	int got;

	do_send(f, buf, 988, 0);
	drain();
	rto = tp_of(f)->rto_ms;
	advance(rto - 1);
	CHECK("before the RTO nothing is resent", pending() == 0);
	advance(2);
	got = next_seg(&s);
	CHECK("at the RTO: the segment again", got && s.seq == iss + 1 && s.len == 988);
	CHECK("cwnd falls to one segment", tp_of(f)->cwnd == (uint32_t)tp_of(f)->mss);
	advance(2 * rto - 10);
	CHECK("backoff: not again after one RTO", pending() == 0);
	advance(20);
	CHECK("...but after two", next_seg(&s) && s.seq == iss + 1);
	CHECK("TCP_INFO: retransmits and total_retrans count", tp_of(f)->retries == 2 && tp_of(f)->total_retrans == 2);
	feed(TH_ACK, 1001, iss + 989, 65535, NULL, 0);
	CHECK("the ACK ends the backoff", tp_of(f)->backoff == 0 && tp_of(f)->rtx_due_ns == 0);
	/* Fast retransmit: five segments, the first lost; SACKs for the others. */
	tp_of(f)->cwnd = 10 * (uint32_t)tp_of(f)->mss;
	tp_of(f)->ssthresh = 0x7fffffff;
	f->ops->sock->setsockopt(f, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
	do_send(f, buf, sizeof(buf), 0);
	CHECK("five segments out", pending() == 5);
	drain();
	for (int i = 2; i <= 4; i++) {
		size_t n = sack_opt(opt, iss + 989 + 988, iss + 989 + 988 * (uint32_t)i);

		feed_raw(PEER_PORT, our_port, TH_ACK, 1001, iss + 989, 65535, NULL, 0, opt, n, 0);
	}
	got = 0;
	while (next_seg(&s))
		if (s.seq == iss + 989 && s.len == 988)
			got = 1;
	CHECK("three duplicate ACKs with SACK: the hole is resent before any timeout", got);
	CHECK("in recovery, ssthresh lowered", tp_of(f)->in_recovery && tp_of(f)->ssthresh < 0x7fffffff);
	feed(TH_ACK, 1001, iss + 989 + 5 * 988, 65535, NULL, 0);
	CHECK("the full ACK ends recovery", !tp_of(f)->in_recovery && tp_of(f)->snd_queued == 0);
	f->ops->release(f);
	drain();
}

static void test_zero_window(void)
{
	uint32_t iss;
	struct file *f = established(&iss, 0);
	struct out s;
	int got;

	feed(TH_ACK, 1001, iss + 1, 0, NULL, 0);
	CHECK("the peer shuts its window", tp_of(f)->snd_wnd == 0);
	CHECK("a send still queues", do_send(f, "abc", 3, 0) == 3);
	CHECK("...but nothing goes out", pending() == 0);
	advance(tp_of(f)->rto_ms + 1);
	got = next_seg(&s);
	CHECK("a window probe after the RTO (an old sequence number, no data)", got && s.seq == iss && s.len == 0);
	advance(2 * tp_of(f)->rto_ms + 1);
	CHECK("probes back off and go on", next_seg(&s) && s.seq == iss);
	feed(TH_ACK, 1001, iss + 1, 1000, NULL, 0);
	got = next_seg(&s);
	CHECK("the window opens: the data goes", got && s.seq == iss + 1 && s.len == 3);
	/* A window smaller than silly-window avoidance sends into, with nothing in flight. */
	feed(TH_ACK, 1001, iss + 4, 100, NULL, 0);
	f->ops->sock->setsockopt(f, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
	{
		static char big[500];

		do_send(f, big, sizeof(big), 0);
	}
	CHECK("a 100-byte window and 500 bytes to send: held back (silly window)", pending() == 0);
	advance(tp_of(f)->rto_ms * 4 + 1);
	got = next_seg(&s);
	CHECK("...until the persist timer sends what fits", got && s.seq == iss + 4 && s.len == 100);
	f->ops->release(f);
	drain();
}

static void test_rst(void)
{
	uint32_t iss;
	struct file *f = established(&iss, 0);
	struct out s;
	char buf[8];
	int got;

	feed(TH_RST, 1005, 0, 0, NULL, 0);
	got = next_seg(&s);
	CHECK("a RST in the window but not at rcv_nxt: a challenge ACK (RFC 5961)",
	      got && s.flags == TH_ACK && s.ack == 1001 && tp_of(f)->state == TCP_S_ESTABLISHED);
	feed(TH_RST, 1006, 0, 0, NULL, 0);
	CHECK("another within 500 ms: not answered (Linux's tcp_invalid_ratelimit)",
	      pending() == 0 && tp_of(f)->state == TCP_S_ESTABLISHED);
	feed(TH_RST, 900000, 0, 0, NULL, 0);
	CHECK("a RST outside the window: ignored", pending() == 0 && tp_of(f)->state == TCP_S_ESTABLISHED);
	tp_of(f)->oow_ack_ms = 0; /* as if the rate limit's 500 ms had passed */
	feed(TH_SYN, 1001, 0, 1000, NULL, 0);
	CHECK("a SYN on an established connection: a challenge ACK", next_seg(&s) && s.flags == TH_ACK);
	tp_of(f)->oow_ack_ms = 0;
	feed(TH_ACK, 1001, iss + 100, 1000, NULL, 0);
	CHECK("an ACK of data never sent: answered with an ACK, not taken", next_seg(&s) && tp_of(f)->snd_una == iss + 1);
	feed(TH_ACK, 1001, iss + 100, 1000, NULL, 0);
	CHECK("...and not again within 500 ms (no ACK loop between two ends that disagree)",
	      pending() == 0 && tp_of(f)->snd_una == iss + 1);
	feed(TH_RST, 1001, 0, 0, NULL, 0);
	CHECK("the exact RST: the connection is reset", tp_of(f)->state == TCP_S_CLOSE);
	CHECK("recv: ECONNRESET once", do_recv(f, buf, sizeof(buf), 0) == -ECONNRESET);
	CHECK("then EOF", do_recv(f, buf, sizeof(buf), 0) == 0);
	CHECK("send: EPIPE", do_send(f, "x", 1, 0) == -EPIPE);
	f->ops->release(f);
	drain();
}

static void test_refused(void)
{
	struct file *f = new_socket();
	struct out s;
	int e = 0;
	socklen_t len = sizeof(e);

	do_connect(f, PEER_PORT);
	our_port = tp_of(f)->inet.lport;
	next_seg(&s);
	feed(TH_RST | TH_ACK, 0, s.seq + 1, 0, NULL, 0);
	CHECK("RST to our SYN: the connect failed", tp_of(f)->state == TCP_S_CLOSE);
	f->ops->sock->getsockopt(NULL, f, SOL_SOCKET, SO_ERROR, &e, &len);
	CHECK("SO_ERROR: ECONNREFUSED", e == ECONNREFUSED);
	f->ops->release(f);
	/* SYN retries: give up after TCP_SYNCNT. */
	f = new_socket();
	f->ops->sock->setsockopt(f, IPPROTO_TCP, TCP_SYNCNT, &(int){2}, sizeof(int));
	do_connect(f, PEER_PORT);
	advance(1000 + 2000 + 4000 + 100);
	CHECK("SYN sent 3 times (TCP_SYNCNT 2), then ETIMEDOUT",
	      pending() == 3 && tp_of(f)->state == TCP_S_CLOSE && tp_of(f)->inet.so_error == ETIMEDOUT);
	drain();
	f->ops->release(f);
}

static void test_close_and_time_wait(void)
{
	uint32_t iss;
	struct file *f = established(&iss, 0);
	struct tcp_sock *tp = tp_of(f);
	struct in6_addr our = our_addr, peer = peer_addr;
	struct out s;
	int got;

	f->ops->release(f);
	got = next_seg(&s);
	CHECK("close: a FIN, FIN_WAIT1", got && (s.flags & TH_FIN) && tp->state == TCP_S_FIN_WAIT1);
	feed(TH_ACK, 1001, iss + 2, 65535, NULL, 0);
	CHECK("its ACK: FIN_WAIT2", tp->state == TCP_S_FIN_WAIT2);
	feed(TH_ACK | TH_FIN, 1001, iss + 2, 65535, NULL, 0);
	CHECK("the peer's FIN: ACKed, TIME_WAIT", next_seg(&s) && s.ack == 1002 && tp->state == TCP_S_TIME_WAIT);
	feed(TH_ACK | TH_FIN, 1001, iss + 2, 65535, NULL, 0);
	CHECK("its FIN again (our ACK lost): ACKed again", next_seg(&s) && s.ack == 1002);
	advance(59000);
	CHECK("TIME_WAIT holds the four-tuple for 60 s",
	      tcp_conn_lookup(&net_init_ns, &our, our_port, &peer, PEER_PORT) == tp);
	advance(1100);
	CHECK("...then lets go", !tcp_conn_lookup(&net_init_ns, &our, our_port, &peer, PEER_PORT));
	/* Unread data on close: a RST. */
	f = established(&iss, 0);
	feed(TH_ACK, 1001, iss + 1, 65535, "unread", 6);
	drain();
	f->ops->release(f);
	CHECK("close with unread data: a RST instead of a FIN", next_seg(&s) && (s.flags & TH_RST));
	drain();
}

static void test_listen(void)
{
	struct file *l = new_socket(), *c = NULL;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8080)};
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	struct out s;
	unsigned char opt[4] = {2, 4, 0x05, 0xb4};
	int synacks = 0, got;

	a.sin_addr.s_addr = net_addr_v4(&our_addr);
	our_port = 8080;
	CHECK("bind", l->ops->sock->bind(NULL, l, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK("listen", l->ops->sock->listen(l, 4) == 0);
	CHECK("accept with nothing: EAGAIN", l->ops->sock->accept(NULL, l, 0, &c, &peer, &plen) == -EAGAIN);
	feed_raw(PEER_PORT, 8080, TH_SYN, 7000, 0, 65535, NULL, 0, opt, 4, 0);
	got = next_seg(&s);
	CHECK("a SYN: a SYN-ACK", got && s.flags == (TH_SYN | TH_ACK) && s.ack == 7001 && s.o.mss == 1460);
	CHECK("...without the options the SYN did not offer", !s.o.ts && !s.o.sack_ok && s.o.wscale < 0);
	feed_raw(PEER_PORT, 8080, TH_ACK, 7001, s.seq + 1, 65535, "GET", 3, NULL, 0, 0);
	CHECK("the ACK: ready to accept", l->ops->poll(l, NULL) & POLLIN);
	CHECK("accept", l->ops->sock->accept(NULL, l, 0, &c, &peer, &plen) == 0 && c);
	CHECK("the data that came with the ACK is there", tp_of(c)->rcv_queued == 3);
	drain();
	/* A SYN flood from many ports: the SYN queue stays bounded. */
	for (int i = 0; i < 3000; i++)
		feed_raw((uint16_t)(10000 + i), 8080, TH_SYN, 1, 0, 65535, NULL, 0, NULL, 0, 0);
	while (next_seg(&s))
		synacks++;
	CHECK("a SYN flood: at most the bounded SYN queue is answered", synacks > 0 && synacks <= 16);
	CHECK("...and held", tp_of(l)->synq_len <= 16);
	advance(200000);
	drain();
	CHECK("unanswered SYN-ACKs give up and the queue empties", tp_of(l)->synq_len == 0);
	c->ops->release(c);
	l->ops->release(l);
	drain();
	/* A SYN to a port nobody listens on: RST|ACK. */
	our_port = 9;
	feed_raw(PEER_PORT, 9, TH_SYN, 1, 0, 65535, NULL, 0, NULL, 0, 0);
	got = next_seg(&s);
	CHECK("a SYN to a closed port: RST|ACK acknowledging it", got && s.flags == (TH_RST | TH_ACK) && s.ack == 2);
}

static void test_malformed(void)
{
	uint32_t iss;
	struct file *f = established(&iss, 0);
	unsigned char bad_opt[4] = {8, 40, 0, 0};
	uint64_t errs = net_init_ns.mib[NET_MIB_Tcp_InErrs];

	feed_raw(PEER_PORT, our_port, TH_ACK, 1001, iss + 1, 100, NULL, 0, NULL, 0, 4);
	feed_raw(PEER_PORT, our_port, TH_ACK, 1001, iss + 1, 100, NULL, 0, NULL, 0, 15);
	feed_raw(PEER_PORT, our_port, TH_ACK, 1001, iss + 1, 100, NULL, 0, bad_opt, 4, 0);
	feed_raw(PEER_PORT, our_port, TH_SYN | TH_FIN, 1001, iss + 1, 100, NULL, 0, NULL, 0, 0);
	CHECK("bad data offsets, an option longer than the header, SYN+FIN: dropped and counted",
	      net_init_ns.mib[NET_MIB_Tcp_InErrs] == errs + 4 && pending() == 0 && tp_of(f)->snd_wnd == 65535);
	{
		struct pkb *p = pkb_alloc(0, 10);
		struct net_rx_meta m = {.src = peer_addr, .dst = our_addr};

		memset(p->data, 0, 10);
		tcp_proto->rcv(&net_init_ns, p, &m);
		CHECK("a segment shorter than a header: dropped", net_init_ns.mib[NET_MIB_Tcp_InErrs] == errs + 5);
	}
	{
		/* A corrupted checksum. */
		struct pkb *p = pkb_alloc(0, 20);
		struct tcp_hdr *th = (void *)p->data;
		struct net_rx_meta m = {.src = peer_addr, .dst = our_addr};

		memset(th, 0, 20);
		th->sport = htons(PEER_PORT);
		th->dport = htons(our_port);
		th->off_res = 5 << 4;
		th->flags = TH_RST;
		th->seq = htonl(1001);
		th->csum = 0x1234;
		tcp_proto->rcv(&net_init_ns, p, &m);
		CHECK("a bad checksum: dropped (the RST in it not taken)",
		      net_init_ns.mib[NET_MIB_Tcp_InCsumErrors] == 1 && tp_of(f)->state == TCP_S_ESTABLISHED);
	}
	f->ops->release(f);
	drain();
}

/* Two of our sockets over the fake loopback: a bulk transfer, with the reader slower than the writer. */
static void test_loopback_bulk(void)
{
	struct file *l = new_socket(), *c = new_socket(), *a = NULL;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(7000)};
	static unsigned char chunk[1 << 16], rbuf[1 << 16];
	size_t total = 32u << 20, sent_b = 0, got = 0;
	uint64_t hw = 0xcbf29ce484222325ULL, hr = hw;
	int stalls = 0, rounds = 0;
	struct in6_addr saved = peer_addr;

	loopback = 1;
	peer_addr = our_addr;
	sa.sin_addr.s_addr = net_addr_v4(&our_addr);
	l->ops->sock->bind(NULL, l, (struct sockaddr *)&sa, sizeof(sa));
	l->ops->sock->listen(l, 8);
	CHECK("loopback: a nonblocking connect says EINPROGRESS, as Linux's on lo",
	      do_connect(c, 7000) == -EINPROGRESS);
	CHECK("...though the handshake is over when it returns", tp_of(c)->state == TCP_S_ESTABLISHED);
	CHECK("...and the next connect says 0", do_connect(c, 7000) == 0);
	CHECK("loopback: accept", l->ops->sock->accept(NULL, l, 0, &a, NULL, NULL) == 0);
	while (got < total && stalls < 1000) {
		size_t before = got + sent_b;

		for (int k = 0; k < 3 && sent_b < total; k++) {
			long w;

			for (size_t i = 0; i < sizeof(chunk); i++)
				chunk[i] = (unsigned char)((sent_b + i) * 2654435761u >> 13);
			w = do_send(c, chunk, total - sent_b < sizeof(chunk) ? total - sent_b : sizeof(chunk), 0);
			if (w <= 0)
				break;
			for (long i = 0; i < w; i++)
				hw = (hw ^ chunk[i]) * 0x100000001b3ULL;
			sent_b += (size_t)w;
		}
		{
			long n = do_recv(a, rbuf, rounds % 2 ? 1000 : sizeof(rbuf), 0);

			for (long i = 0; i < n; i++)
				hr = (hr ^ rbuf[i]) * 0x100000001b3ULL;
			if (n > 0)
				got += (size_t)n;
		}
		rounds++;
		if (got + sent_b == before) {
			stalls++;
			advance(50);
		}
	}
	CHECK("loopback: 32 MiB arrive, the hash equal", got == total && hr == hw);
	printf("  loopback: %llu segments, %d stalls, cwnd %u, ssthresh %u, mss %d, data segs %u, acks %u, retrans %u, "
	       "srtt %u us\n",
	       (unsigned long long)lo_segs, stalls, tp_of(c)->cwnd, tp_of(c)->ssthresh, tp_of(c)->mss,
	       tp_of(c)->data_segs_out, tp_of(a)->segs_out, tp_of(c)->total_retrans, tp_of(c)->srtt_us);
	CHECK("loopback: no stall waits for a timer", stalls == 0);
	CHECK("loopback: nothing is retransmitted (a window never shrinks)", tp_of(c)->total_retrans == 0);
	c->ops->release(c);
	a->ops->release(a);
	l->ops->release(l);
	advance(70000);
	loopback = 0;
	peer_addr = saved;
}

static void test_urgent(void)
{
	uint32_t iss;
	struct file *f = established(&iss, 1);
	char buf[64];
	struct out s;
	int mf;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct umsg m = {.iov = &iov, .iovcnt = 1};

	/* Out: the pointer is past the last byte of the MSG_OOB write. */
	CHECK("send(MSG_OOB)", do_send(f, "hello", 5, MSG_OOB) == 5);
	CHECK("its segment has URG, the pointer past its last byte",
	      next_seg(&s) && (s.flags & TH_URG) && s.urg == 5 && s.len == 5 && s.seq == iss + 1);
	do_send(f, "more", 4, 0);
	CHECK("in urgent mode Nagle holds nothing back; a segment past the mark has no URG",
	      next_seg(&s) && s.len == 4 && !(s.flags & TH_URG));
	feed(TH_ACK, 1001, iss + 10, 65535, NULL, 0);
	CHECK("acknowledged past the mark: urgent mode ends", !tp_of(f)->snd_urg);
	do_send(f, "x", 1, 0);
	do_send(f, "y", 1, 0);
	CHECK("...and Nagle holds a small write again", next_seg(&s) && s.len == 1 && pending() == 0);
	feed(TH_ACK, 1001, iss + 11, 65535, NULL, 0);
	drain();
	feed(TH_ACK, 1001, iss + 12, 65535, NULL, 0);
	drain();

	/* In: the urgent byte leaves the stream. */
	sigurgs = 0;
	CHECK("no urgent data: recv(MSG_OOB) is EINVAL", do_recv(f, buf, sizeof(buf), MSG_OOB) == -EINVAL);
	feed_urp = 4;
	feed(TH_ACK | TH_URG, 1001, iss + 12, 65535, "abcX", 4);
	feed_urp = 0;
	CHECK("URG: the owner is told once, POLLPRI", sigurgs == 1 && (f->ops->poll(f, NULL) & POLLPRI));
	CHECK("a read stops at the mark", do_recv(f, buf, sizeof(buf), 0) == 3 && !memcmp(buf, "abc", 3));
	mf = 0;
	CHECK("recv(MSG_OOB) gives the urgent byte, with MSG_OOB",
	      f->ops->sock->recvmsg(NULL, f, &m, MSG_OOB, 0, NULL, NULL, &mf) == 1 && buf[0] == 'X' && mf == MSG_OOB);
	CHECK("...once", do_recv(f, buf, sizeof(buf), MSG_OOB) == -EINVAL && !(f->ops->poll(f, NULL) & POLLPRI));
	/* A pointer ahead of the byte it points at, while the last urgent byte is still at the head. */
	feed_urp = 5;
	feed(TH_ACK | TH_URG, 1005, iss + 12, 65535, "12", 2);
	CHECK("a new mark: told again; the old urgent byte is gone from the head", sigurgs == 2 &&
											tp_of(f)->rcv_queued == 2);
	feed(TH_ACK | TH_URG, 1005, iss + 12, 65535, "12", 2);
	feed_urp = 0;
	CHECK("the same pointer again is not news", sigurgs == 2);
	CHECK("pointed at, not yet come: recv(MSG_OOB) is EAGAIN, no POLLPRI",
	      do_recv(f, buf, sizeof(buf), MSG_OOB) == -EAGAIN && !(f->ops->poll(f, NULL) & POLLPRI));
	CHECK("the data before it reads", do_recv(f, buf, sizeof(buf), 0) == 2 && !memcmp(buf, "12", 2));
	feed(TH_ACK, 1007, iss + 12, 65535, "345", 3);
	CHECK("the byte comes: POLLPRI", f->ops->poll(f, NULL) & POLLPRI);
	CHECK("reads stop before it, and pass over it after",
	      do_recv(f, buf, sizeof(buf), 0) == 2 && !memcmp(buf, "34", 2) && do_recv(f, buf, sizeof(buf), 0) == -EAGAIN);
	CHECK("passed over unread: gone for recv(MSG_OOB) too", do_recv(f, buf, sizeof(buf), MSG_OOB) == -EINVAL);
	f->ops->release(f);
	drain();
}

int main(void)
{
	net_addr_from_v4(&our_addr, htonl(0x0a000001));
	net_addr_from_v4(&peer_addr, htonl(0x0a000002));
	test_handshake();
	test_data_out();
	test_data_in();
	test_retransmit();
	test_zero_window();
	test_rst();
	test_refused();
	test_close_and_time_wait();
	test_listen();
	test_malformed();
	test_loopback_bulk();
	test_urgent();
	return unit_failed;
}
