/*
 * TCP over loopback, 127.0.0.1 and ::1: an echo server in a thread and a
 * client, a 32 MiB transfer both ways checked by hash, 100 connections
 * at once, and the addresses both ends see.  Prints what a reader of the
 * output can compare with a native run.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int family;

static int listener(int *port)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int s = socket(family, SOCK_STREAM, 0), one = 1;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in *a = (void *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (void *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	}
	if (bind(s, (void *)&ss, len) || listen(s, 128)) {
		perror("bind/listen");
		exit(1);
	}
	getsockname(s, (void *)&ss, &len);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return s;
}

static int dial(int port)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int s = socket(family, SOCK_STREAM, 0);

	if (family == AF_INET) {
		struct sockaddr_in *a = (void *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (void *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	}
	if (connect(s, (void *)&ss, len)) {
		perror("connect");
		exit(1);
	}
	return s;
}

/* Echoes everything on each connection it accepts, count connections, one thread each. */
struct srv {
	int l, count;
};

static void *echo_conn(void *arg)
{
	int c = (int)(long)arg;
	static char buf[1 << 16];
	char *b = malloc(1 << 16);
	ssize_t n;

	(void)buf;
	while ((n = read(c, b, 1 << 16)) > 0) {
		ssize_t off = 0;

		while (off < n) {
			ssize_t w = write(c, b + off, (size_t)(n - off));

			if (w <= 0)
				goto out;
			off += w;
		}
	}
out:
	free(b);
	close(c);
	return NULL;
}

static void *server(void *arg)
{
	struct srv *s = arg;

	for (int i = 0; i < s->count; i++) {
		pthread_t t;
		int c = accept(s->l, NULL, NULL);

		if (c < 0) {
			perror("accept");
			exit(1);
		}
		pthread_create(&t, NULL, echo_conn, (void *)(long)c);
		pthread_detach(t);
	}
	return NULL;
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* Writes total bytes of a pattern while a thread reads the echo back: both hashes. */
struct bulk {
	int s;
	size_t total;
	uint64_t h;
};

static void *bulk_reader(void *arg)
{
	struct bulk *b = arg;
	unsigned char *buf = malloc(1 << 17);
	size_t got = 0;

	b->h = 0xcbf29ce484222325ULL;
	while (got < b->total) {
		ssize_t n = read(b->s, buf, 1 << 17);

		if (n <= 0) {
			printf("bulk read: %zd %s after %zu\n", n, strerror(errno), got);
			break;
		}
		b->h = fnv(b->h, buf, (size_t)n);
		got += (size_t)n;
	}
	free(buf);
	return NULL;
}

static void run(int fam, const char *name)
{
	struct srv srv = {.count = 101};
	pthread_t st, rt;
	int port, c;
	char buf[64];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[64];

	family = fam;
	srv.l = listener(&port);
	pthread_create(&st, NULL, server, &srv);

	/* A small echo, and the names each end has. */
	c = dial(port);
	write(c, "ping", 4);
	printf("%s echo: %zd\n", name, read(c, buf, sizeof(buf)));
	getpeername(c, (void *)&ss, &len);
	inet_ntop(fam, fam == AF_INET ? (void *)&((struct sockaddr_in *)&ss)->sin_addr : (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr,
		  addr, sizeof(addr));
	printf("%s peer %s, port ok %d\n", name, addr,
	       ntohs(fam == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port : ((struct sockaddr_in6 *)&ss)->sin6_port) == port);
	{
		int mss;
		socklen_t l = sizeof(mss);

		getsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &mss, &l);
		printf("%s TCP_MAXSEG above 1000: %d\n", name, mss > 1000);
	}

	/* 32 MiB through the echo, hashed on the way out and back. */
	{
		size_t total = 32u << 20, sent = 0;
		unsigned char *chunk = malloc(1 << 16);
		struct bulk b = {.s = c, .total = total};
		uint64_t h = 0xcbf29ce484222325ULL;

		pthread_create(&rt, NULL, bulk_reader, &b);
		while (sent < total) {
			size_t n = 1 << 16;
			ssize_t w;

			for (size_t i = 0; i < n; i++)
				chunk[i] = (unsigned char)((sent + i) * 2654435761u >> 13);
			h = fnv(h, chunk, n);
			for (size_t off = 0; off < n; off += (size_t)w) {
				w = write(c, chunk + off, n - off);
				if (w <= 0) {
					perror("bulk write");
					exit(1);
				}
			}
			sent += n;
		}
		pthread_join(rt, NULL);
		printf("%s 32 MiB echoed, hashes equal: %d\n", name, h == b.h);
		free(chunk);
	}
	shutdown(c, SHUT_WR);
	printf("%s EOF after shutdown: %zd\n", name, read(c, buf, sizeof(buf)));
	close(c);

	/* 100 connections open at once, each echoing its number. */
	{
		int cs[100], ok = 0;

		for (int i = 0; i < 100; i++)
			cs[i] = dial(port);
		for (int i = 0; i < 100; i++) {
			int v = i;

			write(cs[i], &v, sizeof(v));
		}
		for (int i = 0; i < 100; i++) {
			int v = -1;

			if (read(cs[i], &v, sizeof(v)) == sizeof(v) && v == i)
				ok++;
			close(cs[i]);
		}
		printf("%s 100 connections echoed: %d\n", name, ok);
	}
	pthread_join(st, NULL);
	close(srv.l);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	run(AF_INET, "v4");
	run(AF_INET6, "v6");
	return 0;
}
