/*
 * A netlink receive that waits: SO_RCVTIMEO ends it with EAGAIN, a signal
 * with EINTR (no SA_RESTART), and an answer that comes wakes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void on_alarm(int sig)
{
	(void)sig;
}

int main(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct timeval tv = {.tv_sec = 0, .tv_usec = 200000}, got;
	socklen_t len = sizeof(got);
	struct sigaction sa;
	char buf[8192];
	ssize_t n;
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req = {{sizeof(req), RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0}, {AF_UNSPEC}};
	struct pollfd p = {.fd = fd, .events = POLLIN};

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("poll empty: %d\n", poll(&p, 1, 0));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &got, &len);
	printf("SO_RCVTIMEO %ld.%06ld\n", (long)got.tv_sec, (long)got.tv_usec);
	n = recv(fd, buf, sizeof(buf), 0);
	printf("recv with a timeout: %zd %s\n", n, n < 0 ? strerror(errno) : "");
	tv.tv_usec = 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	ualarm(100000, 0);
	n = recv(fd, buf, sizeof(buf), 0);
	printf("recv interrupted: %zd %s\n", n, n < 0 ? strerror(errno) : "");
	send(fd, &req, sizeof(req), 0);
	n = poll(&p, 1, 1000);
	printf("poll with an answer: %zd revents %#x\n", n, (unsigned)p.revents);
	n = recv(fd, buf, sizeof(buf), 0);
	printf("recv an answer: %s\n", n > 0 ? "yes" : "no");
	return 0;
}
