/*
 * What TCP sockets answer at their edges, over 127.0.0.1: ECONNREFUSED on a
 * closed port (blocking and nonblocking, through SO_ERROR), EADDRINUSE and
 * SO_REUSEADDR with a listener and with TIME_WAIT, half-close, RST on close
 * with unread data, SO_LINGER 0, MSG_PEEK/WAITALL/DONTWAIT, EPIPE and
 * SIGPIPE, SO_RCVTIMEO, FIONREAD/SIOCOUTQ, poll and epoll readiness
 * (EPOLLRDHUP, edge-triggered), TCP_INFO fields, the options' values.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *err(long r)
{
	static char b[64];

	if (r >= 0) {
		snprintf(b, sizeof(b), "%ld", r);
		return b;
	}
	return strerrorname_np(errno);
}

static struct sockaddr_in lo(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int port_of(int s)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);

	getsockname(s, (void *)&a, &l);
	return ntohs(a.sin_port);
}

static int listener(int reuse, int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo(port);

	if (reuse)
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));
	if (bind(s, (void *)&a, sizeof(a)) || listen(s, 16)) {
		close(s);
		return -1;
	}
	return s;
}

/* A connected pair through listener l: *c the client, returns the accepted end. */
static int pair(int l, int *c)
{
	struct sockaddr_in a = lo(port_of(l));

	*c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(*c, (void *)&a, sizeof(a))) {
		perror("connect");
		exit(1);
	}
	return accept(l, NULL, NULL);
}

static int sigpipes;
static void on_pipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static long ms_since(struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(void)
{
	int l = listener(1, 0), c, a, port, r, v;
	char buf[256];
	socklen_t len;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, on_pipe);

	/* ECONNREFUSED: a port that was bound and closed. */
	{
		int t = listener(0, 0);
		struct sockaddr_in dead;

		port = port_of(t);
		close(t);
		dead = lo(port);
		c = socket(AF_INET, SOCK_STREAM, 0);
		r = connect(c, (void *)&dead, sizeof(dead));
		printf("connect to a closed port: %s\n", err(r));
		close(c);
		c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		r = connect(c, (void *)&dead, sizeof(dead));
		/* Linux answers at once on loopback (the RST came before connect returned); elsewhere EINPROGRESS. */
		printf("nonblocking connect to a closed port: %s\n", r < 0 && errno == EINPROGRESS ? "EINPROGRESS" : err(r));
		if (r < 0 && errno == EINPROGRESS) {
			struct pollfd p = {.fd = c, .events = POLLOUT};

			poll(&p, 1, 2000);
			r = 0;
		}
		v = 0;
		len = sizeof(v);
		getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len);
		printf("nonblocking: then SO_ERROR %s", v ? strerrorname_np(v) : "0");
		getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len);
		printf(", and again %d\n", v);
		close(c);
	}

	/* Nonblocking connect that succeeds: EINPROGRESS or 0, then writable with SO_ERROR 0. */
	{
		struct sockaddr_in sa = lo(port_of(l));
		struct pollfd p;

		c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		r = connect(c, (void *)&sa, sizeof(sa));
		printf("nonblocking connect: %s\n", r == 0 || errno == EINPROGRESS ? "0 or EINPROGRESS" : err(r));
		p = (struct pollfd){.fd = c, .events = POLLOUT};
		r = poll(&p, 1, 2000);
		printf("poll: %d revents %#x\n", r, p.revents);
		len = sizeof(v);
		getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len);
		printf("SO_ERROR %d; connect again: %s\n", v, err(connect(c, (void *)&sa, sizeof(sa))));
		a = accept(l, NULL, NULL);
		close(a);
		close(c);
	}

	/* EADDRINUSE. */
	{
		int t = listener(0, 0), u;

		port = port_of(t);
		u = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa = lo(port);
		printf("bind a listening port: %s\n", err(bind(u, (void *)&sa, sizeof(sa))));
		v = 1;
		setsockopt(u, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v));
		printf("...with SO_REUSEADDR on one side only: %s\n", err(bind(u, (void *)&sa, sizeof(sa))));
		close(u);
		close(t);
		/* A server that closes first leaves TIME_WAIT: rebinding needs SO_REUSEADDR. */
		t = listener(1, 0);
		port = port_of(t);
		a = pair(t, &c);
		close(a);
		read(c, buf, sizeof(buf));
		close(c);
		close(t);
		usleep(100000);
		u = socket(AF_INET, SOCK_STREAM, 0);
		sa = lo(port);
		printf("bind over TIME_WAIT without SO_REUSEADDR: %s\n", err(bind(u, (void *)&sa, sizeof(sa))));
		close(u);
		u = listener(1, port);
		printf("...with SO_REUSEADDR: %s\n", u >= 0 ? "ok" : strerrorname_np(errno));
		close(u);
	}

	/* Half-close both ways. */
	a = pair(l, &c);
	write(c, "req", 3);
	shutdown(c, SHUT_WR);
	r = (int)read(a, buf, sizeof(buf));
	printf("half-close: server read %d, then %zd (EOF)\n", r, read(a, buf, sizeof(buf)));
	{
		struct pollfd p = {.fd = a, .events = POLLIN | POLLRDHUP | POLLOUT};

		poll(&p, 1, 0);
		printf("server poll after the peer's FIN: IN %d RDHUP %d OUT %d HUP %d\n", !!(p.revents & POLLIN),
		       !!(p.revents & POLLRDHUP), !!(p.revents & POLLOUT), !!(p.revents & POLLHUP));
	}
	printf("server still writes: %zd\n", write(a, "response", 8));
	printf("client reads it: %zd\n", read(c, buf, sizeof(buf)));
	r = (int)write(c, "x", 1);
	printf("client write after SHUT_WR: %s, SIGPIPEs %d\n", err(r), sigpipes);
	close(a);
	printf("client then EOF: %zd\n", read(c, buf, sizeof(buf)));
	close(c);

	/* MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT, FIONREAD, SIOCOUTQ. */
	a = pair(l, &c);
	printf("recv MSG_DONTWAIT with nothing: %s\n", err(recv(a, buf, sizeof(buf), MSG_DONTWAIT)));
	send(c, "abcdef", 6, 0);
	usleep(50000);
	ioctl(a, FIONREAD, &v);
	printf("FIONREAD %d\n", v);
	r = (int)recv(a, buf, 3, MSG_PEEK);
	printf("peek %d '%.3s'; ", r, buf);
	r = (int)recv(a, buf, sizeof(buf), 0);
	printf("recv %d '%.*s'\n", r, r, buf);
	send(c, "12", 2, 0);
	send(c, "345", 3, 0);
	r = (int)recv(a, buf, 5, MSG_WAITALL);
	printf("WAITALL 5: %d '%.5s'\n", r, buf);
	usleep(50000);
	ioctl(c, SIOCOUTQ, &v);
	printf("SIOCOUTQ after the peer took it all: %d\n", v);

	/* SO_RCVTIMEO. */
	{
		struct timeval tv = {.tv_usec = 200000};
		struct timespec t0;
		long ms;

		setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = (int)recv(a, buf, sizeof(buf), 0);
		ms = ms_since(&t0);
		printf("SO_RCVTIMEO 200 ms: %s after at least 150 ms: %d\n", err(r), ms >= 150 && ms < 2000);
	}

	/* TCP_INFO of an established connection. */
	{
		struct tcp_info ti;

		len = sizeof(ti);
		memset(&ti, 0, sizeof(ti));
		getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len);
		printf("TCP_INFO len >= %zu: %d state %d options ts %d sack %d wscale %d\n", sizeof(ti), len >= sizeof(ti),
		       ti.tcpi_state, !!(ti.tcpi_options & TCPI_OPT_TIMESTAMPS), !!(ti.tcpi_options & TCPI_OPT_SACK),
		       !!(ti.tcpi_options & TCPI_OPT_WSCALE));
		printf("TCP_INFO rto >= 200 ms %d, rtt < 100 ms %d, cwnd >= 10 %d, unacked %u, snd_mss > 1000 %d, retrans %u\n",
		       ti.tcpi_rto >= 200000, ti.tcpi_rtt < 100000, ti.tcpi_snd_cwnd >= 10 ? 1 : (int)ti.tcpi_snd_cwnd, ti.tcpi_unacked,
		       ti.tcpi_snd_mss > 1000, ti.tcpi_total_retrans);
		len = sizeof(ti);
		getsockopt(l, IPPROTO_TCP, TCP_INFO, &ti, &len);
		printf("listener TCP_INFO state %d\n", ti.tcpi_state);
	}

	/* Options: defaults and what setting them does. */
	{
		static const struct {
			int level, name;
			const char *what;
		} opts[] = {
			{IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY"}, {IPPROTO_TCP, TCP_CORK, "TCP_CORK"},
			{IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE"}, {IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL"},
			{IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT"}, {IPPROTO_TCP, TCP_SYNCNT, "TCP_SYNCNT"},
			{IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT"}, {IPPROTO_TCP, TCP_QUICKACK, "TCP_QUICKACK"},
			{SOL_SOCKET, SO_ACCEPTCONN, "SO_ACCEPTCONN"}, {SOL_SOCKET, SO_TYPE, "SO_TYPE"},
			{SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE"},
		};

		for (unsigned i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
			len = sizeof(v);
			v = -1;
			r = getsockopt(c, opts[i].level, opts[i].name, &v, &len);
			printf("%s %s", opts[i].what, r ? err(r) : "");
			if (!r)
				printf("%d", v);
			printf(i % 4 == 3 ? "\n" : "; ");
		}
		printf("\n");
		len = sizeof(v);
		getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len);
		printf("listener SO_ACCEPTCONN %d\n", v);
		v = 0;
		printf("TCP_KEEPIDLE 0: %s; ", err(setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v))));
		v = 30;
		setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v));
		len = sizeof(v);
		getsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, &len);
		printf("30: reads %d; ", v);
		printf("short optlen: %s\n", err(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, 2)));
		printf("unknown TCP option: %s\n", err(setsockopt(c, IPPROTO_TCP, 9999, &v, sizeof(v))));
		/* The default differs between hosts (cubic, bbr): set one, read it back. */
		memset(buf, 0, sizeof(buf));
		len = 16;
		r = setsockopt(c, IPPROTO_TCP, TCP_CONGESTION, "reno", 4);
		getsockopt(c, IPPROTO_TCP, TCP_CONGESTION, buf, &len);
		printf("TCP_CONGESTION reno: %s, reads %s; ", err(r), buf);
		printf("nonsense: %s\n", err(setsockopt(c, IPPROTO_TCP, TCP_CONGESTION, "nonsense", 8)));
	}
	close(a);
	close(c);

	/* RST on close with unread data; the peer sees ECONNRESET, then EPIPE and SIGPIPE on writing. */
	a = pair(l, &c);
	write(c, "unread", 6);
	usleep(50000);
	close(a);
	usleep(50000);
	printf("peer after close with unread data: read %s; ", err(read(c, buf, sizeof(buf))));
	printf("then read %s; ", err(read(c, buf, sizeof(buf))));
	r = (int)send(c, "x", 1, MSG_NOSIGNAL);
	printf("send MSG_NOSIGNAL %s; ", err(r));
	r = (int)write(c, "x", 1);
	printf("write %s, SIGPIPEs %d\n", err(r), sigpipes);
	close(c);

	/* SO_LINGER 0: close resets at once. */
	a = pair(l, &c);
	{
		struct linger lg = {1, 0};
		struct pollfd p = {.fd = c, .events = POLLIN};

		setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(a);
		poll(&p, 1, 2000);
		printf("SO_LINGER 0: peer POLLIN %d POLLERR %d POLLHUP %d, read %s\n", !!(p.revents & POLLIN),
		       !!(p.revents & POLLERR), !!(p.revents & POLLHUP), err(read(c, buf, sizeof(buf))));
		len = sizeof(v);
		getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len);
		printf("then SO_ERROR %d\n", v);
	}
	close(c);

	/* epoll, edge-triggered: one event per arrival, EPOLLRDHUP at the FIN. */
	a = pair(l, &c);
	{
		int ep = epoll_create1(0), n;
		struct epoll_event ev = {.events = EPOLLIN | EPOLLET | EPOLLRDHUP, .data.fd = a}, out[4];

		epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev);
		n = epoll_wait(ep, out, 4, 0);
		printf("epoll ET, nothing yet: %d\n", n);
		write(c, "1", 1);
		n = epoll_wait(ep, out, 4, 1000);
		printf("data: %d event IN %d; ", n, n > 0 && (out[0].events & EPOLLIN));
		n = epoll_wait(ep, out, 4, 0);
		printf("again without reading: %d; ", n);
		write(c, "2", 1);
		n = epoll_wait(ep, out, 4, 1000);
		printf("more data: %d\n", n);
		shutdown(c, SHUT_WR);
		n = epoll_wait(ep, out, 4, 1000);
		printf("FIN: %d RDHUP %d\n", n, n > 0 && !!(out[0].events & EPOLLRDHUP));
		close(ep);
	}
	close(a);
	close(c);

	/* getpeername on an unconnected socket, send on one: ENOTCONN, EPIPE. */
	c = socket(AF_INET, SOCK_STREAM, 0);
	{
		struct sockaddr_in sa;

		len = sizeof(sa);
		printf("getpeername unconnected: %s; ", err(getpeername(c, (void *)&sa, &len)));
		printf("send unconnected: %s; ", err(send(c, "x", 1, MSG_NOSIGNAL)));
		printf("recv unconnected: %s; ", err(recv(c, buf, 1, MSG_DONTWAIT)));
		printf("shutdown unconnected: %s; ", err(shutdown(c, SHUT_RDWR)));
		printf("accept on unlistening: %s\n", err(accept(c, NULL, NULL)));
	}
	close(c);

	/* /proc/net/tcp: the listener and both ends of a connection, by port and state. */
	a = pair(l, &c);
	{
		FILE *pf = fopen("/proc/net/tcp", "r");
		char line[512], want_l[32], want_c[32];
		int listen_rows = 0, est_rows = 0, fields = 0;

		snprintf(want_l, sizeof(want_l), "0100007F:%04X", port_of(l));
		snprintf(want_c, sizeof(want_c), "0100007F:%04X", port_of(c));
		if (pf && fgets(line, sizeof(line), pf))
			fields = !strncmp(line, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
					  strlen("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"));
		while (pf && fgets(line, sizeof(line), pf)) {
			char loc[64], rem[64];
			unsigned st;

			if (sscanf(line, "%*d: %63s %63s %x", loc, rem, &st) != 3)
				continue;
			if (!strcmp(loc, want_l) && st == 0x0A && !strcmp(rem, "00000000:0000"))
				listen_rows++;
			if (st == 0x01 && ((!strcmp(loc, want_l) && !strcmp(rem, want_c)) ||
					   (!strcmp(loc, want_c) && !strcmp(rem, want_l))))
				est_rows++;
		}
		printf("/proc/net/tcp: header %d, listener rows %d, established rows %d\n", fields, listen_rows, est_rows);
		if (pf)
			fclose(pf);
	}
	close(a);
	close(c);
	close(l);
	return 0;
}
