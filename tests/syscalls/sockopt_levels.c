/*
 * Errors of getsockopt/setsockopt at a level the socket does not have, and
 * of socketpair on families that have none: IPv4's getsockopt says
 * EOPNOTSUPP, IPv6's and every setsockopt ENOPROTOOPT; socketpair makes the
 * socket first, so a type or protocol that cannot be is refused as socket()
 * refuses it, before EOPNOTSUPP (LTP's getsockopt01, socketpair01).
 */
#include "check.h"
#include <netinet/in.h>
#include <sys/socket.h>

int main(void)
{
	static const int fams[] = {AF_INET, AF_INET6}, types[] = {SOCK_STREAM, SOCK_DGRAM},
			 levels[] = {500, IPPROTO_UDP, IPPROTO_TCP, IPPROTO_IPV6};
	char what[128];
	int sv[2];

	for (unsigned f = 0; f < 2; f++)
		for (unsigned ty = 0; ty < 2; ty++) {
			int s = socket(fams[f], types[ty], 0), v = 0;
			socklen_t l = sizeof(v);

			for (unsigned k = 0; k < 4; k++) {
				snprintf(what, sizeof(what), "%s %s: getsockopt level %d", f ? "v6" : "v4", ty ? "udp" : "tcp",
					 levels[k]);
				CHECK(what, getsockopt(s, levels[k], 0x7777, &v, &l));
				snprintf(what, sizeof(what), "%s %s: setsockopt level %d", f ? "v6" : "v4", ty ? "udp" : "tcp",
					 levels[k]);
				CHECK(what, setsockopt(s, levels[k], 0x7777, &v, sizeof(v)));
			}
			close(s);
		}
	CHECK("socketpair AF_INET DGRAM TCP", socketpair(AF_INET, SOCK_DGRAM, IPPROTO_TCP, sv));
	CHECK("socketpair AF_INET STREAM 0", socketpair(AF_INET, SOCK_STREAM, 0, sv));
	CHECK("socketpair AF_INET DGRAM 0", socketpair(AF_INET, SOCK_DGRAM, 0, sv));
	CHECK("socketpair AF_INET6 STREAM UDP", socketpair(AF_INET6, SOCK_STREAM, IPPROTO_UDP, sv));
	CHECK("socketpair AF_INET type 99", socketpair(AF_INET, 99, 0, sv));
	return 0;
}
