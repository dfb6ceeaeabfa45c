/* SPDX-License-Identifier: MIT */
/*
 * TCP between two processes.  Usage:
 *   tcpbench N MODE                 both ends, over 127.0.0.1 (the sandbox's
 *                                   own loopback when sandboxed)
 *   tcpbench N MODE --serve PORT    the server end alone, on 0.0.0.0:PORT
 *                                   (one session of MODE, then it exits)
 *   tcpbench N MODE --to ADDR PORT  the client end alone, measuring; it
 *                                   retries its first connect for 5 s while
 *                                   the server starts
 * MODE:
 *   pingpong   ns per round trip of one byte each way (TCP_NODELAY), N rounds
 *   bulk       MB/s of N MiB written in 256 KiB writes and read
 *   connect    ns per connection (connect, accept, close on both sides,
 *              the client waiting for the server's FIN), N connections
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

enum { PINGPONG, BULK, CONNECT };

static const char *p;
static long n;
static int mode;
static char buf[256 << 10];

static void full(int fd, char *b, size_t len, int wr)
{
	while (len) {
		ssize_t r = wr ? write(fd, b, len) : read(fd, b, len);

		if (r <= 0)
			bench_die(p, wr ? "write" : "read");
		b += r;
		len -= (size_t)r;
	}
}

static int dial(const struct sockaddr_in *a, int patient)
{
	int c, one = 1, tries = patient ? 500 : 1;

	for (;;) {
		c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0)
			bench_die(p, "socket");
		if (connect(c, (const void *)a, sizeof(*a)) == 0)
			break;
		close(c);
		if (--tries == 0)
			bench_die(p, "connect");
		usleep(10000);
	}
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return c;
}

/* The server's side of one session on listening socket l. */
static void serve(int l)
{
	int c, one = 1;
	long i;

	if (mode == CONNECT) {
		for (i = 0; i < n; i++) {
			c = accept(l, NULL, NULL);
			if (c < 0)
				bench_die(p, "accept");
			close(c);
		}
		return;
	}
	c = accept(l, NULL, NULL);
	if (c < 0)
		bench_die(p, "accept");
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (mode == BULK) {
		while (read(c, buf, sizeof(buf)) > 0)
			;
	} else {
		for (i = 0; i < n; i++) {
			full(c, buf, 1, 0);
			full(c, buf, 1, 1);
		}
	}
	close(c);
}

/* The client's side, timed: prints the figure. */
static void client(const struct sockaddr_in *a)
{
	uint64_t t0, t1;
	long i;
	int c;

	if (mode == CONNECT) {
		close(dial(a, 1)); /* the first, while the server may still be starting: not timed */
		t0 = bench_now_ns(p);
		for (i = 1; i < n; i++) {
			c = dial(a, 0);
			if (read(c, buf, 1) != 0) /* the server's FIN: the connection went all the way */
				bench_die(p, "read");
			close(c);
		}
		t1 = bench_now_ns(p);
		printf("%.0f\n", (double)(t1 - t0) / (double)(n - 1));
		return;
	}
	c = dial(a, 1);
	if (mode == BULK) {
		memset(buf, 'x', sizeof(buf));
		full(c, buf, sizeof(buf), 1); /* the clock starts once the connection carries data */
		t0 = bench_now_ns(p);
		for (i = 1; i < n * 4; i++)
			full(c, buf, sizeof(buf), 1);
		shutdown(c, SHUT_WR);
		if (read(c, buf, 1) != 0) /* all of it read by the server, which then closes */
			bench_die(p, "read");
		t1 = bench_now_ns(p);
		printf("%.1f\n", (double)(n * 4 - 1) * (256 << 10) / 1e6 / ((double)(t1 - t0) / 1e9));
	} else {
		t0 = bench_now_ns(p);
		for (i = 0; i < n; i++) {
			full(c, buf, 1, 1);
			full(c, buf, 1, 0);
		}
		t1 = bench_now_ns(p);
		printf("%.0f\n", (double)(t1 - t0) / (double)n);
	}
	close(c);
}

static int listener(uint16_t port, int backlog)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (l < 0)
		bench_die(p, "socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (void *)&a, sizeof(a)) || listen(l, backlog))
		bench_die(p, "listen");
	return l;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int l, st;
	pid_t pid;

	p = argv[0];
	n = argc > 1 ? bench_count(p, argv[1]) : 1000;
	mode = argc > 2 && !strcmp(argv[2], "bulk") ? BULK : argc > 2 && !strcmp(argv[2], "connect") ? CONNECT : PINGPONG;
	if (argc > 4 && !strcmp(argv[3], "--serve")) {
		l = listener((uint16_t)atoi(argv[4]), 128);
		serve(l);
		return 0;
	}
	if (argc > 5 && !strcmp(argv[3], "--to")) {
		if (inet_pton(AF_INET, argv[4], &a.sin_addr) != 1)
			bench_die(p, "address");
		a.sin_port = htons((uint16_t)atoi(argv[5]));
		client(&a);
		return 0;
	}
	l = listener(0, 128);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (getsockname(l, (void *)&a, &len))
		bench_die(p, "getsockname");
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pid = fork();
	if (pid < 0)
		bench_die(p, "fork");
	if (pid == 0) {
		serve(l);
		_exit(0);
	}
	close(l);
	client(&a);
	waitpid(pid, &st, 0);
	return 0;
}
