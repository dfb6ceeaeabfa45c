/*
 * Fuzz target: AF_NETLINK (netstack/netlink/), linked with netstack, the
 * VFS and the layers below it (as tests/fuzz/path is): any bytes sent on a
 * NETLINK_ROUTE or NETLINK_SOCK_DIAG socket as a request, then every answer
 * received back with receive sizes, peeks and MSG_TRUNC the input picks.
 *
 * Input: byte 0 the protocol (bit 0: SOCK_DIAG), the socket options
 * (bit 1 NETLINK_GET_STRICT_CHK, bit 2 NETLINK_EXT_ACK, bit 3
 * NETLINK_CAP_ACK) and the credentials (bit 4: a user without
 * CAP_NET_ADMIN); byte 1 the receive size (times 16, 0: a peek of 0 bytes
 * first, as iproute2 sizes an answer); then the request, sent as one
 * datagram.  Beyond the sanitizers: every datagram that comes back is whole
 * messages whose lengths add up to it, each at least a header long; a
 * receive never says more than the datagram holds; and the socket's close
 * (and the namespace's teardown: veth pairs) gives back all the memory its
 * queue was charged.  Two bound UDP sockets
 * (IPv4 and IPv6) give inet_diag something to list.  The namespace is set
 * up afresh for each input (lo up, 127.0.0.1/8 and ::1), so what one
 * request changes (addresses, routes, lo's name) never carries over.
 *
 * links: netstack/netlink/af_netlink.c netstack/netlink/rtnetlink.c netstack/link/veth.c vfs/fs/proc/nsfs.c netstack/netlink/sock_diag.c netstack/core/csum.c netstack/core/net.c netstack/core/netif.c netstack/core/pkb.c netstack/core/route.c netstack/core/rx.c netstack/link/loopback.c netstack/link/packet.c netstack/ethernet/eth.c netstack/arp/arp.c netstack/arp/neigh.c netstack/ipv6/ndp.c netstack/ipv4/ip4_input.c netstack/ipv4/ip4_output.c netstack/ipv6/ip6_input.c netstack/ipv6/ip6_output.c netstack/icmp/icmp.c netstack/icmp/raw.c netstack/udp/udp.c netstack/socket/inet.c netstack/socket/ifioctl.c vfs/socket.c vfs/fs/unix/unix.c vfs/core.c vfs/fasync.c vfs/fdtable.c vfs/path.c vfs/open.c vfs/namei.c vfs/fstype.c vfs/fs/overlay/overlay.c vfs/fs/pipe/pipe.c vfs/lock.c vfs/xattr.c vfs/fs/inotify/inotify.c vfs/fs/tmpfs/tmpfs.c vfs/fs/dev/dev.c vfs/fs/hoststdio/hoststdio.c vfs/fs/pty/pty.c sentry/kernel/task.c sentry/kernel/wait.c sentry/kernel/process.c sentry/kernel/ns.c sentry/kernel/pidns.c sentry/kernel/userns.c sentry/kernel/signal.c sentry/kernel/timer.c sentry/kernel/futex.c sentry/kernel/creds.c sentry/kernel/ptrace.c sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c sentry/crash.c -lunwind -lxxhash -lseccomp -lpthread netstack/core/frag.c vfs/fpages.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netstack/netstack.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "vfs/fs/unix/unix.h"
#include "vfs/socket.h"
#include "vfs/vfs.h"

static struct task *t;
static uint64_t saved_caps; /* root's, as the first task has them */
static struct file *unix_pair[2], *unix_listener; /* for unix_diag to find, for the whole run */

static void die_msg(const char *what)
{
	fprintf(stderr, "fuzz netlink: %s\n", what);
	abort();
}

/* Takes the namespace down (interfaces, addresses, routes) and brings it up as a sandbox starts. */
static void fresh_ns(void)
{
	/* The transports' port tables are empty: every socket of the last input is closed. */
	net_ns_teardown(&net_init_ns);
	if (net_ns_setup(&net_init_ns) < 0 || net_lo_up(&net_init_ns) < 0)
		die_msg("namespace setup");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_un name = {.sun_family = AF_UNIX, .sun_path = "\0fuzz"};

	(void)argc;
	(void)argv;
	if (mf_init(64 << 20) < 0)
		die_msg("mf_init");
	mm_file_ops = &vfs_mm_file_ops;
	task_files = &vfs_task_files;
	t = task_create_init();
	if (!t)
		die_msg("task");
	task_current = t;
	saved_caps = t->cred.cap_eff;
	pthread_mutex_lock(&sentry_lock);
	memset(&net_init_ns, 0, sizeof(net_init_ns));
	fresh_ns();
	/* Some AF_UNIX sockets for unix_diag to find: a pair and a listener. */
	if (unix_socketpair(SOCK_STREAM, 0, unix_pair) < 0 || unix_socket(SOCK_STREAM, 0, &unix_listener) < 0 ||
	    unix_bind(t, unix_listener, (struct sockaddr *)&name,
		      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 5)) < 0 ||
	    unix_listen(unix_listener, 5) < 0)
		die_msg("unix sockets");
	return 0;
}

/* A datagram must be whole messages. */
static void check_dgram(const unsigned char *b, size_t n)
{
	size_t off = 0;

	while (off < n) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)(b + off);

		if (n - off < NLMSG_HDRLEN || h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > n - off)
			die_msg("an answer's message lengths do not add up to its datagram");
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char buf[65536];
	const struct sock_family *fam = sock_find_family(AF_NETLINK);
	struct sockaddr_storage from;
	socklen_t fromlen;
	struct iovec iov;
	struct umsg m;
	struct file *f, *udp[2];
	uint64_t charged;
	int one = 1, mflags, rounds;
	size_t want;
	long r;

	if (size < 2 || !fam)
		return 0;
	fresh_ns();
	if (data[0] & 16) {
		t->cred.uid = t->cred.euid = 1000;
		t->cred.cap_eff = 0;
	} else {
		t->cred.uid = t->cred.euid = 0;
		t->cred.cap_eff = saved_caps;
	}
	charged = mf.charged;
	/* Bound UDP sockets for inet_diag to list, IPv4 and IPv6. */
	{
		const struct sock_family *in = sock_find_family(AF_INET), *in6 = sock_find_family(AF_INET6);
		struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(5353), .sin_addr.s_addr = htonl(0x7f000001)};
		struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(5354), .sin6_addr = IN6ADDR_LOOPBACK_INIT};

		if (!in || !in6 || in->create(SOCK_DGRAM, 0, O_NONBLOCK, &udp[0]) < 0 ||
		    in6->create(SOCK_DGRAM, 0, O_NONBLOCK, &udp[1]) < 0 ||
		    udp[0]->ops->sock->bind(t, udp[0], (struct sockaddr *)&a4, sizeof(a4)) < 0 ||
		    udp[1]->ops->sock->bind(t, udp[1], (struct sockaddr *)&a6, sizeof(a6)) < 0)
			die_msg("udp sockets");
	}
	if (fam->create(SOCK_RAW, (data[0] & 1) ? NETLINK_SOCK_DIAG : NETLINK_ROUTE, O_NONBLOCK, &f) < 0)
		die_msg("socket");
	if (data[0] & 2)
		f->ops->sock->setsockopt(f, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (data[0] & 4)
		f->ops->sock->setsockopt(f, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (data[0] & 8)
		f->ops->sock->setsockopt(f, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	want = (size_t)data[1] * 16;
	memset(&m, 0, sizeof(m));
	iov.iov_base = (void *)(data + 2);
	iov.iov_len = size - 2;
	m.iov = &iov;
	m.iovcnt = 1;
	r = f->ops->sock->sendmsg(t, f, &m, MSG_DONTWAIT);
	if (r < 0 && r != -ENODATA && r != -EMSGSIZE)
		die_msg("send failed");
	for (rounds = 0; rounds < 10000; rounds++) {
		size_t len = want ? want : 0;

		if (!want) {
			/* Peek with nothing, as iproute2 does, then take it whole. */
			iov.iov_base = buf;
			iov.iov_len = 0;
			m.iov = &iov;
			r = f->ops->sock->recvmsg(t, f, &m, MSG_PEEK | MSG_TRUNC, 0, &from, &fromlen, &mflags);
			if (r == -EAGAIN)
				break;
			if (r < 0 && r != -ENOBUFS)
				die_msg("peek failed");
			if (r < 0)
				continue;
			len = (size_t)r;
			if (len > sizeof(buf))
				die_msg("a datagram larger than 64 KiB");
		}
		iov.iov_base = buf;
		iov.iov_len = len;
		r = f->ops->sock->recvmsg(t, f, &m, MSG_TRUNC, 0, &from, &fromlen, &mflags);
		if (r == -EAGAIN)
			break;
		if (r == -ENOBUFS)
			continue;
		if (r < 0)
			die_msg("receive failed");
		if ((size_t)r <= len) {
			if (mflags & MSG_TRUNC)
				die_msg("MSG_TRUNC on a datagram that fit");
			check_dgram(buf, (size_t)r);
		} else if (!(mflags & MSG_TRUNC)) {
			die_msg("a longer datagram without MSG_TRUNC");
		}
	}
	file_put(f);
	file_put(udp[0]);
	file_put(udp[1]);
	fresh_ns(); /* gives back what interfaces the request made (a veth pair) were charged */
	if (mf.charged != charged)
		die_msg("the socket's queue was not given back to the memory budget");
	return 0;
}
