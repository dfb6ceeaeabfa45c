/*
 * The sandbox's network namespace, made or joined by cvisor before the
 * gofer and the sentry start (both live in it):
 *
 *   --network=none     an empty namespace (shim_confine_net): the stack has lo only.
 *   --network=sandbox  a new namespace holding one end of a new veth pair
 *                      (eth0); the other end (--veth=NAME) stays in the
 *                      caller's namespace, up and without an address: the
 *                      caller gives it one.  The stack's addresses are
 *                      --address and --gateway.
 *   --net-ns=PATH      the namespace at PATH (CNI, netavark): the stack takes
 *                      the addresses and routes of its first non-loopback
 *                      interface, which are removed from the host kernel there.
 *
 * Either way the host kernel in the namespace keeps the interface up with
 * no address at all, IPv6 link-local included (addr_gen_mode none), so it
 * answers no ARP, NDP, ICMP or TCP for the sandbox: the frames are the
 * sentry's, read and written on one AF_PACKET socket opened here (the
 * sentry may not make sockets) and handed to it as net_config.packet_fd.
 * Talking rtnetlink is libmnl's framing and our messages; no `ip` is run.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <net/if.h> /* before <linux/if*.h>: glibc's names win */
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "network.h"
#include "shim.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* ---- rtnetlink ---- */

struct nl {
	struct mnl_socket *sock;
	unsigned portid;
	unsigned seq;
};

static int nl_open(struct nl *nl)
{
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return -e;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned)time(NULL);
	return 0;
}

static void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/* A request with the given type and flags (NLM_F_REQUEST and NLM_F_ACK added), its family header of hdrlen bytes zeroed. */
static struct nlmsghdr *nl_msg(struct nl *nl, char *buf, int type, int flags, size_t hdrlen)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);

	h->nlmsg_type = (uint16_t)type;
	/* A dump ends with NLMSG_DONE; anything else is acked (NLM_F_DUMP's bits are EXCL's and REPLACE's too). */
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags | (flags == NLM_F_DUMP ? 0 : NLM_F_ACK));
	h->nlmsg_seq = ++nl->seq;
	mnl_nlmsg_put_extra_header(h, hdrlen);
	return h;
}

/* Sends h and reads the answer (each message to cb, for a dump) up to the ack or the dump's end: 0 or -errno. */
static int nl_talk(struct nl *nl, struct nlmsghdr *h, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned seq = h->nlmsg_seq;
	ssize_t n;
	int r;

	if (mnl_socket_sendto(nl->sock, h, h->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t)n, seq, nl->portid, cb, data);
		if (r < 0)
			return -errno;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

/* Sets link index up, and its IPv6 address generation to none: no link-local address for the host kernel to answer for. */
static int link_up_quiet(struct nl *nl, int index)
{
	char buf[512];
	struct nlmsghdr *h = nl_msg(nl, buf, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	struct nlattr *spec, *in6;
	int r;

	/* Two requests: in one, the kernel brings the link up (and makes the address) before it reads the mode. */
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	spec = mnl_attr_nest_start(h, IFLA_AF_SPEC);
	in6 = mnl_attr_nest_start(h, AF_INET6);
	mnl_attr_put_u8(h, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(h, in6);
	mnl_attr_nest_end(h, spec);
	if ((r = nl_talk(nl, h, NULL, NULL)) < 0)
		return r;
	h = nl_msg(nl, buf, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	ifi = mnl_nlmsg_get_payload(h);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_talk(nl, h, NULL, NULL);
}

/* What the stack needs to know of a link. */
struct link {
	int index;
	char name[IFNAMSIZ];
	unsigned char hwaddr[6];
	unsigned mtu;
	int found;
	const char *want_name; /* NULL: the first Ethernet link (lo is not one) */
};

static int link_cb(const struct nlmsghdr *h, void *data)
{
	struct link *l = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	struct nlattr *a;

	if (h->nlmsg_type != RTM_NEWLINK || l->found || ifi->ifi_type != ARPHRD_ETHER)
		return MNL_CB_OK;
	memset(l->name, 0, sizeof(l->name));
	l->index = ifi->ifi_index;
	mnl_attr_for_each(a, h, sizeof(*ifi)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_MTU:
			if (mnl_attr_get_payload_len(a) >= 4)
				l->mtu = mnl_attr_get_u32(a);
			break;
		case IFLA_ADDRESS:
			if (mnl_attr_get_payload_len(a) == 6)
				memcpy(l->hwaddr, mnl_attr_get_payload(a), 6);
			break;
		}
	}
	l->found = !l->want_name || !strcmp(l->name, l->want_name);
	return MNL_CB_OK;
}

static int link_find(struct nl *nl, struct link *l)
{
	char buf[256];
	struct nlmsghdr *h = nl_msg(nl, buf, RTM_GETLINK, NLM_F_DUMP, sizeof(struct ifinfomsg));
	int r = nl_talk(nl, h, link_cb, l);

	return r < 0 ? r : l->found ? 0 : -ENODEV;
}

/* ---- --network=sandbox ---- */

/* A veth pair: name in the namespace of nl, its peer named peer moved into the namespace of ns_fd. */
static int veth_make(struct nl *nl, const char *name, const char *peer, int ns_fd)
{
	char buf[1024];
	struct nlmsghdr *h = nl_msg(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifinfomsg));
	struct nlattr *info, *data, *pe;
	struct ifinfomsg *pifi;

	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
	pe = mnl_attr_nest_start(h, VETH_INFO_PEER);
	pifi = mnl_nlmsg_get_payload_tail(h);
	memset(pifi, 0, sizeof(*pifi));
	h->nlmsg_len += MNL_ALIGN(sizeof(*pifi));
	mnl_attr_put_strz(h, IFLA_IFNAME, peer);
	mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)ns_fd);
	mnl_attr_nest_end(h, pe);
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, info);
	return nl_talk(nl, h, NULL, NULL);
}

/* ---- --net-ns: take the interface's addresses and routes ---- */

struct take {
	int index;
	struct net_config *c;
	/* Every address of the link, for removal (link-local ones too). */
	struct { int family, prefixlen; unsigned char addr[16]; } all[NET_CONFIG_MAX * 2];
	int nall;
};

static void put_addr(struct in6_addr *out, int family, const void *a)
{
	if (family == AF_INET) {
		uint32_t v4;

		memcpy(&v4, a, 4);
		net_addr_from_v4(out, v4);
	} else {
		memcpy(out, a, 16);
	}
}

static int addr_cb(const struct nlmsghdr *h, void *data)
{
	struct take *t = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
	const void *addr = NULL, *local = NULL;
	struct nlattr *a;
	size_t alen = ifa->ifa_family == AF_INET ? 4 : 16;
	struct net_config *c = t->c;

	if (h->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != t->index ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;
	mnl_attr_for_each(a, h, sizeof(*ifa)) {
		if (mnl_attr_get_payload_len(a) != alen)
			continue;
		if (mnl_attr_get_type(a) == IFA_ADDRESS)
			addr = mnl_attr_get_payload(a);
		else if (mnl_attr_get_type(a) == IFA_LOCAL)
			local = mnl_attr_get_payload(a);
	}
	if (local)
		addr = local; /* a point-to-point address's own end */
	if (!addr)
		return MNL_CB_OK;
	if (t->nall < (int)(sizeof(t->all) / sizeof(t->all[0]))) {
		t->all[t->nall].family = ifa->ifa_family;
		t->all[t->nall].prefixlen = ifa->ifa_prefixlen;
		memcpy(t->all[t->nall].addr, addr, alen);
		t->nall++;
	}
	/* A link-local IPv6 address is the host kernel's; the stack needs none to talk on the link. */
	if (ifa->ifa_family == AF_INET6 && ((const unsigned char *)addr)[0] == 0xfe &&
	    (((const unsigned char *)addr)[1] & 0xc0) == 0x80)
		return MNL_CB_OK;
	if (c->naddrs < NET_CONFIG_MAX) {
		put_addr(&c->addrs[c->naddrs].addr, ifa->ifa_family, addr);
		c->addrs[c->naddrs].prefixlen = ifa->ifa_prefixlen;
		c->naddrs++;
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *h, void *data)
{
	struct take *t = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(h);
	const void *dst = NULL, *gw = NULL;
	struct net_config *c = t->c;
	struct nlattr *a;
	size_t alen = rtm->rtm_family == AF_INET ? 4 : 16;
	int oif = 0;

	/* The routes the kernel made for the addresses come back with them in the stack (netif_addr_add). */
	if (h->nlmsg_type != RTM_NEWROUTE || rtm->rtm_table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST ||
	    rtm->rtm_protocol == RTPROT_KERNEL || (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
		return MNL_CB_OK;
	mnl_attr_for_each(a, h, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_DST:
			if (mnl_attr_get_payload_len(a) == alen)
				dst = mnl_attr_get_payload(a);
			break;
		case RTA_GATEWAY:
			if (mnl_attr_get_payload_len(a) == alen)
				gw = mnl_attr_get_payload(a);
			break;
		case RTA_OIF:
			if (mnl_attr_get_payload_len(a) == 4)
				oif = (int)mnl_attr_get_u32(a);
			break;
		}
	}
	if (oif != t->index || c->nroutes >= NET_CONFIG_MAX)
		return MNL_CB_OK;
	memset(&c->routes[c->nroutes], 0, sizeof(c->routes[0]));
	if (dst)
		put_addr(&c->routes[c->nroutes].dst, rtm->rtm_family, dst);
	else if (rtm->rtm_family == AF_INET)
		net_addr_from_v4(&c->routes[c->nroutes].dst, 0);
	if (gw)
		put_addr(&c->routes[c->nroutes].gateway, rtm->rtm_family, gw);
	c->routes[c->nroutes].prefixlen = rtm->rtm_dst_len;
	c->nroutes++;
	return MNL_CB_OK;
}

static int dump(struct nl *nl, int type, size_t hdrlen, mnl_cb_t cb, void *data)
{
	char buf[256];
	struct nlmsghdr *h = nl_msg(nl, buf, type, NLM_F_DUMP, hdrlen);

	return nl_talk(nl, h, cb, data);
}

static int addr_del(struct nl *nl, int index, int family, int prefixlen, const void *addr)
{
	char buf[256];
	struct nlmsghdr *h = nl_msg(nl, buf, RTM_DELADDR, 0, sizeof(struct ifaddrmsg));
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);

	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)prefixlen;
	ifa->ifa_index = (unsigned)index;
	mnl_attr_put(h, IFA_LOCAL, family == AF_INET ? 4 : 16, addr);
	return nl_talk(nl, h, NULL, NULL);
}

/* Takes link's addresses and routes for the stack into c, and removes the addresses from the host kernel's view. */
static int take_addresses(struct nl *nl, const struct link *l, struct net_config *c)
{
	struct take *t = calloc(1, sizeof(*t));
	int r, i;

	if (!t)
		return -ENOMEM;
	t->index = l->index;
	t->c = c;
	r = dump(nl, RTM_GETADDR, sizeof(struct ifaddrmsg), addr_cb, t);
	if (r == 0)
		r = dump(nl, RTM_GETROUTE, sizeof(struct rtmsg), route_cb, t);
	/* The routes through the link's subnets go with its addresses. */
	for (i = 0; r == 0 && i < t->nall; i++) {
		r = addr_del(nl, l->index, t->all[i].family, t->all[i].prefixlen, t->all[i].addr);
		if (r == -EADDRNOTAVAIL)
			r = 0;
	}
	free(t);
	return r;
}

/* ---- flags ---- */

static int parse_ip(const char *s, struct in6_addr *out)
{
	struct in_addr v4;

	if (inet_pton(AF_INET, s, &v4) == 1) {
		net_addr_from_v4(out, v4.s_addr);
		return 0;
	}
	return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
}

int shim_net_flag(struct shim_net *n, const char *a)
{
	struct net_config *c = &n->config;

	if (!strcmp(a, "--network=none")) {
		n->mode = SHIM_NET_NONE;
	} else if (!strcmp(a, "--network=sandbox")) {
		n->mode = SHIM_NET_SANDBOX;
	} else if (!strncmp(a, "--network=", 10)) {
		return shim_fail("use --network=none (loopback only, the default) or --network=sandbox (there is no "
				 "host network: it would hand the application's sockets to the host)",
				 "unknown network '%s'", a + 10);
	} else if (!strncmp(a, "--net-ns=", 9) && a[9]) {
		n->mode = SHIM_NET_NETNS;
		n->netns = a + 9;
	} else if (!strncmp(a, "--veth=", 7)) {
		if (!a[7] || strlen(a + 7) >= IFNAMSIZ || strchr(a + 7, '/') || strchr(a + 7, ' '))
			return shim_fail("give an interface name of 1 to 15 characters", "bad --veth '%s'", a + 7);
		n->veth = a + 7;
	} else if (!strncmp(a, "--address=", 10)) {
		char ip[INET6_ADDRSTRLEN + 1], *slash, *end;
		long len;

		snprintf(ip, sizeof(ip), "%s", a + 10);
		slash = strchr(ip, '/');
		if (slash)
			*slash = 0;
		if (c->naddrs >= NET_CONFIG_MAX || parse_ip(ip, &c->addrs[c->naddrs].addr) < 0 || !slash)
			return shim_fail("give an address with its prefix, like 198.18.0.2/24 or fd00::2/64 (at most 8)",
					 "bad --address '%s'", a + 10);
		len = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || len < 0 ||
		    len > (net_addr_is_v4(&c->addrs[c->naddrs].addr) ? 32 : 128))
			return shim_fail("the prefix length is 0-32 for IPv4, 0-128 for IPv6", "bad --address '%s'", a + 10);
		c->addrs[c->naddrs++].prefixlen = (int)len;
	} else if (!strncmp(a, "--gateway=", 10)) {
		struct in6_addr gw;

		if (c->nroutes >= NET_CONFIG_MAX || parse_ip(a + 10, &gw) < 0)
			return shim_fail("give an IPv4 or IPv6 address, like 198.18.0.1", "bad --gateway '%s'", a + 10);
		memset(&c->routes[c->nroutes], 0, sizeof(c->routes[0]));
		if (net_addr_is_v4(&gw))
			net_addr_from_v4(&c->routes[c->nroutes].dst, 0);
		c->routes[c->nroutes].gateway = gw;
		c->nroutes++;
	} else {
		return -1;
	}
	return 0;
}

/* ---- the namespace ---- */

/* The AF_PACKET socket on link index: every frame in and out, none of our own sent ones echoed back, each after a virtio_net_hdr. */
static int packet_open(int index)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = index};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)), one = 1, buf = 4 << 20;

	if (fd < 0)
		return -errno;
	/* PACKET_VNET_HDR: frames sent with checksum offload say so (link/packet.c completes them). */
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	/* Room for bursts while the sentry is busy; the host's cap (rmem_max) applies without CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	/*
	 * The sentry sends under its lock: a full send buffer (which a veth,
	 * freeing each frame as it passes it on, should never leave) costs it
	 * at most a millisecond, and the frame, never a stalled sandbox.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &(struct timeval){0, 1000}, sizeof(struct timeval)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

int shim_net_setup(struct shim_net *n, const char **step)
{
	struct net_config *c = &n->config;
	struct nl outer = {0}, inner = {0};
	struct link l = {0};
	char name[IFNAMSIZ];
	int ns_fd = -1, r;

	c->packet_fd = -1;
	if (n->mode == SHIM_NET_NONE) {
		*step = "make the sandbox's network namespace";
		return shim_confine_net();
	}
	if (n->mode == SHIM_NET_SANDBOX) {
		/* The caller's namespace keeps the host end: talked to through a socket opened there. */
		*step = "talk to the kernel's rtnetlink";
		if ((r = nl_open(&outer)) < 0)
			return r;
		*step = "make the sandbox's network namespace";
		if ((r = shim_confine_net()) < 0)
			goto out;
		if ((ns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0) {
			r = -errno;
			goto out;
		}
		if (!n->veth) {
			snprintf(name, sizeof(name), "cvisor-%d", (int)getpid());
			n->veth = name;
		}
		*step = "make the veth pair (is --veth's name taken?)";
		if ((r = veth_make(&outer, n->veth, "eth0", ns_fd)) < 0)
			goto out;
		/* Up, and quiet too: the caller gives it addresses, the kernel makes none of its own. */
		*step = "bring the host end of the veth up";
		l.want_name = n->veth;
		if ((r = link_find(&outer, &l)) < 0 || (r = link_up_quiet(&outer, l.index)) < 0)
			goto out;
		memset(&l, 0, sizeof(l));
	} else {
		*step = "join the network namespace of --net-ns";
		if ((ns_fd = open(n->netns, O_RDONLY | O_CLOEXEC)) < 0) {
			r = -errno;
			goto out;
		}
		if (setns(ns_fd, CLONE_NEWNET) < 0) {
			r = -errno;
			goto out;
		}
	}
	*step = "talk to the kernel's rtnetlink in the sandbox's namespace";
	if ((r = nl_open(&inner)) < 0)
		goto out;
	*step = "find the sandbox's Ethernet interface";
	if ((r = link_find(&inner, &l)) < 0)
		goto out;
	if (n->mode == SHIM_NET_NETNS) {
		*step = "take the addresses of the namespace's interface";
		if ((r = take_addresses(&inner, &l, c)) < 0)
			goto out;
	}
	*step = "bring the sandbox's interface up";
	if ((r = link_up_quiet(&inner, l.index)) < 0)
		goto out;
	*step = "open the packet socket on the sandbox's interface";
	if ((r = packet_open(l.index)) < 0)
		goto out;
	c->packet_fd = r;
	c->sandbox = 1;
	snprintf(c->ifname, sizeof(c->ifname), "%s", l.name);
	memcpy(c->hwaddr, l.hwaddr, 6);
	c->mtu = l.mtu ? l.mtu : 1500;
	r = 0;
out:
	if (ns_fd >= 0)
		close(ns_fd);
	nl_close(&outer);
	nl_close(&inner);
	return r;
}
