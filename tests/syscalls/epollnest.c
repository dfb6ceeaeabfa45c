/*
 * epoll_ctl's checks on what is added: an epoll into itself (EINVAL), a
 * loop through other epolls (ELOOP), chains longer than Linux's nesting
 * limit built downwards and upwards (ELOOP), O_PATH descriptors on either
 * side (EBADF), a regular file (EPERM), a non-epoll epfd (EINVAL).
 */
#include "check.h"
#include <fcntl.h>
#include <sys/epoll.h>

int main(void)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int a = epoll_create1(0), b = epoll_create1(0), c = epoll_create1(0), e[8], i, op, reg, pfd[2];
	char what[64];

	CHECK("add itself", epoll_ctl(a, EPOLL_CTL_ADD, a, &ev));
	CHECK("add b to a", epoll_ctl(a, EPOLL_CTL_ADD, b, &ev));
	CHECK("add a to b (loop)", epoll_ctl(b, EPOLL_CTL_ADD, a, &ev));
	CHECK("add c to b", epoll_ctl(b, EPOLL_CTL_ADD, c, &ev));
	CHECK("add a to c (loop of 3)", epoll_ctl(c, EPOLL_CTL_ADD, a, &ev));
	CHECK("del c from b", epoll_ctl(b, EPOLL_CTL_DEL, c, &ev));
	CHECK("add a to c (no loop now)", epoll_ctl(c, EPOLL_CTL_ADD, a, &ev));

	/* Downwards: each new epoll takes the last. */
	for (i = 0; i < 7; i++)
		e[i] = epoll_create1(0);
	for (i = 1; i < 7; i++) {
		snprintf(what, sizeof(what), "e%d takes e%d", i, i - 1);
		CHECK(what, epoll_ctl(e[i], EPOLL_CTL_ADD, e[i - 1], &ev));
	}
	for (i = 0; i < 7; i++)
		close(e[i]);
	/* Upwards: each new epoll goes into the last. */
	for (i = 0; i < 7; i++)
		e[i] = epoll_create1(0);
	for (i = 1; i < 7; i++) {
		snprintf(what, sizeof(what), "e%d goes into e%d", i, i - 1);
		CHECK(what, epoll_ctl(e[i - 1], EPOLL_CTL_ADD, e[i], &ev));
	}
	/* From the middle: two chains joined. */
	for (i = 0; i < 7; i++)
		close(e[i]);
	for (i = 0; i < 6; i++)
		e[i] = epoll_create1(0);
	CHECK("e1 takes e0", epoll_ctl(e[1], EPOLL_CTL_ADD, e[0], &ev));
	CHECK("e2 takes e1", epoll_ctl(e[2], EPOLL_CTL_ADD, e[1], &ev));
	CHECK("e4 takes e3", epoll_ctl(e[4], EPOLL_CTL_ADD, e[3], &ev));
	CHECK("e5 takes e4", epoll_ctl(e[5], EPOLL_CTL_ADD, e[4], &ev));
	CHECK("e3 takes e2 (5 links)", epoll_ctl(e[3], EPOLL_CTL_ADD, e[2], &ev));
	CHECK("e3 takes e1 (4 links)", epoll_ctl(e[3], EPOLL_CTL_ADD, e[1], &ev));

	op = open("/", O_PATH);
	if (pipe(pfd) < 0)
		return 1;
	CHECK("O_PATH target", epoll_ctl(a, EPOLL_CTL_ADD, op, &ev));
	CHECK("O_PATH epfd", epoll_ctl(op, EPOLL_CTL_ADD, pfd[0], &ev));
	reg = open("/proc/self/exe", O_RDONLY);
	CHECK("regular file", epoll_ctl(a, EPOLL_CTL_ADD, reg, &ev));
	CHECK("epfd not an epoll", epoll_ctl(pfd[1], EPOLL_CTL_ADD, pfd[0], &ev));
	CHECK("pipe", epoll_ctl(a, EPOLL_CTL_ADD, pfd[0], &ev));
	return 0;
}
