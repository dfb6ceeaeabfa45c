/*
 * rtnetlink's notifications as a subscriber sees them, while ip(8) (another
 * process) changes the namespace: groups joined by bind's nl_groups and by
 * NETLINK_ADD_MEMBERSHIP, left by NETLINK_DROP_MEMBERSHIP, listed by
 * NETLINK_LIST_MEMBERSHIPS; each message's type, family and what it names;
 * the group in the sender's address; a socket in no group hears nothing;
 * a small SO_RCVBUF overruns into ENOBUFS (not with NETLINK_NO_ENOBUFS).
 * Only lo, and 198.18.0.0/15 and fd00::/8 addresses.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int nl_open(unsigned groups)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl a = {.nl_family = AF_NETLINK, .nl_groups = groups};

	if (s < 0 || bind(s, (void *)&a, sizeof(a))) {
		perror("netlink");
		exit(1);
	}
	return s;
}

static pid_t children[64];
static int nchildren;

/* Runs ip with its arguments (a string split at spaces) and waits for it. */
static void ip(const char *args)
{
	char buf[256], *argv[16];
	int n = 0;
	pid_t p;

	snprintf(buf, sizeof(buf), "ip %s", args);
	for (char *t = strtok(buf, " "); t && n < 15; t = strtok(NULL, " "))
		argv[n++] = t;
	argv[n] = NULL;
	p = fork();
	if (p == 0) {
		execv("/usr/sbin/ip", argv);
		execv("/sbin/ip", argv);
		_exit(127);
	}
	if (nchildren < 64)
		children[nchildren++] = p;
	waitpid(p, NULL, 0);
}

/* A message's portid: 0 for the kernel's own news, else which ip asked (its socket's portid is its pid). */
static const char *who(uint32_t pid)
{
	static char b[32];

	if (!pid)
		return "0";
	for (int i = 0; i < nchildren; i++)
		if ((uint32_t)children[i] == pid) {
			snprintf(b, sizeof(b), "ip#%d", i);
			return b;
		}
	if (pid == (uint32_t)getpid())
		return "us";
	return "someone";
}

static const char *type_name(int t)
{
	switch (t) {
	case RTM_NEWLINK: return "NEWLINK";
	case RTM_DELLINK: return "DELLINK";
	case RTM_NEWADDR: return "NEWADDR";
	case RTM_DELADDR: return "DELADDR";
	case RTM_NEWROUTE: return "NEWROUTE";
	case RTM_DELROUTE: return "DELROUTE";
	}
	return "other";
}

static void show_addr(int family, const void *p, char *out, size_t n)
{
	inet_ntop(family, p, out, (socklen_t)n);
}

/* What one message says, in a line. */
static void show(const struct nlmsghdr *h)
{
	char a[64] = "-";
	struct rtattr *rta;
	int len;

	printf("  %s seq %s pid %s", type_name(h->nlmsg_type), h->nlmsg_seq ? "set" : "0", who(h->nlmsg_pid));
	if (h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK) {
		struct ifinfomsg *i = NLMSG_DATA(h);

		printf(" index %d up %d", i->ifi_index, !!(i->ifi_flags & IFF_UP));
		for (rta = IFLA_RTA(i), len = (int)IFLA_PAYLOAD(h); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
			if (rta->rta_type == IFLA_MTU)
				printf(" mtu %u", *(unsigned *)RTA_DATA(rta));
	} else if (h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_DELADDR) {
		struct ifaddrmsg *i = NLMSG_DATA(h);

		for (rta = IFA_RTA(i), len = (int)IFA_PAYLOAD(h); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
			if (rta->rta_type == IFA_ADDRESS)
				show_addr(i->ifa_family, RTA_DATA(rta), a, sizeof(a));
		printf(" family %d %s/%d index %u", i->ifa_family, a, i->ifa_prefixlen, i->ifa_index);
	} else if (h->nlmsg_type == RTM_NEWROUTE || h->nlmsg_type == RTM_DELROUTE) {
		struct rtmsg *r = NLMSG_DATA(h);

		for (rta = RTM_RTA(r), len = (int)RTM_PAYLOAD(h); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
			if (rta->rta_type == RTA_DST)
				show_addr(r->rtm_family, RTA_DATA(rta), a, sizeof(a));
		printf(" family %d %s/%d table %d type %d proto %d", r->rtm_family, a, r->rtm_dst_len, r->rtm_table,
		       r->rtm_type, r->rtm_protocol);
	}
	printf("\n");
}

/* Everything queued on s, message by message, with the group each datagram came from. */
static void drain(const char *what, int s)
{
	char buf[16384];
	int n = 0;

	printf("%s:\n", what);
	for (;;) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		ssize_t len = recvfrom(s, buf, sizeof(buf), MSG_DONTWAIT, (void *)&from, &fl);
		struct nlmsghdr *h;

		if (len < 0) {
			if (errno != EAGAIN)
				printf("  recv: %s\n", strerrorname_np(errno));
			if (errno == ENOBUFS)
				continue;
			break;
		}
		printf(" datagram from pid %u groups %#x\n", from.nl_pid, from.nl_groups);
		for (h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len), n++)
			show(h);
	}
	if (!n)
		printf("  nothing\n");
}

static void memberships(const char *what, int s)
{
	unsigned g[2] = {0, 0};
	socklen_t l = sizeof(g);

	getsockopt(s, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, g, &l);
	printf("%s: memberships %#x %#x\n", what, g[0], g[1]);
}

int main(void)
{
	int all, v6, none, small, quiet, g, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	all = nl_open(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE);
	v6 = nl_open(0);
	none = nl_open(0);
	g = RTNLGRP_IPV6_IFADDR;
	printf("add membership: %d\n", setsockopt(v6, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)));
	g = RTNLGRP_IPV6_ROUTE;
	setsockopt(v6, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g));
	g = RTNLGRP_NEIGH;
	printf("neighbours too: %d\n", setsockopt(v6, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)));
	memberships("bound", all);
	memberships("joined", v6);

	ip("addr add 198.18.0.1/24 dev lo");
	ip("-6 addr add fd00::1/64 dev lo nodad");
	usleep(300000); /* Linux tells of an IPv6 address from a work queue, a moment later */
	ip("route add 198.19.0.0/16 dev lo");
	ip("-6 route add fd01::/64 dev lo");
	drain("IPv4 and links", all);
	drain("IPv6", v6);
	drain("no groups", none);

	g = RTNLGRP_IPV6_ROUTE;
	printf("drop membership: %d\n", setsockopt(v6, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &g, sizeof(g)));
	memberships("after the drop", v6);
	ip("-6 route del fd01::/64 dev lo");
	ip("-6 addr del fd00::1/64 dev lo");
	ip("link set lo mtu 1500");
	ip("route del 198.19.0.0/16 dev lo");
	drain("IPv4 and links", all);
	drain("IPv6, addresses only", v6);

	/* A receive buffer too small for what comes: the overrun is told once, then what fit is there. */
	small = nl_open(RTMGRP_IPV4_ROUTE);
	quiet = nl_open(RTMGRP_IPV4_ROUTE);
	i = 1;
	setsockopt(quiet, SOL_NETLINK, NETLINK_NO_ENOBUFS, &i, sizeof(i));
	i = 1;
	setsockopt(small, SOL_SOCKET, SO_RCVBUF, &i, sizeof(i));
	setsockopt(quiet, SOL_SOCKET, SO_RCVBUF, &i, sizeof(i));
	{
		/* Forty routes asked for here, for speed (the news of each says its asker: us). */
		int req = nl_open(0);

		for (i = 0; i < 40; i++) {
			struct {
				struct nlmsghdr h;
				struct rtmsg r;
				struct rtattr dst;
				uint32_t dst_v;
				struct rtattr oif;
				uint32_t oif_v;
			} m = {
				.h = {.nlmsg_len = sizeof(m), .nlmsg_type = RTM_NEWROUTE,
				      .nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL, .nlmsg_seq = (uint32_t)i + 1},
				.r = {.rtm_family = AF_INET, .rtm_dst_len = 24, .rtm_table = RT_TABLE_MAIN,
				      .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_LINK, .rtm_type = RTN_UNICAST},
				.dst = {.rta_len = RTA_LENGTH(4), .rta_type = RTA_DST},
				.dst_v = htonl(0xc6130000u | (uint32_t)i << 8),
				.oif = {.rta_len = RTA_LENGTH(4), .rta_type = RTA_OIF},
				.oif_v = 1,
			};

			send(req, &m, sizeof(m), 0);
		}
		close(req);
	}
	{
		char buf[8192];
		int got = 0, errs = 0;

		for (;;) {
			ssize_t n = recv(small, buf, sizeof(buf), MSG_DONTWAIT);

			if (n < 0 && errno == ENOBUFS) {
				errs++;
				continue;
			}
			if (n < 0)
				break;
			got++;
		}
		printf("small buffer: ENOBUFS %d times, %s\n", errs, got > 0 && got < 40 ? "some datagrams" : "all or none");
		got = errs = 0;
		for (;;) {
			ssize_t n = recv(quiet, buf, sizeof(buf), MSG_DONTWAIT);

			if (n < 0 && errno == ENOBUFS) {
				errs++;
				continue;
			}
			if (n < 0)
				break;
			got++;
		}
		printf("NETLINK_NO_ENOBUFS: ENOBUFS %d times, %s\n", errs, got > 0 && got < 40 ? "some datagrams" : "all or none");
	}
	close(small);
	close(quiet);
	/* all heard the forty routes too: only what follows is shown. */
	{
		char buf[16384];

		while (recv(all, buf, sizeof(buf), MSG_DONTWAIT) > 0 || errno == ENOBUFS)
			;
	}
	ip("addr del 198.18.0.1/24 dev lo");
	drain("IPv4 and links, at the end", all);
	return 0;
}
