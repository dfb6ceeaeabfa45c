/*
 * AF_NETLINK by hand, as a hostile program would use it: the socket and
 * bind rules, autobind, options, peeking to size an answer, dumps and acks,
 * and requests whose lengths lie (nlmsg_len past what was sent or below a
 * header, attributes running past their message, short family headers).
 * Prints what comes back: errnos, message types and counts, never portids
 * or addresses that differ between runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int seq = 100;

/* A call's result, with its errno when it failed (one use per printf: the buffer is shared). */
static const char *res(long r)
{
	static char b[96];

	if (r < 0)
		snprintf(b, sizeof(b), "%ld %s", r, strerror(errno));
	else
		snprintf(b, sizeof(b), "%ld", r);
	return b;
}

static int nl_open(int type, int protocol)
{
	int fd = socket(AF_NETLINK, type | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		printf("socket(type %d, protocol %d): %s\n", type, protocol, strerror(errno));
	return fd;
}

/* Sends len bytes of buf and says how many went. */
static void send_raw(int fd, const void *buf, size_t len, const char *what)
{
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};
	printf("%s: send %s\n", what, res(sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to))));
}

/*
 * Reads every answer waiting (without blocking) and prints each message:
 * its type, flags, and for errors the errno; a dump's parts are counted.
 */
static void drain(int fd, const char *what)
{
	char buf[65536];
	int parts = 0;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (n < 0) {
			printf("%s: recv: %s (%d parts)\n", what, strerror(errno), parts);
			return;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				printf("%s: NLMSG_ERROR %d (%s) seq %s flags %#x len %u\n", what, e->error,
				       e->error ? strerror(-e->error) : "ack", h->nlmsg_seq == e->msg.nlmsg_seq ? "ok" : "bad",
				       h->nlmsg_flags, h->nlmsg_len);
			} else if (h->nlmsg_type == NLMSG_DONE) {
				printf("%s: NLMSG_DONE %d after %d parts, flags %#x\n", what, *(int *)NLMSG_DATA(h), parts,
				       h->nlmsg_flags);
				parts = 0;
			} else {
				parts++;
			}
		}
	}
}

struct req {
	struct nlmsghdr h;
	union {
		struct ifaddrmsg ifa;
		struct ifinfomsg ifi;
		struct rtmsg rtm;
		struct rtgenmsg gen;
	};
	char attrs[64];
};

static size_t build(struct req *r, int type, int flags, size_t body)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = (uint32_t)NLMSG_LENGTH(body);
	r->h.nlmsg_type = (uint16_t)type;
	r->h.nlmsg_flags = (uint16_t)flags;
	r->h.nlmsg_seq = (uint32_t)++seq;
	return r->h.nlmsg_len;
}

static void sockets_and_bind(void)
{
	struct sockaddr_nl a = {.nl_family = AF_NETLINK}, b;
	socklen_t len = sizeof(b);
	int fd, fd2, fd3;

	nl_open(SOCK_STREAM, NETLINK_ROUTE);
	nl_open(SOCK_RAW, 32);
	nl_open(SOCK_RAW, -1);
	fd = nl_open(SOCK_DGRAM, NETLINK_ROUTE);
	if (fd < 0)
		return;
	printf("bind short: %s\n", res(bind(fd, (struct sockaddr *)&a, 4)));
	a.nl_family = AF_INET;
	printf("bind wrong family: %s\n", res(bind(fd, (struct sockaddr *)&a, sizeof(a))));
	a.nl_family = AF_NETLINK;
	getsockname(fd, (struct sockaddr *)&b, &len);
	printf("unbound: family %d pid %u len %u\n", b.nl_family, b.nl_pid, len);
	printf("bind 0: %d\n", bind(fd, (struct sockaddr *)&a, sizeof(a)));
	len = sizeof(b);
	getsockname(fd, (struct sockaddr *)&b, &len);
	printf("autobound to the process id: %s\n", b.nl_pid == (unsigned)getpid() ? "yes" : "no");
	a.nl_pid = 12345;
	printf("bind again elsewhere: %s\n", res(bind(fd, (struct sockaddr *)&a, sizeof(a))));
	fd2 = nl_open(SOCK_RAW, NETLINK_ROUTE);
	a.nl_pid = 0;
	bind(fd2, (struct sockaddr *)&a, sizeof(a));
	len = sizeof(b);
	getsockname(fd2, (struct sockaddr *)&b, &len);
	printf("second autobind negative: %s\n", (int)b.nl_pid < 0 ? "yes" : "no");
	fd3 = nl_open(SOCK_RAW, NETLINK_ROUTE);
	a.nl_pid = (unsigned)getpid();
	printf("bind taken pid: %s\n", res(bind(fd3, (struct sockaddr *)&a, sizeof(a))));
	a.nl_pid = 77777;
	printf("bind free pid: %d\n", bind(fd3, (struct sockaddr *)&a, sizeof(a)));

	/* A datagram from one socket to another by portid, and to nobody. */
	{
		struct sockaddr_nl to = {.nl_family = AF_NETLINK, .nl_pid = 77777}, from;
		socklen_t fl = sizeof(from);
		char buf[64];
		ssize_t n;

		printf("unicast: %zd\n", sendto(fd, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to)));
		n = recvfrom(fd3, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		printf("unicast received %zd from our process id: %s\n", n, from.nl_pid == (unsigned)getpid() ? "yes" : "no");
		to.nl_pid = 4242;
		printf("unicast to nobody: %s\n", res(sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to))));
	}
	printf("listen: %s\n", res(listen(fd, 1)));
	printf("socketpair: %s\n", res(socketpair(AF_NETLINK, SOCK_RAW, 0, (int[2]){0, 0})));
	close(fd);
	close(fd2);
	close(fd3);
}

static void options(int fd)
{
	int v = 1, got = -1;
	socklen_t len = sizeof(got);

	printf("EXT_ACK: %d\n", setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &v, sizeof(v)));
	getsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &got, &len);
	printf("EXT_ACK now %d\n", got);
	v = 0;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &v, sizeof(v));
	printf("short option: %s\n", res(setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &v, 2)));
	printf("unknown option: %s\n", res(setsockopt(fd, SOL_NETLINK, 99, &v, sizeof(v))));
	printf("other level: %s\n", res(setsockopt(fd, IPPROTO_IP, 1, &v, sizeof(v))));
	v = 0;
	printf("membership 0: %s\n", res(setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &v, sizeof(v))));
	v = 1;
	printf("membership 1: %s\n", res(setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &v, sizeof(v))));
	{
		uint32_t g[2] = {0, 0};

		len = sizeof(g);
		printf("memberships: %s", res(getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, g, &len)));
		printf(" %#x len %u\n", g[0], len);
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &v, sizeof(v));
	v = 32768;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	len = sizeof(got);
	getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &got, &len);
	printf("SO_SNDBUF 32768 -> %d\n", got);
	/* Below any host's net.core.rmem_max, which caps it. */
	v = 65536;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	len = sizeof(got);
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len);
	printf("SO_RCVBUF 65536 -> %d\n", got);
	len = sizeof(got);
	getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &got, &len);
	printf("SO_PROTOCOL %d\n", got);
}

/* A dump of addresses, sized first with a peek of zero bytes as iproute2 does. */
static void peek_and_dump(int fd)
{
	struct req r;
	char buf[65536];
	struct iovec iov = {.iov_base = buf, .iov_len = 0};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t peeked, n;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	send_raw(fd, &r, build(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, sizeof(r.ifa)), "getaddr dump");
	n = poll(&p, 1, 1000);
	printf("poll: %zd revents %#x\n", n, p.revents);
	peeked = recvmsg(fd, &mh, MSG_PEEK | MSG_TRUNC);
	printf("peek: flags %s\n", mh.msg_flags & MSG_TRUNC ? "MSG_TRUNC" : "none");
	n = recv(fd, buf, 20, MSG_PEEK);
	printf("short peek: %zd\n", n);
	n = recv(fd, buf, sizeof(buf), 0);
	printf("peeked length is the datagram's: %s\n", n == peeked ? "yes" : "no");
	{
		struct nlmsghdr *h;
		int v4 = 0, v6 = 0;

		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct ifaddrmsg *ifa = NLMSG_DATA(h);

			if (h->nlmsg_type != RTM_NEWADDR)
				continue;
			if (!(h->nlmsg_flags & NLM_F_MULTI) || h->nlmsg_seq != (unsigned)seq)
				printf("part without NLM_F_MULTI or with the wrong seq\n");
			if (ifa->ifa_family == AF_INET)
				v4++;
			else
				v6++;
		}
		printf("addresses: %d IPv4, %d IPv6\n", v4, v6);
	}
	drain(fd, "getaddr dump rest");
	/* A receive too small for the next datagram: MSG_TRUNC, and the rest is gone. */
	send_raw(fd, &r, build(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, sizeof(r.ifi)), "getlink dump");
	n = recv(fd, buf, 16, MSG_TRUNC);
	printf("truncated recv with MSG_TRUNC returns more than 16: %s\n", n > 16 ? "yes" : "no");
	drain(fd, "getlink dump rest");
	/* read(2) and write(2) work as recv and send. */
	build(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, sizeof(r.ifi));
	printf("write: %zd\n", write(fd, &r, r.h.nlmsg_len));
	n = read(fd, buf, sizeof(buf));
	printf("read a link: %s\n", n > 0 && ((struct nlmsghdr *)buf)->nlmsg_type == RTM_NEWLINK ? "yes" : "no");
	drain(fd, "read rest");
}

static void acks_and_lies(int fd)
{
	struct req r;
	char two[2 * sizeof(struct req)];
	size_t len;

	/* Lengths that lie: the batch ends there, silently. */
	len = build(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK, sizeof(r.ifa));
	r.h.nlmsg_len = 0;
	send_raw(fd, &r, len, "nlmsg_len 0");
	drain(fd, "nlmsg_len 0");
	r.h.nlmsg_len = 15;
	send_raw(fd, &r, len, "nlmsg_len 15");
	drain(fd, "nlmsg_len 15");
	r.h.nlmsg_len = (uint32_t)len + 4;
	send_raw(fd, &r, len, "nlmsg_len past the end");
	drain(fd, "nlmsg_len past the end");
	send_raw(fd, &r, 10, "10 bytes");
	drain(fd, "10 bytes");
	send_raw(fd, &r, 0, "0 bytes");
	drain(fd, "0 bytes");

	/* No body: ignored, but acked when asked. */
	send_raw(fd, &r, build(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_ACK, 0), "no body");
	drain(fd, "no body");
	/* Not a request, a control message, a type past RTM_MAX. */
	send_raw(fd, &r, build(&r, RTM_GETLINK, NLM_F_ACK, sizeof(r.ifi)), "not a request");
	drain(fd, "not a request");
	send_raw(fd, &r, build(&r, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 0), "noop");
	drain(fd, "noop");
	send_raw(fd, &r, build(&r, RTM_MAX + 5, NLM_F_REQUEST, 4), "past RTM_MAX");
	drain(fd, "past RTM_MAX");
	send_raw(fd, &r, build(&r, RTM_GETADDR, NLM_F_REQUEST, sizeof(r.ifa)), "getaddr without dump");
	drain(fd, "getaddr without dump");

	/* A link by index, and one that is not there. */
	build(&r, RTM_GETLINK, NLM_F_REQUEST, sizeof(r.ifi));
	r.ifi.ifi_index = 1;
	send_raw(fd, &r, r.h.nlmsg_len, "getlink 1");
	drain(fd, "getlink 1");
	r.ifi.ifi_index = 99;
	send_raw(fd, &r, r.h.nlmsg_len, "getlink 99");
	drain(fd, "getlink 99");
	send_raw(fd, &r, build(&r, RTM_GETLINK, NLM_F_REQUEST, 4), "getlink short header");
	drain(fd, "getlink short header");

	/* New address: short header, no address, an attribute running past the message, a short one. */
	send_raw(fd, &r, build(&r, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK, 4), "newaddr short header");
	drain(fd, "newaddr short header");
	build(&r, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, sizeof(r.ifa));
	r.ifa.ifa_family = AF_INET;
	r.ifa.ifa_prefixlen = 8;
	r.ifa.ifa_index = 1;
	send_raw(fd, &r, r.h.nlmsg_len, "newaddr no address");
	drain(fd, "newaddr no address");
	{
		struct rtattr *a = (struct rtattr *)((char *)&r + NLMSG_LENGTH(sizeof(r.ifa)));

		a->rta_type = IFA_LOCAL;
		a->rta_len = 40;
		memcpy(RTA_DATA(a), "\x0a\x02\x03\x04", 4);
		r.h.nlmsg_len = (uint32_t)NLMSG_LENGTH(sizeof(r.ifa)) + 8;
		send_raw(fd, &r, r.h.nlmsg_len, "newaddr attribute past the message");
		drain(fd, "newaddr attribute past the message");
		a->rta_len = 6;
		send_raw(fd, &r, r.h.nlmsg_len, "newaddr attribute of 2 bytes");
		drain(fd, "newaddr attribute of 2 bytes");
		a->rta_len = 2;
		send_raw(fd, &r, r.h.nlmsg_len, "newaddr attribute shorter than its header");
		drain(fd, "newaddr attribute shorter than its header");
		r.ifa.ifa_prefixlen = 33;
		a->rta_len = 8;
		send_raw(fd, &r, r.h.nlmsg_len, "newaddr prefix 33");
		drain(fd, "newaddr prefix 33");
		r.ifa.ifa_prefixlen = 8;
		r.ifa.ifa_index = 99;
		send_raw(fd, &r, r.h.nlmsg_len, "newaddr no such link");
		drain(fd, "newaddr no such link");
		r.ifa.ifa_index = 1;
		r.h.nlmsg_type = RTM_DELADDR;
		send_raw(fd, &r, r.h.nlmsg_len, "deladdr with NLM_F_BULK");
		drain(fd, "deladdr with NLM_F_BULK");
		r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		send_raw(fd, &r, r.h.nlmsg_len, "deladdr not there");
		drain(fd, "deladdr not there");
	}

	/* Route get: a short RTA_DST, one running past the message, a short rtmsg. */
	build(&r, RTM_GETROUTE, NLM_F_REQUEST, sizeof(r.rtm));
	r.rtm.rtm_family = AF_INET;
	{
		struct rtattr *a = (struct rtattr *)((char *)&r + NLMSG_LENGTH(sizeof(r.rtm)));

		a->rta_type = RTA_DST;
		a->rta_len = 6;
		memcpy(RTA_DATA(a), "\x7f\x00", 2);
		r.h.nlmsg_len = (uint32_t)NLMSG_LENGTH(sizeof(r.rtm)) + 8;
		send_raw(fd, &r, r.h.nlmsg_len, "route get 2-byte dst");
		drain(fd, "route get 2-byte dst");
		a->rta_len = 40;
		send_raw(fd, &r, r.h.nlmsg_len, "route get dst past the message");
		drain(fd, "route get dst past the message");
	}
	send_raw(fd, &r, build(&r, RTM_GETROUTE, NLM_F_REQUEST, 4), "route get short rtmsg");
	drain(fd, "route get short rtmsg");

	/* Two dumps in one send: the second finds the first still running. */
	len = build(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, sizeof(r.ifi));
	memcpy(two, &r, len);
	build(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, sizeof(r.ifa));
	memcpy(two + len, &r, r.h.nlmsg_len);
	send_raw(fd, two, len + r.h.nlmsg_len, "two dumps");
	drain(fd, "two dumps");

	/* Strict checking: a link dump naming an index is refused in its DONE. */
	{
		int v = 1;

		setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &v, sizeof(v));
		build(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, sizeof(r.ifi));
		r.ifi.ifi_index = 1;
		send_raw(fd, &r, r.h.nlmsg_len, "strict link dump with an index");
		drain(fd, "strict link dump with an index");
		send_raw(fd, &r, build(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 1), "strict addr dump, rtgenmsg");
		drain(fd, "strict addr dump, rtgenmsg");
		v = 0;
		setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &v, sizeof(v));
		send_raw(fd, &r, build(&r, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 1), "lenient addr dump, rtgenmsg");
		drain(fd, "lenient addr dump, rtgenmsg");
	}
	/* NETLINK_CAP_ACK: an error without the request's payload. */
	{
		int v = 1;

		setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &v, sizeof(v));
		send_raw(fd, &r, build(&r, RTM_NEWADDR, NLM_F_REQUEST, 4), "capped error");
		drain(fd, "capped error");
	}
}

static void sock_diag(void)
{
	int fd = nl_open(SOCK_DGRAM, NETLINK_SOCK_DIAG);
	struct {
		struct nlmsghdr h;
		unsigned char body[72];
	} r;

	if (fd < 0)
		return;
	memset(&r, 0, sizeof(r));
	r.h.nlmsg_len = NLMSG_LENGTH(1);
	r.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	send_raw(fd, &r, r.h.nlmsg_len, "sock_diag 1-byte request");
	drain(fd, "sock_diag 1-byte request");
	r.h.nlmsg_len = NLMSG_LENGTH(2);
	r.body[0] = AF_INET;
	r.body[1] = IPPROTO_TCP;
	send_raw(fd, &r, r.h.nlmsg_len, "inet_diag short request");
	drain(fd, "inet_diag short request");
	r.body[0] = 200;
	send_raw(fd, &r, r.h.nlmsg_len, "sock_diag family 200");
	drain(fd, "sock_diag family 200");
	r.h.nlmsg_type = 99;
	send_raw(fd, &r, r.h.nlmsg_len, "sock_diag type 99");
	drain(fd, "sock_diag type 99");
	close(fd);
}

int main(void)
{
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sockets_and_bind();
	fd = nl_open(SOCK_RAW, NETLINK_ROUTE);
	if (fd < 0)
		return 1;
	options(fd);
	peek_and_dump(fd);
	acks_and_lies(fd);
	close(fd);
	sock_diag();
	return 0;
}
