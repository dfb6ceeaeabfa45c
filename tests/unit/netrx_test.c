/*
 * The network stack's receive path on crafted packets: what must be
 * delivered is (UDP over IPv4 and IPv6, through IPv6 extension headers as
 * RFC 8200 has a host skip them, an atomic fragment), and each kind of
 * malformed packet is dropped and counted where Linux counts it (short
 * headers, bad lengths, bad checksums, options past the header, hop-by-hop
 * not first, an option whose type says discard, a routing header with
 * segments left, v4-mapped addresses on the wire, martians); fragments
 * reassembled in and out of order, and dropped for overlaps, a length past
 * 65535, time and memory.  The veth's link (a socket pair stands for its
 * packet socket): frames sent in a batch are held to its end and then come
 * out whole, in order, none lost (past the 32 one call sends, too), and
 * frames received after their virtio_net_hdr: a checksum left to the
 * device is taken as good, a header pointing outside its frame or a frame
 * cut short is dropped and counted.  Linked with
 * the stack, the socket layer and the layers below alone.
 *
 * links: netstack/core/csum.c netstack/core/net.c netstack/core/netif.c netstack/core/pkb.c netstack/core/route.c netstack/core/rx.c netstack/link/loopback.c netstack/link/packet.c netstack/ethernet/eth.c netstack/arp/arp.c netstack/arp/neigh.c netstack/ipv6/ndp.c netstack/ipv4/ip4_input.c netstack/ipv4/ip4_output.c netstack/ipv6/ip6_input.c netstack/ipv6/ip6_output.c netstack/icmp/icmp.c netstack/icmp/raw.c netstack/udp/udp.c netstack/socket/inet.c netstack/socket/ifioctl.c vfs/socket.c vfs/core.c vfs/fasync.c vfs/fdtable.c vfs/path.c vfs/open.c vfs/namei.c vfs/fstype.c vfs/fs/overlay/overlay.c vfs/fs/pipe/pipe.c vfs/lock.c vfs/xattr.c vfs/fs/inotify/inotify.c vfs/fs/tmpfs/tmpfs.c vfs/fs/dev/dev.c vfs/fs/hoststdio/hoststdio.c vfs/fs/pty/pty.c sentry/kernel/task.c sentry/kernel/wait.c sentry/kernel/process.c sentry/kernel/ns.c sentry/kernel/pidns.c sentry/kernel/userns.c sentry/kernel/signal.c sentry/kernel/timer.c sentry/kernel/futex.c sentry/kernel/creds.c sentry/kernel/ptrace.c sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c sentry/crash.c netstack/core/frag.c vfs/fpages.c
 * libs: -lunwind -lxxhash
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/virtio_net.h>
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

#define UNIT_NAME "netrx"
#include "unit.h"

static struct task *t;
static struct file *s4, *s6, *sv4;
static unsigned char pkt[2048];
static size_t plen;

static uint16_t csum(const void *p, size_t len, uint32_t sum)
{
	return net_csum_fold(net_csum_add(sum, p, len));
}

static struct file *udp_socket(int family, const char *addr, int port)
{
	const struct sock_family *f = sock_find_family(family);
	struct sockaddr_storage ss = {0};
	struct file *out = NULL;
	socklen_t len;

	if (!f || f->create(SOCK_DGRAM, 0, 0, &out) < 0)
		return NULL;
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
	return out->ops->sock->bind(t, out, (struct sockaddr *)&ss, len) < 0 ? NULL : out;
}

/* Bytes of the next datagram on f (-EAGAIN: none). */
static long got(struct file *f)
{
	char buf[256];
	struct iovec v = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct umsg m = {.iov = &v, .iovcnt = 1};
	int flags;

	return f->ops->sock->recvmsg(t, f, &m, MSG_DONTWAIT, 0, NULL, NULL, &flags);
}

/* Hands pkt[0..plen) to lo: with checksums checked (real) or as loopback delivers them. */
static void rx(int v6, int real)
{
	struct pkb *p = pkb_alloc(0, plen);

	memcpy(p->data, pkt, plen);
	p->proto = v6 ? ETH_P_IPV6 : ETH_P_IP;
	if (!real)
		p->flags |= PKB_CSUM_NONE;
	net_rx(net_init_ns.lo, p);
}

/* ---- IPv4 ---- */

static void v4(size_t optlen, const void *opts, const char *payload)
{
	size_t n = strlen(payload), ihl = 20 + optlen;
	unsigned char *u = pkt + ihl;

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = (unsigned char)(0x40 | ihl / 4);
	pkt[2] = (unsigned char)((ihl + 8 + n) >> 8);
	pkt[3] = (unsigned char)(ihl + 8 + n);
	pkt[6] = 0x40; /* DF */
	pkt[8] = 64;
	pkt[9] = IPPROTO_UDP;
	inet_pton(AF_INET, "127.0.0.1", pkt + 12);
	inet_pton(AF_INET, "127.0.0.1", pkt + 16);
	memcpy(pkt + 20, opts, optlen);
	u[0] = 0x30, u[1] = 0x39; /* sport 12345 */
	u[2] = 7020 >> 8, u[3] = 7020 & 0xff;
	u[5] = (unsigned char)(8 + n);
	memcpy(u + 8, payload, n);
	{
		struct in6_addr a;
		uint16_t c;

		net_addr_from_v4(&a, htonl(INADDR_LOOPBACK));
		c = csum(u, 8 + n, net_csum_pseudo(&a, &a, IPPROTO_UDP, 8 + n));
		memcpy(u + 6, &c, 2);
		c = csum(pkt, ihl, 0);
		memcpy(pkt + 10, &c, 2);
	}
	plen = ihl + 8 + n;
}

#define MIB(g, n) (net_init_ns.mib[NET_MIB_##g##_##n])

static void ipv4_cases(void)
{
	uint64_t before;
	static const unsigned char nops[4] = {1, 1, 1, 0}, bad_opt[4] = {7, 9, 0, 0};

	v4(0, NULL, "ok");
	rx(0, 1);
	CHECK("v4: a good datagram is delivered", got(s4) == 2);
	v4(4, nops, "opt");
	rx(0, 1);
	CHECK("v4: options are skipped", got(s4) == 3);

	before = MIB(Ip, InHdrErrors);
	v4(0, NULL, "x");
	pkt[10] ^= 0x55;
	rx(0, 1);
	CHECK("v4: a bad header checksum is dropped", got(s4) == -EAGAIN && MIB(Ip, InHdrErrors) == before + 1);
	rx(0, 0);
	CHECK("v4: ... but not checked over loopback", got(s4) == 1);

	v4(0, NULL, "x");
	plen = 19;
	before = MIB(Ip, InHdrErrors);
	rx(0, 0);
	CHECK("v4: 19 bytes are no header", MIB(Ip, InHdrErrors) == before + 1);

	v4(0, NULL, "x");
	pkt[0] = 0x44; /* ihl 4 */
	rx(0, 0);
	CHECK("v4: ihl below 5", MIB(Ip, InHdrErrors) == before + 2);

	v4(0, NULL, "x");
	pkt[0] = 0x4f; /* 60 bytes of header in a 29-byte packet */
	rx(0, 0);
	CHECK("v4: ihl past the packet", MIB(Ip, InHdrErrors) == before + 3);

	v4(0, NULL, "x");
	pkt[3] += 10; /* total length past what came */
	rx(0, 0);
	CHECK("v4: total length past the packet", MIB(Ip, InHdrErrors) == before + 4 && got(s4) == -EAGAIN);

	v4(0, NULL, "x");
	pkt[0] = 0x65;
	rx(0, 0);
	CHECK("v4: version 6 in an IPv4 frame", MIB(Ip, InHdrErrors) == before + 5);

	v4(4, bad_opt, "x");
	rx(0, 0);
	CHECK("v4: an option longer than the header", MIB(Ip, InHdrErrors) == before + 6 && got(s4) == -EAGAIN);

	/* Trailing bytes past the total length are cut, not read as payload. */
	v4(0, NULL, "abc");
	plen += 7;
	rx(0, 0);
	CHECK("v4: bytes past the total length are cut", got(s4) == 3);

	before = MIB(Ip, InAddrErrors);
	v4(0, NULL, "x");
	inet_pton(AF_INET, "10.1.2.3", pkt + 16);
	rx(0, 0);
	CHECK("v4: not for us (no forwarding)", MIB(Ip, InAddrErrors) == before + 1);
	v4(0, NULL, "x");
	inet_pton(AF_INET, "224.0.0.1", pkt + 12);
	rx(0, 0);
	CHECK("v4: a multicast source is a martian", MIB(Ip, InAddrErrors) == before + 2);

	before = MIB(Ip, ReasmReqds);
	v4(0, NULL, "frag");
	pkt[6] = 0x20; /* more fragments */
	rx(0, 0);
	CHECK("v4: a lone first fragment waits for the rest", MIB(Ip, ReasmReqds) == before + 1 &&
	      net_init_ns.frag_queues == 1 && got(s4) == -EAGAIN);
	net_frag_flush(&net_init_ns);

	/* UDP's own checks. */
	before = MIB(Udp, InCsumErrors);
	v4(0, NULL, "sum");
	pkt[20 + 8] ^= 1;
	pkt[10] = pkt[11] = 0;
	{
		uint16_t c = csum(pkt, 20, 0);

		memcpy(pkt + 10, &c, 2);
	}
	rx(0, 1);
	CHECK("udp: a bad checksum is dropped", MIB(Udp, InCsumErrors) == before + 1 && got(s4) == -EAGAIN);
	before = MIB(Udp, InErrors);
	v4(0, NULL, "len");
	pkt[20 + 5] = 200; /* UDP length past the packet */
	rx(0, 0);
	CHECK("udp: a length past the packet", MIB(Udp, InErrors) == before + 1 && got(s4) == -EAGAIN);
	v4(0, NULL, "len");
	pkt[20 + 5] = 7; /* shorter than its header */
	rx(0, 0);
	CHECK("udp: a length below 8", MIB(Udp, InErrors) == before + 2);
	v4(0, NULL, "");
	plen = 20 + 5;
	pkt[3] = 25;
	rx(0, 0);
	CHECK("udp: 5 bytes are no header", MIB(Udp, InErrors) == before + 3);
	before = MIB(Udp, NoPorts);
	v4(0, NULL, "np");
	pkt[22] = 0x7f;
	rx(0, 0);
	CHECK("udp: no socket: NoPorts and a port unreachable", MIB(Udp, NoPorts) == before + 1 &&
								     net_init_ns.icmp_types[0][1][3] >= 1);
}

/* ---- IPv6 ---- */

/* An IPv6 packet to [::1]:7021 with the extension headers ext (nexthdr: the first's type). */
static void v6(int nexthdr, const void *ext, size_t extlen, const char *payload)
{
	size_t n = strlen(payload);
	unsigned char *u = pkt + 40 + extlen;
	struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
	uint16_t c;

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x60;
	pkt[4] = (unsigned char)((extlen + 8 + n) >> 8);
	pkt[5] = (unsigned char)(extlen + 8 + n);
	pkt[6] = (unsigned char)nexthdr;
	pkt[7] = 64;
	memcpy(pkt + 8, &lo, 16);
	memcpy(pkt + 24, &lo, 16);
	memcpy(pkt + 40, ext, extlen);
	u[0] = 0x30, u[1] = 0x39;
	u[2] = 7021 >> 8, u[3] = 7021 & 0xff;
	u[5] = (unsigned char)(8 + n);
	memcpy(u + 8, payload, n);
	c = csum(u, 8 + n, net_csum_pseudo(&lo, &lo, IPPROTO_UDP, 8 + n));
	memcpy(u + 6, &c, 2);
	plen = 40 + extlen + 8 + n;
}

static void ipv6_cases(void)
{
	uint64_t before;
	/* Hop-by-hop (PadN 4), destination options (router alert... as a TLV, PadN), an atomic fragment, routing (segments left 0). */
	static const unsigned char chain[] = {
		60, 0, 1, 4, 0, 0, 0, 0,            /* hop-by-hop -> dest opts */
		44, 0, 1, 4, 0, 0, 0, 0,            /* dest opts -> fragment */
		43, 0, 0, 0, 0, 0, 0, 7,            /* fragment: offset 0, M 0 -> routing */
		17, 0, 0, 0, 0, 0, 0, 0,            /* routing: type 0, segments left 0 -> UDP */
	};
	unsigned char e[32];

	v6(17, NULL, 0, "six");
	rx(1, 1);
	CHECK("v6: a good datagram is delivered", got(s6) == 3);
	v6(0, chain, sizeof(chain), "chain");
	rx(1, 1);
	CHECK("v6: extension headers are skipped to UDP", got(s6) == 5);

	before = MIB(Ip6, InHdrErrors);
	memcpy(e, chain, 8);
	e[0] = 0; /* a second hop-by-hop */
	memcpy(e + 8, chain, 8);
	e[8] = 17;
	v6(0, e, 16, "x");
	rx(1, 0);
	CHECK("v6: hop-by-hop only first", MIB(Ip6, InHdrErrors) == before + 1 && got(s6) == -EAGAIN);

	memcpy(e, chain + 8, 8);
	e[0] = 17;
	e[2] = 0xc2; /* an option type whose top bits say: discard (and the jumbo option) */
	e[3] = 4;
	v6(60, e, 8, "x");
	rx(1, 0);
	CHECK("v6: an option that says discard", MIB(Ip6, InHdrErrors) == before + 2 && got(s6) == -EAGAIN);

	memcpy(e, chain + 8, 8);
	e[0] = 17;
	e[2] = 0x05; /* a known option, its length past the header */
	e[3] = 40;
	v6(60, e, 8, "x");
	rx(1, 0);
	CHECK("v6: an option past its header", MIB(Ip6, InHdrErrors) == before + 3);

	memcpy(e, chain + 24, 8);
	e[3] = 1; /* segments left */
	v6(43, e, 8, "x");
	rx(1, 0);
	CHECK("v6: a routing header with segments left", MIB(Ip6, InHdrErrors) == before + 4 && got(s6) == -EAGAIN);

	memcpy(e, chain + 8, 8);
	e[1] = 200; /* 1608 bytes claimed */
	e[0] = 17;
	v6(60, e, 8, "x");
	rx(1, 0);
	CHECK("v6: an extension header past the packet", MIB(Ip6, InHdrErrors) == before + 5);

	v6(60, NULL, 0, "");
	plen = 44;
	pkt[5] = 4;
	rx(1, 0);
	CHECK("v6: 4 bytes are no extension header", MIB(Ip6, InHdrErrors) == before + 6);

	before = MIB(Ip6, InTruncatedPkts);
	v6(17, NULL, 0, "trunc");
	pkt[5] += 20;
	rx(1, 0);
	CHECK("v6: a payload length past the packet", MIB(Ip6, InTruncatedPkts) == before + 1 && got(s6) == -EAGAIN);

	before = MIB(Ip6, InHdrErrors);
	v6(17, NULL, 0, "x");
	plen = 39;
	rx(1, 0);
	CHECK("v6: 39 bytes are no header", MIB(Ip6, InHdrErrors) == before + 1);

	before = MIB(Ip6, InAddrErrors);
	v6(17, NULL, 0, "x");
	pkt[18] = pkt[19] = 0xff; /* source ::ffff:0.0.0.1 */
	pkt[23] = 1;
	rx(1, 0);
	CHECK("v6: a v4-mapped source on the wire", MIB(Ip6, InAddrErrors) == before + 1 && got(s6) == -EAGAIN);

	memcpy(e, chain + 16, 8);
	e[0] = 17;
	e[3] = 1; /* more fragments */
	v6(44, e, 8, "fragment");
	rx(1, 0);
	CHECK("v6: a lone first fragment waits for the rest", got(s6) == -EAGAIN && net_init_ns.frag_queues == 1);
	net_frag_flush(&net_init_ns);

	before = MIB(Udp6, InErrors);
	v6(17, NULL, 0, "z");
	memset(pkt + 46, 0, 2); /* checksum 0: not allowed over IPv6 */
	rx(1, 1);
	CHECK("udp6: a zero checksum is refused", MIB(Udp6, InErrors) == before + 1 && got(s6) == -EAGAIN);
}

/* ---- fragments ---- */

static unsigned char whole[2048];
static size_t wlen;

/* Hands lo the fragment [off, off + n) of the IPv4 packet in whole (20-byte header), identification id. */
static void frag4(size_t off, size_t n, int more, int id)
{
	uint16_t fo = htons((uint16_t)(off / 8 | (more ? 0x2000 : 0))), c;

	memcpy(pkt, whole, 20);
	memcpy(pkt + 20, whole + 20 + off, n);
	pkt[2] = (unsigned char)((20 + n) >> 8);
	pkt[3] = (unsigned char)(20 + n);
	pkt[4] = (unsigned char)(id >> 8);
	pkt[5] = (unsigned char)id;
	memcpy(pkt + 6, &fo, 2);
	memset(pkt + 10, 0, 2);
	c = csum(pkt, 20, 0);
	memcpy(pkt + 10, &c, 2);
	plen = 20 + n;
	rx(0, 1);
}

/* The same for the IPv6 packet in whole (40-byte header, next header UDP): a fragment header added. */
static void frag6(size_t off, size_t n, int more, uint32_t id)
{
	uint16_t fo = htons((uint16_t)(off | (more ? 1 : 0)));

	memcpy(pkt, whole, 40);
	pkt[4] = (unsigned char)((8 + n) >> 8);
	pkt[5] = (unsigned char)(8 + n);
	pkt[6] = 44;
	pkt[40] = 17;
	pkt[41] = 0;
	memcpy(pkt + 42, &fo, 2);
	id = htonl(id);
	memcpy(pkt + 44, &id, 4);
	memcpy(pkt + 48, whole + 40 + off, n);
	plen = 48 + n;
	rx(1, 1);
}

static void fragment_cases(void)
{
	struct netns *ns = &net_init_ns;
	uint64_t before, fails, oks;
	const char *msg = "0123456789abcdef0123456789abcdef0123456789"; /* 8 + 42 = 50 bytes of UDP */
	int i;

	v4(0, NULL, msg);
	pkt[6] = 0; /* no DF */
	memcpy(whole, pkt, plen);
	wlen = plen;
	before = MIB(Ip, ReasmReqds);
	oks = MIB(Ip, ReasmOKs);
	frag4(0, 16, 1, 1);
	frag4(16, 16, 1, 1);
	frag4(32, wlen - 52, 0, 1);
	CHECK("frag v4: three in order make the datagram (checksums checked)",
	      got(s4) == 42 && MIB(Ip, ReasmReqds) == before + 3 && MIB(Ip, ReasmOKs) == oks + 1 && ns->frag_queues == 0);
	frag4(32, wlen - 52, 0, 2);
	frag4(16, 16, 1, 2);
	frag4(16, 16, 1, 2); /* an exact duplicate */
	CHECK("frag v4: out of order, a duplicate: still waiting", got(s4) == -EAGAIN && ns->frag_queues == 1);
	frag4(0, 16, 1, 2);
	CHECK("frag v4: ... then whole, once", got(s4) == 42 && got(s4) == -EAGAIN && ns->frag_queues == 0);

	fails = MIB(Ip, ReasmFails);
	frag4(0, 16, 1, 3);
	frag4(8, 16, 1, 3); /* overlaps the first */
	frag4(24, wlen - 44, 0, 3);
	CHECK("frag v4: an overlap drops the datagram", MIB(Ip, ReasmFails) == fails + 1 && got(s4) == -EAGAIN);
	net_frag_flush(ns);

	fails = MIB(Ip, ReasmFails);
	frag4(0, 16, 1, 4);
	frag4(65528, 16, 0, 4); /* would end past 65535 */
	CHECK("frag v4: a datagram past 65535 bytes", MIB(Ip, ReasmFails) == fails + 1 && got(s4) == -EAGAIN);
	frag4(32, wlen - 52, 0, 4);
	frag4(40, 8, 0, 4); /* a second, different end */
	CHECK("frag v4: two different ends drop it", MIB(Ip, ReasmFails) == fails + 2 && ns->frag_queues == 0);

	/* Time: the queue with its first fragment expires, and the sender hears of it. */
	before = MIB(Ip, ReasmTimeout);
	fails = MIB(Ip, ReasmFails);
	oks = ns->icmp_types[0][1][11];
	frag4(0, 16, 1, 5);
	net_frag_expire(ns, UINT64_MAX);
	CHECK("frag v4: an expired queue is dropped, ICMP time exceeded sent",
	      MIB(Ip, ReasmTimeout) == before + 1 && MIB(Ip, ReasmFails) == fails + 1 && ns->frag_queues == 0 &&
	      ns->icmp_types[0][1][11] == oks + 1);
	frag4(0, 16, 1, 6);
	net_frag_expire(ns, 1);
	CHECK("frag v4: ... not before its time", ns->frag_queues == 1);
	net_frag_flush(ns);

	/* Memory: fragments that never complete stop being taken at the threshold. */
	fails = MIB(Ip, ReasmFails);
	for (i = 0; i < 20000; i++)
		frag4(0, 16, 1, 1000 + i);
	CHECK("frag v4: a flood of first fragments stays under ipfrag_high_thresh",
	      ns->frag_mem <= NET_FRAG_HIGH_THRESH && ns->frag_queues < 20000 && MIB(Ip, ReasmFails) > fails);
	net_frag_flush(ns);
	CHECK("frag: a flush frees every queue", ns->frag_queues == 0 && ns->frag_mem == 0);

	v6(17, NULL, 0, msg);
	memcpy(whole, pkt, plen);
	wlen = plen;
	before = MIB(Ip6, ReasmReqds);
	oks = MIB(Ip6, ReasmOKs);
	frag6(24, wlen - 64, 0, 7);
	frag6(0, 24, 1, 7);
	CHECK("frag v6: two, out of order, make the datagram",
	      got(s6) == 42 && MIB(Ip6, ReasmReqds) == before + 2 && MIB(Ip6, ReasmOKs) == oks + 1);
	fails = MIB(Ip6, ReasmFails);
	frag6(0, 24, 1, 8);
	frag6(16, wlen - 56, 0, 8); /* overlaps: RFC 5722 drops it all */
	frag6(24, wlen - 64, 0, 8);
	CHECK("frag v6: an overlap drops the datagram (RFC 5722)", MIB(Ip6, ReasmFails) == fails + 1 && got(s6) == -EAGAIN);
	net_frag_flush(ns);
	before = MIB(Ip6, InHdrErrors);
	frag6(0, 20, 1, 9);
	CHECK("frag v6: a fragment not the last, not a multiple of 8", MIB(Ip6, InHdrErrors) == before + 1 &&
	      ns->frag_queues == 0);
}

/* ---- the veth: send batches, and what the packet socket hands in ---- */

static int peer = -1; /* the other end of the veth's "packet socket" */
static struct netif *veth;

/* Frames waiting at the peer (each one datagram); -1 if one is not vnet header + want[k]'s bytes. */
static int peer_frames(unsigned char want[][200], const size_t *wlen, int n)
{
	unsigned char buf[512];
	int k = 0;
	ssize_t r;

	while ((r = recv(peer, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		static const struct virtio_net_hdr zero;

		if (k >= n || (size_t)r != sizeof(zero) + wlen[k] || memcmp(buf, &zero, sizeof(zero)) ||
		    memcmp(buf + sizeof(zero), want[k], wlen[k]))
			return -1;
		k++;
	}
	return k;
}

static void veth_send_cases(void)
{
	static unsigned char f[40][200];
	size_t len[40];
	int k, ok = 1;

	for (k = 0; k < 40; k++) {
		len[k] = 60 + (size_t)k * 3; /* distinct sizes: a frame run into another shows */
		memset(f[k], k + 1, len[k]);
	}
	CHECK("veth: a frame outside a batch goes at once", packet_link_out(veth, f[0], len[0]) == 0 &&
								  peer_frames(f, len, 1) == 1);
	net_tx_batch_begin();
	for (k = 0; k < 5; k++)
		ok &= packet_link_out(veth, f[k], len[k]) == 0;
	CHECK("veth: a batch holds its frames", ok && peer_frames(f, len, 5) == 0);
	net_tx_batch_begin();
	net_tx_batch_end();
	CHECK("veth: ... to the outermost end", peer_frames(f, len, 5) == 0);
	net_tx_batch_end();
	CHECK("veth: ... and then sends them whole and in order", peer_frames(f, len, 5) == 5);
	net_tx_batch_begin();
	for (k = 0; k < 40; k++)
		ok &= packet_link_out(veth, f[k], len[k]) == 0;
	net_tx_batch_end();
	CHECK("veth: 40 frames in one batch (past one call's 32): all of them, in order", ok &&
												 peer_frames(f, len, 40) == 40);
}

/* A UDP datagram to 198.18.0.2:7022 from the veth's peer, after a virtio_net_hdr h. */
static size_t veth_frame(unsigned char *b, const struct virtio_net_hdr *h, const char *payload)
{
	static const unsigned char eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
	size_t n = strlen(payload), at = sizeof(*h) + sizeof(eth);
	unsigned char *ip = b + at, *u = ip + 20;
	uint16_t c;

	memcpy(b, h, sizeof(*h));
	memcpy(b + sizeof(*h), eth, sizeof(eth));
	memset(ip, 0, 28);
	ip[0] = 0x45;
	ip[3] = (unsigned char)(28 + n);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	inet_pton(AF_INET, "198.18.0.1", ip + 12);
	inet_pton(AF_INET, "198.18.0.2", ip + 16);
	c = csum(ip, 20, 0);
	memcpy(ip + 10, &c, 2);
	u[0] = 0x30, u[1] = 0x39;
	u[2] = 7022 >> 8, u[3] = 7022 & 0xff;
	u[5] = (unsigned char)(8 + n);
	u[6] = 0x12, u[7] = 0x34; /* not the sum: only a device that completes it would make it right */
	memcpy(u + 8, payload, n);
	return at + 28 + n;
}

static void veth_rx_cases(struct file *s)
{
	struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 14 + 20, .csum_offset = 6};
	unsigned char b[256];
	uint64_t errs, sums;
	size_t n;

	n = veth_frame(b, &h, "partial");
	packet_link_rx(veth, b, n, 0);
	CHECK("veth: a checksum left to the device is taken as good", got(s) == 7);
	errs = veth->stats.rx_errors;
	h.csum_offset = 60;
	n = veth_frame(b, &h, "outside");
	packet_link_rx(veth, b, n, 0);
	CHECK("veth: ... but not one whose place is past the frame", got(s) == -EAGAIN && veth->stats.rx_errors == errs + 1);
	h.csum_offset = 6;
	n = veth_frame(b, &h, "cut");
	packet_link_rx(veth, b, n, 1);
	CHECK("veth: a frame the socket cut short is dropped", got(s) == -EAGAIN && veth->stats.rx_errors == errs + 2);
	packet_link_rx(veth, b, 9, 0);
	CHECK("veth: 9 bytes are no virtio_net_hdr", veth->stats.rx_errors == errs + 3);
	sums = MIB(Udp, InCsumErrors);
	h.flags = 0;
	n = veth_frame(b, &h, "checked");
	packet_link_rx(veth, b, n, 0);
	CHECK("veth: without the offload the checksum is checked", got(s) == -EAGAIN && MIB(Udp, InCsumErrors) == sums + 1);
}

int main(void)
{
	if (mf_init(64 << 20) < 0)
		return 1;
	mm_file_ops = &vfs_mm_file_ops;
	task_files = &vfs_task_files;
	t = task_create_init();
	task_current = t;
	pthread_mutex_lock(&sentry_lock);
	{
		/* A veth whose packet socket is one end of a non-blocking pair: its receive thread ends at once. */
		struct net_config c = {.sandbox = 1, .ifname = "eth0", .hwaddr = {2, 0, 0, 0, 0, 2}, .mtu = 1500, .naddrs = 1};
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) < 0)
			return 1;
		c.packet_fd = sv[0];
		peer = sv[1];
		inet_pton(AF_INET6, "::ffff:198.18.0.2", &c.addrs[0].addr);
		c.addrs[0].prefixlen = 24;
		CHECK("net_init", t && net_init(&c) == 0);
		veth = netif_by_name(&net_init_ns, "eth0");
	}
	s4 = udp_socket(AF_INET, "127.0.0.1", 7020);
	s6 = udp_socket(AF_INET6, "::1", 7021);
	sv4 = udp_socket(AF_INET, "198.18.0.2", 7022);
	CHECK("sockets", s4 && s6 && sv4 && veth);
	if (!s4 || !s6 || !sv4 || !veth)
		return 1;
	ipv4_cases();
	ipv6_cases();
	fragment_cases();
	veth_send_cases();
	veth_rx_cases(sv4);
	return unit_failed;
}
