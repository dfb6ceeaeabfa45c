/*
 * Multicast on loopback: joining and leaving groups (IP_ADD_MEMBERSHIP,
 * IPV6_JOIN_GROUP) with Linux's answers for an interface that cannot be
 * found, a group that is none, a second join; IP_MULTICAST_IF; and who
 * gets a datagram sent to a group joined on lo (every socket of the port
 * bound to the wildcard or the group, IP_MULTICAST_ALL being Linux's
 * default), and that one sent to a group nobody joined reaches nobody.
 */
#include "../syscalls/check.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

static int udp(int family, const char *addr, int port)
{
	int s = socket(family, SOCK_DGRAM, 0), one = 1;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};

		inet_pton(AF_INET, addr, &a.sin_addr);
		bind(s, (void *)&a, sizeof(a));
	} else {
		struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};

		inet_pton(AF_INET6, addr, &a.sin6_addr);
		bind(s, (void *)&a, sizeof(a));
	}
	return s;
}

static void v4(void)
{
	struct ip_mreq m = {0};
	struct ip_mreqn mn = {0};
	struct in_addr lo;
	struct sockaddr_in g = {.sin_family = AF_INET, .sin_port = htons(5353)};
	int any = udp(AF_INET, "0.0.0.0", 5353), grp = udp(AF_INET, "239.1.2.3", 5353), one = udp(AF_INET, "127.0.0.1", 5353);
	int tx = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[8];
	socklen_t len = sizeof(lo);

	inet_pton(AF_INET, "239.1.2.3", &m.imr_multiaddr);
	inet_pton(AF_INET, "239.1.2.3", &g.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &lo);
	CHECK("join with no interface and no route", setsockopt(any, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)));
	m.imr_interface = lo;
	CHECK("join on 127.0.0.1", setsockopt(any, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)));
	CHECK("join again", setsockopt(any, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)));
	mn.imr_multiaddr = m.imr_multiaddr;
	mn.imr_ifindex = 99;
	CHECK("join on index 99", setsockopt(any, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mn, sizeof(mn)));
	inet_pton(AF_INET, "10.0.0.1", &m.imr_interface);
	CHECK("join on an address not ours", setsockopt(any, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)));
	CHECK("IP_MULTICAST_IF 127.0.0.1", setsockopt(tx, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof(lo)));
	CHECK("IP_MULTICAST_IF get", getsockopt(tx, IPPROTO_IP, IP_MULTICAST_IF, &lo, &len));
	printf("IP_MULTICAST_IF = %s\n", inet_ntoa(lo));
	CHECK("IP_MULTICAST_IF 10.0.0.1", setsockopt(tx, IPPROTO_IP, IP_MULTICAST_IF, &m.imr_interface, sizeof(lo)));
	CHECK("send to the group", sendto(tx, "g", 1, 0, (void *)&g, sizeof(g)));
	CHECK("wildcard socket gets it", recv(any, buf, sizeof(buf), MSG_DONTWAIT));
	CHECK("group-bound socket gets it", recv(grp, buf, sizeof(buf), MSG_DONTWAIT));
	CHECK("127.0.0.1-bound socket does not", recv(one, buf, sizeof(buf), MSG_DONTWAIT));
	inet_pton(AF_INET, "239.9.9.9", &g.sin_addr);
	CHECK("send to a group nobody joined", sendto(tx, "n", 1, 0, (void *)&g, sizeof(g)));
	CHECK("nobody gets it", recv(any, buf, sizeof(buf), MSG_DONTWAIT));
	inet_pton(AF_INET, "127.0.0.1", &m.imr_interface);
	CHECK("leave", setsockopt(any, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof(m)));
	CHECK("leave again", setsockopt(any, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof(m)));
	inet_pton(AF_INET, "239.1.2.3", &g.sin_addr);
	CHECK("send after leaving", sendto(tx, "g", 1, 0, (void *)&g, sizeof(g)));
	CHECK("nobody gets it", recv(any, buf, sizeof(buf), MSG_DONTWAIT));
	close(any);
	close(grp);
	close(one);
	close(tx);
}

static void v6(void)
{
	struct ipv6_mreq m = {.ipv6mr_interface = 0};
	struct sockaddr_in6 g = {.sin6_family = AF_INET6, .sin6_port = htons(5354)};
	int any = udp(AF_INET6, "::", 5354), tx = socket(AF_INET6, SOCK_DGRAM, 0), lo = (int)if_nametoindex("lo"), v = 99;
	char buf[8];

	inet_pton(AF_INET6, "ff02::1:3", &m.ipv6mr_multiaddr);
	g.sin6_addr = m.ipv6mr_multiaddr;
	CHECK("join6 with no interface", setsockopt(any, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m)));
	m.ipv6mr_interface = (unsigned)lo;
	CHECK("join6 on lo", setsockopt(any, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m)));
	CHECK("join6 again", setsockopt(any, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m)));
	CHECK("join6 short", setsockopt(any, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, 8));
	CHECK("IPV6_MULTICAST_IF 99", setsockopt(tx, IPPROTO_IPV6, IPV6_MULTICAST_IF, &v, sizeof(v)));
	CHECK("IPV6_MULTICAST_IF lo", setsockopt(tx, IPPROTO_IPV6, IPV6_MULTICAST_IF, &lo, sizeof(lo)));
	CHECK("send6 to the group", sendto(tx, "g", 1, 0, (void *)&g, sizeof(g)));
	CHECK("wildcard socket gets it", recv(any, buf, sizeof(buf), MSG_DONTWAIT));
	CHECK("leave6", setsockopt(any, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &m, sizeof(m)));
	CHECK("leave6 again", setsockopt(any, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &m, sizeof(m)));
	close(any);
	close(tx);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	v4();
	v6();
	return 0;
}
