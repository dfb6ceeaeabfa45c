/*
 * What a program learns about the network without netlink: /proc/net's
 * files (dev, route, if_inet6, snmp counters, the udp/udp6/raw tables)
 * and the interface ioctls (SIOCGIFCONF and the SIOCGIF* of one
 * interface), on a namespace with only lo; and getaddrinfo("localhost")
 * through /etc/hosts.  Natively it runs in a fresh network namespace.
 */
#include "../syscalls/check.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static void cat(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	printf("-- %s\n", path);
	if (!f) {
		printf("open: %s\n", errname(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
}

/* The table of sockets without the columns that vary (slot, inode, pointer): addresses, ports, state, queues. */
static void sockets(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	printf("-- %s\n", path);
	if (!f) {
		printf("open: %s\n", errname(errno));
		return;
	}
	char rows[16][200];
	int n = 0, i, j;

	if (!fgets(line, sizeof(line), f))
		return;
	/* Linux lists them in its hash's order, which varies: sorted here. */
	while (n < 16 && fgets(line, sizeof(line), f)) {
		char la[64], ra[64], st[8], tx[16], rx[16];

		if (sscanf(line, "%*s %63s %63s %7s %15[^:]:%15s", la, ra, st, tx, rx) == 5) {
			char *colon = strrchr(la, ':');
			unsigned long port = colon ? strtoul(colon + 1, NULL, 16) : 0;

			if (colon && port >= 32768 && port <= 60999)
				strcpy(colon + 1, "EPHM"); /* an ephemeral port: its number varies */
		}
		if (strlen(la) > 5)
			snprintf(rows[n++], sizeof(rows[0]), "%s %s %s tx %s rx %s", la, ra, st, tx,
				 strtoul(rx, NULL, 16) ? "some" : "none");
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(rows[j - 1], rows[j]) > 0; j--) {
			char t[200];

			strcpy(t, rows[j]);
			strcpy(rows[j], rows[j - 1]);
			strcpy(rows[j - 1], t);
		}
	for (i = 0; i < n; i++)
		printf("%s\n", rows[i]);
	fclose(f);
}

/* One line of /proc/net/snmp's values for group (the second line that starts with it). */
static void snmp(const char *group)
{
	char line[1024], names[1024] = "";
	FILE *f = fopen("/proc/net/snmp", "r");
	size_t n = strlen(group);

	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, group, n) || line[n] != ':')
			continue;
		if (!names[0]) {
			strcpy(names, line);
			continue;
		}
		printf("%s%s", names, line);
		break;
	}
	if (f)
		fclose(f);
}

static void ioctls(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), n;
	struct ifreq reqs[8], r;
	struct ifconf ic = {.ifc_len = sizeof(reqs), .ifc_req = reqs};
	char a[32];

	ic.ifc_buf = NULL;
	ic.ifc_len = 0;
	CHECK("SIOCGIFCONF length only", ioctl(s, SIOCGIFCONF, &ic));
	printf("ifc_len = %d\n", ic.ifc_len);
	ic.ifc_req = reqs;
	ic.ifc_len = sizeof(reqs);
	CHECK("SIOCGIFCONF", ioctl(s, SIOCGIFCONF, &ic));
	printf("ifc_len = %d (%zu each)\n", ic.ifc_len, sizeof(struct ifreq));
	for (n = 0; n < ic.ifc_len / (int)sizeof(struct ifreq); n++) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&reqs[n].ifr_addr;

		printf("%s family %d addr %s\n", reqs[n].ifr_name, sin->sin_family, inet_ntop(AF_INET, &sin->sin_addr, a, 32));
	}
	ic.ifc_len = sizeof(struct ifreq) - 1;
	CHECK("SIOCGIFCONF too short for one", ioctl(s, SIOCGIFCONF, &ic));
	printf("ifc_len = %d\n", ic.ifc_len);

	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	CHECK("SIOCGIFFLAGS lo", ioctl(s, SIOCGIFFLAGS, &r));
	printf("flags = %#x\n", (unsigned short)r.ifr_flags);
	CHECK("SIOCGIFINDEX lo", ioctl(s, SIOCGIFINDEX, &r));
	printf("index = %d\n", r.ifr_ifindex);
	CHECK("SIOCGIFMTU lo", ioctl(s, SIOCGIFMTU, &r));
	printf("mtu = %d\n", r.ifr_mtu);
	CHECK("SIOCGIFADDR lo", ioctl(s, SIOCGIFADDR, &r));
	printf("addr = %s\n", inet_ntop(AF_INET, &((struct sockaddr_in *)&r.ifr_addr)->sin_addr, a, 32));
	CHECK("SIOCGIFNETMASK lo", ioctl(s, SIOCGIFNETMASK, &r));
	printf("netmask = %s\n", inet_ntop(AF_INET, &((struct sockaddr_in *)&r.ifr_netmask)->sin_addr, a, 32));
	CHECK("SIOCGIFBRDADDR lo", ioctl(s, SIOCGIFBRDADDR, &r));
	printf("broadaddr = %s\n", inet_ntop(AF_INET, &((struct sockaddr_in *)&r.ifr_broadaddr)->sin_addr, a, 32));
	CHECK("SIOCGIFHWADDR lo", ioctl(s, SIOCGIFHWADDR, &r));
	printf("hw family %d %02x:%02x:%02x:%02x:%02x:%02x\n", r.ifr_hwaddr.sa_family, (unsigned char)r.ifr_hwaddr.sa_data[0],
	       (unsigned char)r.ifr_hwaddr.sa_data[1], (unsigned char)r.ifr_hwaddr.sa_data[2],
	       (unsigned char)r.ifr_hwaddr.sa_data[3], (unsigned char)r.ifr_hwaddr.sa_data[4],
	       (unsigned char)r.ifr_hwaddr.sa_data[5]);
	r.ifr_ifindex = 1;
	CHECK("SIOCGIFNAME 1", ioctl(s, SIOCGIFNAME, &r));
	printf("name = %s\n", r.ifr_name);
	strcpy(r.ifr_name, "eth9");
	CHECK("SIOCGIFFLAGS eth9", ioctl(s, SIOCGIFFLAGS, &r));
	CHECK("if_nametoindex lo", if_nametoindex("lo"));
	close(s);
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	strcpy(r.ifr_name, "lo");
	CHECK("SIOCGIFINDEX on an AF_INET6 socket", ioctl(s, SIOCGIFINDEX, &r));
	close(s);
}

static void resolve(void)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res, *ai;
	char a[64];
	int r = getaddrinfo("localhost", "7020", &hints, &res);

	printf("getaddrinfo(localhost) = %s\n", r ? gai_strerror(r) : "0");
	for (ai = r ? NULL : res; ai; ai = ai->ai_next) {
		const void *p = ai->ai_family == AF_INET ? (void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr :
							  (void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		int s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol), c;
		char buf[8];

		printf("family %d addr %s proto %d\n", ai->ai_family, inet_ntop(ai->ai_family, p, a, 64), ai->ai_protocol);
		CHECK("bind resolved", bind(s, ai->ai_addr, ai->ai_addrlen));
		c = socket(ai->ai_family, ai->ai_socktype, 0);
		CHECK("connect resolved", connect(c, ai->ai_addr, ai->ai_addrlen));
		CHECK("send", send(c, "r", 1, 0));
		CHECK("recv", recv(s, buf, sizeof(buf), 0));
		close(s);
		close(c);
	}
	if (!r)
		freeaddrinfo(res);
}

int main(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(7021), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(7022), .sin6_addr = IN6ADDR_ANY_INIT};
	int s, s6, c, i, one = 1;
	char buf[8];

	setvbuf(stdout, NULL, _IOLBF, 0);
	cat("/proc/net/dev");
	cat("/proc/net/route");
	cat("/proc/net/if_inet6");
	cat("/proc/self/net/if_inet6");
	snmp("Udp");
	ioctls();

	s = socket(AF_INET, SOCK_DGRAM, 0);
	s6 = socket(AF_INET6, SOCK_DGRAM, 0);
	c = socket(AF_INET, SOCK_DGRAM, 0);
	bind(s, (void *)&a, sizeof(a));
	bind(s6, (void *)&a6, sizeof(a6));
	setsockopt(s6, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	connect(c, (void *)&a, sizeof(a));
	for (i = 0; i < 3; i++)
		send(c, "x", 1, 0);
	sockets("/proc/net/udp");
	sockets("/proc/net/udp6");
	for (i = 0; i < 3; i++)
		recv(s, buf, sizeof(buf), 0);
	/* A datagram to a port nobody has: NoPorts, and an ICMP port unreachable. */
	a.sin_port = htons(7099);
	sendto(s, "x", 1, 0, (void *)&a, sizeof(a));
	snmp("Udp");
	snmp("Icmp");
	close(s);
	close(s6);
	close(c);
	sockets("/proc/net/udp");
	resolve();
	return 0;
}
