/*
 * A FIFO opened O_RDWR is both its ends: poll and select report its reads
 * and its writes (LTP's select01 counted 1 where Linux counts 2).
 */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/stat.h>

int main(void)
{
	struct pollfd p;
	struct timeval tv = {0, 0};
	fd_set r, w;
	int fd;

	unlink("/tmp/fifo_rdwr");
	CHECK("mkfifo", mkfifo("/tmp/fifo_rdwr", 0600));
	fd = open("/tmp/fifo_rdwr", O_RDWR);
	p = (struct pollfd){.fd = fd, .events = POLLIN | POLLOUT};
	CHECK("poll, empty", poll(&p, 1, 0));
	CHECK("revents, empty", p.revents);
	CHECK("write 1", write(fd, "x", 1));
	CHECK("poll, 1 byte in it", poll(&p, 1, 0));
	CHECK("revents, 1 byte in it", p.revents);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fd, &r);
	FD_SET(fd, &w);
	CHECK("select, read and write sets", select(fd + 1, &r, &w, NULL, &tv));
	unlink("/tmp/fifo_rdwr");
	return 0;
}
