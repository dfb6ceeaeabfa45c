/* SPDX-License-Identifier: MIT */
/*
 * TCP over 127.0.0.1 between two processes (the sandbox's own loopback when
 * sandboxed).  Usage:
 *   tcpbench N pingpong   ns per round trip of one byte each way (TCP_NODELAY)
 *   tcpbench MIB bulk     MB/s of MIB MiB written in 256 KiB writes and read
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static void full(const char *p, int fd, char *buf, size_t n, int wr)
{
	while (n) {
		ssize_t r = wr ? write(fd, buf, n) : read(fd, buf, n);

		if (r <= 0)
			bench_die(p, wr ? "write" : "read");
		buf += r;
		n -= (size_t)r;
	}
}

int main(int argc, char **argv)
{
	const char *p = argv[0];
	long n = argc > 1 ? bench_count(p, argv[1]) : 1000, i;
	int bulk = argc > 2 && !strcmp(argv[2], "bulk"), l, c, one = 1, st;
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	static char buf[256 << 10];
	uint64_t t0, t1;
	pid_t pid;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1) || getsockname(l, (void *)&a, &len))
		bench_die(p, "listen");
	pid = fork();
	if (pid < 0)
		bench_die(p, "fork");
	if (pid == 0) {
		/* The client: echoes each byte (ping-pong), or sends n MiB (bulk). */
		c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (void *)&a, sizeof(a)))
			bench_die(p, "connect");
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (bulk) {
			memset(buf, 'x', sizeof(buf));
			for (i = 0; i < n * 4; i++)
				full(p, c, buf, sizeof(buf), 1);
		} else {
			for (i = 0; i < n; i++) {
				full(p, c, buf, 1, 0);
				full(p, c, buf, 1, 1);
			}
		}
		_exit(0);
	}
	c = accept(l, NULL, NULL);
	if (c < 0)
		bench_die(p, "accept");
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	t0 = bench_now_ns(p);
	if (bulk) {
		full(p, c, buf, sizeof(buf), 0); /* the clock starts with the first bytes */
		t0 = bench_now_ns(p);
		for (i = 1; i < n * 4; i++)
			full(p, c, buf, sizeof(buf), 0);
	} else {
		for (i = 0; i < n; i++) {
			full(p, c, buf, 1, 1);
			full(p, c, buf, 1, 0);
		}
	}
	t1 = bench_now_ns(p);
	waitpid(pid, &st, 0);
	if (bulk)
		printf("%.1f\n", (double)(n * 4 - 1) * (256 << 10) / 1e6 / ((double)(t1 - t0) / 1e9));
	else
		printf("%.0f\n", (double)(t1 - t0) / (double)n);
	return 0;
}
