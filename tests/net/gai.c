/*
 * glibc's own netlink users: getaddrinfo with AI_ADDRCONFIG (its
 * __check_pf dumps RTM_GETADDR to learn which families have an address)
 * and getifaddrs (RTM_GETLINK and RTM_GETADDR dumps), as a program sees them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int by_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void show(const char *node, const char *service, int flags, int family)
{
	struct addrinfo hints, *res, *ai;
	char buf[INET6_ADDRSTRLEN], lines[16][80];
	int r, n = 0, i;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = flags;
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	r = getaddrinfo(node, service, &hints, &res);
	printf("getaddrinfo(%s, %s, flags %#x, family %d): %s\n", node ? node : "NULL", service ? service : "NULL",
	       flags, family, r ? gai_strerror(r) : "ok");
	if (r)
		return;
	/* Which addresses, not their order: glibc sorts them by connecting UDP sockets (RFC 3484). */
	for (ai = res; ai && n < 16; ai = ai->ai_next) {
		const void *a = ai->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
							 : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;

		snprintf(lines[n++], sizeof(lines[0]), "  family %d %s", ai->ai_family,
			 inet_ntop(ai->ai_family, a, buf, sizeof(buf)));
	}
	freeaddrinfo(res);
	qsort(lines, (size_t)n, sizeof(lines[0]), by_text);
	for (i = 0; i < n; i++)
		printf("%s\n", lines[i]);
}

int main(void)
{
	struct ifaddrs *ifa, *i;
	char buf[INET6_ADDRSTRLEN];

	show("localhost", NULL, AI_ADDRCONFIG, AF_UNSPEC);
	show("127.0.0.1", "80", AI_ADDRCONFIG, AF_UNSPEC);
	show("::1", "80", AI_ADDRCONFIG, AF_INET6);
	show(NULL, "80", AI_PASSIVE | AI_ADDRCONFIG, AF_UNSPEC);
	show("localhost", "80", AI_ADDRCONFIG | AI_V4MAPPED, AF_INET6);
	if (getifaddrs(&ifa) < 0) {
		perror("getifaddrs");
		return 1;
	}
	for (i = ifa; i; i = i->ifa_next) {
		int fam = i->ifa_addr ? i->ifa_addr->sa_family : -1;

		printf("ifaddr %s flags %#x family %d", i->ifa_name, i->ifa_flags, fam);
		if (fam == AF_INET)
			printf(" %s", inet_ntop(fam, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, buf, sizeof(buf)));
		if (fam == AF_INET6)
			printf(" %s", inet_ntop(fam, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, buf, sizeof(buf)));
		if (fam == AF_INET && i->ifa_netmask)
			printf(" mask %s",
			       inet_ntop(fam, &((struct sockaddr_in *)i->ifa_netmask)->sin_addr, buf, sizeof(buf)));
		printf("\n");
	}
	freeifaddrs(ifa);
	return 0;
}
