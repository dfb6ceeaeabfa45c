/*
 * UDP over loopback, IPv4 and IPv6: echo, bind rules, ephemeral ports,
 * names, MSG_PEEK/MSG_TRUNC/MSG_DONTWAIT, FIONREAD, poll readiness,
 * zero-length datagrams, connected sockets (read/write, ECONNREFUSED after
 * a port unreachable), SO_RCVBUF's doubling and its bound, ancillary data
 * (IP_PKTINFO, IP_TOS, IPV6_RECVPKTINFO), broadcast without SO_BROADCAST.
 * Natively it runs in a fresh network namespace with only lo.
 */
#include "../syscalls/check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static struct sockaddr_in sin4(const char *a, int port)
{
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(port)};

	inet_pton(AF_INET, a, &s.sin_addr);
	return s;
}

static struct sockaddr_in6 sin6(const char *a, int port)
{
	struct sockaddr_in6 s = {.sin6_family = AF_INET6, .sin6_port = htons(port)};

	inet_pton(AF_INET6, a, &s.sin6_addr);
	return s;
}

/* Prints a sockaddr without its port when the port is ephemeral. */
static void show(const char *what, const struct sockaddr *sa, socklen_t len, int port_too)
{
	char buf[64] = "?";
	int port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)sa;

		inet_ntop(AF_INET, &s->sin_addr, buf, sizeof(buf));
		port = ntohs(s->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)sa;

		inet_ntop(AF_INET6, &s->sin6_addr, buf, sizeof(buf));
		port = ntohs(s->sin6_port);
	}
	if (port_too)
		printf("%s: family %d len %u addr %s port %d\n", what, sa->sa_family, (unsigned)len, buf, port);
	else
		printf("%s: family %d len %u addr %s port %s\n", what, sa->sa_family, (unsigned)len, buf,
		       port >= 32768 && port <= 60999 ? "ephemeral" : port ? "other" : "0");
}

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	getsockname(fd, (struct sockaddr *)&ss, &len);
	return ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port) :
					 ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void echo4(void)
{
	struct sockaddr_in a = sin4("127.0.0.1", 7001), from;
	socklen_t len = sizeof(from);
	char buf[64];
	int s = socket(AF_INET, SOCK_DGRAM, 0), c = socket(AF_INET, SOCK_DGRAM, 0);

	CHECK("v4 bind 127.0.0.1:7001", bind(s, (void *)&a, sizeof(a)));
	CHECK("v4 sendto", sendto(c, "hello", 5, 0, (void *)&a, sizeof(a)));
	CHECK("v4 recvfrom", recvfrom(s, buf, sizeof(buf), 0, (void *)&from, &len));
	show("v4 from", (void *)&from, len, 0);
	CHECK("v4 client port == from port", port_of(c) == ntohs(from.sin_port));
	CHECK("v4 reply", sendto(s, "world!", 6, 0, (void *)&from, len));
	CHECK("v4 client recv", recv(c, buf, sizeof(buf), 0));
	len = sizeof(from);
	CHECK("getsockname client", getsockname(c, (void *)&from, &len));
	show("client name", (void *)&from, len, 0);
	CHECK("getpeername unconnected", getpeername(c, (void *)&from, &len));
	/* Another address of 127/8 is ours too. */
	{
		struct sockaddr_in b = sin4("127.0.0.5", 7001);
		int s2 = socket(AF_INET, SOCK_DGRAM, 0);

		CHECK("bind 127.0.0.5:7001 beside 127.0.0.1:7001", bind(s2, (void *)&b, sizeof(b)));
		CHECK("send to 127.0.0.5", sendto(c, "x", 1, 0, (void *)&b, sizeof(b)));
		CHECK("s2 gets it", recv(s2, buf, sizeof(buf), MSG_DONTWAIT));
		CHECK("s does not", recv(s, buf, sizeof(buf), MSG_DONTWAIT));
		close(s2);
	}
	close(s);
	close(c);
}

static void echo6(void)
{
	struct sockaddr_in6 a = sin6("::1", 7002), from;
	socklen_t len = sizeof(from);
	char buf[64];
	int s = socket(AF_INET6, SOCK_DGRAM, 0), c = socket(AF_INET6, SOCK_DGRAM, 0);

	CHECK("v6 bind [::1]:7002", bind(s, (void *)&a, sizeof(a)));
	CHECK("v6 sendto", sendto(c, "hello6", 6, 0, (void *)&a, sizeof(a)));
	CHECK("v6 recvfrom", recvfrom(s, buf, sizeof(buf), 0, (void *)&from, &len));
	show("v6 from", (void *)&from, len, 0);
	CHECK("v6 reply", sendto(s, "w", 1, 0, (void *)&from, len));
	CHECK("v6 client recv", recv(c, buf, sizeof(buf), 0));
	close(s);
	close(c);
}

static void binds(void)
{
	struct sockaddr_in a = sin4("127.0.0.1", 7003), any = sin4("0.0.0.0", 7003), far = sin4("10.9.9.9", 7003);
	struct sockaddr_in6 a6 = sin6("::", 7003), one6 = sin6("::1", 7003);
	int s1 = socket(AF_INET, SOCK_DGRAM, 0), s2 = socket(AF_INET, SOCK_DGRAM, 0), s3, s4, v = 1;

	CHECK("bind 127.0.0.1:7003", bind(s1, (void *)&a, sizeof(a)));
	CHECK("bind again same socket", bind(s1, (void *)&a, sizeof(a)));
	CHECK("bind 127.0.0.1:7003 again", bind(s2, (void *)&a, sizeof(a)));
	CHECK("bind 0.0.0.0:7003", bind(s2, (void *)&any, sizeof(any)));
	CHECK("bind 10.9.9.9", bind(s2, (void *)&far, sizeof(far)));
	s3 = socket(AF_INET6, SOCK_DGRAM, 0);
	CHECK("bind [::]:7003 dual-stack", bind(s3, (void *)&a6, sizeof(a6)));
	close(s3);
	s3 = socket(AF_INET6, SOCK_DGRAM, 0);
	CHECK("IPV6_V6ONLY on", setsockopt(s3, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)));
	CHECK("bind [::]:7003 v6only", bind(s3, (void *)&a6, sizeof(a6)));
	CHECK("IPV6_V6ONLY after bind", setsockopt(s3, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)));
	s4 = socket(AF_INET6, SOCK_DGRAM, 0);
	CHECK("bind [::1]:7003 under [::]", bind(s4, (void *)&one6, sizeof(one6)));
	close(s1);
	close(s2);
	close(s3);
	close(s4);
	/* SO_REUSEADDR on both shares a port; on one only, not. */
	s1 = socket(AF_INET, SOCK_DGRAM, 0);
	s2 = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK("SO_REUSEADDR s1", setsockopt(s1, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
	CHECK("bind s1", bind(s1, (void *)&a, sizeof(a)));
	CHECK("bind s2 without", bind(s2, (void *)&a, sizeof(a)));
	CHECK("SO_REUSEADDR s2", setsockopt(s2, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
	CHECK("bind s2 with", bind(s2, (void *)&a, sizeof(a)));
	close(s1);
	close(s2);
	s1 = socket(AF_INET, SOCK_DGRAM, 0);
	s2 = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK("SO_REUSEPORT s1", setsockopt(s1, SOL_SOCKET, SO_REUSEPORT, &v, sizeof(v)));
	CHECK("SO_REUSEPORT s2", setsockopt(s2, SOL_SOCKET, SO_REUSEPORT, &v, sizeof(v)));
	CHECK("bind s1 reuseport", bind(s1, (void *)&a, sizeof(a)));
	CHECK("bind s2 reuseport", bind(s2, (void *)&a, sizeof(a)));
	close(s1);
	close(s2);
	/* Ports below 1024 need CAP_NET_BIND_SERVICE: both runs are root. */
	s1 = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = htons(53);
	CHECK("bind port 53 as root", bind(s1, (void *)&a, sizeof(a)));
	close(s1);
	/* Port 0: an ephemeral one. */
	s1 = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = 0;
	CHECK("bind port 0", bind(s1, (void *)&a, sizeof(a)));
	{
		struct sockaddr_in got;
		socklen_t len = sizeof(got);

		getsockname(s1, (void *)&got, &len);
		show("bound to port 0", (void *)&got, len, 0);
	}
	close(s1);
}

static void peek_trunc(void)
{
	struct sockaddr_in a = sin4("127.0.0.1", 7004);
	char buf[64];
	int s = socket(AF_INET, SOCK_DGRAM, 0), c = socket(AF_INET, SOCK_DGRAM, 0), n = -1;
	struct pollfd pfd = {.fd = s, .events = POLLIN | POLLOUT};
	struct iovec iov = {.iov_base = buf, .iov_len = 4};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	bind(s, (void *)&a, sizeof(a));
	CHECK("poll empty", poll(&pfd, 1, 0));
	printf("revents empty = %#x\n", pfd.revents);
	CHECK("FIONREAD empty", ioctl(s, FIONREAD, &n));
	printf("FIONREAD = %d\n", n);
	CHECK("recv empty DONTWAIT", recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	sendto(c, "0123456789", 10, 0, (void *)&a, sizeof(a));
	sendto(c, "abc", 3, 0, (void *)&a, sizeof(a));
	sendto(c, "", 0, 0, (void *)&a, sizeof(a));
	CHECK("poll ready", poll(&pfd, 1, 0));
	printf("revents ready = %#x\n", pfd.revents);
	CHECK("FIONREAD", ioctl(s, FIONREAD, &n));
	printf("FIONREAD = %d\n", n);
	CHECK("recv PEEK 4", recv(s, buf, 4, MSG_PEEK));
	CHECK("recv PEEK|TRUNC 4", recv(s, buf, 4, MSG_PEEK | MSG_TRUNC));
	CHECK("recvmsg 4", recvmsg(s, &mh, 0));
	printf("msg_flags = %#x data %.4s\n", mh.msg_flags, buf);
	CHECK("recv next", recv(s, buf, sizeof(buf), 0));
	CHECK("FIONREAD zero-length next", ioctl(s, FIONREAD, &n));
	printf("FIONREAD = %d\n", n);
	CHECK("poll zero-length ready", poll(&pfd, 1, 0));
	CHECK("recv zero-length", recv(s, buf, sizeof(buf), 0));
	CHECK("recv none left", recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	CHECK("SIOCOUTQ", ioctl(c, TIOCOUTQ, &n));
	printf("SIOCOUTQ = %d\n", n);
	CHECK("send 65507", sendto(c, malloc(65507), 65507, 0, (void *)&a, sizeof(a)));
	CHECK("recv TRUNC of 65507", recv(s, buf, 1, MSG_TRUNC));
	CHECK("send 65508", sendto(c, malloc(65508), 65508, 0, (void *)&a, sizeof(a)));
	close(s);
	close(c);
}

static void connected(void)
{
	struct sockaddr_in a = sin4("127.0.0.1", 7005), closed = sin4("127.0.0.1", 7999), un = {.sin_family = AF_UNSPEC};
	struct sockaddr_in name;
	socklen_t len = sizeof(name);
	char buf[16];
	int s = socket(AF_INET, SOCK_DGRAM, 0), c = socket(AF_INET, SOCK_DGRAM, 0), o = socket(AF_INET, SOCK_DGRAM, 0);
	struct pollfd pfd = {.fd = c, .events = POLLIN};

	bind(s, (void *)&a, sizeof(a));
	CHECK("send unconnected no address", send(c, "x", 1, 0));
	CHECK("write unconnected", write(c, "x", 1));
	CHECK("connect", connect(c, (void *)&a, sizeof(a)));
	CHECK("getsockname after connect", getsockname(c, (void *)&name, &len));
	show("connected name", (void *)&name, len, 0);
	len = sizeof(name);
	CHECK("getpeername", getpeername(c, (void *)&name, &len));
	show("peer", (void *)&name, len, 1);
	CHECK("write connected", write(c, "hi", 2));
	CHECK("read server", recvfrom(s, buf, sizeof(buf), 0, (void *)&name, &len));
	CHECK("server replies", sendto(s, "yo", 2, 0, (void *)&name, len));
	CHECK("read connected", read(c, buf, sizeof(buf)));
	/* Someone else's datagram does not reach a connected socket. */
	CHECK("other sends to connected client", sendto(o, "no", 2, 0, (void *)&name, len));
	CHECK("connected client drops it", recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	CHECK("disconnect (AF_UNSPEC)", connect(c, (void *)&un, sizeof(un)));
	len = sizeof(name);
	CHECK("getpeername after disconnect", getpeername(c, (void *)&name, &len));
	/* A closed port: the ICMP port unreachable comes back as ECONNREFUSED. */
	CHECK("connect to closed port", connect(c, (void *)&closed, sizeof(closed)));
	CHECK("send to closed port", send(c, "x", 1, 0));
	CHECK("poll sees the error", poll(&pfd, 1, 0));
	printf("revents = %#x\n", pfd.revents);
	CHECK("recv gets ECONNREFUSED", recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	CHECK("then nothing", recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	CHECK("send again", send(c, "x", 1, 0));
	CHECK("second send gets ECONNREFUSED", send(c, "x", 1, 0));
	{
		int e = -1;
		socklen_t el = sizeof(e);

		CHECK("send again", send(c, "x", 1, 0));
		CHECK("SO_ERROR", getsockopt(c, SOL_SOCKET, SO_ERROR, &e, &el));
		printf("SO_ERROR = %s\n", e ? errname(e) : "0");
		CHECK("SO_ERROR again", getsockopt(c, SOL_SOCKET, SO_ERROR, &e, &el));
		printf("SO_ERROR = %s\n", e ? errname(e) : "0");
	}
	/* Unconnected sockets are not told. */
	CHECK("unconnected send to closed port", sendto(o, "x", 1, 0, (void *)&closed, sizeof(closed)));
	CHECK("unconnected recv", recv(o, buf, sizeof(buf), MSG_DONTWAIT));
	CHECK("shutdown unconnected", shutdown(o, SHUT_RD));
	CHECK("recv after SHUT_RD", recv(o, buf, sizeof(buf), MSG_DONTWAIT));
	CHECK("shutdown bad how", shutdown(o, 7));
	close(s);
	close(c);
	close(o);
}

static void dualstack(void)
{
	struct sockaddr_in6 any6 = sin6("::", 7006), from;
	struct sockaddr_in to4 = sin4("127.0.0.1", 7006);
	socklen_t len = sizeof(from);
	char buf[16];
	int s = socket(AF_INET6, SOCK_DGRAM, 0), c = socket(AF_INET, SOCK_DGRAM, 0), v = 1, s6;

	CHECK("bind [::]:7006", bind(s, (void *)&any6, sizeof(any6)));
	CHECK("v4 to dual-stack", sendto(c, "m", 1, 0, (void *)&to4, sizeof(to4)));
	CHECK("dual-stack recvfrom", recvfrom(s, buf, sizeof(buf), 0, (void *)&from, &len));
	show("v4-mapped from", (void *)&from, len, 0);
	CHECK("dual-stack replies to v4-mapped", sendto(s, "r", 1, 0, (void *)&from, len));
	CHECK("v4 client gets it", recv(c, buf, sizeof(buf), 0));
	{
		/* A dual-stack socket may send to an AF_INET sockaddr too. */
		struct sockaddr_in back;
		socklen_t bl = sizeof(back);

		getsockname(c, (void *)&back, &bl);
		back.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		CHECK("dual-stack sendto AF_INET sockaddr", sendto(s, "r", 1, 0, (void *)&back, sizeof(back)));
		CHECK("v4 client gets that", recv(c, buf, sizeof(buf), 0));
	}
	s6 = socket(AF_INET6, SOCK_DGRAM, 0);
	setsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v));
	any6.sin6_port = htons(7007);
	to4.sin_port = htons(7007);
	CHECK("bind v6only [::]:7007", bind(s6, (void *)&any6, sizeof(any6)));
	CHECK("v4 to v6only", sendto(c, "m", 1, 0, (void *)&to4, sizeof(to4)));
	CHECK("v6only gets nothing", recv(s6, buf, sizeof(buf), MSG_DONTWAIT));
	{
		struct sockaddr_in6 m = sin6("::ffff:127.0.0.1", 7006);

		CHECK("v6only sendto v4-mapped", sendto(s6, "m", 1, 0, (void *)&m, sizeof(m)));
		CHECK("v6only connect v4-mapped", connect(s6, (void *)&m, sizeof(m)));
	}
	close(s);
	close(s6);
	close(c);
}

static void options(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), v = 0, c;
	socklen_t len = sizeof(v);
	struct sockaddr_in a = sin4("127.0.0.1", 7008);
	struct sockaddr_in bc = sin4("127.255.255.255", 7008);
	struct sockaddr_in all = sin4("255.255.255.255", 7008);

	CHECK("SO_RCVBUF default", getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len));
	printf("SO_RCVBUF = %d\n", v);
	v = 4096;
	CHECK("SO_RCVBUF set 4096", setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
	CHECK("SO_RCVBUF get", getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len));
	printf("SO_RCVBUF = %d\n", v);
	v = 1;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len);
	printf("SO_RCVBUF min = %d\n", v);
	v = 1 << 30;
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &len);
	/* The cap is net.core.wmem_max, which hosts tune: only that there is one. */
	printf("SO_SNDBUF capped = %s\n", v < (1 << 30) && v >= 425984 ? "yes" : "no");
	v = 100000;
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &len);
	printf("SO_SNDBUF 100000 = %d\n", v);
	CHECK("SO_TYPE", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len));
	printf("SO_TYPE = %d\n", v);
	CHECK("SO_PROTOCOL", getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &len));
	printf("SO_PROTOCOL = %d\n", v);
	CHECK("SO_DOMAIN", getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len));
	printf("SO_DOMAIN = %d\n", v);
	CHECK("IP_TTL default", getsockopt(s, IPPROTO_IP, IP_TTL, &v, &len));
	printf("IP_TTL = %d\n", v);
	v = 0;
	CHECK("IP_TTL 0", setsockopt(s, IPPROTO_IP, IP_TTL, &v, sizeof(v)));
	v = 256;
	CHECK("IP_TTL 256", setsockopt(s, IPPROTO_IP, IP_TTL, &v, sizeof(v)));
	v = 0x10;
	CHECK("IP_TOS 0x10", setsockopt(s, IPPROTO_IP, IP_TOS, &v, sizeof(v)));
	CHECK("IP_TOS get", getsockopt(s, IPPROTO_IP, IP_TOS, &v, &len));
	printf("IP_TOS = %#x\n", v);
	CHECK("IPV6_V6ONLY on AF_INET", setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)));
	CHECK("SO_RCVBUF short", setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, 2));
	CHECK("unknown SOL_SOCKET option", setsockopt(s, SOL_SOCKET, 9999, &v, sizeof(v)));
	CHECK("unknown level", setsockopt(s, 9999, 1, &v, sizeof(v)));
	CHECK("IP_MTU unconnected", getsockopt(s, IPPROTO_IP, IP_MTU, &v, &len));
	/* A broadcast reaches every socket bound to the wildcard and its port (not one bound to 127.0.0.1). */
	{
		struct sockaddr_in wild = sin4("0.0.0.0", 7009), one = sin4("127.0.0.1", 7009), to = sin4("127.255.255.255", 7009);
		int w1 = socket(AF_INET, SOCK_DGRAM, 0), w2 = socket(AF_INET, SOCK_DGRAM, 0), o1 = socket(AF_INET, SOCK_DGRAM, 0);
		int b = socket(AF_INET, SOCK_DGRAM, 0), on = 1;
		char x[4];

		setsockopt(w1, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		setsockopt(w2, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		setsockopt(o1, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		bind(w1, (void *)&wild, sizeof(wild));
		bind(w2, (void *)&wild, sizeof(wild));
		bind(o1, (void *)&one, sizeof(one));
		CHECK("SO_BROADCAST", setsockopt(b, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)));
		CHECK("send to 127.255.255.255", sendto(b, "b", 1, 0, (void *)&to, sizeof(to)));
		CHECK("wildcard 1 gets it", recv(w1, x, sizeof(x), MSG_DONTWAIT));
		CHECK("wildcard 2 gets it", recv(w2, x, sizeof(x), MSG_DONTWAIT));
		CHECK("127.0.0.1 does not", recv(o1, x, sizeof(x), MSG_DONTWAIT));
		close(w1);
		close(w2);
		close(o1);
		close(b);
	}
	/* Broadcast needs SO_BROADCAST. */
	CHECK("send to 127.255.255.255 without SO_BROADCAST", sendto(s, "b", 1, 0, (void *)&bc, sizeof(bc)));
	CHECK("send to 255.255.255.255 without SO_BROADCAST", sendto(s, "b", 1, 0, (void *)&all, sizeof(all)));
	close(s);

	/* The receive queue is bounded by SO_RCVBUF: past it datagrams are dropped, never queued. */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	c = socket(AF_INET, SOCK_DGRAM, 0);
	bind(s, (void *)&a, sizeof(a));
	v = 16384;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	{
		char big[1000] = {0}, buf[1000];
		int i, got = 0;

		for (i = 0; i < 200; i++)
			sendto(c, big, sizeof(big), 0, (void *)&a, sizeof(a));
		while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			got++;
		printf("rcvbuf 32768: some queued %s, some dropped %s\n", got > 4 ? "yes" : "no", got < 200 ? "yes" : "no");
	}
	close(s);
	close(c);
}

static void ancillary(void)
{
	struct sockaddr_in a = sin4("127.0.0.1", 7010);
	int s = socket(AF_INET, SOCK_DGRAM, 0), c = socket(AF_INET, SOCK_DGRAM, 0), on = 1, tos = 0x28;
	char buf[16], ctl[256];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm;

	bind(s, (void *)&a, sizeof(a));
	CHECK("IP_PKTINFO", setsockopt(s, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)));
	CHECK("IP_RECVTOS", setsockopt(s, IPPROTO_IP, IP_RECVTOS, &on, sizeof(on)));
	CHECK("IP_RECVTTL", setsockopt(s, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on)));
	setsockopt(c, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	sendto(c, "p", 1, 0, (void *)&a, sizeof(a));
	CHECK("recvmsg with control", recvmsg(s, &mh, 0));
	printf("msg_flags = %#x\n", mh.msg_flags);
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		printf("cmsg level %d type %d len %zu", cm->cmsg_level, cm->cmsg_type, (size_t)cm->cmsg_len);
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			char x[32], y[32];

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			printf(" ifindex %d spec_dst %s addr %s", pi.ipi_ifindex, inet_ntop(AF_INET, &pi.ipi_spec_dst, x, 32),
			       inet_ntop(AF_INET, &pi.ipi_addr, y, 32));
		} else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TOS) {
			printf(" tos %#x", *(unsigned char *)CMSG_DATA(cm));
		} else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TTL) {
			printf(" ttl %d", *(int *)CMSG_DATA(cm));
		}
		printf("\n");
	}
	/* Too little room: MSG_CTRUNC. */
	sendto(c, "q", 1, 0, (void *)&a, sizeof(a));
	mh.msg_controllen = 20;
	CHECK("recvmsg small control", recvmsg(s, &mh, 0));
	printf("msg_flags = %#x controllen %zu\n", mh.msg_flags, (size_t)mh.msg_controllen);
	/* IP_TTL given with sendmsg. */
	{
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr h;
		} u;
		struct msghdr sm = {.msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = u.b, .msg_controllen = sizeof(u.b)};
		int ttl = 9;

		iov.iov_len = 1;
		u.h.cmsg_len = CMSG_LEN(sizeof(int));
		u.h.cmsg_level = IPPROTO_IP;
		u.h.cmsg_type = IP_TTL;
		memcpy(CMSG_DATA(&u.h), &ttl, sizeof(ttl));
		CHECK("sendmsg IP_TTL 9", sendmsg(c, &sm, 0));
		iov.iov_len = sizeof(buf);
		mh.msg_controllen = sizeof(ctl);
		CHECK("recvmsg", recvmsg(s, &mh, 0));
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_type == IP_TTL)
				printf("ttl seen %d\n", *(int *)CMSG_DATA(cm));
		ttl = 0;
		memcpy(CMSG_DATA(&u.h), &ttl, sizeof(ttl));
		iov.iov_len = 1;
		CHECK("sendmsg IP_TTL 0", sendmsg(c, &sm, 0));
		u.h.cmsg_type = 12345;
		CHECK("sendmsg unknown IP cmsg", sendmsg(c, &sm, 0));
	}
	close(s);
	close(c);

	/* IPV6_RECVPKTINFO on a dual-stack socket: IPv4 arrivals too. */
	{
		struct sockaddr_in6 a6 = sin6("::1", 7011);
		int s6 = socket(AF_INET6, SOCK_DGRAM, 0), c6 = socket(AF_INET6, SOCK_DGRAM, 0);

		bind(s6, (void *)&a6, sizeof(a6));
		CHECK("IPV6_RECVPKTINFO", setsockopt(s6, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)));
		sendto(c6, "6", 1, 0, (void *)&a6, sizeof(a6));
		iov.iov_len = sizeof(buf);
		mh.msg_controllen = sizeof(ctl);
		CHECK("recvmsg v6", recvmsg(s6, &mh, 0));
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			struct in6_pktinfo pi;
			char x[64];

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			printf("cmsg level %d type %d addr %s ifindex %u\n", cm->cmsg_level, cm->cmsg_type,
			       inet_ntop(AF_INET6, &pi.ipi6_addr, x, 64), pi.ipi6_ifindex);
		}
		close(s6);
		close(c6);
	}
}

static void *later_send(void *arg)
{
	struct sockaddr_in a = sin4("127.0.0.1", 7012);
	int c = socket(AF_INET, SOCK_DGRAM, 0);

	(void)arg;
	usleep(50000);
	sendto(c, "late", 4, 0, (void *)&a, sizeof(a));
	close(c);
	return NULL;
}

/* epoll on a UDP socket: level- and edge-triggered readiness. */
static void epolled(void)
{
	struct sockaddr_in a = sin4("127.0.0.1", 7013);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET}, out[4];
	int s = socket(AF_INET, SOCK_DGRAM, 0), c = socket(AF_INET, SOCK_DGRAM, 0), ep = epoll_create1(0);
	char buf[8];

	bind(s, (void *)&a, sizeof(a));
	CHECK("epoll_ctl ADD (ET)", epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
	CHECK("epoll_wait empty", epoll_wait(ep, out, 4, 0));
	sendto(c, "e", 1, 0, (void *)&a, sizeof(a));
	CHECK("epoll_wait after a datagram", epoll_wait(ep, out, 4, 1000));
	printf("events = %#x\n", out[0].events);
	CHECK("epoll_wait again (edge already seen)", epoll_wait(ep, out, 4, 0));
	sendto(c, "f", 1, 0, (void *)&a, sizeof(a));
	CHECK("epoll_wait after another", epoll_wait(ep, out, 4, 0));
	ev.events = EPOLLIN | EPOLLOUT;
	CHECK("epoll_ctl MOD (level)", epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
	CHECK("epoll_wait level", epoll_wait(ep, out, 4, 0));
	printf("events = %#x\n", out[0].events);
	recv(s, buf, sizeof(buf), 0);
	recv(s, buf, sizeof(buf), 0);
	CHECK("epoll_wait drained", epoll_wait(ep, out, 4, 0));
	printf("events = %#x\n", out[0].events);
	close(ep);
	close(s);
	close(c);
}

/* A receive that waits: woken by a datagram from another thread; SO_RCVTIMEO ends a wait with EAGAIN. */
static void blocking(void)
{
	struct sockaddr_in a = sin4("127.0.0.1", 7012);
	struct timeval tv = {.tv_usec = 30000};
	struct pollfd pfd;
	pthread_t th;
	char buf[8];
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	bind(s, (void *)&a, sizeof(a));
	pthread_create(&th, NULL, later_send, NULL);
	CHECK("blocking recv woken", recv(s, buf, sizeof(buf), 0));
	pthread_join(th, NULL);
	pthread_create(&th, NULL, later_send, NULL);
	pfd.fd = s;
	pfd.events = POLLIN;
	CHECK("poll woken", poll(&pfd, 1, 5000));
	CHECK("recv after poll", recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	pthread_join(th, NULL);
	CHECK("SO_RCVTIMEO 30ms", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	CHECK("recv times out", recv(s, buf, sizeof(buf), 0));
	tv.tv_usec = 2000000;
	CHECK("SO_RCVTIMEO bad usec", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	close(s);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	echo4();
	echo6();
	binds();
	peek_trunc();
	connected();
	dualstack();
	options();
	ancillary();
	blocking();
	epolled();
	return 0;
}
