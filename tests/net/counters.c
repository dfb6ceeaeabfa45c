/*
 * The counters of /proc/net/snmp and snmp6 after known traffic in a fresh
 * namespace: echo requests over raw ICMP and ICMPv6 sockets (and the
 * replies the stack makes), datagrams to ports nobody has (NoPorts, and the
 * port unreachables that come back), datagrams delivered.  Every counter,
 * IcmpMsg's per-type ones included, is compared with Linux's (the byte
 * counts of snmp6 aside: Linux counts the link's header too).
 */
#include "../syscalls/check.h"

#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

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

static void cat(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strstr(line, "Octets"))
			fputs(line, stdout);
	if (f)
		fclose(f);
}

int main(void)
{
	struct sockaddr_in lo4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in6 lo6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	unsigned char pkt[16] = {ICMP_ECHO, 0, 0, 0, 0x12, 0x34}; /* an all-zero echo gets a reply Linux itself counts as a bad checksum */
	char buf[256];
	int r4 = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), r6 = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	int u4 = socket(AF_INET, SOCK_DGRAM, 0), u6 = socket(AF_INET6, SOCK_DGRAM, 0), i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < 3; i++) {
		pkt[7] = (unsigned char)i;
		pkt[2] = pkt[3] = 0;
		{
			unsigned short c = htons(csum(pkt, sizeof(pkt)));

			memcpy(pkt + 2, &c, 2);
		}
		sendto(r4, pkt, sizeof(pkt), 0, (void *)&lo4, sizeof(lo4));
	}
	pkt[0] = ICMP6_ECHO_REQUEST;
	for (i = 0; i < 2; i++)
		sendto(r6, pkt, sizeof(pkt), 0, (void *)&lo6, sizeof(lo6));
	lo4.sin_port = htons(9);
	lo6.sin6_port = htons(9);
	sendto(u4, "x", 1, 0, (void *)&lo4, sizeof(lo4));
	sendto(u6, "x", 1, 0, (void *)&lo6, sizeof(lo6));
	/* Delivered ones: to ourselves. */
	{
		struct sockaddr_storage me;
		socklen_t len = sizeof(me);

		lo4.sin_port = 0;
		bind(u4, (void *)&lo4, sizeof(lo4));
		getsockname(u4, (void *)&me, &len);
		for (i = 0; i < 4; i++)
			sendto(u4, "y", 1, 0, (void *)&me, len);
		while (recv(u4, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
	}
	cat("/proc/net/snmp");
	cat("/proc/net/snmp6");
	return 0;
}
