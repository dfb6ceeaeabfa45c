/*
 * /proc/net's files of the stack (PROC_NET_FILE): dev, route, if_inet6,
 * snmp, snmp6, udp, udp6, raw, raw6, in Linux's formats (as of 6.x), so
 * that ifconfig, netstat, ss's fallbacks and nstat read them.  The
 * namespace is the reader's.
 */
#define _GNU_SOURCE
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "../../vfs/fs/proc/proc.h"
#include "../../vfs/vfs.h"
#include "inet.h"

/* Linux pads these lines to 127 characters and a newline (seq_setwidth/seq_pad). */
static void padded(struct proc_buf *b, const char *line)
{
	proc_printf(b, "%-127s\n", line);
}

static void show_dev(struct task *t, struct proc_buf *b)
{
	struct netif *i;

	proc_printf(b, "Inter-|   Receive                                                |  Transmit\n"
		       " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo "
		       "colls carrier compressed\n");
	for (i = net_ns_of(t)->ifs; i; i = i->next) {
		const struct netif_stats *s = &i->stats;

		proc_printf(b, "%6s:%8llu %7llu %4llu %4llu %4llu %5llu %10llu %9llu %8llu %7llu %4llu %4llu %4llu %5llu %7llu %10llu\n",
			    i->name, (unsigned long long)s->rx_bytes, (unsigned long long)s->rx_packets,
			    (unsigned long long)s->rx_errors, (unsigned long long)s->rx_dropped, 0ULL, 0ULL, 0ULL, 0ULL,
			    (unsigned long long)s->tx_bytes, (unsigned long long)s->tx_packets,
			    (unsigned long long)s->tx_errors, (unsigned long long)s->tx_dropped, 0ULL, 0ULL, 0ULL, 0ULL);
	}
}

static const struct proc_net_file dev_file = {.name = "dev", .show = show_dev};
PROC_NET_FILE(dev_file)

/* /proc/net/route: table main's IPv4 routes. */
static void show_route(struct task *t, struct proc_buf *b)
{
	struct net_route *r;
	char line[160];

	padded(b, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
	for (r = net_ns_of(t)->routes; r; r = r->next) {
		uint32_t mask;
		unsigned flags = 0x1; /* RTF_UP */

		if (r->table != RT_TABLE_MAIN || !net_addr_is_v4(&r->dst) || r->type != RTN_UNICAST)
			continue;
		mask = r->prefixlen ? htonl(~0u << (32 - r->prefixlen)) : 0;
		if (!IN6_IS_ADDR_UNSPECIFIED(&r->gateway))
			flags |= 0x2; /* RTF_GATEWAY */
		if (r->prefixlen == 32)
			flags |= 0x4; /* RTF_HOST */
		snprintf(line, sizeof(line), "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u", r->dev->name,
			 net_addr_v4(&r->dst), IN6_IS_ADDR_UNSPECIFIED(&r->gateway) ? 0 : net_addr_v4(&r->gateway), flags, 0,
			 0, (int)r->metric, mask, 0, 0, 0);
		padded(b, line);
	}
}

static const struct proc_net_file route_file = {.name = "route", .show = show_route};
PROC_NET_FILE(route_file)

static void show_if_inet6(struct task *t, struct proc_buf *b)
{
	struct netif *i;
	struct netif_addr *a;
	int k;

	for (i = net_ns_of(t)->ifs; i; i = i->next)
		for (a = i->addrs; a; a = a->next) {
			if (net_addr_is_v4(&a->addr))
				continue;
			for (k = 0; k < 16; k++)
				proc_printf(b, "%02x", a->addr.s6_addr[k]);
			/* Scope as IPv6 names it: host 0x10, link 0x20, global 0. */
			proc_printf(b, " %02x %02x %02x %02x %8s\n", i->index, a->prefixlen,
				    a->scope == RT_SCOPE_HOST ? 0x10 : a->scope == RT_SCOPE_LINK ? 0x20 : 0,
				    a->flags & 0xff, i->name);
		}
}

static const struct proc_net_file if_inet6_file = {.name = "if_inet6", .show = show_if_inet6};
PROC_NET_FILE(if_inet6_file)

/* ---- snmp ---- */

#define M(g, n) NET_MIB_##g##_##n
#define NONE (-1)
#define IN(type) (-1000 - (type))   /* from the per-type counts (IcmpMsg), as Linux derives them */
#define OUT(type) (-2000 - (type))

struct col {
	const char *name;
	int mib; /* NONE: a counter the stack does not keep (always 0) */
};

/* A column's value: a counter, a per-type ICMP count of v6 (0 or 1), or 0. */
static uint64_t col_value(const struct netns *ns, const struct col *c, int v6)
{
	if (c->mib >= 0)
		return ns->mib[c->mib];
	if (c->mib <= -2000)
		return ns->icmp_types[v6][1][-2000 - c->mib];
	if (c->mib <= -1000)
		return ns->icmp_types[v6][0][-1000 - c->mib];
	return 0;
}

static void snmp_group(struct proc_buf *b, const struct netns *ns, const char *group, const struct col *c, int n,
		       int sign)
{
	int k;

	proc_printf(b, "%s:", group);
	for (k = 0; k < n; k++)
		proc_printf(b, " %s", c[k].name);
	proc_printf(b, "\n%s:", group);
	for (k = 0; k < n; k++) {
		uint64_t v = col_value(ns, &c[k], 0);

		if (sign && !strcmp(c[k].name, "MaxConn"))
			proc_printf(b, " %lld", (long long)v);
		else
			proc_printf(b, " %llu", (unsigned long long)v);
	}
	proc_printf(b, "\n");
}

/* IcmpMsg: the types seen, in then out, 16 to a pair of lines, as Linux's icmpmsg_put. */
static void icmpmsg(struct proc_buf *b, const struct netns *ns)
{
	int types[16], n = 0, i, k;

	for (i = 0; i < 512; i++) {
		if (ns->icmp_types[0][i >> 8][i & 0xff])
			types[n++] = i;
		if (n == 16 || (i == 511 && n)) {
			proc_printf(b, "IcmpMsg:");
			for (k = 0; k < n; k++)
				proc_printf(b, " %sType%d", types[k] & 0x100 ? "Out" : "In", types[k] & 0xff);
			proc_printf(b, "\nIcmpMsg:");
			for (k = 0; k < n; k++)
				proc_printf(b, " %llu", (unsigned long long)ns->icmp_types[0][types[k] >> 8][types[k] & 0xff]);
			proc_printf(b, "\n");
			n = 0;
		}
	}
}

static void show_snmp(struct task *t, struct proc_buf *b)
{
	const struct netns *ns = net_ns_of(t);
	static const struct col ip[] = {
		{"Forwarding", M(Ip, Forwarding)}, {"DefaultTTL", M(Ip, DefaultTTL)}, {"InReceives", M(Ip, InReceives)},
		{"InHdrErrors", M(Ip, InHdrErrors)}, {"InAddrErrors", M(Ip, InAddrErrors)},
		{"ForwDatagrams", M(Ip, ForwDatagrams)}, {"InUnknownProtos", M(Ip, InUnknownProtos)},
		{"InDiscards", M(Ip, InDiscards)}, {"InDelivers", M(Ip, InDelivers)}, {"OutRequests", M(Ip, OutRequests)},
		{"OutDiscards", M(Ip, OutDiscards)}, {"OutNoRoutes", M(Ip, OutNoRoutes)},
		{"ReasmTimeout", M(Ip, ReasmTimeout)}, {"ReasmReqds", M(Ip, ReasmReqds)}, {"ReasmOKs", M(Ip, ReasmOKs)},
		{"ReasmFails", M(Ip, ReasmFails)}, {"FragOKs", M(Ip, FragOKs)}, {"FragFails", M(Ip, FragFails)},
		{"FragCreates", M(Ip, FragCreates)}, {"OutTransmits", M(Ip, OutTransmits)},
	};
	static const struct col icmp[] = {
		{"InMsgs", M(Icmp, InMsgs)}, {"InErrors", M(Icmp, InErrors)}, {"InCsumErrors", M(Icmp, InCsumErrors)},
		{"InDestUnreachs", IN(3)}, {"InTimeExcds", IN(11)}, {"InParmProbs", IN(12)}, {"InSrcQuenchs", IN(4)},
		{"InRedirects", IN(5)}, {"InEchos", IN(8)}, {"InEchoReps", IN(0)}, {"InTimestamps", IN(13)},
		{"InTimestampReps", IN(14)}, {"InAddrMasks", IN(17)}, {"InAddrMaskReps", IN(18)},
		{"OutMsgs", M(Icmp, OutMsgs)}, {"OutErrors", M(Icmp, OutErrors)}, {"OutRateLimitGlobal", NONE},
		{"OutRateLimitHost", NONE}, {"OutDestUnreachs", OUT(3)}, {"OutTimeExcds", OUT(11)},
		{"OutParmProbs", OUT(12)}, {"OutSrcQuenchs", OUT(4)}, {"OutRedirects", OUT(5)}, {"OutEchos", OUT(8)},
		{"OutEchoReps", OUT(0)}, {"OutTimestamps", OUT(13)}, {"OutTimestampReps", OUT(14)},
		{"OutAddrMasks", OUT(17)}, {"OutAddrMaskReps", OUT(18)},
	};
	static const struct col tcp[] = {
		{"RtoAlgorithm", M(Tcp, RtoAlgorithm)}, {"RtoMin", M(Tcp, RtoMin)}, {"RtoMax", M(Tcp, RtoMax)},
		{"MaxConn", M(Tcp, MaxConn)}, {"ActiveOpens", M(Tcp, ActiveOpens)}, {"PassiveOpens", M(Tcp, PassiveOpens)},
		{"AttemptFails", M(Tcp, AttemptFails)}, {"EstabResets", M(Tcp, EstabResets)},
		{"CurrEstab", M(Tcp, CurrEstab)}, {"InSegs", M(Tcp, InSegs)}, {"OutSegs", M(Tcp, OutSegs)},
		{"RetransSegs", M(Tcp, RetransSegs)}, {"InErrs", M(Tcp, InErrs)}, {"OutRsts", M(Tcp, OutRsts)},
		{"InCsumErrors", M(Tcp, InCsumErrors)},
	};
	static const struct col udp[] = {
		{"InDatagrams", M(Udp, InDatagrams)}, {"NoPorts", M(Udp, NoPorts)}, {"InErrors", M(Udp, InErrors)},
		{"OutDatagrams", M(Udp, OutDatagrams)}, {"RcvbufErrors", M(Udp, RcvbufErrors)},
		{"SndbufErrors", M(Udp, SndbufErrors)}, {"InCsumErrors", M(Udp, InCsumErrors)},
		{"IgnoredMulti", M(Udp, IgnoredMulti)}, {"MemErrors", M(Udp, MemErrors)},
	};
	static const struct col udplite[] = {
		{"InDatagrams", M(UdpLite, InDatagrams)}, {"NoPorts", M(UdpLite, NoPorts)},
		{"InErrors", M(UdpLite, InErrors)}, {"OutDatagrams", M(UdpLite, OutDatagrams)},
		{"RcvbufErrors", M(UdpLite, RcvbufErrors)}, {"SndbufErrors", M(UdpLite, SndbufErrors)},
		{"InCsumErrors", M(UdpLite, InCsumErrors)}, {"IgnoredMulti", M(UdpLite, IgnoredMulti)},
		{"MemErrors", M(UdpLite, MemErrors)},
	};

	snmp_group(b, ns, "Ip", ip, sizeof(ip) / sizeof(ip[0]), 0);
	snmp_group(b, ns, "Icmp", icmp, sizeof(icmp) / sizeof(icmp[0]), 0);
	icmpmsg(b, ns);
	snmp_group(b, ns, "Tcp", tcp, sizeof(tcp) / sizeof(tcp[0]), 1);
	snmp_group(b, ns, "Udp", udp, sizeof(udp) / sizeof(udp[0]), 0);
	snmp_group(b, ns, "UdpLite", udplite, sizeof(udplite) / sizeof(udplite[0]), 0);
}

static const struct proc_net_file snmp_file = {.name = "snmp", .show = show_snmp};
PROC_NET_FILE(snmp_file)

/* snmp6: one "Name value" line each, names padded to 32 columns. */
static void show_snmp6(struct task *t, struct proc_buf *b)
{
	const struct netns *ns = net_ns_of(t);
	static const struct col c[] = {
		{"Ip6InReceives", M(Ip6, InReceives)}, {"Ip6InHdrErrors", M(Ip6, InHdrErrors)},
		{"Ip6InTooBigErrors", M(Ip6, InTooBigErrors)}, {"Ip6InNoRoutes", M(Ip6, InNoRoutes)},
		{"Ip6InAddrErrors", M(Ip6, InAddrErrors)}, {"Ip6InUnknownProtos", M(Ip6, InUnknownProtos)},
		{"Ip6InTruncatedPkts", M(Ip6, InTruncatedPkts)}, {"Ip6InDiscards", M(Ip6, InDiscards)},
		{"Ip6InDelivers", M(Ip6, InDelivers)}, {"Ip6OutForwDatagrams", NONE}, {"Ip6OutRequests", M(Ip6, OutRequests)},
		{"Ip6OutDiscards", M(Ip6, OutDiscards)}, {"Ip6OutNoRoutes", M(Ip6, OutNoRoutes)}, {"Ip6ReasmTimeout", M(Ip6, ReasmTimeout)},
		{"Ip6ReasmReqds", M(Ip6, ReasmReqds)}, {"Ip6ReasmOKs", M(Ip6, ReasmOKs)}, {"Ip6ReasmFails", M(Ip6, ReasmFails)}, {"Ip6FragOKs", M(Ip6, FragOKs)},
		{"Ip6FragFails", M(Ip6, FragFails)}, {"Ip6FragCreates", M(Ip6, FragCreates)}, {"Ip6InMcastPkts", NONE}, {"Ip6OutMcastPkts", NONE},
		{"Ip6InOctets", NONE}, {"Ip6OutOctets", NONE}, {"Ip6InMcastOctets", NONE}, {"Ip6OutMcastOctets", NONE},
		{"Ip6InBcastOctets", NONE}, {"Ip6OutBcastOctets", NONE}, {"Ip6InNoECTPkts", M(Ip6, InNoECTPkts)}, {"Ip6InECT1Pkts", M(Ip6, InECT1Pkts)},
		{"Ip6InECT0Pkts", M(Ip6, InECT0Pkts)}, {"Ip6InCEPkts", M(Ip6, InCEPkts)}, {"Ip6OutTransmits", M(Ip6, OutTransmits)}, {"Icmp6InMsgs", M(Icmp6, InMsgs)},
		{"Icmp6InErrors", M(Icmp6, InErrors)}, {"Icmp6OutMsgs", M(Icmp6, OutMsgs)},
		{"Icmp6OutErrors", M(Icmp6, OutErrors)}, {"Icmp6InCsumErrors", M(Icmp6, InCsumErrors)},
		{"Icmp6OutRateLimitHost", NONE}, {"Icmp6InDestUnreachs", IN(1)}, {"Icmp6InPktTooBigs", IN(2)},
		{"Icmp6InTimeExcds", IN(3)}, {"Icmp6InParmProblems", IN(4)}, {"Icmp6InEchos", IN(128)},
		{"Icmp6InEchoReplies", IN(129)}, {"Icmp6InGroupMembQueries", IN(130)},
		{"Icmp6InGroupMembResponses", IN(131)}, {"Icmp6InGroupMembReductions", IN(132)}, {"Icmp6InRouterSolicits", IN(133)},
		{"Icmp6InRouterAdvertisements", IN(134)}, {"Icmp6InNeighborSolicits", IN(135)}, {"Icmp6InNeighborAdvertisements", IN(136)},
		{"Icmp6InRedirects", IN(137)}, {"Icmp6InMLDv2Reports", IN(143)}, {"Icmp6OutDestUnreachs", OUT(1)},
		{"Icmp6OutPktTooBigs", OUT(2)}, {"Icmp6OutTimeExcds", OUT(3)}, {"Icmp6OutParmProblems", OUT(4)},
		{"Icmp6OutEchos", OUT(128)}, {"Icmp6OutEchoReplies", OUT(129)},
		{"Icmp6OutGroupMembQueries", OUT(130)}, {"Icmp6OutGroupMembResponses", OUT(131)}, {"Icmp6OutGroupMembReductions", OUT(132)},
		{"Icmp6OutRouterSolicits", OUT(133)}, {"Icmp6OutRouterAdvertisements", OUT(134)}, {"Icmp6OutNeighborSolicits", OUT(135)},
		{"Icmp6OutNeighborAdvertisements", OUT(136)}, {"Icmp6OutRedirects", OUT(137)}, {"Icmp6OutMLDv2Reports", OUT(143)},
		{"Udp6InDatagrams", M(Udp6, InDatagrams)}, {"Udp6NoPorts", M(Udp6, NoPorts)}, {"Udp6InErrors", M(Udp6, InErrors)},
		{"Udp6OutDatagrams", M(Udp6, OutDatagrams)}, {"Udp6RcvbufErrors", M(Udp6, RcvbufErrors)},
		{"Udp6SndbufErrors", M(Udp6, SndbufErrors)}, {"Udp6InCsumErrors", M(Udp6, InCsumErrors)},
		{"Udp6IgnoredMulti", M(Udp6, IgnoredMulti)}, {"Udp6MemErrors", M(Udp6, MemErrors)}, {"UdpLite6InDatagrams", M(UdpLite6, InDatagrams)},
		{"UdpLite6NoPorts", M(UdpLite6, NoPorts)}, {"UdpLite6InErrors", M(UdpLite6, InErrors)},
		{"UdpLite6OutDatagrams", M(UdpLite6, OutDatagrams)}, {"UdpLite6RcvbufErrors", M(UdpLite6, RcvbufErrors)},
		{"UdpLite6SndbufErrors", M(UdpLite6, SndbufErrors)}, {"UdpLite6InCsumErrors", M(UdpLite6, InCsumErrors)},
		{"UdpLite6MemErrors", M(UdpLite6, MemErrors)},
	};
	size_t k;
	int i;

	for (k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		proc_printf(b, "%-32s\t%llu\n", c[k].name, (unsigned long long)col_value(ns, &c[k], 1));
		if (!strcmp(c[k].name, "Icmp6OutMLDv2Reports")) {
			/* Then the types seen, in and out, as Linux's icmpv6msg lines. */
			for (i = 0; i < 512; i++) {
				char name[32];
				uint64_t v = ns->icmp_types[1][i >> 8][i & 0xff];

				if (!v)
					continue;
				snprintf(name, sizeof(name), "Icmp6%s%d", i & 0x100 ? "OutType" : "InType", i & 0xff);
				proc_printf(b, "%-32s\t%llu\n", name, (unsigned long long)v);
			}
		}
	}
}

static const struct proc_net_file snmp6_file = {.name = "snmp6", .show = show_snmp6};
PROC_NET_FILE(snmp6_file)

/* ---- sockets ---- */

struct sock_lines {
	struct proc_buf *b;
	int v6;
};

/* The address words as Linux prints them: each 32-bit word of the network-order address as a host integer. */
static int addr_hex(char *out, size_t len, const struct in6_addr *a, int v6)
{
	if (!v6)
		return snprintf(out, len, "%08X", net_addr_v4(a));
	return snprintf(out, len, "%08X%08X%08X%08X", a->s6_addr32[0], a->s6_addr32[1], a->s6_addr32[2],
			a->s6_addr32[3]);
}

/* One socket's line (without its newline): an unconnected datagram socket is TCP_CLOSE (07), a connected one TCP_ESTABLISHED (01). */
static void sock_line(char *out, size_t len, int sl, const struct inet_sock *s, int v6, int raw)
{
	char la[40], ra[40];

	addr_hex(la, sizeof(la), &s->laddr, v6);
	addr_hex(ra, sizeof(ra), &s->raddr, v6);
	snprintf(out, len, "%*d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %016lx %u",
		 raw && !v6 ? 4 : 5, sl, la, s->lport, ra, raw ? 0 : s->rport, s->rport ? 1 : 7, 0u,
		 (unsigned)s->rmem_alloc, 0, 0UL, 0u, s->uid, 0, (unsigned long)s->ino->ino, 2, 0UL, 0u);
}

static void udp_one(struct inet_sock *s, void *arg)
{
	struct sock_lines *l = arg;
	int v6 = s->family == AF_INET6;
	char line[256];

	if (v6 != l->v6)
		return;
	sock_line(line, sizeof(line), s->lport % 128, s, v6, 0);
	if (v6)
		proc_printf(l->b, "%s\n", line);
	else
		padded(l->b, line);
}

static void show_udp(struct task *t, struct proc_buf *b)
{
	struct sock_lines l = {.b = b, .v6 = 0};

	padded(b, "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
		  "pointer drops");
	inet_for_each(net_ns_of(t), IPPROTO_UDP, udp_one, &l);
}

static void show_udp6(struct task *t, struct proc_buf *b)
{
	struct sock_lines l = {.b = b, .v6 = 1};

	proc_printf(b, "  sl  local_address                         remote_address                        st tx_queue "
		       "rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n");
	inet_for_each(net_ns_of(t), IPPROTO_UDP, udp_one, &l);
}

static const struct proc_net_file udp_file = {.name = "udp", .show = show_udp};
PROC_NET_FILE(udp_file)
static const struct proc_net_file udp6_file = {.name = "udp6", .show = show_udp6};
PROC_NET_FILE(udp6_file)

static void raw_one(struct inet_sock *s, void *arg)
{
	struct sock_lines *l = arg;
	char line[256];

	sock_line(line, sizeof(line), s->protocol, s, l->v6, 1);
	proc_printf(l->b, "%s\n", line);
}

static void show_raw(struct task *t, struct proc_buf *b)
{
	struct sock_lines l = {.b = b, .v6 = 0};

	proc_printf(b, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
		       "pointer drops\n");
	raw_for_each(net_ns_of(t), 0, raw_one, &l);
}

static void show_raw6(struct task *t, struct proc_buf *b)
{
	struct sock_lines l = {.b = b, .v6 = 1};

	proc_printf(b, "  sl  local_address                         remote_address                        st tx_queue "
		       "rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n");
	raw_for_each(net_ns_of(t), 1, raw_one, &l);
}

static const struct proc_net_file raw_file = {.name = "raw", .show = show_raw};
PROC_NET_FILE(raw_file)
static const struct proc_net_file raw6_file = {.name = "raw6", .show = show_raw6};
PROC_NET_FILE(raw6_file)
