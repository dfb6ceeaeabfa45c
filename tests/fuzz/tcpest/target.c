/*
 * Fuzz target: TCP in its established states.  For each input a fresh
 * connection is made over loopback (a listener on 127.0.0.1:7100, a
 * non-blocking client, the accepted end), then the input is a script of
 * steps on it: segments forged onto the connection's four-tuple in either
 * direction, with sequence and acknowledgement numbers near what the
 * receiver expects (so that they are taken, not dropped as out of
 * window), any flags, window, options and payload; and the application's
 * own moves between them (writes, reads, MSG_PEEK, shutdowns, options).
 * Both ends are then reset (SO_LINGER 0) and the listener's queue emptied.
 *
 * Step bytes: op = b & 7:
 *   0, 1  a segment to the server (0) or the client (1):
 *         flags, seq delta (int16), ack delta (int16), window (u16),
 *         option length (u8, words), payload length (u8), then the options
 *   2     write n (next byte) bytes on the client (b & 8) or the server
 *   3     read up to n bytes there (b & 16: MSG_PEEK)
 *   4     shutdown(how = next byte % 3) there
 *   5     a socket option there (TCP_NODELAY, TCP_CORK, SO_RCVBUF, SO_OOBINLINE,
 *         TCP_QUICKACK) to the next byte's value
 *   6     send a byte with MSG_OOB there
 *   7     recv with MSG_OOB there
 * Beyond the sanitizers: nothing may be left on the loopback's backlog.
 *
 * links: netstack/core/csum.c netstack/core/net.c netstack/core/netif.c netstack/core/pkb.c netstack/core/route.c netstack/core/rx.c netstack/link/loopback.c netstack/link/packet.c netstack/ethernet/eth.c netstack/arp/arp.c netstack/arp/neigh.c netstack/ipv6/ndp.c netstack/ipv4/ip4_input.c netstack/ipv4/ip4_output.c netstack/ipv6/ip6_input.c netstack/ipv6/ip6_output.c netstack/icmp/icmp.c netstack/icmp/raw.c netstack/udp/udp.c netstack/tcp/tcp.c netstack/tcp/tcp_cong.c netstack/tcp/tcp_in.c netstack/tcp/tcp_out.c netstack/tcp/tcp_timer.c netstack/socket/inet.c netstack/socket/ifioctl.c vfs/socket.c vfs/core.c vfs/fasync.c vfs/fdtable.c vfs/path.c vfs/open.c vfs/namei.c vfs/fstype.c vfs/fs/overlay/overlay.c vfs/fs/pipe/pipe.c vfs/lock.c vfs/xattr.c vfs/fs/inotify/inotify.c vfs/fs/tmpfs/tmpfs.c vfs/fs/dev/dev.c vfs/fs/hoststdio/hoststdio.c vfs/fs/pty/pty.c sentry/kernel/task.c sentry/kernel/wait.c sentry/kernel/process.c sentry/kernel/ns.c sentry/kernel/pidns.c sentry/kernel/userns.c sentry/kernel/signal.c sentry/kernel/timer.c sentry/kernel/futex.c sentry/kernel/creds.c sentry/kernel/ptrace.c sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c sentry/crash.c -lunwind -lxxhash -lseccomp -lpthread netstack/core/frag.c vfs/fpages.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netstack/core/ip.h"
#include "netstack/netstack.h"
#include "netstack/tcp/tcp.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "vfs/socket.h"
#include "vfs/vfs.h"

#define PORT 7100

static struct task *t;
static struct file *listener;

static void die_msg(const char *what)
{
	fprintf(stderr, "fuzz tcpest: %s\n", what);
	abort();
}

static struct file *tcp_socket(void)
{
	const struct sock_family *f = sock_find_family(AF_INET);
	struct file *out = NULL;

	if (!f || f->create(SOCK_STREAM, 0, O_NONBLOCK, &out) < 0)
		return NULL;
	return out;
}

static struct sockaddr_in lo_addr(int port)
{
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};

	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return in;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct net_config c = {0};
	struct sockaddr_in a = lo_addr(PORT);
	int one = 1;

	(void)argc;
	(void)argv;
	if (mf_init(64 << 20) < 0)
		die_msg("mf_init");
	mm_file_ops = &vfs_mm_file_ops;
	task_files = &vfs_task_files;
	t = task_create_init();
	task_current = t;
	if (!t)
		die_msg("a task");
	/* Held for good: the timer thread, if any, never runs a TCP timer under the fuzzer. */
	pthread_mutex_lock(&sentry_lock);
	if (net_init(&c) < 0)
		die_msg("net_init");
	listener = tcp_socket();
	if (!listener)
		die_msg("socket");
	listener->ops->sock->setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (listener->ops->sock->bind(t, listener, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listener->ops->sock->listen(listener, 64) < 0)
		die_msg("listen");
	return 0;
}

/* The loopback's receive path with one forged IPv4 segment onto tp's four-tuple, to tp. */
static void inject(struct tcp_sock *to, const unsigned char **d, size_t *n)
{
	unsigned char pkt[20 + 20 + 40 + 255];
	struct tcp_hdr *th = (struct tcp_hdr *)(pkt + 20);
	size_t optlen, datalen, len;
	int16_t dseq, dack;
	struct pkb *p;

	if (*n < 9)
		return;
	memcpy(&dseq, *d + 1, 2);
	memcpy(&dack, *d + 3, 2);
	optlen = ((*d)[7] % 11) * 4;
	datalen = (*d)[8];
	memset(pkt, 0, sizeof(pkt));
	th->flags = (*d)[0];
	th->window = (uint16_t)((*d)[5] | (*d)[6] << 8);
	*d += 9;
	*n -= 9;
	if (optlen > *n)
		optlen = *n;
	optlen &= ~(size_t)3;
	memcpy(pkt + 40, *d, optlen);
	*d += optlen;
	*n -= optlen;
	/* The payload: bytes of the input while they last, then a pattern. */
	for (size_t i = 0; i < datalen; i++)
		pkt[40 + optlen + i] = i < *n ? (*d)[i] : (unsigned char)i;
	if (datalen > *n) {
		*d += *n;
		*n = 0;
	} else {
		*d += datalen;
		*n -= datalen;
	}
	th->sport = htons(to->inet.rport);
	th->dport = htons(to->inet.lport);
	th->seq = htonl(to->rcv_nxt + (uint32_t)(int32_t)dseq);
	th->ack = htonl(to->snd_una + (uint32_t)(int32_t)dack);
	th->off_res = (uint8_t)(((20 + optlen) / 4) << 4);
	if (th->flags & TH_URG)
		th->urg = htons((uint16_t)(datalen ? datalen : 1));
	len = 20 + 20 + optlen + datalen;
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	pkt[8] = 64;
	pkt[9] = IPPROTO_TCP;
	memcpy(pkt + 12, &to->inet.raddr.s6_addr[12], 4);
	memcpy(pkt + 16, &to->inet.laddr.s6_addr[12], 4);
	p = pkb_alloc(0, len);
	if (!p)
		die_msg("pkb_alloc");
	memcpy(p->data, pkt, len);
	p->proto = ETH_P_IP;
	p->flags |= PKB_CSUM_NONE;
	net_rx(net_init_ns.lo, p);
}

static void app(struct file *f, int op, unsigned char arg, int peek)
{
	static char buf[4096];
	struct iovec v = {.iov_base = buf, .iov_len = arg ? arg * 16u : 1};
	struct umsg m = {.iov = &v, .iovcnt = 1};
	struct sockaddr_storage from;
	socklen_t fromlen;
	int mflags, val = arg;

	switch (op) {
	case 2:
		memset(buf, 'w', v.iov_len);
		f->ops->sock->sendmsg(t, f, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
		break;
	case 3:
		f->ops->sock->recvmsg(t, f, &m, MSG_DONTWAIT | (peek ? MSG_PEEK : 0), 0, &from, &fromlen, &mflags);
		break;
	case 4:
		f->ops->sock->shutdown(f, arg % 3);
		break;
	case 5: {
		static const int opts[][2] = {{IPPROTO_TCP, TCP_NODELAY}, {IPPROTO_TCP, TCP_CORK},
					      {SOL_SOCKET, SO_RCVBUF},    {SOL_SOCKET, SO_OOBINLINE},
					      {IPPROTO_TCP, TCP_QUICKACK}};
		const int *o = opts[arg % 5];

		val = o[1] == SO_RCVBUF ? arg * 256 : arg & 1;
		f->ops->sock->setsockopt(f, o[0], o[1], &val, sizeof(val));
		break;
	}
	case 6:
		v.iov_len = 1;
		f->ops->sock->sendmsg(t, f, &m, MSG_DONTWAIT | MSG_NOSIGNAL | MSG_OOB);
		break;
	case 7:
		f->ops->sock->recvmsg(t, f, &m, MSG_DONTWAIT | MSG_OOB, 0, &from, &fromlen, &mflags);
		break;
	}
}

/* Closed with SO_LINGER 0: a reset, no TIME_WAIT left behind. */
static void abort_close(struct file *f)
{
	struct linger l = {1, 0};

	f->ops->sock->setsockopt(f, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	file_put(f);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct sockaddr_in a = lo_addr(PORT);
	struct file *cli, *srv = NULL, *x;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	int steps = 0;
	long r;

	if (size > 4096)
		return 0;
	cli = tcp_socket();
	if (!cli)
		die_msg("socket");
	{
		/*
		 * A port of its own for each input, in turn: an earlier
		 * input's server end may still be in TIME_WAIT on the last
		 * one (a forged FIN after a shutdown), and a SYN from that
		 * port would meet it.
		 */
		static int next;
		struct sockaddr_in me = lo_addr(20000 + next);

		next = (next + 1) % 40000;
		cli->ops->sock->bind(t, cli, (struct sockaddr *)&me, sizeof(me));
	}
	r = cli->ops->sock->connect(t, cli, (struct sockaddr *)&a, sizeof(a));
	if (listener->ops->sock->accept(t, listener, O_NONBLOCK, &srv, &peer, &peerlen) < 0) {
		/* The handshake is synchronous on loopback; only a port still taken (a long run wrapped) stops it. */
		if (r != -EINPROGRESS && r != -EADDRINUSE && r != -EADDRNOTAVAIL) {
			fprintf(stderr, "connect: %ld, client state %d\n", r, ((struct tcp_sock *)cli->priv)->state);
			die_msg("no connection to accept");
		}
		abort_close(cli);
		return 0;
	}
	while (size && steps++ < 64) {
		unsigned char b = *data++;
		int op = b & 7;
		struct file *f = (b & 8) ? cli : srv;

		size--;
		if (op <= 1) {
			struct tcp_sock *to = op == 0 ? srv->priv : cli->priv;

			inject(to, &data, &size);
		} else {
			unsigned char arg = size ? *data : 0;

			if (size) {
				data++;
				size--;
			}
			app(f, op, arg, b & 16);
		}
		if (net_init_ns.backlog || net_init_ns.draining)
			die_msg("the backlog was left with packets");
	}
	abort_close(cli);
	abort_close(srv);
	/* Connections the forged segments may have made on the listener. */
	while (listener->ops->sock->accept(t, listener, O_NONBLOCK, &x, &peer, &peerlen) >= 0)
		abort_close(x);
	return 0;
}
