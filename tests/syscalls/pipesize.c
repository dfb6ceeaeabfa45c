/* tee(2) and F_GETPIPE_SZ/F_SETPIPE_SZ: what Linux does with pipe capacities and duplication. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SHOW(what, call)                                                          \
	do {                                                                      \
		long r_ = (long)(call);                                           \
		printf("%s = %ld%s%s\n", what, r_, r_ < 0 ? " " : "", r_ < 0 ? strerror(errno) : ""); \
	} while (0)

int main(void)
{
	int a[2], b[2], fd;
	char buf[64];
	static char big[300000];
	long n;

	if (pipe(a) < 0 || pipe(b) < 0)
		return 1;
	SHOW("F_GETPIPE_SZ", fcntl(a[0], F_GETPIPE_SZ));
	SHOW("F_SETPIPE_SZ 5000", fcntl(a[1], F_SETPIPE_SZ, 5000));
	SHOW("F_GETPIPE_SZ after", fcntl(a[0], F_GETPIPE_SZ));
	SHOW("F_SETPIPE_SZ 1", fcntl(a[1], F_SETPIPE_SZ, 1));
	/* Past 2^31 no power of two of pages fits: EINVAL before any privilege check (LTP's fcntl37). */
	SHOW("F_SETPIPE_SZ 2^31 + 1", fcntl(a[1], F_SETPIPE_SZ, (1U << 31) + 1));
	SHOW("write 10000 nonblocking into 4096", (fcntl(a[1], F_SETFL, O_NONBLOCK), write(a[1], big, 10000)));
	SHOW("F_SETPIPE_SZ 1 with 4096 in it", fcntl(a[1], F_SETPIPE_SZ, 1));
	SHOW("F_SETPIPE_SZ 262144 with data", fcntl(a[1], F_SETPIPE_SZ, 262144));
	SHOW("drain", read(a[0], big, sizeof(big)));
	SHOW("write 200000 into 256K", write(a[1], big, 200000));
	SHOW("drain again", read(a[0], big, sizeof(big)));
	fd = open("/dev/null", O_RDONLY);
	SHOW("F_GETPIPE_SZ of /dev/null", fcntl(fd, F_GETPIPE_SZ));

	/* tee: the source keeps its data. */
	SHOW("write hello", write(a[1], "hello tee", 9));
	SHOW("tee 100", tee(a[0], b[1], 100, 0));
	n = read(b[0], buf, sizeof(buf));
	printf("copy: %.*s\n", (int)(n > 0 ? n : 0), buf);
	n = read(a[0], buf, sizeof(buf));
	printf("original: %.*s\n", (int)(n > 0 ? n : 0), buf);
	SHOW("tee 4 of empty, nonblock", tee(a[0], b[1], 4, SPLICE_F_NONBLOCK));
	SHOW("write again", write(a[1], "0123456789", 10));
	SHOW("tee 4", tee(a[0], b[1], 4, 0));
	n = read(b[0], buf, sizeof(buf));
	printf("copy: %.*s\n", (int)(n > 0 ? n : 0), buf);
	SHOW("tee to itself", tee(a[0], a[1], 4, 0));
	SHOW("tee from the write end", tee(a[1], b[1], 4, 0));
	SHOW("tee to a file", tee(a[0], fd, 4, 0));
	SHOW("tee bad flags", tee(a[0], b[1], 4, 0x100));
	close(a[1]);
	n = read(a[0], buf, sizeof(buf));
	printf("rest: %.*s\n", (int)(n > 0 ? n : 0), buf);
	SHOW("tee after the writers left", tee(a[0], b[1], 4, 0));
	return 0;
}
