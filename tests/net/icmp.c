/*
 * ICMP and ICMPv6 over loopback: ping sockets are refused as Linux's
 * default net.ipv4.ping_group_range refuses them; raw ICMP sockets (root:
 * CAP_NET_RAW) send echo requests and read the replies the stack makes,
 * with their checksums right; ICMP_FILTER drops what it names; a raw
 * IPv4 socket reads the IP header too, an IPv6 one does not.
 */
#include "../syscalls/check.h"

#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>

#ifndef ICMP_FILTER
#define ICMP_FILTER 1 /* <linux/icmp.h> */
#endif

static unsigned short csum(const void *p, size_t len)
{
	const unsigned char *b = p;
	unsigned long s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (unsigned)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		s += (unsigned)b[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (unsigned short)~s;
}

static void ping4(void)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)}, from;
	socklen_t len = sizeof(from);
	unsigned char pkt[64], buf[256];
	struct icmphdr *h = (struct icmphdr *)pkt;
	int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), n, i;
	uint32_t filter = 1u << ICMP_ECHO;

	CHECK("raw ICMP socket", s >= 0);
	memset(pkt, 0, sizeof(pkt));
	h->type = ICMP_ECHO;
	h->un.echo.id = htons(0x4242);
	h->un.echo.sequence = htons(1);
	for (i = 8; i < 40; i++)
		pkt[i] = (unsigned char)i;
	h->checksum = htons(csum(pkt, 40));
	/* Without a filter the socket sees its own request too (it arrives on lo), then the reply. */
	CHECK("sendto echo", sendto(s, pkt, 40, 0, (void *)&to, sizeof(to)));
	for (i = 0; i < 2; i++) {
		n = (int)recvfrom(s, buf, sizeof(buf), MSG_DONTWAIT, (void *)&from, &len);
		if (n < 0) {
			printf("recv %d: %s\n", i, errname(errno));
			continue;
		}
		{
			struct iphdr *ip = (struct iphdr *)buf;
			struct icmphdr *r = (struct icmphdr *)(buf + ip->ihl * 4);
			int ilen = n - ip->ihl * 4;

			printf("recv %d: %d bytes ihl %d proto %d ttl %d type %d code %d id %#x seq %d csum %s same data %s\n", i, n,
			       ip->ihl, ip->protocol, ip->ttl, r->type, r->code, ntohs(r->un.echo.id), ntohs(r->un.echo.sequence),
			       csum(r, (size_t)ilen) == 0 ? "ok" : "bad", !memcmp((char *)r + 8, pkt + 8, 32) ? "yes" : "no");
		}
	}
	CHECK("ICMP_FILTER echo requests out", setsockopt(s, SOL_RAW, ICMP_FILTER, &filter, sizeof(filter)));
	h->un.echo.sequence = htons(2);
	h->checksum = 0;
	h->checksum = htons(csum(pkt, 40));
	CHECK("sendto echo 2", sendto(s, pkt, 40, 0, (void *)&to, sizeof(to)));
	n = (int)recv(s, buf, sizeof(buf), MSG_DONTWAIT);
	printf("filtered: first is type %d\n", n > 20 ? buf[20] : -1);
	CHECK("then nothing", recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	CHECK("ICMP_FILTER short", setsockopt(s, SOL_RAW, ICMP_FILTER, &filter, 2));
	close(s);
}

static void ping6(void)
{
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	unsigned char pkt[48], buf[256];
	struct icmp6_hdr *h = (struct icmp6_hdr *)pkt;
	int s = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6), n, i;
	struct icmp6_filter f;

	CHECK("raw ICMPv6 socket", s >= 0);
	memset(pkt, 0, sizeof(pkt));
	h->icmp6_type = ICMP6_ECHO_REQUEST;
	h->icmp6_id = htons(0x4343);
	h->icmp6_seq = htons(1);
	memcpy(pkt + 8, "v6 payload", 10);
	/* The stack makes ICMPv6's checksum. */
	CHECK("sendto echo6", sendto(s, pkt, 18, 0, (void *)&to, sizeof(to)));
	for (i = 0; i < 2; i++) {
		n = (int)recv(s, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			printf("recv6 %d: %s\n", i, errname(errno));
			continue;
		}
		printf("recv6 %d: %d bytes type %d code %d id %#x seq %d data %.10s\n", i, n, buf[0], buf[1],
		       ntohs(((struct icmp6_hdr *)buf)->icmp6_id), ntohs(((struct icmp6_hdr *)buf)->icmp6_seq), buf + 8);
	}
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
	CHECK("ICMP6_FILTER pass replies", setsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)));
	CHECK("sendto echo6 again", sendto(s, pkt, 18, 0, (void *)&to, sizeof(to)));
	n = (int)recv(s, buf, sizeof(buf), MSG_DONTWAIT);
	printf("filtered6: type %d\n", n > 0 ? buf[0] : -1);
	CHECK("then nothing", recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	close(s);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	CHECK("ping socket AF_INET (ping_group_range)", socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
	CHECK("ping socket AF_INET6", socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6));
	CHECK("ICMPv6 ping socket on AF_INET", socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMPV6));
	CHECK("raw protocol 0", socket(AF_INET, SOCK_RAW, 0));
	ping4();
	ping6();
	return 0;
}
