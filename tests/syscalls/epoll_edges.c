/*
 * Edge-triggered epoll on a pipe: an edge comes from a notify that names
 * an event the entry asked for, as Linux's keyed wake-ups.  A read of part
 * of a full pipe's data makes no new edge for the reader (nothing new to
 * read) nor for the writer (the pipe is still not writable); the read that
 * empties it makes one for the writer; every write makes one for the
 * reader, even into a pipe that already had data (LTP's epoll_wait06).
 */
#include "check.h"
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>

static int ep, fds[2];

static void wait_once(const char *what)
{
	struct epoll_event ev[2];
	int n = epoll_wait(ep, ev, 2, 0), i;

	printf("%s: %d", what, n);
	for (i = 0; i < n; i++)
		printf(" %s %#x", ev[i].data.fd == fds[0] ? "reader" : "writer", ev[i].events);
	printf("\n");
	fflush(stdout);
}

int main(void)
{
	char buf[4096];

	memset(buf, 'a', sizeof(buf));
	if (pipe2(fds, O_NONBLOCK) < 0)
		return 1;
	CHECK("F_SETPIPE_SZ 4096", fcntl(fds[1], F_SETPIPE_SZ, 4096));
	ep = epoll_create1(0);
	CHECK("add reader", epoll_ctl(ep, EPOLL_CTL_ADD, fds[0],
				      &(struct epoll_event){.events = EPOLLIN | EPOLLET, .data.fd = fds[0]}));
	CHECK("add writer", epoll_ctl(ep, EPOLL_CTL_ADD, fds[1],
				      &(struct epoll_event){.events = EPOLLOUT | EPOLLET, .data.fd = fds[1]}));
	wait_once("empty pipe");
	wait_once("again");
	CHECK("write 4096", write(fds[1], buf, 4096));
	CHECK("write more", write(fds[1], buf, 1));
	wait_once("after the write");
	CHECK("read 2048", read(fds[0], buf, 2048));
	wait_once("after reading half");
	CHECK("read 2048", read(fds[0], buf, 2048));
	wait_once("after reading the rest");
	wait_once("again");
	CHECK("write 100", write(fds[1], buf, 100));
	wait_once("after a small write");
	CHECK("write 100 more", write(fds[1], buf, 100));
	wait_once("after a write into a pipe with data");
	CHECK("read 50", read(fds[0], buf, 50));
	wait_once("after a read of a pipe that was not full");
	return 0;
}
