/*
 * Fuzz target: the receive path of the network stack (net_rx on lo, then
 * IPv4/IPv6 input with their extension headers, ICMP/ICMPv6 with the
 * errors they carry, UDP, raw sockets), linked with the stack, the socket
 * layer, the VFS core and the kernel alone.
 *
 * Input: byte 0 says how to hand the rest in: bit 0 IPv6 (else IPv4), bit
 * 1 a packet with real checksums (else as loopback delivers, unchecked),
 * bit 2 read the sockets' queues afterwards, bit 3 an Ethernet frame as the
 * veth delivers it (eth_rcv: ARP, NDP, the neighbour cache; bits 0 and 1
 * are then the frame's), bit 4 with bit 3 the same after the
 * virtio_net_hdr the packet socket puts first (packet_link_rx: the
 * checksum offload it may claim), bit 5 with bit 4 the socket's "cut
 * short", bit 6 with bit 3: eth0 forwards IPv4 (TTL, ICMP errors, the
 * default route back out by eth0).  The rest is the packet as a link would deliver it.  Sockets: UDP on 127.0.0.1:7007, [::]:7008
 * (dual-stack) and [::1]:7009 connected to [::1]:7008, raw ICMP and ICMPv6.  Beyond the
 * sanitizers: after the queues are read, every byte charged to the memory
 * budget is given back (no packet kept nor leaked; the veth's neighbour
 * cache and the fragment queues may keep their bounded bytes), and the counters of
 * malformed packets only grow.
 *
 * links: netstack/core/csum.c netstack/core/net.c netstack/core/netif.c netstack/core/pkb.c netstack/core/route.c netstack/core/rx.c netstack/link/loopback.c netstack/link/packet.c netstack/ethernet/eth.c netstack/arp/arp.c netstack/arp/neigh.c netstack/ipv6/ndp.c netstack/ipv4/ip4_input.c netstack/ipv4/ip4_output.c netstack/ipv6/ip6_input.c netstack/ipv6/ip6_output.c netstack/icmp/icmp.c netstack/icmp/raw.c netstack/udp/udp.c netstack/socket/inet.c netstack/socket/ifioctl.c vfs/socket.c vfs/core.c vfs/fasync.c vfs/fdtable.c vfs/path.c vfs/open.c vfs/namei.c vfs/fstype.c vfs/fs/overlay/overlay.c vfs/fs/pipe/pipe.c vfs/lock.c vfs/xattr.c vfs/fs/inotify/inotify.c vfs/fs/tmpfs/tmpfs.c vfs/fs/dev/dev.c vfs/fs/hoststdio/hoststdio.c vfs/fs/pty/pty.c sentry/kernel/task.c sentry/kernel/wait.c sentry/kernel/process.c sentry/kernel/ns.c sentry/kernel/pidns.c sentry/kernel/userns.c sentry/kernel/signal.c sentry/kernel/timer.c sentry/kernel/futex.c sentry/kernel/creds.c sentry/kernel/ptrace.c sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c sentry/crash.c -lunwind -lxxhash -lseccomp -lpthread netstack/core/frag.c vfs/fpages.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include "netstack/core/ip.h"
#include "netstack/ethernet/ethernet.h"
#include "netstack/netstack.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "vfs/socket.h"
#include "vfs/vfs.h"

static struct task *t;
static struct file *socks[5];
static uint64_t baseline;
static struct netif *veth;
static int eth_seen;     /* a frame went through the veth: its neighbour queues may hold packets */
/* The most the veth's neighbour cache keeps queued: 256 entries, 8 packets each, of at most an MTU. */
#define NEIGH_QUEUES_MAX (256ULL * 8 * 2048)

static void die_msg(const char *what)
{
	fprintf(stderr, "fuzz netrx: %s\n", what);
	abort();
}

static struct file *make(int family, int type, int protocol)
{
	const struct sock_family *f = sock_find_family(family);
	struct file *out = NULL;

	if (!f || f->create(type, protocol, 0, &out) < 0)
		die_msg("socket");
	return out;
}

static void bind_to(struct file *f, int family, const char *addr, int port)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;

	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, addr, &in->sin_addr);
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, addr, &in6->sin6_addr);
		len = sizeof(*in6);
	}
	if (f->ops->sock->bind(t, f, (struct sockaddr *)&ss, len) < 0) {
		fprintf(stderr, "bind %s: %ld\n", addr, f->ops->sock->bind(t, f, (struct sockaddr *)&ss, len));
		die_msg("bind");
	}
}

/* Reads every socket's queue empty (non-blocking). */
static void drain(void)
{
	char buf[2048], ctl[512];
	int i;

	for (i = 0; i < 5; i++) {
		struct iovec v = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct umsg m = {.iov = &v, .iovcnt = 1};
		struct sockaddr_storage from;
		socklen_t fromlen;
		int flags, n = 0;
		long r;

		/* Until EAGAIN: a pending error (ECONNREFUSED...) comes first, then the data. */
		do {
			m.ctl = ctl;
			m.ctlcap = sizeof(ctl);
			m.ctllen = 0;
			r = socks[i]->ops->sock->recvmsg(t, socks[i], &m, MSG_DONTWAIT, 0, &from, &fromlen, &flags);
		} while (r != -EAGAIN && ++n < 100000);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
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
	pthread_mutex_lock(&sentry_lock);
	{
		/*
		 * A veth whose packet socket is one end of a non-blocking pair
		 * nobody writes to: its receive thread ends at once (EAGAIN),
		 * frames come in through eth_rcv here, and what goes out is
		 * dropped once the pair is full.
		 */
		struct net_config c = {.sandbox = 1, .ifname = "eth0", .hwaddr = {2, 0, 0, 0, 0, 2}, .mtu = 1500,
				       .naddrs = 2, .nroutes = 1};
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) < 0)
			die_msg("socketpair");
		c.packet_fd = sv[0];
		inet_pton(AF_INET6, "::ffff:198.18.0.2", &c.addrs[0].addr);
		c.addrs[0].prefixlen = 24;
		inet_pton(AF_INET6, "fd00::2", &c.addrs[1].addr);
		c.addrs[1].prefixlen = 64;
		inet_pton(AF_INET6, "::ffff:0.0.0.0", &c.routes[0].dst);
		inet_pton(AF_INET6, "::ffff:198.18.0.1", &c.routes[0].gateway);
		if (net_init(&c) < 0)
			die_msg("net_init");
		veth = netif_by_name(&net_init_ns, "eth0");
	}
	socks[0] = make(AF_INET, SOCK_DGRAM, 0);
	bind_to(socks[0], AF_INET, "127.0.0.1", 7007);
	socks[1] = make(AF_INET6, SOCK_DGRAM, 0);
	bind_to(socks[1], AF_INET6, "::", 7008);
	socks[2] = make(AF_INET6, SOCK_DGRAM, 0);
	bind_to(socks[2], AF_INET6, "::1", 7009);
	{
		struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(7008), .sin6_addr = IN6ADDR_LOOPBACK_INIT};

		if (socks[2]->ops->sock->connect(t, socks[2], (struct sockaddr *)&to, sizeof(to)) < 0)
			die_msg("connect");
	}
	socks[3] = make(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	socks[4] = make(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	baseline = mf.charged;
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct netns *ns = &net_init_ns;
	uint64_t hdr_before = ns->mib[NET_MIB_Ip_InHdrErrors] + ns->mib[NET_MIB_Ip6_InHdrErrors];
	struct pkb *p;

	if (size < 1 || size > 70000)
		return 0;
	if (data[0] & 8) {
		eth_seen = 1;
		veth->forwarding = !!(data[0] & 64);
		if (data[0] & 16) {
			/* The receive thread's buffer is writable: so is this copy. */
			unsigned char *frame = malloc(size - 1 ? size - 1 : 1);

			if (!frame)
				die_msg("malloc");
			memcpy(frame, data + 1, size - 1);
			packet_link_rx(veth, frame, size - 1, !!(data[0] & 32));
			free(frame);
		} else {
			eth_rcv(veth, data + 1, size - 1, 0);
		}
		goto check;
	}
	p = pkb_alloc(0, size - 1);
	if (!p)
		die_msg("pkb_alloc");
	memcpy(p->data, data + 1, size - 1);
	p->proto = (data[0] & 1) ? ETH_P_IPV6 : ETH_P_IP;
	if (!(data[0] & 2))
		p->flags |= PKB_CSUM_NONE;
	net_rx(ns->lo, p);
check:
	if (ns->backlog || ns->draining)
		die_msg("the backlog was left with packets");
	if (ns->mib[NET_MIB_Ip_InHdrErrors] + ns->mib[NET_MIB_Ip6_InHdrErrors] < hdr_before)
		die_msg("a counter went down");
	/*
	 * Always read the queues empty: every input then frees what it
	 * allocated (libFuzzer's leak check stays cheap) and the budget is
	 * checked after each one.
	 */
	{
		drain();
		/* Fragments may wait for the rest of their datagram: within ipfrag_high_thresh, every byte counted. */
		if (ns->frag_mem > NET_FRAG_HIGH_THRESH)
			die_msg("fragment queues past their bound");
		if (mf.charged < baseline ||
		    mf.charged - baseline > ns->frag_mem + (eth_seen ? NEIGH_QUEUES_MAX : 0)) {
			fprintf(stderr, "charged %llu, at start %llu\n", (unsigned long long)mf.charged,
				(unsigned long long)baseline);
			die_msg("memory still charged after every queue was read");
		}
	}
	return 0;
}
