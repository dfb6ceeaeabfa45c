/*
 * TCP urgent data over loopback, as Linux has it (BSD's one-byte
 * out-of-band model): send(MSG_OOB) makes the last byte urgent; the
 * receiver's normal reads stop at the mark and skip that byte, which
 * recv(MSG_OOB) returns once (EINVAL when there is none, or it was read
 * already, or SO_OOBINLINE leaves it in the stream); SIOCATMARK,
 * sockatmark(3) and FIONREAD around the mark; POLLPRI, EPOLLPRI and
 * select's exceptfds while the byte waits; SIGURG for the F_SETOWN owner;
 * a second urgent byte before the first is read; IPv6 as IPv4.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
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

static int v6;

/* A connected pair over loopback: *c the client, returns the accepted end. */
static int pair(int *c)
{
	struct sockaddr_storage ss = {0};
	socklen_t len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int l = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0), a;

	if (v6) {
		struct sockaddr_in6 *s = (void *)&ss;

		s->sin6_family = AF_INET6;
		s->sin6_addr = in6addr_loopback;
	} else {
		struct sockaddr_in *s = (void *)&ss;

		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	if (bind(l, (void *)&ss, len) || listen(l, 4) || getsockname(l, (void *)&ss, &len)) {
		perror("listener");
		exit(1);
	}
	*c = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	if (connect(*c, (void *)&ss, len)) {
		perror("connect");
		exit(1);
	}
	a = accept(l, NULL, NULL);
	close(l);
	return a;
}

/* Loopback delivers within the sender's call; a little time all the same. */
static void settle(void)
{
	usleep(20000);
}

static void sendstr(int s, const char *d, int flags)
{
	if (send(s, d, strlen(d), flags | MSG_NOSIGNAL) != (ssize_t)strlen(d))
		printf("send %s: %s\n", d, strerrorname_np(errno));
}

/* One recv of at most 64 bytes, shown as its data or its error. */
static void show_recv(const char *what, int s, int flags)
{
	char buf[64];
	ssize_t n = recv(s, buf, sizeof(buf), flags | MSG_DONTWAIT);

	if (n < 0)
		printf("%s: %s\n", what, strerrorname_np(errno));
	else
		printf("%s: %zd \"%.*s\"\n", what, n, (int)n, buf);
}

/* recvmsg with flags into a buffer of len bytes: what came and msg_flags. */
static void show_recvmsg(const char *what, int s, int flags, size_t len)
{
	char buf[64] = "-";
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n = recvmsg(s, &m, flags | MSG_DONTWAIT);

	if (n < 0) {
		printf("%s: %s\n", what, strerrorname_np(errno));
		return;
	}
	/* With MSG_TRUNC Linux counts the byte but writes nothing: buf still says "-". */
	printf("%s: %zd \"%.1s\" flags%s%s%s\n", what, n, buf, m.msg_flags & MSG_OOB ? " OOB" : "",
	       m.msg_flags & MSG_TRUNC ? " TRUNC" : "", m.msg_flags & ~(MSG_OOB | MSG_TRUNC) ? " other" : "");
}

/* The mark, the bytes readable and the readiness, every way there is to ask. */
static void show_state(const char *what, int s)
{
	struct pollfd p = {.fd = s, .events = POLLIN | POLLPRI | POLLRDBAND};
	int mark = -1, inq = -1, ep = epoll_create1(0), n;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLPRI, .data.fd = s};
	fd_set rd, ex;
	struct timeval tv = {0, 0};

	ioctl(s, SIOCATMARK, &mark);
	ioctl(s, FIONREAD, &inq);
	poll(&p, 1, 0);
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	ev.events = 0;
	n = epoll_wait(ep, &ev, 1, 0);
	close(ep);
	FD_ZERO(&rd);
	FD_ZERO(&ex);
	FD_SET(s, &rd);
	FD_SET(s, &ex);
	select(s + 1, &rd, NULL, &ex, &tv);
	printf("%s: atmark %d sockatmark %d inq %d poll%s%s%s epoll%s%s select%s%s\n", what, mark, sockatmark(s), inq,
	       p.revents & POLLIN ? " IN" : "", p.revents & POLLPRI ? " PRI" : "", p.revents & POLLRDBAND ? " RDBAND" : "",
	       n > 0 && ev.events & EPOLLIN ? " IN" : "", n > 0 && ev.events & EPOLLPRI ? " PRI" : "",
	       FD_ISSET(s, &rd) ? " rd" : "", FD_ISSET(s, &ex) ? " ex" : "");
}

static volatile int urgs, urg_code, urg_fd;

static void on_urg(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	urgs++;
	urg_code = si->si_code;
}

static void basics(void)
{
	int c, a = pair(&c), u = socket(AF_INET, SOCK_STREAM, 0), l = socket(AF_INET, SOCK_STREAM, 0);
	char z = 0;

	printf("-- no urgent data\n");
	show_recv("recv OOB", a, MSG_OOB);
	show_state("state", a);
	printf("send OOB of nothing: %s\n", err(send(c, &z, 0, MSG_OOB)));
	show_state("after it", a);
	printf("send OOB unconnected: %s\n", err(send(u, "x", 1, MSG_OOB | MSG_NOSIGNAL)));
	show_recv("recv OOB unconnected", u, MSG_OOB);
	listen(l, 1);
	show_recv("recv OOB listening", l, MSG_OOB);
	close(u);
	close(l);

	printf("-- abc, X urgent, def\n");
	sendstr(c, "abc", 0);
	sendstr(c, "X", MSG_OOB);
	sendstr(c, "def", 0);
	settle();
	show_state("before", a);
	show_recv("read", a, 0);
	show_state("at the mark", a);
	show_recvmsg("recvmsg OOB|PEEK", a, MSG_OOB | MSG_PEEK, 64);
	show_recvmsg("recvmsg OOB", a, MSG_OOB, 64);
	show_recv("recv OOB again", a, MSG_OOB);
	show_state("after the OOB byte", a);
	show_recv("read", a, 0);
	show_state("after", a);

	printf("-- the urgent byte left unread is skipped\n");
	sendstr(c, "ab", 0);
	sendstr(c, "X", MSG_OOB);
	sendstr(c, "cd", 0);
	settle();
	show_recv("read", a, 0);
	show_recv("read", a, 0);
	show_recv("recv OOB", a, MSG_OOB);
	show_state("after", a);

	printf("-- a write of several bytes: only the last is urgent\n");
	sendstr(c, "hello", MSG_OOB);
	settle();
	show_state("before", a);
	show_recv("read", a, 0);
	show_recv("recv OOB", a, MSG_OOB);
	show_recv("read", a, 0);

	printf("-- two urgent bytes before a read: the first becomes data\n");
	sendstr(c, "a", 0);
	sendstr(c, "X", MSG_OOB);
	sendstr(c, "Y", MSG_OOB);
	sendstr(c, "b", 0);
	settle();
	show_recv("read", a, 0);
	show_recv("recv OOB", a, MSG_OOB);
	show_recv("read", a, 0);

	printf("-- only an urgent byte\n");
	sendstr(c, "X", MSG_OOB);
	settle();
	show_state("before", a);
	show_recv("recv OOB", a, MSG_OOB);
	show_state("after", a);
	show_recv("read", a, 0);
	sendstr(c, "Z", 0);
	settle();
	show_state("more data", a);
	show_recv("read", a, 0);

	printf("-- only an urgent byte, read as data\n");
	sendstr(c, "X", MSG_OOB);
	settle();
	show_recv("read", a, 0);
	show_recv("recv OOB", a, MSG_OOB);
	show_state("after", a);

	printf("-- MSG_TRUNC and an empty buffer\n");
	sendstr(c, "X", MSG_OOB);
	sendstr(c, "Y", 0);
	settle();
	show_recvmsg("recvmsg OOB|TRUNC", a, MSG_OOB | MSG_TRUNC | MSG_PEEK, 64);
	show_recvmsg("recvmsg OOB into 0 bytes", a, MSG_OOB, 0);
	{
		char one[4] = "-";

		printf("recv OOB|TRUNC|PEEK: %zd \"%.1s\"\n", recv(a, one, sizeof(one), MSG_OOB | MSG_TRUNC | MSG_PEEK), one);
	}
	show_recv("recv OOB", a, MSG_OOB);
	show_recv("read", a, 0);

	printf("-- the peer closes after its urgent byte\n");
	sendstr(c, "ab", 0);
	sendstr(c, "X", MSG_OOB);
	close(c);
	settle();
	show_state("before", a);
	show_recv("recv OOB", a, MSG_OOB);
	show_recv("read", a, 0);
	show_recv("read", a, 0);
	show_recv("recv OOB", a, MSG_OOB);
	close(a);
}

static void inline_mode(void)
{
	int c, a = pair(&c), on = 1;
	socklen_t len = sizeof(on);

	printf("-- SO_OOBINLINE\n");
	setsockopt(a, SOL_SOCKET, SO_OOBINLINE, &on, sizeof(on));
	on = 0;
	getsockopt(a, SOL_SOCKET, SO_OOBINLINE, &on, &len);
	printf("SO_OOBINLINE %d\n", on);
	sendstr(c, "ab", 0);
	sendstr(c, "X", MSG_OOB);
	sendstr(c, "cd", 0);
	settle();
	show_state("before", a);
	show_recv("read", a, 0);
	show_state("at the mark", a);
	show_recv("recv OOB", a, MSG_OOB);
	show_recv("read", a, 0);
	show_state("after", a);
	close(a);
	close(c);
}

static void sigurg(void)
{
	int c, a = pair(&c);
	struct sigaction sa = {.sa_sigaction = on_urg, .sa_flags = SA_SIGINFO};

	printf("-- SIGURG\n");
	sigaction(SIGURG, &sa, NULL);
	sendstr(c, "X", MSG_OOB);
	settle();
	printf("no owner: %d signals\n", urgs);
	show_recv("recv OOB", a, MSG_OOB);
	fcntl(a, F_SETOWN, getpid());
	sendstr(c, "Y", MSG_OOB);
	settle();
	printf("owner: %d signals, si_code %#x\n", urgs, urg_code);
	show_recv("recv OOB", a, MSG_OOB);
	sendstr(c, "abc", 0);
	settle();
	printf("plain data: %d signals\n", urgs);
	fcntl(a, F_SETOWN, 0);
	sendstr(c, "Z", MSG_OOB);
	settle();
	printf("owner gone: %d signals\n", urgs);
	show_recv("read", a, 0);
	show_recv("recv OOB", a, MSG_OOB);
	close(a);
	close(c);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (v6 = 0; v6 < 2; v6++) {
		printf("==== %s\n", v6 ? "IPv6" : "IPv4");
		basics();
		inline_mode();
	}
	sigurg();
	return 0;
}
